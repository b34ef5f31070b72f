/**
 * The OIDC and IAM Identity Center first identities against the sandbox, with the real SDK for
 * JavaScript. A GitHub Actions job's token (iss https://token.actions.githubusercontent.com, aud
 * sts.amazonaws.com as configure-aws-credentials asks, sub
 * `repo:<orgName/repoName>:ref:refs/heads/branchName` per GitHub's docs), signed by the sandbox's
 * issuer, is exchanged with AssumeRoleWithWebIdentity (fromTokenFile) and the session chains on;
 * a token of another branch is refused by the trust's sub condition. A permission set's role is
 * created where IAM Identity Center puts it (`/aws-reserved/sso.amazonaws.com/REGION/`,
 * `AWSReservedSSO_<set>_<suffix>`, IAM Identity Center user guide) and admitted by the target's
 * aws:PrincipalArn patterns; a role of another name at the same path is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromTokenFile } from "@aws-sdk/credential-providers";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { startEnvironment } from "../src/sandbox/environment.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { GITHUB, identitiesModel, MAIN, PROD, SECURITY, TOOLS } from "./support/identity-models.js";
import { AWS, CLI_PLUGIN_SECTION, commonEnv, PYTHON, resolveWithCli, resolveWithSdk } from "./support/real-clients.js";
import { assume, clientConfig, type Keys, REGION, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const start = sandboxPerTest();
const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<Sandbox> {
  const compiled = compile(loadModel(identitiesModel()));
  return start({ state: compiled.state, workloads: workloadsOf(compiled) });
}

async function token(s: Sandbox, query: string): Promise<string> {
  const reply = await fetch(`${s.url}/_xacct/token?${query}`, { headers: { authorization: s.token } });
  expect(reply.status).toBe(200);
  return reply.text();
}

function tokenFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-oidc-"));
  scratch.push(dir);
  writeFileSync(join(dir, "token"), text);
  return join(dir, "token");
}

const prodDeploy = `arn:aws:iam::${PROD}:role/prod-deploy`;

describe("a GitHub Actions token through the sandbox", () => {
  it("fromTokenFile reaches the first role with the job's token, and its session assumes the prod role", async () => {
    // GIVEN the token the sandbox issues for the workload, as GitHub would send it
    const s = await serve();
    const jwt = await token(s, "workload=deployer");
    expect(decodeJwt(jwt)).toMatchObject({ iss: `https://${GITHUB}`, sub: MAIN, aud: ["sts.amazonaws.com"] });
    // WHEN the SDK exchanges it, then chains
    const credentials = fromTokenFile({
      webIdentityTokenFile: tokenFile(jwt),
      roleArn: `arn:aws:iam::${TOOLS}:role/gha-deploy`,
      roleSessionName: "gha",
      clientConfig: { endpoint: s.url, region: REGION },
    });
    const first = await credentials();
    const sts = new STSClient(clientConfig(s, first));
    const chained = await sts.send(new AssumeRoleCommand({ RoleArn: prodDeploy, RoleSessionName: "deploy" }));
    // THEN
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${TOOLS}:assumed-role/gha-deploy/gha`);
    expect(chained.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PROD}:assumed-role/prod-deploy/deploy`);
  });

  it("a token of another branch is refused by the trust's sub condition", async () => {
    // GIVEN a token of the same issuer and audience for a feature branch
    const s = await serve();
    const jwt = await token(s, `issuer=${GITHUB}&aud=sts.amazonaws.com&sub=${encodeURIComponent("repo:acme/app:ref:refs/heads/feature")}`);
    const credentials = fromTokenFile({
      webIdentityTokenFile: tokenFile(jwt),
      roleArn: `arn:aws:iam::${TOOLS}:role/gha-deploy`,
      roleSessionName: "gha",
      clientConfig: { endpoint: s.url, region: REGION, maxAttempts: 1 },
    });
    // THEN STS refuses it
    expect((await refusal(credentials())).name).toBe("AccessDenied");
  });
});

describe("an IAM Identity Center permission set's role through the sandbox", () => {
  /**
   * A role where IAM Identity Center puts the set's role, made with the sandbox's IAM API, and its
   * session. On AWS the role trusts Identity Center's SAML provider; here a user of the account
   * stands in for the signed-in person (STS refuses a role to root: "Roles may not be assumed by root accounts").
   */
  async function ssoSession(name: string): Promise<{ s: Sandbox; session: Keys }> {
    const compiled = compile(loadModel(identitiesModel()));
    const person = `arn:aws:iam::${SECURITY}:user/person`;
    const allowAssume = {
      Version: "2012-10-17" as const,
      Statement: [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: "*" }],
    };
    compiled.state.accounts.get(SECURITY)?.users.set("person", {
      name: "person",
      path: "/",
      arn: person,
      policies: new Map([["sign-in", allowAssume]]),
      managedPolicyArns: [],
      accessKeys: true,
      tags: new Map(),
    });
    // The permission set's role as IAM Identity Center makes it (in the account from the start: "only modifiable by AWS")
    const path = "/aws-reserved/sso.amazonaws.com/eu-west-2/";
    const arn = `arn:aws:iam::${SECURITY}:role${path}${name}`;
    compiled.state.accounts.get(SECURITY)?.roles.set(name, {
      name,
      path,
      arn,
      trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: person }, Action: "sts:AssumeRole" }] },
      policies: new Map([["AwsSSOInlinePolicy", allowAssume]]),
      managedPolicyArns: [],
      maxSessionDuration: 3600,
      tags: new Map(),
    });
    const s = await start({ state: compiled.state, workloads: workloadsOf(compiled) });
    return { s, session: await assume(s, userKeys(s, person), arn) };
  }

  it("a session of AWSReservedSSO_SecurityAudit_<suffix> is admitted by the target's trust", async () => {
    // GIVEN the set's role as IAM Identity Center names it, with a suffix the model never knew
    const { s, session } = await ssoSession("AWSReservedSSO_SecurityAudit_1234567890abcdef");
    // WHEN it assumes the audit role in prod
    const out = await new STSClient(clientConfig(s, session)).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/audit-read`, RoleSessionName: "audit" }),
    );
    // THEN
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PROD}:assumed-role/audit-read/audit`);
  });

  it("a role of another permission set at the same path is refused", async () => {
    // GIVEN SecurityAuditor, whose name begins like SecurityAudit's
    const { s, session } = await ssoSession("AWSReservedSSO_SecurityAuditor_1234567890abcdef");
    // THEN
    const error = await refusal(
      new STSClient(clientConfig(s, session)).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/audit-read`, RoleSessionName: "audit" }),
      ),
    );
    expect(error.name).toBe("AccessDenied");
  });
});

const clients = process.env.CI ? describe : describe.skipIf(!PYTHON || !AWS);

clients("the generated AWS config of a GitHub Actions workload in real clients", () => {
  it(
    "the SDK for JavaScript and the AWS CLI read web_identity_token_file and role_arn, then chain to prod",
    { timeout: 120_000 },
    async () => {
      // GIVEN the sandbox environment of the model: the config's token file holds a token the sandbox signed for main
      const compiled = compile(loadModel(identitiesModel()));
      const env = await startEnvironment({ compiled, state: compiled.state });
      try {
        const dir = mkdtempSync(join(tmpdir(), "xacct-oidc-clients-"));
        scratch.push(dir);
        writeFileSync(join(dir, "config"), readFileSync(env.files.config, "utf8") + CLI_PLUGIN_SECTION);
        const vars = { ...commonEnv(dir, env.sandbox.url), AWS_CONFIG_FILE: join(dir, "config") };
        const cases = [{ id: "deploy", profile: "deployer.prod-s3", region: REGION, env: {} }];
        // WHEN each client resolves the chain's profile
        const [sdk, cli] = await Promise.all([resolveWithSdk(cases, vars), resolveWithCli(cases, vars)]);
        // THEN each acts as the prod role, assumed from the web identity session
        const expected = { arn: `arn:aws:sts::${PROD}:assumed-role/prod-deploy/xacct-deployer` };
        expect(sdk.get("deploy")).toEqual(expected);
        expect(cli.get("deploy")).toEqual(expected);
      } finally {
        await env.close();
      }
    },
  );
});
