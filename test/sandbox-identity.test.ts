/**
 * Workload identities in the sandbox: the OIDC issuer's tokens and their verification, and the
 * sandbox's own endpoints driven by the real SDK credential providers. What a token must carry is
 * what EKS projects for IRSA (EKS user guide, "IAM roles for service accounts": iss
 * https://oidc.eks.REGION.amazonaws.com/id/ID, sub system:serviceaccount:NS:SA, aud
 * sts.amazonaws.com); what verification refuses, and with which error, is STS's
 * AssumeRoleWithWebIdentity reference (InvalidIdentityToken, ExpiredTokenException); the
 * container-credentials format and its Authorization header are what the SDK's
 * @aws-sdk/credential-provider-http and @smithy/credential-provider-imds send and accept.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromContainerMetadata, fromHttp, fromTokenFile, fromWebToken } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { SandboxCore } from "../src/sandbox/core.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import type { LogEntry } from "../src/sandbox/log.js";
import { issueToken, jwks, verifyWebIdentityToken } from "../src/sandbox/oidc.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { AwsError } from "../src/sandbox/xml.js";
import { rawGet } from "./support/raw-get.js";

// GIVEN seed 004: cluster emr-eks in account a (111111111111) with an OIDC provider for its
// issuer; account b (222222222222) has no provider.
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const A = "111111111111";
const B = "222222222222";
const SUB = "system:serviceaccount:emr:emr-containers-sa-spark-1-111111111111-abc";
const T0 = Date.UTC(2030, 0, 1);

function compiled(example: string) {
  return compile(loadModel(readFileSync(`examples/${example}/xacct.yaml`, "utf8")));
}

function core(clock: () => number = () => T0): SandboxCore {
  return new SandboxCore(compiled("004-emr-eks-chain").state, clock);
}

async function refusal(promise: Promise<unknown>): Promise<AwsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsError);
  return error as AwsError;
}

describe("issueToken", () => {
  it("signs the claims EKS projects for IRSA, verifiable with the sandbox's published keys", async () => {
    const sandbox = core();
    const token = await issueToken(sandbox, { issuer: ISSUER, sub: SUB });
    // THEN an OIDC client holding only the JWKS verifies it (RS256, the key named by kid).
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await jwks(sandbox)), { currentDate: new Date(T0) });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload.iss).toBe(`https://${ISSUER}`);
    expect(payload.sub).toBe(SUB);
    expect(payload.aud).toEqual(["sts.amazonaws.com"]);
    expect(payload["kubernetes.io"]).toEqual({ namespace: "emr", serviceaccount: { name: "emr-containers-sa-spark-1-111111111111-abc" } });
    expect(payload.iat).toBe(T0 / 1000);
    expect((payload.exp as number) > T0 / 1000).toBe(true);
    // The JWKS holds the public key only.
    expect((await jwks(sandbox)).keys.every((k) => k.d === undefined && k.kid === decodeProtectedHeader(token).kid)).toBe(true);
  });

  it("lasts expiresInSeconds from the sandbox's clock, and takes the issuer with its scheme too", async () => {
    const payload = decodeJwt(await issueToken(core(), { issuer: `https://${ISSUER}`, sub: SUB, expiresInSeconds: 600 }));
    expect(payload.exp).toBe(T0 / 1000 + 600);
    expect(payload.iss).toBe(`https://${ISSUER}`);
  });
});

describe("verifyWebIdentityToken", () => {
  it("accepts the sandbox's token for a role in the account that has the issuer's provider", async () => {
    const sandbox = core();
    const verified = await verifyWebIdentityToken(sandbox, await issueToken(sandbox, { issuer: ISSUER, sub: SUB }), A);
    expect(verified).toMatchObject({
      issuer: ISSUER,
      providerArn: `arn:aws:iam::${A}:oidc-provider/${ISSUER}`,
      sub: SUB,
      aud: "sts.amazonaws.com",
    });
  });

  it("refuses an issuer the role's account has no OIDC provider for", async () => {
    const sandbox = core();
    const error = await refusal(verifyWebIdentityToken(sandbox, await issueToken(sandbox, { issuer: ISSUER, sub: SUB }), B));
    expect(error.code).toBe("InvalidIdentityToken");
    expect(error.message).toBe(`No OpenIDConnect provider found in your account for https://${ISSUER}`);
  });

  it("refuses an audience the provider does not list as a client ID", async () => {
    const sandbox = core();
    const error = await refusal(verifyWebIdentityToken(sandbox, await issueToken(sandbox, { issuer: ISSUER, sub: SUB, aud: "my-app" }), A));
    expect([error.code, error.message]).toEqual(["InvalidIdentityToken", "Incorrect token audience"]);
  });

  it("refuses a token signed by another key (another sandbox), before looking at its expiry", async () => {
    let now = T0;
    const other = core(() => now);
    const token = await issueToken(other, { issuer: ISSUER, sub: SUB, expiresInSeconds: 900 });
    now = T0 + 3600_000;
    const error = await refusal(
      verifyWebIdentityToken(
        core(() => now),
        token,
        A,
      ),
    );
    expect(error.code).toBe("InvalidIdentityToken");
  });

  it("refuses a token whose claims were changed after signing, and a token that is not a JWT, without quoting it", async () => {
    const sandbox = core();
    const [header, , signature] = (await issueToken(sandbox, { issuer: ISSUER, sub: SUB })).split(".");
    const forged = Buffer.from(
      JSON.stringify({
        iss: `https://${ISSUER}`,
        sub: "system:serviceaccount:kube-system:admin",
        aud: ["sts.amazonaws.com"],
        exp: T0 / 1000 + 3600,
      }),
    ).toString("base64url");
    const tampered = `${header}.${forged}.${signature}`;
    const error = await refusal(verifyWebIdentityToken(sandbox, tampered, A));
    expect(error.code).toBe("InvalidIdentityToken");
    expect(error.message).not.toContain(forged);
    expect((await refusal(verifyWebIdentityToken(sandbox, "not-a-jwt", A))).code).toBe("InvalidIdentityToken");
  });

  it("refuses an expired token with ExpiredTokenException, naming both times in epoch seconds", async () => {
    let now = T0;
    const sandbox = core(() => now);
    const token = await issueToken(sandbox, { issuer: ISSUER, sub: SUB, expiresInSeconds: 900 });
    now = T0 + 901_000;
    const error = await refusal(verifyWebIdentityToken(sandbox, token, A));
    // STS: "Token expired: current date/time <now> must be before the expiration date/time <exp>".
    expect(error.code).toBe("ExpiredTokenException");
    expect(error.message).toBe(
      `Token expired: current date/time ${T0 / 1000 + 901} must be before the expiration date/time ${T0 / 1000 + 900}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The sandbox's endpoints, driven by the real SDK.

const JOB_ROLE = `arn:aws:iam::${A}:role/job-execution-role-1`;
const ECS_ROLE = "arn:aws:iam::111111111111:role/ECSFargateRole";

const running: Sandbox[] = [];
const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(example: string, clock?: () => number): Promise<Sandbox> {
  const model = compiled(example);
  const s = await startSandbox({
    state: model.state,
    port: 0,
    host: "127.0.0.1",
    workloads: workloadsOf(model),
    ...(clock ? { clock } : {}),
  });
  running.push(s);
  return s;
}

async function callerArn(s: Sandbox, credentials: AwsCredentialIdentityProvider): Promise<string | undefined> {
  return (await new STSClient({ endpoint: s.url, region: "us-east-1", credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({})))
    .Arn;
}

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  if (!e) throw new Error("the call succeeded");
  return { name: e.name, message: e.message };
}

async function getText(s: Sandbox, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(`${s.url}${path}`, { headers });
  return { status: r.status, body: await r.text() };
}

describe("IRSA workloads: the token endpoint and AssumeRoleWithWebIdentity, with the real SDK", () => {
  it("fromTokenFile reaches the workload's role with the token of /_xacct/token, as a pod does with its projected token", async () => {
    const s = await serve("004-emr-eks-chain");
    const token = await getText(s, "/_xacct/token?workload=spark-job", { authorization: s.token });
    expect(token.status).toBe(200);
    // EMR on EKS's service account pattern is filled with sample text for a concrete subject.
    expect(decodeJwt(token.body)).toMatchObject({
      iss: `https://${ISSUER}`,
      sub: "system:serviceaccount:emr:emr-containers-sa-xacct-xacct-111111111111-xacct",
      aud: ["sts.amazonaws.com"],
    });
    const dir = mkdtempSync(join(tmpdir(), "xacct-identity-"));
    scratch.push(dir);
    writeFileSync(join(dir, "token"), token.body);
    const credentials = fromTokenFile({
      webIdentityTokenFile: join(dir, "token"),
      roleArn: JOB_ROLE,
      roleSessionName: "spark",
      clientConfig: { endpoint: s.url, region: "us-east-1" },
    });
    expect(await callerArn(s, credentials)).toBe(`arn:aws:sts::${A}:assumed-role/job-execution-role-1/spark`);
  });

  it("a token for another service account of the same cluster is refused by the role's trust (sub condition)", async () => {
    const s = await serve("004-emr-eks-chain");
    const token = await getText(s, `/_xacct/token?issuer=${ISSUER}&sub=system:serviceaccount:default:intruder`, { authorization: s.token });
    expect(token.status).toBe(200);
    const credentials = fromWebToken({
      webIdentityToken: token.body,
      roleArn: JOB_ROLE,
      roleSessionName: "intruder",
      clientConfig: { endpoint: s.url, region: "us-east-1", maxAttempts: 1 },
    });
    expect((await failure(callerArn(s, credentials))).name).toBe("AccessDenied");
  });

  it("an expired token is ExpiredTokenException, and the refusal is logged without the token", async () => {
    let now = Date.now();
    const s = await serve("004-emr-eks-chain", () => now);
    const entries: LogEntry[] = [];
    s.onLog((e) => entries.push(e));
    const token = await issueToken(s.core, {
      issuer: ISSUER,
      sub: "system:serviceaccount:emr:emr-containers-sa-a-b-111111111111-c",
      expiresInSeconds: 900,
    });
    now += 901_000;
    const credentials = fromWebToken({
      webIdentityToken: token,
      roleArn: JOB_ROLE,
      roleSessionName: "late",
      clientConfig: { endpoint: s.url, region: "us-east-1", maxAttempts: 1 },
    });
    expect((await failure(callerArn(s, credentials))).name).toBe("ExpiredTokenException");
    expect(entries.some((e) => e.decision === "Refused" && e.reason === "ExpiredTokenException")).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it("an OIDC client discovers each issuer's keys at the sandbox and verifies the token with them", async () => {
    const s = await serve("004-emr-eks-chain");
    const doc = JSON.parse((await getText(s, `/_xacct/oidc/${ISSUER}/.well-known/openid-configuration`)).body) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(doc.issuer).toBe(`https://${ISSUER}`);
    const token = (await getText(s, "/_xacct/token?workload=spark-job", { authorization: s.token })).body;
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(doc.jwks_uri)), {
      issuer: doc.issuer,
      audience: "sts.amazonaws.com",
    });
    expect(payload.sub).toMatch(/^system:serviceaccount:emr:/);
    // An issuer no account has a provider for has no document; a workload that is not IRSA has no token.
    expect((await getText(s, "/_xacct/oidc/oidc.eks.us-east-1.amazonaws.com/id/UNKNOWN/keys")).status).toBe(404);
    expect((await getText(s, "/_xacct/token?workload=nope", { authorization: s.token })).status).toBe(404);
  });
});

describe("the sandbox's own endpoints: who may mint a token, and from which site", () => {
  // A web identity token turns into session keys of every role that trusts its subject
  // (AssumeRoleWithWebIdentity is unsigned), so minting one takes the sandbox's own token, as the
  // container credentials take the workload's (the Authorization header the SDKs send).
  it("/_xacct/token mints nothing without the sandbox's token: 401, refused in the log, for a workload or any subject", async () => {
    // GIVEN seed 004's sandbox (an IRSA workload spark-job) and its log
    const s = await serve("004-emr-eks-chain");
    const entries: LogEntry[] = [];
    s.onLog((e) => entries.push(e));
    const paths = ["/_xacct/token?workload=spark-job", `/_xacct/token?issuer=${ISSUER}&sub=system:serviceaccount:default:anyone`];
    for (const path of paths) {
      // WHEN a local process asks without the token, or with a wrong one
      for (const headers of [{}, { authorization: "not-the-sandbox-token" }, { authorization: `${s.token}x` }] as Record<
        string,
        string
      >[]) {
        const answer = await getText(s, path, headers);
        // THEN 401 InvalidAuthorizationToken, and no JWT in the answer
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.body)).toMatchObject({ Code: "InvalidAuthorizationToken" });
        expect(answer.body).not.toMatch(/eyJ/);
      }
      // AND with the sandbox's token it is minted
      expect(decodeJwt((await getText(s, path, { authorization: s.token })).body).iss).toBe(`https://${ISSUER}`);
    }
    expect(entries.filter((e) => e.decision === "Refused" && e.reason === "InvalidAuthorizationToken")).toHaveLength(6);
    expect(JSON.stringify(entries)).not.toContain(s.token);
  });

  it("answers only a Host that is the loopback address: a DNS-rebinding page's Host is 421, whatever it holds", async () => {
    // GIVEN a sandbox with an IRSA workload and one with a container workload, and their right tokens
    const irsa = await serve("004-emr-eks-chain");
    const ecs = await serve("000-sparkflows-mwaa");
    const container = ecs.workloads.find((w) => w.name === "sparkflows");
    if (!container?.credentialsPath || !container.authorizationToken) throw new Error("no container endpoint for sparkflows");
    const asks = [
      { s: irsa, path: "/_xacct/token?workload=spark-job", authorization: irsa.token },
      { s: ecs, path: container.credentialsPath, authorization: container.authorizationToken },
      { s: irsa, path: "/.well-known/jwks.json", authorization: "" },
      { s: irsa, path: `/_xacct/oidc/${ISSUER}/.well-known/openid-configuration`, authorization: "" },
    ];
    for (const { s, path, authorization } of asks) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      // WHEN a page of another site, rebound to 127.0.0.1, asks (its Host is its own name)
      for (const host of [`attacker.example:${s.port}`, "attacker.example", `127.0.0.1.attacker.example:${s.port}`]) {
        const refused = await rawGet(`${s.url}${path}`, { ...headers, host });
        // THEN 421 Misdirected Request (RFC 9110), nothing served
        expect(refused.status).toBe(421);
        expect(JSON.parse(refused.body)).toMatchObject({ Code: "MisdirectedRequest" });
      }
      // AND a client of this machine, naming 127.0.0.1 or localhost, is served
      for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`])
        expect((await rawGet(`${s.url}${path}`, { ...headers, host })).status).toBe(200);
    }
  });
});

describe("ECS workloads: container credentials, with the real SDK", () => {
  function endpoint(s: Sandbox, name: string) {
    const e = s.workloads.find((w) => w.name === name);
    if (!e?.credentialsPath || !e.authorizationToken) throw new Error(`no container endpoint for ${name}`);
    return { uri: `${s.url}${e.credentialsPath}`, token: e.authorizationToken };
  }

  it("fromHttp with AWS_CONTAINER_CREDENTIALS_FULL_URI and the authorization token gets the task role's session", async () => {
    const s = await serve("000-sparkflows-mwaa");
    const { uri, token } = endpoint(s, "sparkflows");
    const arn = await callerArn(s, fromHttp({ awsContainerCredentialsFullUri: uri, awsContainerAuthorizationToken: token }));
    // ECS names the task role's session after the task ID.
    expect(arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\/ECSFargateRole\/[0-9a-f]{32}$/);
  });

  it("fromContainerMetadata (the environment variables ECS sets) gets it too", async () => {
    const s = await serve("000-sparkflows-mwaa");
    const { uri, token } = endpoint(s, "sparkflows");
    const saved = { uri: process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, token: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN };
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = token;
    try {
      const credentials = await fromContainerMetadata({ maxRetries: 0 })();
      expect(await callerArn(s, async () => credentials)).toMatch(/:assumed-role\/ECSFargateRole\//);
    } finally {
      for (const [k, v] of [
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI", saved.uri],
        ["AWS_CONTAINER_AUTHORIZATION_TOKEN", saved.token],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("a wrong or missing authorization token is refused, and another workload's token does not open it", async () => {
    const s = await serve("000-sparkflows-mwaa");
    const { uri } = endpoint(s, "sparkflows");
    const other = endpoint(s, "mwaa-environment").token;
    expect(
      (await failure(fromHttp({ awsContainerCredentialsFullUri: uri, awsContainerAuthorizationToken: "wrong", maxRetries: 0 })())).message,
    ).toMatch(/status: 401/);
    expect(
      (await failure(fromHttp({ awsContainerCredentialsFullUri: uri, awsContainerAuthorizationToken: other, maxRetries: 0 })())).message,
    ).toMatch(/status: 401/);
    expect((await getText(s, "/_xacct/credentials/sparkflows")).status).toBe(401);
  });

  it("the runtime's assumption is the engine's decision: a trust that no longer admits ecs-tasks.amazonaws.com refuses", async () => {
    const s = await serve("000-sparkflows-mwaa");
    const { uri, token } = endpoint(s, "sparkflows");
    const role = s.core.account("111111111111")?.roles.get("ECSFargateRole");
    if (!role) throw new Error("no ECSFargateRole");
    role.trustPolicy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
    s.core.changed();
    const entries: LogEntry[] = [];
    s.onLog((e) => entries.push(e));
    const reply = await getText(s, new URL(uri).pathname, { authorization: token });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ Code: "AccessDenied" });
    expect(entries).toContainEqual(
      expect.objectContaining({ principal: "ecs-tasks.amazonaws.com", action: "sts:AssumeRole", resource: ECS_ROLE, decision: "Deny" }),
    );
  });
});
