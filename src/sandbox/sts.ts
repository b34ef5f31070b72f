/**
 * STS (query protocol, version 2011-06-15): AssumeRole, AssumeRoleWithWebIdentity,
 * GetSessionToken and GetCallerIdentity, answered with the elements, in the order, of the STS API
 * reference's example responses. Every AssumeRole* is decided by xacct's engine through the
 * access graph — the caller's identity policies, boundary and SCPs, the role's trust policy and
 * the target account's RCPs — for the assume action and for each permissions-only action the
 * request needs (sts:TagSession for session tags, sts:SetSourceIdentity for a source identity).
 */
import { CHAIN_LIMIT_SECONDS, DEFAULT_ROLE_SESSION_SECONDS, ROLE_SESSION_SECONDS, SESSION_TOKEN_SECONDS } from "../aws/limits.js";
import { iamAccountId, parseArn, parseIamArn, principalAccountId } from "../aws/arn.js";
import type { GraphNode } from "../graph/graph.js";
import { startNode } from "../graph/query.js";
import { PolicyInputError } from "../policy/errors.js";
import type { AccountEntry, RoleState } from "../state/account-state.js";
import type { SandboxCore } from "./core.js";
import { verifyWebIdentityToken } from "./oidc.js";
import { callerOf, queryAction, queryReply, type Service, type ServiceRequest } from "./protocol.js";
import { QueryParams } from "./query-params.js";
import { expirationText, issueRoleSession } from "./role-session.js";
import { planSession, readSessionRequest, type SessionPlan } from "./session.js";
import { AwsError, STS_NAMESPACE } from "./xml.js";

export const STS_VERSION = "2011-06-15";

const ROLE_SESSION_NAME = { required: true, min: 2, max: 64, pattern: "[\\w+=,.@-]*" };
const ROLE_ARN = { required: true, min: 20, max: 2048 };

export const CHAINING_MESSAGE = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";
export const MAX_SESSION_MESSAGE = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";

/** AWS's "not authorized" refusal for a caller and an action on a role. */
function notAuthorized(callerArn: string, roleArn: string): (action: string) => AwsError {
  return (action) =>
    new AwsError(403, "AccessDenied", `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`);
}

/** The role an ARN names in the state, with its account; undefined when there is none. */
function roleOf(core: SandboxCore, roleArn: string): { account: AccountEntry; role: RoleState } | undefined {
  const named = parseIamArn(roleArn);
  const account = named?.kind === "role" ? core.account(named.account) : undefined;
  const role = account?.roles.get(named?.name as string);
  return account && role && role.arn === roleArn ? { account, role } : undefined;
}

/** The longest session a role gives: its MaxSessionDuration, refused above it. */
function roleDuration(requested: number | undefined, role: RoleState): number {
  if (requested !== undefined && requested > role.maxSessionDuration) throw new AwsError(400, "ValidationError", MAX_SESSION_MESSAGE);
  return requested ?? DEFAULT_ROLE_SESSION_SECONDS;
}

function withPacked(plan: SessionPlan): Record<string, number> {
  return plan.packedPolicySize !== undefined ? { PackedPolicySize: plan.packedPolicySize } : {};
}

export function assumeRole(request: ServiceRequest): Record<string, unknown> {
  const { core, requestId } = request;
  const caller = callerOf(request);
  const q = new QueryParams(request.params);
  const roleArn = q.string("RoleArn", "roleArn", ROLE_ARN) as string;
  const sessionName = q.string("RoleSessionName", "roleSessionName", ROLE_SESSION_NAME) as string;
  const externalId = q.string("ExternalId", "externalId", { min: 2, max: 1224, pattern: "[\\w+=,.@:\\/-]*" });
  const requested = q.integer("DurationSeconds", "durationSeconds", ROLE_SESSION_SECONDS);
  const asked = readSessionRequest(q, { tags: true, sourceIdentity: true });
  q.done();
  // The root user cannot assume a role: real STS answers AccessDenied "Roles may not be assumed by root accounts."
  if (caller.roleArn === undefined && caller.arn.endsWith(":root"))
    throw new AwsError(403, "AccessDenied", "Roles may not be assumed by root accounts.");
  const chained = caller.roleArn !== undefined;
  if (chained && requested !== undefined && requested > CHAIN_LIMIT_SECONDS) throw new AwsError(400, "ValidationError", CHAINING_MESSAGE);

  const denied = notAuthorized(caller.arn, roleArn);
  const target = roleOf(core, roleArn);
  // A role that does not exist is refused as one the caller may not assume: AWS does not say which.
  if (!target) throw denied("sts:AssumeRole");
  const { account, role } = target;
  const plan = planSession(core.state, account, asked, caller.session, denied);
  const context = {
    "sts:RoleSessionName": sessionName,
    ...(externalId !== undefined ? { "sts:ExternalId": externalId } : {}),
    ...plan.context,
  };
  for (const action of ["sts:AssumeRole", ...plan.alsoRequires])
    core.require(caller, action, roleArn, { requestId, context, withReason: false });
  const seconds = roleDuration(requested, role);

  const issued = issueRoleSession(core, { account, role, sessionName, seconds, now: request.now, session: plan.details });
  return {
    ...(plan.details.sourceIdentity !== undefined ? { SourceIdentity: plan.details.sourceIdentity } : {}),
    AssumedRoleUser: { Arn: issued.arn, AssumedRoleId: issued.userId },
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: expirationText(issued.expiresAt),
    },
    ...withPacked(plan),
  };
}

/**
 * The federated principal a verified token acts as: the graph's node for its provider and `sub`
 * where a trust names it, else one built for it; either way with the token's own claims as the
 * provider's keys (`ISSUER:sub`, `ISSUER:aud`, and `ISSUER:amr` when the token has one).
 */
function federatedNode(core: SandboxCore, providerArn: string, keys: Record<string, string>): GraphNode {
  let base: GraphNode;
  try {
    base = startNode(core.graph, providerArn, keys);
  } catch (e) {
    // A provider no trust names: an identity with no edges, which the engine decides like any other.
    if (!(e instanceof PolicyInputError)) throw e;
    const account = principalAccountId(providerArn);
    base = {
      id: providerArn,
      kind: "federated",
      principal: providerArn,
      ...(account ? { account } : {}),
      identityPolicies: [],
      context: {},
    };
  }
  return { ...base, context: { ...base.context, ...keys } };
}

export async function assumeRoleWithWebIdentity(request: ServiceRequest): Promise<Record<string, unknown>> {
  const { core, requestId } = request;
  const q = new QueryParams(request.params);
  const roleArn = q.string("RoleArn", "roleArn", ROLE_ARN) as string;
  const sessionName = q.string("RoleSessionName", "roleSessionName", ROLE_SESSION_NAME) as string;
  const token = q.string("WebIdentityToken", "webIdentityToken", { required: true, min: 4, max: 20000, sensitive: true }) as string;
  q.string("ProviderId", "providerId", { min: 4, max: 2048 });
  const requested = q.integer("DurationSeconds", "durationSeconds", ROLE_SESSION_SECONDS);
  const asked = readSessionRequest(q, { tags: false, sourceIdentity: false });
  q.done();

  const roleAccount = (parseArn(roleArn)?.resource.startsWith("role/") && iamAccountId(roleArn)) || "";
  const verified = await verifyWebIdentityToken(core, token, roleAccount);
  const denied = () => new AwsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  const target = roleOf(core, roleArn);
  if (!target) throw denied();
  const { account, role } = target;
  const plan = planSession(core.state, account, asked, undefined, denied);
  const amr = verified.claims.amr;
  const keys: Record<string, string> = {
    [`${verified.issuer}:sub`]: verified.sub,
    [`${verified.issuer}:aud`]: verified.aud,
    ...(typeof amr === "string" ? { [`${verified.issuer}:amr`]: amr } : {}),
  };
  const node = federatedNode(core, verified.providerArn, keys);
  const context = { "sts:RoleSessionName": sessionName, "aws:FederatedProvider": verified.providerArn, ...plan.context };
  const result = core.authorizeNode(node, verified.providerArn, "sts:AssumeRoleWithWebIdentity", roleArn, { requestId, context });
  if (result?.decision !== "Allow") throw denied();
  const seconds = roleDuration(requested, role);

  const federatedContext = { ...keys, "aws:FederatedProvider": verified.providerArn };
  const issued = issueRoleSession(core, {
    account,
    role,
    sessionName,
    seconds,
    now: request.now,
    session: { ...plan.details, federatedContext },
  });
  return {
    SubjectFromWebIdentityToken: verified.sub,
    Audience: verified.aud,
    AssumedRoleUser: { Arn: issued.arn, AssumedRoleId: issued.userId },
    Credentials: {
      SessionToken: issued.sessionToken,
      SecretAccessKey: issued.secretAccessKey,
      Expiration: expirationText(issued.expiresAt),
      AccessKeyId: issued.accessKeyId,
    },
    ...withPacked(plan),
    Provider: typeof verified.claims.iss === "string" ? verified.claims.iss : `https://${verified.issuer}`,
  };
}

/**
 * GetSessionToken: a session of the calling IAM user or root user, with the caller's own ARN and
 * permissions. No policy governs it ("You cannot use policies to control authentication
 * operations"), so the engine is not asked. The sandbox knows no MFA devices: a request that
 * names one fails as an unverifiable code does, and sessions carry no MFA.
 */
export function getSessionToken(request: ServiceRequest): Record<string, unknown> {
  const caller = callerOf(request);
  const q = new QueryParams(request.params);
  const requested = q.integer("DurationSeconds", "durationSeconds", SESSION_TOKEN_SECONDS);
  const serial = q.string("SerialNumber", "serialNumber", { min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" });
  const code = q.string("TokenCode", "tokenCode", { min: 6, max: 6, pattern: "[\\d]*" });
  q.done();
  if (caller.sessionToken !== undefined) throw new AwsError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials");
  if (serial !== undefined || code !== undefined)
    throw new AwsError(
      403,
      "AccessDenied",
      "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
    );
  const root = caller.arn.endsWith(":root");
  // "If the duration is longer than one hour, the session for AWS account owners defaults to one hour."
  const seconds = root
    ? Math.min(requested ?? SESSION_TOKEN_SECONDS.root, SESSION_TOKEN_SECONDS.root)
    : (requested ?? SESSION_TOKEN_SECONDS.default);
  const issued = request.core.store.add({
    ...request.core.sessionKeys(request.now, seconds),
    arn: caller.arn,
    account: caller.account,
    userId: caller.userId,
    fromGetSessionToken: { mfa: false },
  });
  return {
    Credentials: {
      SessionToken: issued.sessionToken,
      SecretAccessKey: issued.secretAccessKey,
      Expiration: expirationText(issued.expiresAt as number),
      AccessKeyId: issued.accessKeyId,
    },
  };
}

export function getCallerIdentity(request: ServiceRequest): Record<string, unknown> {
  const caller = callerOf(request);
  return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
}

type Handler = (request: ServiceRequest) => Record<string, unknown> | Promise<Record<string, unknown>>;

const ACTIONS: Record<string, Handler> = {
  AssumeRole: assumeRole,
  AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
  GetSessionToken: getSessionToken,
  GetCallerIdentity: getCallerIdentity,
};

/** STS actions AWS takes without a signature: the token is the proof. */
export const UNSIGNED_ACTIONS: ReadonlySet<string> = new Set(["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"]);

export const sts: Service = {
  protocol: "query",
  namespace: STS_NAMESPACE,
  async handle(request) {
    const { action, handler } = queryAction(request, ACTIONS, STS_VERSION);
    return queryReply(action, await handler(request), request.requestId, STS_NAMESPACE);
  },
};
