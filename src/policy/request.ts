import { parseArn, isAccountId } from "../aws/arn.js";
import { RequestContext } from "./context.js";
import { at, describe, fail, type Path } from "./errors.js";
import { compilePolicy, type Policy, type PolicyKind } from "./policy.js";
import { parseRequestPrincipal, type RequestPrincipal } from "./principal.js";
import { isTrustAction } from "./services.js";

/** A request to decide, with every policy that applies to it, compiled. */
export interface AccessRequest {
  principal: RequestPrincipal;
  /** The action as given (`s3:GetObject`). */
  action: string;
  resource: string;
  /** The account that owns the resource; undefined only where no account applies. */
  resourceAccount: string | undefined;
  context: RequestContext;
  identityPolicies: readonly Policy[];
  resourcePolicy: Policy | undefined;
  permissionsBoundary: Policy | undefined;
  sessionPolicy: Policy | undefined;
  endpointPolicy: Policy | undefined;
  /** Levels from the organization root down to the principal's account; undefined: no organization. */
  scps: readonly (readonly Policy[])[] | undefined;
  /** Levels from the organization root down to the resource's account; undefined: no organization. */
  rcps: readonly (readonly Policy[])[] | undefined;
}

const REQUEST_KEYS = new Set([
  "principal",
  "action",
  "resource",
  "resourceAccount",
  "context",
  "identityPolicies",
  "resourcePolicy",
  "permissionsBoundary",
  "sessionPolicy",
  "endpointPolicy",
  "scps",
  "rcps",
]);
const REQUEST_ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9_-]+$/;

/**
 * Reads a request in the `xacct simulate` format (see README), validating every field and policy.
 * Errors name the JSON path: `identityPolicies[0].Statement[1].Effect: must be "Allow" or "Deny"`.
 */
export function parseRequest(input: unknown, path = ""): AccessRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    fail(path, `a request must be a JSON object, got ${describe(input)}`);
  const r = input as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!REQUEST_KEYS.has(key)) fail(at(path, key), `unknown request field "${key}" (expected one of ${[...REQUEST_KEYS].join(", ")})`);
  }
  const principalText = requiredString(r, "principal", path);
  const action = requiredString(r, "action", path);
  if (!REQUEST_ACTION.test(action))
    fail(at(path, "action"), `must be one action as "service:Action" (no wildcards), got ${describe(action)}`);
  const resource = requiredString(r, "resource", path);
  const principal = parseRequestPrincipal(principalText, at(path, "principal"));
  const resourceAccount = readResourceAccount(r.resourceAccount, resource, principal, at(path, "resourceAccount"));
  const resourceKind: PolicyKind = isTrustAction(action.toLowerCase()) ? "trust" : "resource";
  return {
    principal,
    action,
    resource,
    resourceAccount,
    context: RequestContext.fromRequestJson(r.context, at(path, "context")),
    identityPolicies: policyList(r.identityPolicies, "identity", at(path, "identityPolicies")),
    resourcePolicy: optionalPolicy(r.resourcePolicy, resourceKind, at(path, "resourcePolicy")),
    permissionsBoundary: optionalPolicy(r.permissionsBoundary, "boundary", at(path, "permissionsBoundary")),
    sessionPolicy: optionalPolicy(r.sessionPolicy, "session", at(path, "sessionPolicy")),
    endpointPolicy: optionalPolicy(r.endpointPolicy, "endpoint", at(path, "endpointPolicy")),
    scps: levels(r.scps, "scp", at(path, "scps")),
    rcps: levels(r.rcps, "rcp", at(path, "rcps")),
  };
}

function requiredString(r: Record<string, unknown>, key: string, path: Path): string {
  const value = r[key];
  if (value === undefined || value === null) fail(at(path, key), "is required");
  if (typeof value !== "string" || value.length === 0) fail(at(path, key), `must be a non-empty string, got ${describe(value)}`);
  return value;
}

/**
 * The resource's account: as given, else from the resource ARN, else (for `*`) the caller's own
 * account. An ARN without an account (S3 buckets and objects) needs it given.
 */
function readResourceAccount(value: unknown, resource: string, principal: RequestPrincipal, path: Path): string | undefined {
  const arn = parseArn(resource);
  if (value !== undefined && value !== null) {
    if (typeof value !== "string" || !isAccountId(value)) fail(path, `must be a 12-digit account ID, got ${describe(value)}`);
    if (arn && isAccountId(arn.account) && arn.account !== value)
      fail(path, `says ${value}, but the resource ARN belongs to ${arn.account}; leave it out or correct it`);
    return value;
  }
  if (arn && isAccountId(arn.account)) return arn.account;
  if (resource === "*") return principal.account;
  fail(path, `is required: the resource ${arn ? "ARN carries no account ID" : "is not an ARN"}, so say which account owns it`);
}

function optionalPolicy(value: unknown, kind: PolicyKind, path: Path): Policy | undefined {
  return value === undefined || value === null ? undefined : compilePolicy(value, kind, path);
}

function policyList(value: unknown, kind: PolicyKind, path: Path): Policy[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, `must be an array of policies, got ${describe(value)}`);
  return value.map((p, i) => compilePolicy(p, kind, at(path, i)));
}

function levels(value: unknown, kind: PolicyKind, path: Path): Policy[][] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(path, `must be an array of levels (root first), each an array of policies, got ${describe(value)}`);
  return value.map((level, i) => policyList(level, kind, at(path, i)));
}
