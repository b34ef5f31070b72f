/**
 * Two first identities: any OIDC issuer's token (GitHub Actions, GitLab, HCP Terraform, any
 * https issuer) and an IAM Identity Center permission set. What AWS documents:
 *
 * - IAM user guide, "Create a role for OpenID Connect federation" (GitHub): "You can use the
 *   condition key `token.actions.githubusercontent.com:sub` to limit access. … If you do not include
 *   this condition, then GitHub Actions from organizations or repositories outside of your control
 *   are able to assume roles"; its example trust has
 *   `"token.actions.githubusercontent.com:sub": "repo:GitHubOrg/GitHubRepo:ref:refs/heads/GitHubBranch"`
 *   and `"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"`.
 * - IAM CreateOpenIDConnectProvider, Url: "The URL must begin with https:// … path components are
 *   allowed but query parameters are not. … The URL should not contain a port number."
 * - IAM Identity Center user guide, "Referencing permission sets": the role is
 *   `arn:aws:iam::aws-account-ID:role/aws-reserved/sso.amazonaws.com/aws-region/AWSReservedSSO_permission-set-name_unique-suffix`,
 *   "If your identity source in IAM Identity Center is hosted in us-east-1, there is no aws-region in
 *   the ARN", and a new assignment gets "a different, unique suffix".
 */
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { awsConfigText } from "../src/emit/aws-config.js";
import { emitMarkdown } from "../src/emit/markdown.js";
import { findings } from "../src/graph/findings/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can, whoCan } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { GITHUB, identitiesModel, MAIN, PROD, SECURITY, TOOLS } from "./support/identity-models.js";
import { position, problems } from "./support/model-problems.js";

const PROVIDER = `arn:aws:iam::${TOOLS}:oidc-provider/${GITHUB}`;
const FIRST = `arn:aws:iam::${TOOLS}:role/gha-deploy`;

function build(text = identitiesModel()) {
  return compile(loadModel(text));
}

describe("an OIDC issuer as the first identity (GitHub Actions)", () => {
  it("writes the IAM OIDC provider in the workload's account and a trust on its aud and sub", () => {
    // GIVEN the GitHub workflow of repo acme/app on main
    // WHEN the model is compiled
    const tools = build().state.accounts.get(TOOLS);
    // THEN the provider is GitHub's, listing the audience configure-aws-credentials asks for
    expect(tools?.oidcProviders.get(PROVIDER)).toEqual({ arn: PROVIDER, issuer: GITHUB, clientIds: ["sts.amazonaws.com"] });
    // AND the first role trusts it as the IAM user guide's example does
    expect(tools?.roles.get("gha-deploy")?.trustPolicy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GITHUB}:sub`]: MAIN, [`${GITHUB}:aud`]: "sts.amazonaws.com" } },
      },
    ]);
  });

  it("several subjects with a pattern are one StringLike on sub, the audience still StringEquals", () => {
    // GIVEN the minimum the IAM user guide recommends ("repo:GitHubOrg/*") and an environment's subject
    const c = build(
      identitiesModel(
        `{ type: oidc, issuer: "https://${GITHUB}", subject: ["repo:acme/*", "repo:acme/app:environment:prod"], role: gha-deploy }`,
      ),
    );
    // THEN
    expect(c.state.accounts.get(TOOLS)?.roles.get("gha-deploy")?.trustPolicy.Statement[0]?.Condition).toEqual({
      StringLike: { [`${GITHUB}:sub`]: ["repo:acme/*", "repo:acme/app:environment:prod"] },
      StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
    });
  });

  it("each well-known issuer gets the audience its vendor documents; GitLab's is the instance's address", () => {
    // GIVEN HCP Terraform ("the audience should be set to aws.workload.identity") and gitlab.com
    // ("Audience: The address of your GitLab instance … The address must include https://")
    for (const [issuer, audience] of [
      ["app.terraform.io", "aws.workload.identity"],
      ["gitlab.com", "https://gitlab.com"],
    ]) {
      const c = build(identitiesModel(`{ type: oidc, issuer: "https://${issuer}", subject: "x:y", role: gha-deploy }`));
      // THEN the provider lists it as its client ID
      expect(c.state.accounts.get(TOOLS)?.oidcProviders.get(`arn:aws:iam::${TOOLS}:oidc-provider/${issuer}`)?.clientIds).toEqual([
        audience,
      ]);
    }
  });

  it("refuses, where it is written, a subject of only *, no subject, and an unknown issuer without audience", () => {
    // GIVEN three identities IAM would accept but that admit more than meant, or that cannot work
    const star = identitiesModel(`{ type: oidc, issuer: "https://${GITHUB}", subject: "*" }`);
    const none = identitiesModel(`{ type: oidc, issuer: "https://${GITHUB}" }`);
    const noAud = identitiesModel(
      `{ type: oidc, issuer: "https://kubernetes.example.com/cluster-1", subject: "system:serviceaccount:a:b" }`,
    );
    // THEN each is refused with file, line and column
    const [p] = problems(star);
    expect(p).toMatchObject({ ...position(star, '"*"'), path: "workloads.deployer.identity.subject" });
    expect(p?.message).toMatch(/admits every identity/);
    expect(problems(none)[0]).toMatchObject({ path: "workloads.deployer.identity.subject" });
    expect(problems(noAud)[0]).toMatchObject({ path: "workloads.deployer.identity.audience" });
    expect(problems(noAud)[0]?.message).toMatch(/give the audience/);
  });

  it("refuses an issuer with a port, a query or plain http, as IAM's Url rule does", () => {
    for (const issuer of ["https://gitlab.example.com:8443", "https://idp.example.com/?tenant=a", "http://gitlab.example.com"]) {
      const text = identitiesModel(`{ type: oidc, issuer: "${issuer}", audience: a, subject: s }`);
      // THEN
      expect(problems(text)[0], issuer).toMatchObject({ path: "workloads.deployer.identity.issuer" });
    }
  });

  it("every subject on purpose: refused for GitHub (IAM refuses such a trust), a finding for another issuer", () => {
    const any = `subject: { any: true, reason: "the issuer signs tokens for our own runners only" }`;
    // GIVEN GitHub: IAM answers "… must evaluate … token.actions.githubusercontent.com:sub which is not scoped to all"
    expect(problems(identitiesModel(`{ type: oidc, issuer: "https://${GITHUB}", ${any} }`))[0]?.message).toMatch(/IAM refuses/);
    // GIVEN a self-hosted issuer, declared on purpose
    const c = build(identitiesModel(`{ type: oidc, issuer: "https://ci.example.com", audience: aws, ${any}, role: runner }`));
    // THEN the trust pins the audience only, and XA006 reports the missing sub
    expect(c.state.accounts.get(TOOLS)?.roles.get("runner")?.trustPolicy.Statement[0]?.Condition).toEqual({
      StringEquals: { "ci.example.com:aud": "aws" },
    });
    const found = findings(c.state).filter((f) => f.id === "XA006");
    expect(found).toMatchObject([{ severity: "high", resource: `arn:aws:iam::${TOOLS}:role/runner` }]);
  });

  it("can and who-can answer for a token with the declared sub and refuse another sub", () => {
    // GIVEN the compiled model as a graph
    const graph = new AccessGraph(build().state);
    const object = "arn:aws:s3:::artifacts/build.zip";
    const token = (sub: string) => ({ [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: "sts.amazonaws.com" });
    // WHEN a token of main asks, and one of a feature branch
    const main = can(graph, { principal: PROVIDER, action: "s3:GetObject", resource: object, context: token(MAIN) });
    const other = can(graph, {
      principal: PROVIDER,
      action: "s3:GetObject",
      resource: object,
      context: token("repo:acme/app:ref:refs/heads/feature"),
    });
    // THEN only main reaches the object, through both roles
    expect(main.paths.map((p) => p.via)).toEqual([[FIRST, `arn:aws:iam::${PROD}:role/prod-deploy`]]);
    expect(other.paths).toEqual([]);
    // AND who-can names the provider for main's subject
    const who = whoCan(graph, { action: "s3:GetObject", resource: object });
    expect(who.principals.find((p) => p.principal === PROVIDER)?.requires).toEqual({ [`${GITHUB}:sub`]: MAIN });
  });

  it("verify proves the chain from the token to the target role", () => {
    const c = build();
    const result = verify(c, new AccessGraph(c.state));
    expect(result.grants.find((g) => g.workload === "deployer")).toMatchObject({ possible: true });
  });

  it("the AWS config reads the token file with role_arn, then chains; the README shows the workflow steps", () => {
    const c = build();
    // THEN
    expect(awsConfigText(c.chains.filter((x) => x.workload === "deployer"))).toContain(
      `[profile deployer-web-identity]\nweb_identity_token_file = /tmp/xacct-web-identity-token\nrole_arn = ${FIRST}\n`,
    );
    const readme = emitMarkdown(c)[0]?.content ?? "";
    expect(readme).toContain("id-token: write");
    expect(readme).toContain(`uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${FIRST}`);
    expect(readme).toContain(`role-to-assume: arn:aws:iam::${PROD}:role/prod-deploy\n          role-chaining: true`);
  });
});

describe("an IAM Identity Center permission set as the first identity", () => {
  const patterns = [
    `arn:aws:iam::${SECURITY}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SecurityAudit_*`,
    `arn:aws:iam::${SECURITY}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*`,
  ];

  it("the target's trust names the account and matches both role path shapes by aws:PrincipalArn; nothing is written in the SSO account", () => {
    // GIVEN the security team's SecurityAudit permission set
    const c = build();
    // THEN
    expect(c.state.accounts.get(PROD)?.roles.get("audit-read")?.trustPolicy.Statement).toEqual([
      {
        Sid: "TrustAuditor",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${SECURITY}:root` },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:PrincipalArn": patterns } },
      },
    ]);
    // AND the security account gets no role or policy: its sts:AssumeRole is a step in IAM Identity Center
    expect(c.state.accounts.get(SECURITY)?.roles.size).toBe(0);
    expect(c.manualSteps.find((s) => s.account === SECURITY)?.title).toBe("Add sts:AssumeRole to permission set SecurityAudit");
  });

  it("the AWS config signs in through an sso-session, then chains", () => {
    const text = awsConfigText(build().chains.filter((x) => x.workload === "auditor"));
    // THEN the profile has what `aws configure sso` writes
    expect(text).toContain("[sso-session xacct-auditor]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-2\n");
    expect(text).toContain(
      `[profile auditor-sso]\nsso_session = xacct-auditor\nsso_account_id = ${SECURITY}\nsso_role_name = SecurityAudit\n`,
    );
    expect(text).toContain(`source_profile = auditor-sso\nrole_arn = arn:aws:iam::${PROD}:role/audit-read`);
  });

  it("verify does not claim the chain works from the model alone: the role's suffix is not knowable", () => {
    const c = build();
    const result = verify(c, new AccessGraph(c.state));
    const auditor = result.grants.find((g) => g.workload === "auditor");
    expect(auditor).toMatchObject({ possible: false });
    expect(auditor?.reason).toMatch(/IAM Identity Center creates it/);
  });

  it("with the role read back from the account, verify walks from it", () => {
    // GIVEN the account as read back: IAM Identity Center's role for the set, in eu-west-2
    const c = build();
    const deployed = structuredClone(c.state);
    const arn = `arn:aws:iam::${SECURITY}:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_SecurityAudit_1234567890abcdef`;
    deployed.accounts.get(SECURITY)?.roles.set("AWSReservedSSO_SecurityAudit_1234567890abcdef", {
      name: "AWSReservedSSO_SecurityAudit_1234567890abcdef",
      path: "/aws-reserved/sso.amazonaws.com/eu-west-2/",
      arn,
      trustPolicy: { Version: "2012-10-17", Statement: [] },
      policies: new Map([
        ["AwsSSOInlinePolicy", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] }],
      ]),
      managedPolicyArns: [],
      maxSessionDuration: 3600,
      tags: new Map(),
    });
    // WHEN
    const result = verify(c, new AccessGraph(deployed));
    // THEN
    expect(result.grants.find((g) => g.workload === "auditor")).toMatchObject({ possible: true });
  });
});
