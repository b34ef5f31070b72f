/**
 * A role session a runtime hands its workload (the container-credentials endpoint): new session
 * keys held in the credential store, with the session's ARN and unique id as STS names them
 * (`arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `AROA…:SESSION`).
 */
import { assumedRoleArn } from "../aws/arn.js";
import type { AccountEntry, RoleState } from "../state/account-state.js";
import type { SandboxCore } from "./core.js";
import { type KnownCredential, type SessionDetails, uniqueId } from "./credentials.js";

export interface RoleSessionRequest {
  account: AccountEntry;
  role: RoleState;
  sessionName: string;
  seconds: number;
  /** Epoch milliseconds the session starts at. */
  now: number;
  session?: SessionDetails;
}

/** Issues a session of `role` and remembers it; the returned credential holds its secret. */
export function issueRoleSession(
  core: SandboxCore,
  request: RoleSessionRequest,
): KnownCredential & { sessionToken: string; expiresAt: number } {
  const { account, role, sessionName } = request;
  const credential = {
    ...core.sessionKeys(request.now, request.seconds),
    arn: assumedRoleArn(account.partition, account.id, role.name, sessionName),
    account: account.id,
    userId: `${uniqueId("AROA", role.arn)}:${sessionName}`,
    roleArn: role.arn,
    ...(request.session ? { session: request.session } : {}),
  };
  core.store.add(credential);
  return credential;
}

/** STS's Expiration: ISO 8601 in UTC, to the second. */
export function expirationText(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}
