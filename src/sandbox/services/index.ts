/**
 * Every service other than STS and IAM: which handler answers a request, from the service it was
 * signed for and the protocol it speaks.
 */
import type { Service } from "../protocol.js";

export function serviceFor(_service: string, _headers: Record<string, string>, _params: URLSearchParams): Service | undefined {
  return undefined;
}
