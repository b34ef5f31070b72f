/**
 * AWS query-protocol XML: success documents (`<ActionResponse><ActionResult>…`) and the
 * `ErrorResponse` shape STS sends, built with fast-xml-parser (which escapes the text).
 */
import { XMLBuilder } from "fast-xml-parser";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: false, suppressEmptyNode: false });

/** A refusal in AWS's words: HTTP status, error code, message. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
  }
}

export function successXml(action: string, result: Record<string, unknown>, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [`${action}Response`]: { "@_xmlns": STS_NAMESPACE, [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } } })}`;
}

export function errorXml(error: AwsError, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ ErrorResponse: { "@_xmlns": STS_NAMESPACE, Error: { Type: error.type, Code: error.code, Message: error.message }, RequestId: requestId } })}`;
}
