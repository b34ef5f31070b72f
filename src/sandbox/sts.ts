/**
 * STS actions (query protocol, version 2011-06-15): AssumeRole and GetCallerIdentity. Every
 * AssumeRole is decided by xacct's engine through the access graph, with the caller's identity
 * policies, boundary and SCPs, the role's trust policy and the target account's RCPs.
 */
import { decideAs } from "../graph/query.js";
import type { AccessGraph, GraphNode } from "../graph/graph.js";
import { CredentialStore, type KnownCredential, newAccessKeyId, newSecret, uniqueId } from "./credentials.js";
import { AwsError } from "./xml.js";

export const STS_VERSION = "2011-06-15";
/** A chained session (a role session assuming a role) lasts at most an hour. */
const CHAIN_LIMIT_SECONDS = 3600;
const MIN_DURATION = 900;
const MAX_DURATION = 43200;

export const CHAINING_MESSAGE = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";

export interface StsContext {
  graph: AccessGraph;
  store: CredentialStore;
  caller: KnownCredential;
  params: URLSearchParams;
  now: number;
}

function validation(message: string): AwsError {
  return new AwsError(400, "ValidationError", message);
}

function required(params: URLSearchParams, name: string, member: string): string {
  const value = params.get(name);
  if (value === null) throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** The graph node the caller acts as: its user, or its session's role named by the session's ARN. */
function callerNode(graph: AccessGraph, caller: KnownCredential): GraphNode | undefined {
  if (caller.roleArn === undefined) return graph.nodes.get(caller.arn);
  const role = graph.nodes.get(caller.roleArn);
  return role && { ...role, principal: caller.arn };
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

export function assumeRole({ graph, store, caller, params, now }: StsContext): Record<string, unknown> {
  const roleArn = required(params, "RoleArn", "roleArn");
  const sessionName = required(params, "RoleSessionName", "roleSessionName");
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  const externalId = params.get("ExternalId");
  if (externalId !== null && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) throw validation(`1 validation error detected: Value '${externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`);
  const requested = duration(params);
  const chained = caller.roleArn !== undefined;
  if (chained && requested !== undefined && requested > CHAIN_LIMIT_SECONDS) throw validation(CHAINING_MESSAGE);

  const denied = new AwsError(403, "AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  const target = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  const account = target ? graph.state.accounts.get(target[2] as string) : undefined;
  const role = account?.roles.get(target?.[3] as string);
  const node = callerNode(graph, caller);
  // A role that does not exist is refused as one the caller may not assume: AWS does not say which.
  if (!account || !role || role.arn !== roleArn || !node) throw denied;
  const context: Record<string, string> = { "sts:RoleSessionName": sessionName, ...(externalId !== null ? { "sts:ExternalId": externalId } : {}) };
  const decision = decideAs(graph, node, "sts:AssumeRole", roleArn, account, context);
  if (decision.decision !== "Allow") throw denied;
  if (requested !== undefined && requested > role.maxSessionDuration) throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  const seconds = requested ?? CHAIN_LIMIT_SECONDS;
  const sessionArn = `arn:${account.partition}:sts::${account.id}:assumed-role/${role.name}/${sessionName}`;
  const assumedRoleId = `${uniqueId("AROA", role.arn)}:${sessionName}`;
  const issued = store.add({
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

export function getCallerIdentity({ caller }: StsContext): Record<string, unknown> {
  return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
}

export const STS_ACTIONS: Record<string, (c: StsContext) => Record<string, unknown>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
