/**
 * The sandbox's IAM driven by the real AWS SDK for JavaScript v3 IAM and STS clients (and the AWS
 * CLI when installed): nothing mocked. What each call should answer comes from IAM's API
 * reference (response shapes, error codes and messages), the IAM User Guide (cross-account
 * AssumeRole needs both the caller's policy and the role's trust; boundaries cap permissions) and
 * what the real clients do, not from the sandbox's own output.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  DeletePolicyCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import type { Sandbox } from "../src/sandbox/index.js";
import type { AccountState } from "../src/state/account-state.js";
import { loadInventory } from "../src/state/inventory.js";
import { compileExample } from "./support/state.js";
import { apply, emptyCopy, readBack } from "./support/iam-apply.js";
import { userAndRoleModel } from "./support/models.js";
import { type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

// GIVEN a user `app` in account a with a grant into account b (so the model makes the user and
// its bootstrap keys); every role the tests use beyond that is created through IAM.
const MODEL = userAndRoleModel({ name: "iam-sandbox", role: "glue-runner", region: "us-east-1" });

const A = "111111111111";
const B = "222222222222";
const USER = `arn:aws:iam::${A}:user/app`;
const DEPLOYER = `arn:aws:iam::${B}:role/deployer`;

const newSandbox = sandboxPerTest();

const start = (state: AccountState = compile(loadModel(MODEL)).state): Promise<Sandbox> => newSandbox({ state });

const rootOf = (s: Sandbox, account: string) => userKeys(s, `arn:aws:iam::${account}:root`);

function iam(s: Sandbox, credentials: Keys): IAMClient {
  return new IAMClient({ endpoint: s.url, region: "us-east-1", credentials, maxAttempts: 1 });
}

function sts(s: Sandbox, credentials: Keys): STSClient {
  return new STSClient({ endpoint: s.url, region: "us-east-1", credentials, maxAttempts: 1 });
}

const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const trusting = (principal: string) => doc([{ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole" }]);
const allowing = (action: string | string[], resource = "*") => doc([{ Effect: "Allow", Action: action, Resource: resource }]);
/** IAM returns policy documents URL-encoded (RFC 3986); the CLI decodes them, the SDK does not. */
const decoded = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? "")) as unknown;

async function assume(s: Sandbox, credentials: Keys, RoleArn: string) {
  const out = await sts(s, credentials).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "s1" }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("incomplete AssumeRole answer");
  return {
    keys: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    assumedRoleId: out.AssumedRoleUser?.AssumedRoleId,
  };
}

/** As account b's root: the role `deployer`, trusting the user of account a, and that user's policy allowing the hop. */
async function deployer(s: Sandbox): Promise<Keys> {
  await iam(s, rootOf(s, B)).send(new CreateRoleCommand({ RoleName: "deployer", AssumeRolePolicyDocument: trusting(USER) }));
  await iam(s, rootOf(s, A)).send(
    new PutUserPolicyCommand({ UserName: "app", PolicyName: "assume-deployer", PolicyDocument: allowing("sts:AssumeRole", DEPLOYER) }),
  );
  return (await assume(s, userKeys(s, USER), DEPLOYER)).keys;
}

describe("IAM in the sandbox: roles, trust and STS", () => {
  it("a role created through IAM is assumable once both sides allow it, and no longer once UpdateAssumeRolePolicy drops the trust", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    const created = await b.send(
      new CreateRoleCommand({
        RoleName: "deployer",
        Path: "/",
        AssumeRolePolicyDocument: trusting(USER),
        Description: "deploys",
        MaxSessionDuration: 7200,
      }),
    );
    // CreateRole answers with the role, its trust policy URL-encoded (API reference example).
    expect(created.Role).toMatchObject({
      RoleName: "deployer",
      Path: "/",
      Arn: DEPLOYER,
      Description: "deploys",
      MaxSessionDuration: 7200,
    });
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(created.Role?.CreateDate).toBeInstanceOf(Date);
    expect(decoded(created.Role?.AssumeRolePolicyDocument)).toEqual(JSON.parse(trusting(USER)));

    // Cross-account: the trust alone is not enough, the caller's own policy must allow sts:AssumeRole too.
    expect(await refusal(assume(s, userKeys(s, USER), DEPLOYER))).toMatchObject({ name: "AccessDenied", status: 403 });
    await iam(s, rootOf(s, A)).send(
      new PutUserPolicyCommand({ UserName: "app", PolicyName: "assume-deployer", PolicyDocument: allowing("sts:AssumeRole", DEPLOYER) }),
    );
    const session = await assume(s, userKeys(s, USER), DEPLOYER);
    // STS's AssumedRoleId is the role's unique ID, then the session name.
    expect(session.assumedRoleId).toBe(`${created.Role?.RoleId}:s1`);

    await b.send(new UpdateAssumeRolePolicyCommand({ RoleName: "deployer", PolicyDocument: trusting(`arn:aws:iam::${B}:root`) }));
    expect(await refusal(assume(s, userKeys(s, USER), DEPLOYER))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: ${USER} is not authorized to perform: sts:AssumeRole on resource: ${DEPLOYER}`,
    });
    const role = await b.send(new GetRoleCommand({ RoleName: "deployer" }));
    expect(decoded(role.Role?.AssumeRolePolicyDocument)).toEqual(JSON.parse(trusting(`arn:aws:iam::${B}:root`)));
  });

  it("GetRole, ListRoles, UpdateRole and tags read back what was written", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    await b.send(
      new CreateRoleCommand({
        RoleName: "tagged",
        Path: "/team/",
        AssumeRolePolicyDocument: trusting(USER),
        Tags: [{ Key: "team", Value: "data" }],
      }),
    );
    await b.send(new UpdateRoleCommand({ RoleName: "tagged", MaxSessionDuration: 43200, Description: "now described" }));
    await b.send(new TagRoleCommand({ RoleName: "tagged", Tags: [{ Key: "stage", Value: "prod" }] }));
    await b.send(new UntagRoleCommand({ RoleName: "tagged", TagKeys: ["team"] }));
    const got = await b.send(new GetRoleCommand({ RoleName: "tagged" }));
    expect(got.Role).toMatchObject({
      RoleName: "tagged",
      Path: "/team/",
      Arn: `arn:aws:iam::${B}:role/team/tagged`,
      MaxSessionDuration: 43200,
      Description: "now described",
      Tags: [{ Key: "stage", Value: "prod" }],
    });
    expect((await b.send(new ListRoleTagsCommand({ RoleName: "tagged" }))).Tags).toEqual([{ Key: "stage", Value: "prod" }]);
    // ListRoles filters by path prefix; the model's glue-runner sits at /.
    expect((await b.send(new ListRolesCommand({ PathPrefix: "/team/" }))).Roles?.map((r) => r.RoleName)).toEqual(["tagged"]);
    expect((await b.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName).sort()).toEqual(["glue-runner", "tagged"]);
    // IAM names are case-insensitive: GetRole finds the role by another case.
    expect((await b.send(new GetRoleCommand({ RoleName: "TAGGED" }))).Role?.RoleName).toBe("tagged");
  });

  it("AttachRolePolicy with an AWS managed policy's ARN decides with AWS's document: ReadOnlyAccess reads IAM, does not write it", async () => {
    // GIVEN the role deployer in account b, assumable by a's user, with no permission policy, in a state holding no AWS managed policy
    const s = await start();
    const b = iam(s, rootOf(s, B));
    const session = iam(s, await deployer(s));
    expect(await refusal(session.send(new GetRoleCommand({ RoleName: "deployer" })))).toMatchObject({ name: "AccessDenied" });
    // WHEN b's root attaches AWS's ReadOnlyAccess ("AWS managed policy name: ReadOnlyAccess" → arn:aws:iam::aws:policy/ReadOnlyAccess)
    const PolicyArn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    await b.send(new AttachRolePolicyCommand({ RoleName: "deployer", PolicyArn }));
    // THEN the role lists it, its session may GetRole (ReadOnlyAccess allows iam:Get*) and may not CreateRole
    expect((await b.send(new ListAttachedRolePoliciesCommand({ RoleName: "deployer" }))).AttachedPolicies).toEqual([
      { PolicyName: "ReadOnlyAccess", PolicyArn },
    ]);
    expect((await session.send(new GetRoleCommand({ RoleName: "deployer" }))).Role?.Arn).toBe(DEPLOYER);
    expect(
      await refusal(session.send(new CreateRoleCommand({ RoleName: "escalate", AssumeRolePolicyDocument: trusting(USER) }))),
    ).toMatchObject({ name: "AccessDenied" });
    // AND an AWS managed ARN AWS does not have (or without its path) is not attachable
    expect(
      await refusal(b.send(new AttachRolePolicyCommand({ RoleName: "deployer", PolicyArn: "arn:aws:iam::aws:policy/ViewOnlyAccess" }))),
    ).toMatchObject({ name: "NoSuchEntityException" });
  });

  it("inline and managed policies decide what a session may do; a new default version changes it; a boundary caps it", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    const session = iam(s, await deployer(s));
    const getRole = () => session.send(new GetRoleCommand({ RoleName: "deployer" }));
    // The role has no permission policy yet: IAM itself refuses its session.
    expect(await refusal(getRole())).toMatchObject({ name: "AccessDenied", status: 403 });

    await b.send(new PutRolePolicyCommand({ RoleName: "deployer", PolicyName: "read-roles", PolicyDocument: allowing("iam:GetRole") }));
    expect((await getRole()).Role?.RoleName).toBe("deployer");
    expect((await b.send(new ListRolePoliciesCommand({ RoleName: "deployer" }))).PolicyNames).toEqual(["read-roles"]);
    expect(decoded((await b.send(new GetRolePolicyCommand({ RoleName: "deployer", PolicyName: "read-roles" }))).PolicyDocument)).toEqual(
      JSON.parse(allowing("iam:GetRole")),
    );
    await b.send(new DeleteRolePolicyCommand({ RoleName: "deployer", PolicyName: "read-roles" }));
    expect(await refusal(getRole())).toMatchObject({ name: "AccessDenied" });

    const policy = await b.send(
      new CreatePolicyCommand({
        PolicyName: "iam-read",
        Path: "/ops/",
        PolicyDocument: allowing(["iam:GetRole", "iam:ListRoles"]),
        Description: "reads roles",
      }),
    );
    const policyArn = `arn:aws:iam::${B}:policy/ops/iam-read`;
    expect(policy.Policy).toMatchObject({
      PolicyName: "iam-read",
      Arn: policyArn,
      Path: "/ops/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      IsAttachable: true,
    });
    await b.send(new AttachRolePolicyCommand({ RoleName: "deployer", PolicyArn: policyArn }));
    expect((await b.send(new ListAttachedRolePoliciesCommand({ RoleName: "deployer" }))).AttachedPolicies).toEqual([
      { PolicyName: "iam-read", PolicyArn: policyArn },
    ]);
    expect((await getRole()).Role?.Arn).toBe(DEPLOYER);

    // A second version, made the default, no longer allows GetRole: the engine decides with the default version.
    const v2 = await b.send(
      new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: allowing("iam:ListRoles"), SetAsDefault: true }),
    );
    expect(v2.PolicyVersion).toMatchObject({ VersionId: "v2", IsDefaultVersion: true });
    expect(await refusal(getRole())).toMatchObject({ name: "AccessDenied" });
    expect((await session.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
    const got = await b.send(new GetPolicyCommand({ PolicyArn: policyArn }));
    expect(got.Policy).toMatchObject({ DefaultVersionId: "v2", AttachmentCount: 1, Description: "reads roles" });
    const v1 = await b.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: "v1" }));
    expect(v1.PolicyVersion?.IsDefaultVersion).toBe(false);
    expect(decoded(v1.PolicyVersion?.Document)).toEqual(JSON.parse(allowing(["iam:GetRole", "iam:ListRoles"])));

    // A permissions boundary that allows only STS leaves the session nothing in IAM (User Guide: boundaries cap identity policies).
    await b.send(new CreatePolicyCommand({ PolicyName: "sts-only", PolicyDocument: allowing("sts:*") }));
    await b.send(new PutRolePermissionsBoundaryCommand({ RoleName: "deployer", PermissionsBoundary: `arn:aws:iam::${B}:policy/sts-only` }));
    expect(await refusal(session.send(new ListRolesCommand({})))).toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining("because no permissions boundary allows the iam:ListRoles action"),
    });
    expect((await b.send(new GetRoleCommand({ RoleName: "deployer" }))).Role?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: "Policy",
      PermissionsBoundaryArn: `arn:aws:iam::${B}:policy/sts-only`,
    });
    await b.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "deployer" }));
    expect((await session.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
  });

  it("deletes refuse while something is attached, as AWS's DeleteConflict says, and then succeed", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    await b.send(new CreateRoleCommand({ RoleName: "temp", AssumeRolePolicyDocument: trusting(USER) }));
    await b.send(new PutRolePolicyCommand({ RoleName: "temp", PolicyName: "inline", PolicyDocument: allowing("s3:GetObject") }));
    expect(await refusal(b.send(new DeleteRoleCommand({ RoleName: "temp" })))).toEqual({
      name: "DeleteConflictException",
      status: 409,
      message: "Cannot delete entity, must delete policies first.",
    });
    await b.send(new DeleteRolePolicyCommand({ RoleName: "temp", PolicyName: "inline" }));
    const { Policy } = await b.send(new CreatePolicyCommand({ PolicyName: "managed", PolicyDocument: allowing("s3:GetObject") }));
    await b.send(new AttachRolePolicyCommand({ RoleName: "temp", PolicyArn: Policy?.Arn }));
    expect(await refusal(b.send(new DeleteRoleCommand({ RoleName: "temp" })))).toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete entity, must detach all policies first.",
    });
    expect(await refusal(b.send(new DeletePolicyCommand({ PolicyArn: Policy?.Arn })))).toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete a policy attached to entities.",
    });
    await b.send(new DetachRolePolicyCommand({ RoleName: "temp", PolicyArn: Policy?.Arn }));
    await b.send(new DeleteRoleCommand({ RoleName: "temp" }));
    await b.send(new DeletePolicyCommand({ PolicyArn: Policy?.Arn }));
    expect(await refusal(b.send(new GetRoleCommand({ RoleName: "temp" })))).toEqual({
      name: "NoSuchEntityException",
      status: 404,
      message: "The role with name temp cannot be found.",
    });
    expect(await refusal(b.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn })))).toMatchObject({
      name: "NoSuchEntityException",
      message: `Policy ${Policy?.Arn} was not found.`,
    });
  });

  it("OIDC providers: created, read, listed, trusted by a role, deleted", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    const issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    const arn = `arn:aws:iam::${B}:oidc-provider/${issuer}`;
    const webTrust = doc([
      {
        Effect: "Allow",
        Principal: { Federated: arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" } },
      },
    ]);
    // IAM refuses a trust policy naming an identity provider that does not exist.
    expect(await refusal(b.send(new CreateRoleCommand({ RoleName: "web", AssumeRolePolicyDocument: webTrust })))).toEqual({
      name: "MalformedPolicyDocumentException",
      status: 400,
      message: `Invalid principal in policy: "Federated":"${arn}"`,
    });

    const created = await b.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${issuer}`,
        ClientIDList: ["sts.amazonaws.com"],
        ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
      }),
    );
    expect(created.OpenIDConnectProviderArn).toBe(arn);
    // GetOpenIDConnectProvider's Url is the issuer without its scheme (API reference example).
    expect(await b.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).toMatchObject({
      Url: issuer,
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
    });
    expect((await b.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([{ Arn: arn }]);
    expect(await refusal(b.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${issuer}`, ClientIDList: ["x"] })))).toMatchObject({
      name: "EntityAlreadyExistsException",
      status: 409,
    });
    await b.send(new CreateRoleCommand({ RoleName: "web", AssumeRolePolicyDocument: webTrust }));

    await b.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    expect(await refusal(b.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })))).toMatchObject({
      name: "NoSuchEntityException",
      status: 404,
    });
  });
});

describe("IAM in the sandbox: refusals", () => {
  it("a role session without iam:* calling CreateRole is AccessDenied in IAM's ErrorResponse, naming principal, action and resource", async () => {
    const s = await start();
    const session = await deployer(s);
    const denied = await refusal(
      iam(s, session).send(new CreateRoleCommand({ RoleName: "escalate", AssumeRolePolicyDocument: trusting(USER) })),
    );
    const message = `User: arn:aws:sts::${B}:assumed-role/deployer/s1 is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${B}:role/escalate because no identity-based policy allows the iam:CreateRole action`;
    expect(denied).toEqual({ name: "AccessDenied", status: 403, message });
    // Nothing was written.
    expect(await refusal(iam(s, rootOf(s, B)).send(new GetRoleCommand({ RoleName: "escalate" })))).toMatchObject({
      name: "NoSuchEntityException",
    });

    // The same refusal on the wire, signed with @smithy/signature-v4: the query protocol's ErrorResponse in IAM's namespace.
    const body = new URLSearchParams({
      Action: "CreateRole",
      Version: "2010-05-08",
      RoleName: "escalate",
      AssumeRolePolicyDocument: trusting(USER),
    }).toString();
    const url = new URL(s.url);
    const signer = new SignatureV4({ service: "iam", region: "us-east-1", credentials: session, sha256: Sha256 });
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body,
    });
    const response = await fetch(s.url, { method: "POST", headers: signed.headers, body });
    expect(response.status).toBe(403);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(await response.text());
    expect(xml.ErrorResponse["@_xmlns"]).toBe("https://iam.amazonaws.com/doc/2010-05-08/");
    expect(xml.ErrorResponse.Error).toEqual({ Type: "Sender", Code: "AccessDenied", Message: message });
    expect(xml.ErrorResponse.RequestId).toBe(response.headers.get("x-amzn-requestid"));
  });

  it("malformed documents are MalformedPolicyDocument in AWS's words, and nothing is half-written", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    const create = (RoleName: string, AssumeRolePolicyDocument: string) =>
      refusal(b.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument })));
    expect(await create("r1", "{not json")).toEqual({
      name: "MalformedPolicyDocumentException",
      status: 400,
      message: "This policy contains invalid Json",
    });
    expect(await create("r2", doc([{ Effect: "Allow", Principal: { AWS: USER }, Action: "sts:AssumeRole", Resource: "*" }]))).toMatchObject(
      { name: "MalformedPolicyDocumentException", message: "Has prohibited field Resource" },
    );
    expect(await create("r3", doc([{ Effect: "Allow", Action: "sts:AssumeRole" }]))).toMatchObject({
      message: "Missing required field Principal",
    });
    // IAM resolves principals when it stores a trust policy: a role that does not exist is refused.
    expect(await create("r4", trusting(`arn:aws:iam::${A}:role/nope`))).toMatchObject({
      message: `Invalid principal in policy: "AWS":"arn:aws:iam::${A}:role/nope"`,
    });
    // An invalid Effect is named where it is.
    expect(await create("r5", doc([{ Effect: "Maybe", Principal: { AWS: USER }, Action: "sts:AssumeRole" }]))).toMatchObject({
      name: "MalformedPolicyDocumentException",
      message: expect.stringContaining("Effect"),
    });
    for (const name of ["r1", "r2", "r3", "r4", "r5"])
      expect(await refusal(b.send(new GetRoleCommand({ RoleName: name })))).toMatchObject({ name: "NoSuchEntityException" });

    await b.send(new CreateRoleCommand({ RoleName: "ok", AssumeRolePolicyDocument: trusting(USER) }));
    expect(
      await refusal(
        b.send(
          new PutRolePolicyCommand({
            RoleName: "ok",
            PolicyName: "p",
            PolicyDocument: doc([{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }]),
          }),
        ),
      ),
    ).toMatchObject({ name: "MalformedPolicyDocumentException", message: "Policy document should not specify a principal." });
    expect(await refusal(b.send(new UpdateAssumeRolePolicyCommand({ RoleName: "ok", PolicyDocument: "[]" })))).toMatchObject({
      name: "MalformedPolicyDocumentException",
    });
    expect((await b.send(new ListRolePoliciesCommand({ RoleName: "ok" }))).PolicyNames).toEqual([]);
    expect(decoded((await b.send(new GetRoleCommand({ RoleName: "ok" }))).Role?.AssumeRolePolicyDocument)).toEqual(
      JSON.parse(trusting(USER)),
    );
  });

  it("names, lengths, ranges and duplicates are refused as IAM refuses them", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    const create = (input: { RoleName: string; MaxSessionDuration?: number }) =>
      refusal(b.send(new CreateRoleCommand({ ...input, AssumeRolePolicyDocument: trusting(USER) })));
    expect(await create({ RoleName: "has space" })).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    expect(await create({ RoleName: "x".repeat(65) })).toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("Member must have length less than or equal to 64"),
    });
    // MaxSessionDuration: 1 hour to 12 hours (API reference).
    expect(await create({ RoleName: "short", MaxSessionDuration: 600 })).toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("Member must have value greater than or equal to 3600"),
    });
    // Names are unique regardless of case.
    expect(await create({ RoleName: "GLUE-RUNNER" })).toEqual({
      name: "EntityAlreadyExistsException",
      status: 409,
      message: "Role with name GLUE-RUNNER already exists.",
    });
    expect(await refusal(b.send(new GetRoleCommand({ RoleName: "nobody" })))).toEqual({
      name: "NoSuchEntityException",
      status: 404,
      message: "The role with name nobody cannot be found.",
    });
    expect(
      await refusal(b.send(new AttachRolePolicyCommand({ RoleName: "glue-runner", PolicyArn: `arn:aws:iam::${B}:policy/none` }))),
    ).toMatchObject({
      name: "NoSuchEntityException",
      message: `Policy arn:aws:iam::${B}:policy/none does not exist or is not attachable.`,
    });
    // A caller acts on its own account's IAM: account a's root does not see account b's roles.
    expect(await refusal(iam(s, rootOf(s, A)).send(new GetRoleCommand({ RoleName: "glue-runner" })))).toMatchObject({
      name: "NoSuchEntityException",
    });
    // A managed policy has at most five versions.
    const { Policy } = await b.send(new CreatePolicyCommand({ PolicyName: "versions", PolicyDocument: allowing("s3:GetObject") }));
    for (let i = 2; i <= 5; i++)
      await b.send(new CreatePolicyVersionCommand({ PolicyArn: Policy?.Arn, PolicyDocument: allowing("s3:GetObject") }));
    expect(
      await refusal(b.send(new CreatePolicyVersionCommand({ PolicyArn: Policy?.Arn, PolicyDocument: allowing("s3:GetObject") }))),
    ).toMatchObject({ name: "LimitExceededException", status: 409 });
  });

  it("GetSessionToken credentials without MFA may call no IAM action (STS API reference, GetSessionToken)", async () => {
    const s = await start();
    const out = await sts(s, rootOf(s, A)).send(new GetSessionTokenCommand({}));
    const c = out.Credentials;
    const session = { accessKeyId: c?.AccessKeyId ?? "", secretAccessKey: c?.SecretAccessKey ?? "", sessionToken: c?.SessionToken ?? "" };
    expect(await refusal(iam(s, session).send(new GetUserCommand({ UserName: "app" })))).toMatchObject({
      name: "InvalidClientTokenId",
      status: 403,
    });
    // The same root's long-term keys may.
    expect((await iam(s, rootOf(s, A)).send(new GetUserCommand({ UserName: "app" }))).User?.Arn).toBe(USER);
  });

  it("GetUser answers with the user, its path and its unique ID", async () => {
    const s = await start();
    const me = await iam(s, rootOf(s, A)).send(new GetUserCommand({ UserName: "app" }));
    expect(me.User).toMatchObject({ UserName: "app", Arn: USER, Path: "/" });
    expect(me.User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });
});

// ---- Applying a model through IAM, reading it back as an inventory, verifying it ----

/** IAM counts a policy's size "in non-whitespace characters" (IAM API reference, GetAccountSummary). */
const nonWhitespace = (text: string) => text.replace(/[ \t\n\r]/g, "").length;

/**
 * A policy document of exactly `size` non-whitespace characters, pretty-printed (its whitespace is
 * not counted), padded with a Sid of letters: `statement` is the rest of its one statement.
 */
function sized(size: number, statement: Record<string, unknown>): string {
  const text = (sid: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: sid, ...statement }] }, null, 2);
  const result = text(`S${"x".repeat(size - nonWhitespace(text("S")))}`);
  expect(nonWhitespace(result)).toBe(size);
  return result;
}

describe("IAM in the sandbox: AWS's size quotas, checked before a document is read", () => {
  // IAM User Guide, "IAM and AWS STS quotas": the inline policies of a role total at most 10,240
  // characters, of a user 2,048; a managed policy at most 6,144; a role trust policy 2,048 by
  // default; "IAM doesn't count white space". Past them IAM answers LimitExceeded (409) in the words
  // real clients report: "Maximum policy size of 10240 bytes exceeded for role NAME", "Cannot exceed
  // quota for PolicySize: 6144", "Cannot exceed quota for ACLSizePerRole: 2048".
  // Its condition value holds spaces: white space, not counted wherever it is.
  const ALLOW = {
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: "*",
    Condition: { StringLike: { "aws:UserAgent": "aws-cli/2.* md/installer exe" } },
  };
  const TRUST = { Effect: "Allow", Principal: { AWS: USER }, Action: "sts:AssumeRole" };
  // A statement the policy grammar refuses (an Effect that is neither Allow nor Deny).
  const BROKEN = { Effect: "Permit", Action: "s3:GetObject", Resource: "*" };

  it("documents at the quota are taken, whitespace not counted; one character more is LimitExceeded, and nothing is written", async () => {
    // GIVEN account b's root and a role `quota` in it
    const s = await start();
    const b = iam(s, rootOf(s, B));
    await b.send(new CreateRoleCommand({ RoleName: "quota", AssumeRolePolicyDocument: trusting(USER) }));

    // WHEN each document is exactly at its quota, pretty-printed THEN it is taken
    await b.send(new PutRolePolicyCommand({ RoleName: "quota", PolicyName: "full", PolicyDocument: sized(10240, ALLOW) }));
    await b.send(new CreatePolicyCommand({ PolicyName: "full", PolicyDocument: sized(6144, ALLOW) }));
    await b.send(new UpdateAssumeRolePolicyCommand({ RoleName: "quota", PolicyDocument: sized(2048, TRUST) }));

    // WHEN each is one character over THEN LimitExceeded, 409, in IAM's words
    expect(
      await refusal(b.send(new PutRolePolicyCommand({ RoleName: "quota", PolicyName: "full", PolicyDocument: sized(10241, ALLOW) }))),
    ).toEqual({ name: "LimitExceededException", status: 409, message: "Maximum policy size of 10240 bytes exceeded for role quota" });
    expect(await refusal(b.send(new CreatePolicyCommand({ PolicyName: "over", PolicyDocument: sized(6145, ALLOW) })))).toEqual({
      name: "LimitExceededException",
      status: 409,
      message: "Cannot exceed quota for PolicySize: 6144",
    });
    expect(await refusal(b.send(new UpdateAssumeRolePolicyCommand({ RoleName: "quota", PolicyDocument: sized(2049, TRUST) })))).toEqual({
      name: "LimitExceededException",
      status: 409,
      message: "Cannot exceed quota for ACLSizePerRole: 2048",
    });
    expect(await refusal(b.send(new CreateRoleCommand({ RoleName: "over", AssumeRolePolicyDocument: sized(2049, TRUST) })))).toMatchObject({
      name: "LimitExceededException",
      status: 409,
    });
    // The role's inline policies count together: with the quota used up, a second one is refused.
    expect(
      await refusal(b.send(new PutRolePolicyCommand({ RoleName: "quota", PolicyName: "second", PolicyDocument: sized(200, ALLOW) }))),
    ).toMatchObject({ name: "LimitExceededException" });

    // THEN nothing of the refused calls was written
    expect((await b.send(new ListRolePoliciesCommand({ RoleName: "quota" }))).PolicyNames).toEqual(["full"]);
    expect(
      nonWhitespace(
        decodeURIComponent((await b.send(new GetRolePolicyCommand({ RoleName: "quota", PolicyName: "full" }))).PolicyDocument ?? ""),
      ),
    ).toBe(10240);
    expect(await refusal(b.send(new GetRoleCommand({ RoleName: "over" })))).toMatchObject({ name: "NoSuchEntityException" });
    expect(((await b.send(new ListPoliciesCommand({ Scope: "Local" }))).Policies ?? []).map((p) => p.PolicyName)).toEqual(["full"]);
  });

  it("a document past its quota is refused for its size whatever it holds: its content is never read", async () => {
    // GIVEN a role, and documents over their quotas whose statements the policy grammar would refuse
    const s = await start();
    const b = iam(s, rootOf(s, B));
    await b.send(new CreateRoleCommand({ RoleName: "quota", AssumeRolePolicyDocument: trusting(USER) }));
    // WHEN they are sent THEN the quota answers (the size is known from the text alone), not MalformedPolicyDocument
    expect(
      await refusal(b.send(new PutRolePolicyCommand({ RoleName: "quota", PolicyName: "p", PolicyDocument: sized(10241, BROKEN) }))),
    ).toMatchObject({ name: "LimitExceededException", status: 409 });
    expect(
      await refusal(
        iam(s, rootOf(s, A)).send(new PutUserPolicyCommand({ UserName: "app", PolicyName: "p", PolicyDocument: sized(2049, BROKEN) })),
      ),
    ).toEqual({ name: "LimitExceededException", status: 409, message: "Maximum policy size of 2048 bytes exceeded for user app" });
    expect(await refusal(b.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: sized(6145, BROKEN) })))).toMatchObject({
      name: "LimitExceededException",
      status: 409,
    });
    expect(
      await refusal(
        b.send(new UpdateAssumeRolePolicyCommand({ RoleName: "quota", PolicyDocument: sized(2049, { ...TRUST, Effect: "Permit" }) })),
      ),
    ).toMatchObject({ name: "LimitExceededException", status: 409 });
    // AND a document under its quota with the same statement is MalformedPolicyDocument, as before
    expect(
      await refusal(b.send(new PutRolePolicyCommand({ RoleName: "quota", PolicyName: "p", PolicyDocument: sized(200, BROKEN) }))),
    ).toMatchObject({ name: "MalformedPolicyDocumentException", status: 400 });
  });

  it("a 130 KB PutRolePolicy is refused for its size, unread, while a concurrent GetCallerIdentity is answered", async () => {
    // GIVEN a role and a document of 130,000 characters (under the API's 131,072 limit on PolicyDocument), malformed too
    const s = await start();
    const root = rootOf(s, B);
    const b = iam(s, root);
    await b.send(new CreateRoleCommand({ RoleName: "quota", AssumeRolePolicyDocument: trusting(USER) }));
    const big = sized(130_000, BROKEN);
    // WHEN it is sent together with GetCallerIdentity from the same account
    const [put, me] = await Promise.all([
      refusal(b.send(new PutRolePolicyCommand({ RoleName: "quota", PolicyName: "big", PolicyDocument: big }))),
      sts(s, root).send(new GetCallerIdentityCommand({})),
    ]);
    // THEN the one is LimitExceeded and the other names the caller
    expect(put).toEqual({
      name: "LimitExceededException",
      status: 409,
      message: "Maximum policy size of 10240 bytes exceeded for role quota",
    });
    expect(me).toMatchObject({ Arn: `arn:aws:iam::${B}:root`, Account: B });
  });
});

describe.each(["000-sparkflows-mwaa", "004-emr-eks-chain"])("examples/%s applied through the sandbox's IAM", (example) => {
  it("reads back with GetAccountAuthorizationDetails as an inventory that verify accepts: every grant possible, nothing undeclared, no drift", async () => {
    const compiled = compileExample(example);
    const s = await start(emptyCopy(compiled.state));
    await apply(s, compiled.state);
    const deployed = loadInventory(await readBack(s, compiled.state));
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    expect(result.undeclared).toEqual([]);
    expect(result.drift).toEqual([]);
    expect(result.grants.length).toBe(compiled.chains.length);
    // The roles read back are the model's, with their trust and inline policies.
    for (const account of compiled.state.accounts.values()) {
      if (!account.managed) continue;
      for (const role of account.roles.values()) {
        const back = deployed.accounts.get(account.id)?.roles.get(role.name);
        expect(back?.trustPolicy).toEqual(role.trustPolicy);
        expect(back?.policies).toEqual(role.policies);
      }
    }
  });

  it("reading back a copy with one trust removed, verify fails naming the grant", async () => {
    const compiled = compileExample(example);
    const s = await start(emptyCopy(compiled.state));
    await apply(s, compiled.state);
    // Every cross-account hop needs the target role's trust: replace the first such trust with the account's own root.
    const [account, role] =
      [...compiled.state.accounts.values()].flatMap((a) =>
        [...a.roles.values()]
          .filter((r) => JSON.stringify(r.trustPolicy).includes(":iam::") && !JSON.stringify(r.trustPolicy).includes(`:iam::${a.id}:`))
          .map((r) => [a, r] as const),
      )[0] ?? [];
    if (!account || !role) throw new Error(`${example} has no cross-account trust`);
    await iam(s, rootOf(s, account.id)).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trusting(`arn:aws:iam::${account.id}:root`) }),
    );
    const deployed = loadInventory(await readBack(s, compiled.state));
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    expect(result.ok).toBe(false);
    expect(result.grants.some((g) => !g.possible)).toBe(true);
    expect(result.drift.map((d) => d.resource)).toContain(role.arn);
  });
});

describe("IAM in the sandbox: GetAccountAuthorizationDetails in AWS's format", () => {
  it("lists roles with URL-encoded documents, attached policies with counts and versions, and the Filter", async () => {
    const s = await start();
    const b = iam(s, rootOf(s, B));
    await b.send(new CreatePolicyCommand({ PolicyName: "shared", PolicyDocument: allowing("s3:ListBucket") }));
    await b.send(
      new CreatePolicyVersionCommand({
        PolicyArn: `arn:aws:iam::${B}:policy/shared`,
        PolicyDocument: allowing("s3:GetObject"),
        SetAsDefault: true,
      }),
    );
    await b.send(new AttachRolePolicyCommand({ RoleName: "glue-runner", PolicyArn: `arn:aws:iam::${B}:policy/shared` }));
    const details = await b.send(new GetAccountAuthorizationDetailsCommand({}));
    const runner = details.RoleDetailList?.find((r) => r.RoleName === "glue-runner");
    expect(runner?.AttachedManagedPolicies).toEqual([{ PolicyName: "shared", PolicyArn: `arn:aws:iam::${B}:policy/shared` }]);
    // The SDK hands the documents over as IAM sent them: URL-encoded JSON.
    expect(runner?.AssumeRolePolicyDocument).toMatch(/^%7B/);
    expect(runner?.RoleId).toBe((await b.send(new GetRoleCommand({ RoleName: "glue-runner" }))).Role?.RoleId);
    const shared = details.Policies?.find((p) => p.PolicyName === "shared");
    expect(shared).toMatchObject({ DefaultVersionId: "v2", AttachmentCount: 1, IsAttachable: true });
    expect(shared?.PolicyVersionList?.map((v) => [v.VersionId, v.IsDefaultVersion, decoded(v.Document)])).toEqual([
      ["v1", false, JSON.parse(allowing("s3:ListBucket"))],
      ["v2", true, JSON.parse(allowing("s3:GetObject"))],
    ]);
    const rolesOnly = await b.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    expect(rolesOnly.RoleDetailList?.length).toBe(1);
    expect(rolesOnly.Policies ?? []).toEqual([]);
    expect((await b.send(new ListPoliciesCommand({ Scope: "Local", OnlyAttached: true }))).Policies?.map((p) => p.PolicyName)).toEqual([
      "shared",
    ]);
  });

  /** `which aws`: the AWS CLI on the PATH, if any (CI installs Debian's awscli). */
  const aws = (process.env.PATH ?? "")
    .split(":")
    .map((d) => join(d, "aws"))
    .find((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
  it.skipIf(!aws)("the AWS CLI reads it with get-account-authorization-details (skipped when `aws` is not installed)", async () => {
    const s = await start();
    const keys = rootOf(s, B);
    const home = mkdtempSync(join(tmpdir(), "xacct-aws-cli-"));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: join(home, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
    };
    // execFile (not its sync form): the sandbox answers from this same process.
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        aws as string,
        ["iam", "get-account-authorization-details", "--endpoint-url", s.url, "--output", "json"],
        { env },
        (error, out, err) => (error ? reject(new Error(`aws failed: ${err}`)) : resolve(out)),
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), "xacct-cli-inventory-"));
    mkdirSync(join(dir, B));
    writeFileSync(join(dir, B, "authorization-details.json"), stdout);
    // The CLI decodes the documents into JSON objects, as the inventory format expects.
    const runner = (
      JSON.parse(stdout) as { RoleDetailList: { RoleName: string; AssumeRolePolicyDocument: unknown }[] }
    ).RoleDetailList.find((r) => r.RoleName === "glue-runner");
    expect(typeof runner?.AssumeRolePolicyDocument).toBe("object");
    const loaded = loadInventory(dir).accounts.get(B)?.roles.get("glue-runner");
    const model = compile(loadModel(MODEL)).state.accounts.get(B)?.roles.get("glue-runner");
    expect(loaded?.trustPolicy).toEqual(model?.trustPolicy);
    expect(loaded?.policies).toEqual(model?.policies);
  });
});
