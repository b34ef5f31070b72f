/**
 * Workload identities in the sandbox: the OIDC issuer's tokens and their verification. What a
 * token must carry is what EKS projects for IRSA (EKS user guide, "IAM roles for service
 * accounts": iss https://oidc.eks.REGION.amazonaws.com/id/ID, sub system:serviceaccount:NS:SA,
 * aud sts.amazonaws.com); what verification refuses, and with which error, is STS's
 * AssumeRoleWithWebIdentity reference (InvalidIdentityToken, ExpiredTokenException).
 */
import { readFileSync } from "node:fs";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { SandboxCore } from "../src/sandbox/core.js";
import { issueToken, jwks, verifyWebIdentityToken } from "../src/sandbox/oidc.js";
import { AwsError } from "../src/sandbox/xml.js";

// GIVEN seed 004: cluster emr-eks in account a (111111111111) with an OIDC provider for its
// issuer; account b (222222222222) has no provider.
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const A = "111111111111";
const B = "222222222222";
const SUB = "system:serviceaccount:emr:emr-containers-sa-spark-1-111111111111-abc";
const T0 = Date.UTC(2030, 0, 1);

function core(clock: () => number = () => T0): SandboxCore {
  const model = loadModel(readFileSync("examples/004-emr-eks-chain/xacct.yaml", "utf8"));
  return new SandboxCore(compile(model).state, clock);
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
    expect(verified).toMatchObject({ issuer: ISSUER, providerArn: `arn:aws:iam::${A}:oidc-provider/${ISSUER}`, sub: SUB, aud: "sts.amazonaws.com" });
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
    const error = await refusal(verifyWebIdentityToken(core(() => now), token, A));
    expect(error.code).toBe("InvalidIdentityToken");
  });

  it("refuses a token whose claims were changed after signing, and a token that is not a JWT, without quoting it", async () => {
    const sandbox = core();
    const [header, , signature] = (await issueToken(sandbox, { issuer: ISSUER, sub: SUB })).split(".");
    const forged = Buffer.from(JSON.stringify({ iss: `https://${ISSUER}`, sub: "system:serviceaccount:kube-system:admin", aud: ["sts.amazonaws.com"], exp: T0 / 1000 + 3600 })).toString("base64url");
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
    expect(error.message).toBe(`Token expired: current date/time ${T0 / 1000 + 901} must be before the expiration date/time ${T0 / 1000 + 900}`);
  });
});
