/**
 * The four wire protocols AWS services speak, as the sandbox answers them: what a service
 * handler is given, what it returns, and how a refusal is written in each protocol's error shape.
 *
 * - query (STS, IAM, SNS, …): form-encoded `Action=…`, XML `<ActionResponse>`, `<ErrorResponse>`.
 * - json (`X-Amz-Target`: SQS, DynamoDB, KMS, Glue, …): JSON bodies, `{"__type", "message"}` errors.
 * - rest-xml (S3): path and method name the operation, `<Error><Code>…` errors.
 * - rest-json (Lambda, MWAA, …): path and method name the operation, `x-amzn-errortype` errors.
 * - ec2 (EC2's own query protocol): form-encoded `Action=…`, XML `<ActionResponse>` with no
 *   Result element, lists as `<item>`, `<Response><Errors><Error>…` errors.
 */
import type { SandboxCore } from "./core.js";
import type { KnownCredential } from "./credentials.js";
import { AwsError, errorXml, XML_DECLARATION, xml } from "./xml.js";

export type Protocol = "query" | "json" | "rest-xml" | "rest-json" | "ec2";

export interface ServiceRequest {
  core: SandboxCore;
  requestId: string;
  /** The sandbox's clock when the request arrived, epoch milliseconds. */
  now: number;
  method: string;
  url: URL;
  /** The path as received: percent-encoded as the client sent it, never normalized (S3 keys keep `//` and `./`). */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The query string's parameters and, for a form-encoded POST, the body's. */
  params: URLSearchParams;
  /** The service and region the request was signed for (its credential scope). */
  service: string;
  region: string;
  /** The proven caller; undefined only for calls AWS takes unsigned (AssumeRoleWithWebIdentity). */
  caller: KnownCredential | undefined;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface Service {
  protocol: Protocol;
  /** Query and EC2 protocols: the XML namespace of the service's documents. */
  namespace?: string;
  handle(request: ServiceRequest): Reply | Promise<Reply>;
}

/** The caller of a signed request (services other than STS's unsigned calls always have one). */
export function callerOf(request: ServiceRequest): KnownCredential {
  if (!request.caller) throw new AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  return request.caller;
}

/**
 * A query-protocol call's `Action` and its handler in the service's table, refused as AWS refuses
 * one it does not know: MissingAction without an Action, InvalidAction for an action the table
 * lacks or an API version other than the service's.
 */
export function queryAction<Handler>(
  request: ServiceRequest,
  actions: Readonly<Record<string, Handler>>,
  version: string,
): { action: string; handler: Handler } {
  const action = request.params.get("Action");
  if (action === null) throw new AwsError(400, "MissingAction", "Missing Action");
  const given = request.params.get("Version");
  const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
  if (handler === undefined || (given !== null && given !== version))
    throw new AwsError(400, "InvalidAction", `Could not find operation ${action} for version ${given ?? "NO_VERSION_SPECIFIED"}`);
  return { action, handler };
}

/** A query-protocol success: `<ActionResponse xmlns=…><ActionResult>…</ActionResult><ResponseMetadata>…`. */
export function queryReply(action: string, result: Record<string, unknown> | undefined, requestId: string, namespace: string): Reply {
  const body = { "@_xmlns": namespace, ...(result ? { [`${action}Result`]: result } : {}), ResponseMetadata: { RequestId: requestId } };
  return { headers: { "content-type": "text/xml" }, body: `${XML_DECLARATION}${xml({ [`${action}Response`]: body })}` };
}

export function jsonReply(value: unknown, status = 200, contentType = "application/x-amz-json-1.0"): Reply {
  return { status, headers: { "content-type": contentType }, body: JSON.stringify(value) };
}

/** A refusal written in the protocol's error shape, with AWS's request-id headers. */
export function errorReply(protocol: Protocol, error: AwsError, requestId: string, namespace?: string): Reply {
  switch (protocol) {
    case "query":
      return { status: error.status, headers: { "content-type": "text/xml" }, body: errorXml(error, requestId, namespace) };
    case "json":
      return {
        status: error.status,
        headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-query-error": `${error.code};${error.type}` },
        body: JSON.stringify({ __type: error.code, message: error.message }),
      };
    case "rest-xml":
      return {
        status: error.status,
        headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
        body: `${XML_DECLARATION}${xml({ Error: { Code: error.code, Message: error.message, RequestId: requestId } })}`,
      };
    case "ec2":
      // The EC2 API reference's "Error responses": no namespace, the request ID as RequestID.
      return {
        status: error.status,
        headers: { "content-type": "text/xml" },
        body: `${XML_DECLARATION}${xml({ Response: { Errors: { Error: { Code: error.code, Message: error.message } }, RequestID: requestId } })}`,
      };
    case "rest-json":
      return {
        status: error.status,
        headers: { "content-type": "application/json", "x-amzn-errortype": error.code },
        body: JSON.stringify({ Type: error.type === "Sender" ? "User" : "Service", message: error.message }),
      };
  }
}
