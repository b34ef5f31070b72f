/**
 * The sandbox's own endpoints, outside AWS's APIs: the OIDC issuer's discovery document and keys
 * (`/.well-known/…`), and `/_xacct/…` (workload tokens and credentials).
 */
import type { ServiceRequest, Reply } from "./protocol.js";

/** True for paths this module answers instead of an AWS service. */
export function isLocalPath(path: string): boolean {
  return path.startsWith("/_xacct/") || path.startsWith("/.well-known/");
}

export function answerLocal(_request: ServiceRequest): Reply | Promise<Reply> {
  return { status: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "not found" }) };
}
