/**
 * STS actions (query protocol, version 2011-06-15): AssumeRole and GetCallerIdentity. Every
 * AssumeRole is decided by xacct's engine through the access graph, with the caller's identity
 * policies, boundary and SCPs, the role's trust policy and the target account's RCPs.
 */
import { newAccessKeyId, newSecret, uniqueId } from "./credentials.js";
import { callerOf, queryReply, type Service, type ServiceRequest } from "./protocol.js";
import { AwsError, STS_NAMESPACE } from "./xml.js";

export const STS_VERSION = "2011-06-15";
/** A chained session (a role session assuming a role) lasts at most an hour. */
const CHAIN_LIMIT_SECONDS = 3600;
const MIN_DURATION = 900;
const MAX_DURATION = 43200;

export const CHAINING_MESSAGE = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";

function validation(message: string): AwsError {
  return new AwsError(400, "ValidationError", message);
}

function required(params: URLSearchParams, name: string, member: string): string {
  const value = params.get(name);
  if (value === null) throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function duration(params: URLSearchParams): number | undefined {
  const text = params.get("DurationSeconds");
  if (text === null) return undefined;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(value)) throw validation(`1 validation error detected: Value '${text}' at 'durationSeconds' failed to satisfy constraint: Member must be a number`);
  if (value < MIN_DURATION) throw validation(`1 validation error detected: Value '${value}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_DURATION}`);
  if (value > MAX_DURATION) throw validation(`1 validation error detected: Value '${value}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${MAX_DURATION}`);
  return value;
}

export function assumeRole(request: ServiceRequest): Record<string, unknown> {
  const { core, params, now } = request;
  const caller = callerOf(request);
  const roleArn = required(params, "RoleArn", "roleArn");
  const sessionName = required(params, "RoleSessionName", "roleSessionName");
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  const externalId = params.get("ExternalId");
  if (externalId !== null && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) throw validation(`1 validation error detected: Value '${externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`);
  const requested = duration(params);
  const chained = caller.roleArn !== undefined;
  if (chained && requested !== undefined && requested > CHAIN_LIMIT_SECONDS) throw validation(CHAINING_MESSAGE);

  const target = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  const account = target ? core.account(target[2] as string) : undefined;
  const role = account?.roles.get(target?.[3] as string);
  const context: Record<string, string> = { "sts:RoleSessionName": sessionName, ...(externalId !== null ? { "sts:ExternalId": externalId } : {}) };
  // A role that does not exist is refused as one the caller may not assume: AWS does not say which.
  if (!account || !role || role.arn !== roleArn) throw new AwsError(403, "AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  core.require(caller, "sts:AssumeRole", roleArn, { requestId: request.requestId, context, withReason: false });
  if (requested !== undefined && requested > role.maxSessionDuration) throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  const seconds = requested ?? CHAIN_LIMIT_SECONDS;
  const sessionArn = `arn:${account.partition}:sts::${account.id}:assumed-role/${role.name}/${sessionName}`;
  const assumedRoleId = `${uniqueId("AROA", role.arn)}:${sessionName}`;
  const issued = core.store.add({
    accessKeyId: newAccessKeyId("ASIA"),
    secretAccessKey: newSecret(),
    sessionToken: Buffer.from(`xacct-sandbox:${newSecret()}${newSecret()}`).toString("base64"),
    expiresAt: now + seconds * 1000,
    arn: sessionArn,
    account: account.id,
    userId: assumedRoleId,
    roleArn: role.arn,
  });
  return {
    Credentials: { AccessKeyId: issued.accessKeyId, SecretAccessKey: issued.secretAccessKey, SessionToken: issued.sessionToken, Expiration: new Date(issued.expiresAt as number).toISOString().replace(/\.\d{3}Z$/, "Z") },
    AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: sessionArn },
  };
}

export function getCallerIdentity(request: ServiceRequest): Record<string, unknown> {
  const caller = callerOf(request);
  return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
}

const ACTIONS: Record<string, (request: ServiceRequest) => Record<string, unknown>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

/** STS actions AWS takes without a signature: the token is the proof. */
export const UNSIGNED_ACTIONS: ReadonlySet<string> = new Set(["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"]);

export const sts: Service = {
  protocol: "query",
  namespace: STS_NAMESPACE,
  handle(request) {
    const action = request.params.get("Action");
    if (action === null) throw new AwsError(400, "MissingAction", "Missing Action");
    const version = request.params.get("Version");
    const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!handler || (version !== null && version !== STS_VERSION)) throw new AwsError(400, "InvalidAction", `Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
    return queryReply(action, handler(request), request.requestId, STS_NAMESPACE);
  },
};
