/**
 * A command run with a chain's credentials in its environment (`xacct exec`), and those
 * credentials as variables (`xacct env`). Secrets travel only in the environment, which the
 * process listing does not show; the command line holds the command alone.
 *
 * Every AWS SDK and the AWS CLI read AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * first in their default chains — unless something else takes precedence, so these are removed:
 * - AWS_PROFILE, AWS_DEFAULT_PROFILE: with AWS_PROFILE set, the SDK for JavaScript v3 skips the
 *   environment's keys for the profile's (and the CLI and boto3 fail when the profile is unknown);
 * - AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME: the web identity the chain
 *   started from (xacct has used it already), which would otherwise be a second, different identity;
 * - AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: the same for the
 *   container endpoint;
 * - AWS_SECURITY_TOKEN (the old name of the session token, still read by boto2 and old botocore),
 *   and AWS_SESSION_TOKEN / AWS_CREDENTIAL_EXPIRATION when the chain's keys have none.
 * AWS_REGION and AWS_DEFAULT_REGION are set to the chain's region when neither is set already.
 */
import { spawn } from "node:child_process";
import type { AwsCredentialIdentity } from "@smithy/types";

/** Variables that would make a client use other credentials than the chain's. */
export const OVERRIDING_VARIABLES = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_SECURITY_TOKEN",
] as const;

/** What to set and what to remove for a chain's credentials. */
export interface CredentialVariables {
  set: Record<string, string>;
  unset: string[];
}

/** The variables that hand `credentials` (and the chain's `region`) to a process started from `env`. */
export function credentialVariables(
  credentials: AwsCredentialIdentity,
  region: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CredentialVariables {
  const set: Record<string, string> = { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
  const unset: string[] = [...OVERRIDING_VARIABLES];
  if (credentials.sessionToken) set.AWS_SESSION_TOKEN = credentials.sessionToken;
  else unset.push("AWS_SESSION_TOKEN");
  // Read by the SDK for JavaScript's environment provider (and by aws-vault's users' scripts).
  if (credentials.expiration) set.AWS_CREDENTIAL_EXPIRATION = credentials.expiration.toISOString();
  else unset.push("AWS_CREDENTIAL_EXPIRATION");
  if (region && !env.AWS_REGION && !env.AWS_DEFAULT_REGION) {
    set.AWS_REGION = region;
    set.AWS_DEFAULT_REGION = region;
  }
  return { set, unset };
}

/** `env` with the variables applied. */
export function withCredentialVariables(env: NodeJS.ProcessEnv, variables: CredentialVariables): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of variables.unset) delete out[name];
  return Object.assign(out, variables.set);
}

/** The signals passed on to the command (SIGKILL and SIGSTOP cannot be caught). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"];

/** How the command ended. */
export interface CommandResult {
  /** Its exit code, when it exited. */
  code: number | null;
  /** The signal that ended it, when one did. */
  signal: NodeJS.Signals | null;
}

/**
 * Runs `command` (the program, then its arguments; the program looked up in PATH) with `env`, its
 * standard streams this process's, passing on every signal in FORWARDED_SIGNALS. Rejects with the
 * spawn error (its `code`: ENOENT, EACCES) when the program cannot be started.
 */
export function runCommand(command: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const [program, ...args] = command;
  if (program === undefined) return Promise.reject(new Error("no command to run"));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.on("error", (error) => {
      // Only a command that never started; a failed kill() of a running one changes nothing here.
      if (child.pid !== undefined) return;
      done();
      reject(error);
    });
    child.once("exit", (code, signal) => {
      done();
      resolve({ code, signal });
    });
  });
}
