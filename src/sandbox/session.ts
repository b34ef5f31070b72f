/**
 * What a new STS session carries beyond its role, and AWS's rules for it:
 * - session tags (passed, and the calling session's transitive tags, which pass on down a chain
 *   and cannot be overridden), which the trust must allow with `sts:TagSession`;
 * - a source identity, set once and kept through the chain, which the trust must allow with
 *   `sts:SetSourceIdentity`;
 * - session policies (inline `Policy`, managed `PolicyArns`), joined into the one policy the
 *   engine intersects with the role's permissions;
 * - the request keys the trust policy sees, and the packed size AWS reports.
 * Sources: STS API reference (AssumeRole, AssumeRoleWithWebIdentity), IAM User Guide ("Passing
 * session tags in AWS STS", "Monitor and control actions taken with assumed roles", "Session
 * policies").
 */
import { isAwsManagedPolicyArn } from "../aws/arn.js";
import { deflateRawSync } from "node:zlib";
import { PolicyInputError } from "../policy/errors.js";
import { compilePolicy, type Policy } from "../policy/policy.js";
import type { AccountEntry, AccountState } from "../state/account-state.js";
import type { KnownCredential, SessionDetails } from "./credentials.js";
import type { QueryParams } from "./query-params.js";
import { AwsError } from "./xml.js";

/** AWS's tag key and value shapes (STS API reference, Tag). */
const TAG_KEY = { min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" };
const TAG_VALUE = { min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" };
/** "You can pass up to 50 session tags." */
const MAX_TAGS = 50;
/** SourceIdentity: 2–64 characters of `[\w+=,.@-]` (so never the reserved `aws:` prefix). */
export const SOURCE_IDENTITY = { min: 2, max: 64, pattern: "[\\w+=,.@-]*" };
/** An inline session policy's plaintext limit. */
const MAX_POLICY_CHARACTERS = 2048;
/** "You can provide up to 10 managed policy ARNs." */
const MAX_POLICY_ARNS = 10;

/**
 * The packed size is AWS's own compression of the session policies and tags, which it does not
 * publish. The sandbox estimates it: the raw DEFLATE size of the minified inline policy, the
 * managed policy ARNs and the tags (`key=value`), as a percentage of PACKED_BYTES, rounded up.
 * PACKED_BYTES is the sandbox's calibration, not AWS's number: a 580-character policy of 18
 * actions with three short tags packs to about 56 %, and policies near the 2,048-character
 * plaintext limit go over 100 % unless they repeat themselves heavily — as AWS warns, a request
 * can fail the packed limit while its plaintext meets the others. Over 100 % the request fails
 * with PackedPolicyTooLarge, as AWS's does.
 */
export const PACKED_BYTES = 512;

/** The session parameters a request passed. */
export interface SessionRequest {
  /** Passed session tags, in request order. */
  tags: [string, string][];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  /** The inline session policy's JSON text. */
  policy?: string;
  policyArns: string[];
}

/** What the new session will carry and what its trust policy must allow. */
export interface SessionPlan {
  details: SessionDetails;
  /** Request keys the trust sees: aws:RequestTag/*, aws:TagKeys, sts:TransitiveTagKeys, sts:SourceIdentity. */
  context: Record<string, string | string[]>;
  /** Permissions-only actions the trust (and the caller's side) must allow besides the assume action. */
  alsoRequires: ("sts:TagSession" | "sts:SetSourceIdentity")[];
  /** The packed size percentage, when policies or tags were passed. */
  packedPolicySize?: number;
}

function invalid(message: string): AwsError {
  return new AwsError(400, "InvalidParameterValue", message);
}

/** Reads AssumeRole's session parameters: Tags, TransitiveTagKeys, SourceIdentity, Policy, PolicyArns. */
export function readSessionRequest(q: QueryParams, options: { tags: boolean; sourceIdentity: boolean }): SessionRequest {
  const tags = options.tags
    ? q
        .structures(
          "Tags",
          "tags",
          { Key: { member: "key", required: true, ...TAG_KEY }, Value: { member: "value", required: true, ...TAG_VALUE } },
          MAX_TAGS,
        )
        .map((t): [string, string] => [t.Key ?? "", t.Value ?? ""])
    : [];
  const transitiveTagKeys = options.tags ? q.list("TransitiveTagKeys", "transitiveTagKeys", { max: MAX_TAGS, item: TAG_KEY }) : [];
  const sourceIdentity = options.sourceIdentity ? q.string("SourceIdentity", "sourceIdentity", SOURCE_IDENTITY) : undefined;
  // "The plaintext that you use for both inline and managed session policies can't exceed 2,048 characters."
  const policy = q.string("Policy", "policy", { min: 1, max: MAX_POLICY_CHARACTERS, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
  const policyArns = q.structures("PolicyArns", "policyArns", { arn: { member: "arn", min: 20, max: 2048 } }).map((p) => p.arn ?? "");
  return {
    tags,
    transitiveTagKeys,
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    ...(policy !== undefined ? { policy } : {}),
    policyArns,
  };
}

/** The calling session's transitive tags: they pass on to the next session of a chain. */
function inheritedTags(caller: SessionDetails | undefined): [string, string][] {
  const keys = new Set((caller?.transitiveTagKeys ?? []).map((k) => k.toLowerCase()));
  return [...(caller?.tags ?? [])].filter(([k]) => keys.has(k.toLowerCase()));
}

/**
 * Applies AWS's rules to a request's session parameters, given the calling session (undefined
 * for a user, root or federated caller) and the role's account. Throws AWS's errors:
 * InvalidParameterValue for duplicate or overriding tag keys and transitive keys not passed as
 * tags; `denied("sts:SetSourceIdentity")` for a source identity other than the calling
 * session's; MalformedPolicyDocument; PackedPolicyTooLarge.
 */
export function planSession(
  state: AccountState,
  account: AccountEntry,
  request: SessionRequest,
  caller: SessionDetails | undefined,
  denied: (action: string) => AwsError,
): SessionPlan {
  const passed = request.tags;
  const lower = passed.map(([k]) => k.toLowerCase());
  if (new Set(lower).size < lower.length) throw invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  const inherited = inheritedTags(caller);
  // "If you pass a session tag with the same key as an inherited tag, the operation fails."
  if (inherited.some(([k]) => lower.includes(k.toLowerCase())))
    throw invalid(
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
  if (request.transitiveTagKeys.some((k) => !lower.includes(k.toLowerCase())))
    throw invalid("The specified transitive tag key must be included in the requested tags.");

  // "The value that is set cannot be changed during the role session": a different one is denied.
  const carried = caller?.sourceIdentity;
  if (carried !== undefined && request.sourceIdentity !== undefined && request.sourceIdentity !== carried)
    throw denied("sts:SetSourceIdentity");
  const sourceIdentity = request.sourceIdentity ?? carried;

  const tags = [...inherited, ...passed];
  const transitive = [...inherited.map(([k]) => k), ...request.transitiveTagKeys];
  const sessionPolicy = sessionPolicyOf(state, account, request);
  const details: SessionDetails = {
    ...(tags.length ? { tags: new Map(tags) } : {}),
    ...(transitive.length ? { transitiveTagKeys: transitive } : {}),
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    ...(sessionPolicy ? { sessionPolicy } : {}),
  };
  const context: Record<string, string | string[]> = {};
  for (const [k, v] of tags) context[`aws:RequestTag/${k}`] = v;
  if (tags.length) context["aws:TagKeys"] = tags.map(([k]) => k);
  if (transitive.length) context["sts:TransitiveTagKeys"] = transitive;
  if (sourceIdentity !== undefined) context["sts:SourceIdentity"] = sourceIdentity;
  const alsoRequires: SessionPlan["alsoRequires"] = [];
  if (tags.length) alsoRequires.push("sts:TagSession");
  if (sourceIdentity !== undefined) alsoRequires.push("sts:SetSourceIdentity");

  const packs = tags.length > 0 || request.policy !== undefined || request.policyArns.length > 0;
  const packedPolicySize = packs ? packedSize(request, tags) : undefined;
  if (packedPolicySize !== undefined && packedPolicySize > 100)
    throw new AwsError(
      400,
      "PackedPolicyTooLarge",
      `Packed policy consumes ${packedPolicySize}% of allotted space, please use smaller policy.`,
    );
  return { details, context, alsoRequires, ...(packedPolicySize !== undefined ? { packedPolicySize } : {}) };
}

/**
 * The inline and managed session policies as one policy of kind "session": the engine allows
 * only what it allows and the role's own policies allow too. Managed policies must be the role
 * account's own or AWS managed ones.
 */
function sessionPolicyOf(state: AccountState, account: AccountEntry, request: SessionRequest): Policy | undefined {
  if (request.policyArns.length > MAX_POLICY_ARNS)
    throw new AwsError(
      400,
      "ValidationError",
      `1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`,
    );
  const parts: Policy[] = [];
  try {
    if (request.policy !== undefined) parts.push(compilePolicy(request.policy, "session", "Policy"));
    for (const arn of request.policyArns) {
      const document =
        account.managedPolicies.get(arn) ??
        (isAwsManagedPolicyArn(arn, account.partition) ? state.awsManagedPolicies?.get(arn) : undefined);
      if (!document) throw new AwsError(400, "MalformedPolicyDocument", `Policy ${arn} does not exist or is not attachable.`);
      parts.push(compilePolicy(document, "session", arn));
    }
  } catch (e) {
    if (e instanceof PolicyInputError) throw new AwsError(400, "MalformedPolicyDocument", e.message);
    throw e;
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: "session", path: "session policies", statements: parts.flatMap((p) => p.statements) };
}

/** The packed size estimate, in percent (see PACKED_BYTES). */
function packedSize(request: SessionRequest, tags: [string, string][]): number {
  let policy = request.policy ?? "";
  try {
    policy = JSON.stringify(JSON.parse(policy));
  } catch {
    // Not JSON: compilePolicy refuses it before this counts.
  }
  const packed = deflateRawSync(Buffer.from([policy, ...request.policyArns, ...tags.map(([k, v]) => `${k}=${v}`)].join("\n"))).length;
  return Math.ceil((packed * 100) / PACKED_BYTES);
}

/** IAM's refusal of a call made with GetSessionToken credentials that carry no MFA, else undefined. */
export function iamRefusal(caller: KnownCredential): AwsError | undefined {
  // "You cannot call any IAM API operations unless MFA authentication information is included in
  // the request" (GetSessionToken); IAM answers such calls as it does an unknown token.
  if (caller.fromGetSessionToken && !caller.fromGetSessionToken.mfa)
    return new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid");
  return undefined;
}
