/**
 * Deciding a service call with the engine (through `SandboxCore.require`) and refusing it in the
 * words the service uses: the error code of its protocol and AWS's message naming the principal,
 * action and resource, spelled as that service spells it.
 */
import type { KnownCredential } from "../credentials.js";
import { callerOf, type ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import type { ResolvedResource } from "./resources.js";

export interface AccessCheck {
  action: string;
  resource: string;
  /** The account that owns the resource, for ARNs that carry none (S3). */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
  /** Why the resource is "*" though the action acts on one (the decision log's note). */
  note?: string;
  /** The refusal's error code: AccessDeniedException (JSON and REST-JSON services), AccessDenied (query, S3, SQS). */
  code: "AccessDeniedException" | "AccessDenied";
  /** S3 quotes the resource ARN in its message. */
  quoteResource?: boolean;
  /** SQS writes the action in lower case in its message (`sqs:sendmessage`). */
  lowerCaseAction?: boolean;
}

/** A resolved resource as a check's resource, its owner and the log's note. */
export function onResource(resource: ResolvedResource): Pick<AccessCheck, "resource" | "resourceAccount" | "note"> {
  return {
    resource: resource.arn,
    ...(resource.account ? { resourceAccount: resource.account } : {}),
    ...(resource.unresolved ? { note: resource.unresolved } : {}),
  };
}

/** The options of SandboxCore.authorize for a check. */
function optionsOf(request: ServiceRequest, check: Omit<AccessCheck, "code">) {
  return {
    requestId: request.requestId,
    ...(check.resourceAccount ? { resourceAccount: check.resourceAccount } : {}),
    ...(check.context ? { context: check.context } : {}),
    ...(check.note ? { note: check.note } : {}),
  };
}

/** The caller, once the engine allows `check`; else the refusal AWS answers (HTTP 403). */
export function requireAccess(request: ServiceRequest, check: AccessCheck): KnownCredential {
  const caller = callerOf(request);
  request.core.require(caller, check.action, check.resource, {
    ...optionsOf(request, check),
    denial: (message) => {
      let text = message;
      if (check.quoteResource) text = text.replace(`on resource: ${check.resource}`, `on resource: "${check.resource}"`);
      if (check.lowerCaseAction) text = text.split(check.action).join(check.action.toLowerCase());
      return new AwsError(403, check.code, text);
    },
  });
  return caller;
}

/** Whether the engine allows `check` (logged as every decision is), without refusing. */
export function allows(request: ServiceRequest, check: Omit<AccessCheck, "code" | "quoteResource" | "lowerCaseAction">): boolean {
  const result = request.core.authorize(callerOf(request), check.action, check.resource, optionsOf(request, check));
  return result?.decision === "Allow";
}

/** The caller's partition and account, and the region the request was signed for. */
export function whereOf(request: ServiceRequest): { partition: string; region: string; account: string } {
  const caller = callerOf(request);
  return { partition: request.core.account(caller.account)?.partition ?? "aws", region: request.region, account: caller.account };
}
