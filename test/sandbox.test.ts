/**
 * `xacct sandbox` driven by the real AWS SDK for JavaScript v3 STS client: nothing mocked. What
 * each call should answer comes from AWS's STS API reference and IAM User Guide (role chaining,
 * error codes), not from the sandbox's own output.
 */
import { request } from "node:http";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { CHAINING_MESSAGE, type Sandbox } from "../src/sandbox/index.js";
import { chainModel } from "./support/models.js";
import { type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

// GIVEN a user workload in account a with a role in b (behind an ExternalId), a role `hop` in b,
// and a role `far` in c that only `hop` may assume (a chain), and nothing else.
const MODEL = chainModel({ name: "sandbox", direct: { role: "glue-runner", externalId: "ext-1" } });

const USER = "arn:aws:iam::111111111111:user/app";
const GLUE_RUNNER = "arn:aws:iam::222222222222:role/glue-runner";
const HOP = "arn:aws:iam::222222222222:role/hop";
const FAR = "arn:aws:iam::333333333333:role/far";

const newSandbox = sandboxPerTest();

async function start(clock?: () => number): Promise<{ sandbox: Sandbox; user: Keys }> {
  const sandbox = await newSandbox({ state: compile(loadModel(MODEL)).state, ...(clock ? { clock } : {}) });
  return { sandbox, user: userKeys(sandbox, USER) };
}

function sts(s: Sandbox, credentials: Keys): STSClient {
  return new STSClient({ endpoint: s.url, region: "eu-west-1", credentials, maxAttempts: 1 });
}

async function assume(
  client: STSClient,
  RoleArn: string,
  extra: { ExternalId?: string; DurationSeconds?: number } = {},
): Promise<Keys & { arn: string }> {
  const out = await client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "test-session", ...extra }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !out.AssumedRoleUser?.Arn)
    throw new Error("incomplete AssumeRole answer");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, arn: out.AssumedRoleUser.Arn };
}

describe("xacct sandbox: STS with the real SDK", () => {
  it("GetCallerIdentity with a user's bootstrap keys names the user", async () => {
    const { sandbox: s, user } = await start();
    const me = await sts(s, user).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Arn: USER, Account: "111111111111" });
    expect(me.UserId).toMatch(/^AIDA[A-Z2-7]+$/);
  });

  it("AssumeRole into a granted role gives session credentials that GetCallerIdentity shows as the assumed role", async () => {
    const { sandbox: s, user } = await start();
    const session = await assume(sts(s, user), GLUE_RUNNER, { ExternalId: "ext-1", DurationSeconds: 900 });
    expect(session.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(session.arn).toBe("arn:aws:sts::222222222222:assumed-role/glue-runner/test-session");
    const me = await sts(s, session).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Arn: "arn:aws:sts::222222222222:assumed-role/glue-runner/test-session", Account: "222222222222" });
    expect(me.UserId).toMatch(/^AROA[A-Z2-7]+:test-session$/);
  });

  it("AssumeRole without the trust's ExternalId is AccessDenied, naming caller and role", async () => {
    const { sandbox: s, user } = await start();
    expect(await refusal(assume(sts(s, user), GLUE_RUNNER, { ExternalId: "wrong" }))).toEqual({
      name: "AccessDenied",
      message: `User: ${USER} is not authorized to perform: sts:AssumeRole on resource: ${GLUE_RUNNER}`,
      status: 403,
    });
  });

  it("AssumeRole into a role the model does not grant the caller is AccessDenied", async () => {
    const { sandbox: s, user } = await start();
    // `far` trusts only `hop`: the user itself may not assume it.
    expect(await refusal(assume(sts(s, user), FAR))).toMatchObject({ name: "AccessDenied", status: 403 });
  });

  it("the chain user → hop → far works, and a chained DurationSeconds of 7200 fails with AWS's text", async () => {
    const { sandbox: s, user } = await start();
    const hop = await assume(sts(s, user), HOP);
    const far = await assume(sts(s, hop), FAR, { DurationSeconds: 3600 });
    expect(far.arn).toBe("arn:aws:sts::333333333333:assumed-role/far/test-session");
    expect(await refusal(assume(sts(s, hop), FAR, { DurationSeconds: 7200 }))).toEqual({
      name: "ValidationError",
      message: CHAINING_MESSAGE,
      status: 400,
    });
    expect(CHAINING_MESSAGE).toBe("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  });

  it("a tampered secret is SignatureDoesNotMatch", async () => {
    const { sandbox: s, user } = await start();
    const tampered = { ...user, secretAccessKey: `${user.secretAccessKey.slice(0, -1)}${user.secretAccessKey.endsWith("A") ? "B" : "A"}` };
    expect(await refusal(sts(s, tampered).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
  });

  it("an unknown access key is InvalidClientTokenId", async () => {
    const { sandbox: s } = await start();
    const unknown = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    expect(await refusal(sts(s, unknown).send(new GetCallerIdentityCommand({})))).toEqual({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
      status: 403,
    });
  });

  it("a long-term key (AKIA…) sent with a session token is InvalidClientTokenId, as AWS refuses it", async () => {
    // GIVEN the user's long-term keys, and a real session token the sandbox issued (a session of hop)
    const { sandbox: s, user } = await start();
    const session = await assume(sts(s, user), HOP);
    expect(user.accessKeyId).toMatch(/^AKIA/);
    // WHEN the SDK signs with the long-term keys and sends that token as X-Amz-Security-Token
    const mixed = { ...user, sessionToken: session.sessionToken };
    // THEN STS's answer for a token that does not belong to the key (STS API reference, common errors)
    expect(await refusal(sts(s, mixed).send(new GetCallerIdentityCommand({})))).toEqual({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
      status: 403,
    });
    // AND the keys alone still work
    expect((await sts(s, user).send(new GetCallerIdentityCommand({}))).Arn).toBe(USER);
  });

  it("a request signed more than 5 minutes from the sandbox's clock is SignatureDoesNotMatch (Signature expired)", async () => {
    const { sandbox: s, user } = await start(() => Date.now() + 6 * 60 * 1000);
    const refused = await refusal(sts(s, user).send(new GetCallerIdentityCommand({})));
    expect(refused).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(refused.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  });

  it("a session past its expiry is ExpiredToken", async () => {
    let now = Date.now();
    const { sandbox: s, user } = await start(() => now);
    const session = await assume(sts(s, user), HOP, { DurationSeconds: 900 });
    now += 901 * 1000;
    // The SDK signs with the real clock; the sandbox's clock is 15 min ahead, so the SDK corrects its skew and retries once.
    const client = new STSClient({ endpoint: s.url, region: "eu-west-1", credentials: session, maxAttempts: 2 });
    expect(await refusal(client.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "ExpiredToken", status: 403 });
  });
});

/** A raw request, for what no SDK would send. */
function raw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "POST", headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("xacct sandbox: malformed input", () => {
  const FORM = { "content-type": "application/x-www-form-urlencoded" };

  it("answers unsigned, garbled, oversized and unknown requests with 4xx ErrorResponse XML and keeps serving", async () => {
    const { sandbox: s, user } = await start();
    const unsigned = await raw(s.url, { headers: FORM, body: "Action=GetCallerIdentity&Version=2011-06-15" });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(unsigned.body).toMatch(
      /<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>/,
    );
    expect(unsigned.body).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);

    const garbled = await raw(s.url, { headers: { ...FORM, authorization: "AWS4-HMAC-SHA256 nonsense" }, body: "Action=%zz" });
    // MalformedQueryString is HTTP 404 in the common errors of the STS API reference.
    expect(garbled.status).toBe(404);
    expect(garbled.body).toContain("<Code>");

    const big = await raw(s.url, { headers: FORM, body: Buffer.alloc(1024 * 1024 + 1, 97) });
    expect(big.status).toBe(413);

    // And a signed request still works afterwards.
    expect((await sts(s, user).send(new GetCallerIdentityCommand({}))).Arn).toBe(USER);
  });
});
