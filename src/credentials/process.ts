/**
 * The output of a `credential_process` (AWS CLI user guide, "Sourcing credentials with an external
 * process"; AWS SDKs and Tools reference guide, "Process credential provider"): a JSON object with
 * `Version` 1, `AccessKeyId`, `SecretAccessKey`, `SessionToken` when the keys are a session's, and
 * `Expiration` as an ISO 8601 timestamp when they expire. The SDKs refresh such credentials by
 * running the process again before that time.
 */
import type { AwsCredentialIdentity } from "@smithy/types";

/** The JSON a credential process prints on standard output. */
export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  /** ISO 8601, UTC. */
  Expiration?: string;
}

/** Credentials in the credential_process format. */
export function credentialProcessOutput(credentials: AwsCredentialIdentity): CredentialProcessOutput {
  return {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { SessionToken: credentials.sessionToken } : {}),
    ...(credentials.expiration ? { Expiration: credentials.expiration.toISOString() } : {}),
  };
}
