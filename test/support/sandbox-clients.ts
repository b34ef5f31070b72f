/**
 * Calling an in-process sandbox as real clients do: its bootstrap keys, sessions through the real
 * STS client, the real SDK clients pointed at it, and requests signed as the SDKs sign them
 * (@smithy/signature-v4) for calls no SDK client makes (any JSON- or query-protocol service).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach } from "vitest";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/index.js";
import { type Ran, runProgram } from "./chain-cli.js";

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const REGION = "us-east-1";

/**
 * The sandboxes of a test file: the function returned starts one on 127.0.0.1 (any free port),
 * closed after the test that started it. Call it once, at the top of the file.
 */
export function sandboxPerTest(): (options: SandboxOptions) => Promise<Sandbox> {
  const started: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const s = await startSandbox({ port: 0, host: "127.0.0.1", ...options });
    started.push(s);
    return s;
  };
}

/** The long-term keys the sandbox made for a user (or `arn:aws:iam::ID:root`). */
export function userKeys(s: Sandbox, arn: string): Keys {
  const boot = s.bootstrap.find((b) => b.userArn === arn);
  if (!boot) throw new Error(`no bootstrap credential for ${arn}`);
  return { accessKeyId: boot.accessKeyId, secretAccessKey: boot.secretAccessKey };
}

/** AssumeRole through the real STS client: the session's keys (session name `test`); more attempts where the sandbox throttles. */
export async function assume(s: Sandbox, keys: Keys, RoleArn: string, maxAttempts = 1): Promise<Keys> {
  const out = await new STSClient({ endpoint: s.url, region: REGION, credentials: keys, maxAttempts }).send(
    new AssumeRoleCommand({ RoleArn, RoleSessionName: "test" }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("incomplete AssumeRole answer");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** What every SDK client needs to call the sandbox (one attempt: a refusal is not retried). */
export const clientConfig = (s: Sandbox, credentials: Keys) => ({ endpoint: s.url, region: REGION, credentials, maxAttempts: 1 });

/** The error a call fails with (its name, message and HTTP status); throws if the call succeeds. */
export async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("the call succeeded");
}

/** AWS's message for a request no identity-based policy allows. */
export const notAuthorized = (principal: string, action: string, resource: string) =>
  `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

async function signedFetch(s: Sandbox, keys: Keys, service: string, headers: Record<string, string>, body: string): Promise<Response> {
  const url = new URL(s.url);
  const signer = new SignatureV4({ service, region: REGION, credentials: keys, sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, ...headers },
    body,
  });
  return fetch(`${s.url}/`, { method: "POST", headers: signed.headers as Record<string, string>, body });
}

/** A JSON-protocol request (`X-Amz-Target`), signed as the SDKs sign them, sent with fetch. */
export async function signedJson(
  s: Sandbox,
  keys: Keys,
  service: string,
  target: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const answer = await signedFetch(
    s,
    keys,
    service,
    { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    JSON.stringify(body),
  );
  return { status: answer.status, json: (await answer.json()) as Record<string, unknown> };
}

/** A query-protocol request (form-encoded POST; `params` in their order), signed as the SDKs sign them, sent with fetch. */
export async function signedQuery(
  s: Sandbox,
  keys: Keys,
  service: string,
  params: Record<string, string> | [string, string][],
): Promise<{ status: number; text: string }> {
  const answer = await signedFetch(
    s,
    keys,
    service,
    { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    new URLSearchParams(params).toString(),
  );
  return { status: answer.status, text: await answer.text() };
}

/**
 * Runs a real client program (Debian's `aws`, `python3` with boto3) against the sandbox, with
 * `keys` and AWS_ENDPOINT_URL in its environment and no configuration files, without blocking the
 * sandbox (which serves from this process).
 */
export async function runClient(s: Sandbox, keys: Keys, program: string, args: string[], input?: string): Promise<Ran> {
  const home = mkdtempSync(join(tmpdir(), "xacct-client-"));
  try {
    return await runProgram(
      program,
      args,
      {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, "none"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "none"),
        AWS_ENDPOINT_URL: s.url,
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
        AWS_DEFAULT_REGION: REGION,
        AWS_MAX_ATTEMPTS: "1",
        AWS_RETRY_MODE: "standard",
      },
      input,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Debian's AWS CLI against the sandbox (`--endpoint-url`, JSON output), as runClient runs it. */
export function awsCliAt(s: Sandbox, keys: Keys, args: string[]): Promise<Ran> {
  return runClient(s, keys, "aws", [...args, "--endpoint-url", s.url, "--output", "json"]);
}
