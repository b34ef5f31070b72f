/**
 * A load client for the sandbox, one process of several: PAIRS concurrent AssumeRole +
 * GetCallerIdentity pairs with the real AWS SDK for JavaScript v3 STS client. Each pair assumes
 * the role with a session name of its own, then calls GetCallerIdentity with the session's
 * credentials and checks that it answers that session's ARN
 * (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, as the STS API reference gives it).
 *
 * Settings come from the environment, never from the command line (no secret in a process
 * listing): XACCT_ENDPOINT, XACCT_ACCESS_KEY_ID and XACCT_SECRET_ACCESS_KEY (the caller's
 * long-term keys), XACCT_ROLE_ARN, XACCT_EXTERNAL_ID (optional), XACCT_PAIRS, XACCT_SESSION_PREFIX.
 *
 * Prints one JSON line: `{ ok, failures: [{ pair, name, message, status }] }`: error names and
 * AWS's messages only, no credential. Exits 0 when every pair succeeded, 1 otherwise.
 */
import { Agent } from "node:http";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const env = (name) => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
};

const endpoint = env("XACCT_ENDPOINT");
const roleArn = env("XACCT_ROLE_ARN");
const externalId = process.env.XACCT_EXTERNAL_ID;
const pairs = Number(env("XACCT_PAIRS"));
const prefix = env("XACCT_SESSION_PREFIX");
const role = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
if (!role) throw new Error(`not a role ARN: ${roleArn}`);
const [, partition, account, roleName] = role;

// One connection pool for the process, as wide as the load, so no request waits for a socket.
// No keep-alive: a connection reused just as the server closes it for idling (Node's 5 s
// keepAliveTimeout, late on a loaded machine) fails in flight, a race of HTTP keep-alive itself
// that SDKs cover by retrying; with retries off (below) it would count as the server's error.
const agent = new Agent({ keepAlive: false, maxSockets: pairs });
// maxAttempts 1: a failure is reported, never hidden by the SDK's retries.
const client = (credentials) =>
  new STSClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1, requestHandler: { httpAgent: agent } });
const caller = client({ accessKeyId: env("XACCT_ACCESS_KEY_ID"), secretAccessKey: env("XACCT_SECRET_ACCESS_KEY") });

async function pair(i) {
  const sessionName = `${prefix}-${i}`;
  const assumed = await caller.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: sessionName,
      DurationSeconds: 900,
      ...(externalId ? { ExternalId: externalId } : {}),
    }),
  );
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("AssumeRole answered no credentials");
  const me = await client({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }).send(
    new GetCallerIdentityCommand({}),
  );
  const expected = `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
  if (me.Arn !== expected || me.Account !== account)
    throw new Error(`GetCallerIdentity answered ${me.Arn} in ${me.Account}, not ${expected}`);
}

const results = await Promise.allSettled(Array.from({ length: pairs }, (_, i) => pair(i)));
const failures = [];
results.forEach((r, i) => {
  if (r.status === "rejected")
    failures.push({ pair: i, name: r.reason?.name, message: r.reason?.message, status: r.reason?.$metadata?.httpStatusCode });
});
agent.destroy();
process.stdout.write(`${JSON.stringify({ ok: pairs - failures.length, failures })}\n`);
process.exitCode = failures.length ? 1 : 0;
