/**
 * AWS XML: the query protocol's `ErrorResponse` and documents in general, built with
 * fast-xml-parser (which escapes the text), and the AwsError every service throws.
 */
import { XMLBuilder } from "fast-xml-parser";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: false, suppressEmptyNode: false });

/** An XML document from an object: keys are elements, `@_name` keys attributes, arrays repeat. */
export function xml(value: Record<string, unknown>): string {
  return builder.build(value) as string;
}

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

export function errorXml(error: AwsError, requestId: string, namespace = STS_NAMESPACE): string {
  return `${XML_DECLARATION}${xml({ ErrorResponse: { "@_xmlns": namespace, Error: { Type: error.type, Code: error.code, Message: error.message }, RequestId: requestId } })}`;
}
