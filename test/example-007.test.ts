/**
 * examples/007-saas-vendor (issue 13, setup 3): a SaaS vendor's role in account 464622532012
 * assumes `vendor-readonly` in prod with an ExternalId; the role holds only AWS managed policies.
 * AWS (IAM User Guide, "Access to AWS accounts owned by third parties"): "the administrator of
 * your AWS account can specify the external ID as a condition in the role's trust policy"; the
 * confused-deputy guidance names the third party's principal with sts:ExternalId. ReadOnlyAccess
 * ("Provides read-only access to AWS services and resources") allows s3:Get*, s3:List*, iam:Get*,
 * ec2:Describe*, and no write.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitAll } from "../src/emit/index.js";
import { findings } from "../src/graph/findings/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { simulate } from "../src/policy/index.js";
import { verify } from "../src/graph/verify.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { type AccountState, policyDocument } from "../src/state/account-state.js";
import { loadInventory } from "../src/state/inventory.js";
import { apply, emptyCopy, readBack } from "./support/iam-apply.js";
import { AWS } from "./support/real-clients.js";
import { awsCliAt, clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { itPassesTheValidators } from "./support/generated-validators.js";
import { compileExample, examplesDir, role } from "./support/state.js";
import { xacct } from "./support/xacct-cli.js";

const PROD = "111122223333";
const VENDOR_ACCOUNT = "464622532012";
const VENDOR = `arn:aws:iam::${VENDOR_ACCOUNT}:role/vendor-scanner`;
const ROLE = `arn:aws:iam::${PROD}:role/vendor-readonly`;
const EXTERNAL_ID = "acme-7f3a9c2e";
const compiled = compileExample("007-saas-vendor");
const trustingRoot = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${VENDOR_ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
});

describe("examples/007-saas-vendor: both sides proven by the engine", () => {
  const graph = new AccessGraph(compiled.state);
  const ask = (action: string, resource: string, o: { externalId?: string | null } = {}) =>
    can(graph, {
      principal: VENDOR,
      action,
      resource,
      resourceAccount: PROD,
      ...(o.externalId === null ? {} : { context: { "sts:ExternalId": o.externalId ?? EXTERNAL_ID } }),
    });

  it("lets the vendor's role, with the ExternalId, read through ReadOnlyAccess and SecurityAudit", () => {
    // GIVEN the example: vendor-scanner trusted with sts:ExternalId, ReadOnlyAccess and SecurityAudit attached
    // WHEN `can` asks about reads that ReadOnlyAccess allows (s3:Get*, ec2:Describe*, iam:Get*)
    const reads = [ask("s3:GetObject", "arn:aws:s3:::any-bucket/report.csv"), ask("ec2:DescribeInstances", "*"), ask("iam:GetRole", ROLE)];
    // THEN each is allowed through the role
    for (const read of reads) expect(read).toMatchObject({ decision: "Allow", paths: [{ via: [ROLE] }] });
  });

  it("refuses writes: iam:CreateUser and s3:PutObject are in neither managed policy", () => {
    // GIVEN the example WHEN `can` asks about writes THEN Deny
    expect(ask("iam:CreateUser", `arn:aws:iam::${PROD}:user/new`).decision).toBe("Deny");
    expect(ask("s3:PutObject", "arn:aws:s3:::any-bucket/report.csv").decision).toBe("Deny");
  });

  it("admits no one without the ExternalId, and no other principal of the vendor's account", () => {
    // GIVEN the role's trust, and the vendor's side as its administrators set it: sts:AssumeRole allowed on our role
    const vendorSide = [policyDocument([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE }])];
    const assume = (principal: string, context: Record<string, string>) =>
      simulate({
        principal,
        action: "sts:AssumeRole",
        resource: ROLE,
        identityPolicies: vendorSide,
        resourcePolicy: role(compiled, ROLE).trustPolicy,
        context,
      }).decision;
    // WHEN the vendor's role assumes it with the ExternalId, with a wrong one, with none; and another role of its account with the right one
    // THEN only the first is allowed
    expect(assume(`arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/vendor-scanner/s1`, { "sts:ExternalId": EXTERNAL_ID })).toBe("Allow");
    expect(assume(`arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/vendor-scanner/s1`, { "sts:ExternalId": "guessed" })).not.toBe("Allow");
    expect(assume(`arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/vendor-scanner/s1`, {})).not.toBe("Allow");
    expect(assume(`arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/intern/s1`, { "sts:ExternalId": EXTERNAL_ID })).not.toBe("Allow");
    // AND the graph, asked without an ExternalId, holds only a path that needs it (StringEquals on sts:ExternalId)
    const noId = ask("s3:GetObject", "arn:aws:s3:::any-bucket/k", { externalId: null });
    expect(noId.paths.map((p) => p.requires)).toEqual([{ "sts:ExternalId": EXTERNAL_ID }]);
  });

  it("`xacct verify` passes on its model: the grant possible, no finding (XA003 would be for trusting the vendor's root)", () => {
    // GIVEN the example WHEN `xacct verify --model` checks it
    const run = xacct(["verify", "--model", join(examplesDir, "007-saas-vendor", "xacct.yaml"), "--json"]);
    // THEN it exits 0: the grant is possible and no finding fails it
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; grants: { possible: boolean }[]; findings: unknown[] };
    expect(result).toMatchObject({ ok: true, grants: [{ possible: true }], findings: [] });
  });
});

describe("examples/007-saas-vendor: its CloudFormation and Terraform", () => {
  const files = new Map(emitAll(compiled).map((f) => [f.path, f.content]));

  itPassesTheValidators(files);
});

describe("examples/007-saas-vendor through the sandbox", () => {
  const newSandbox = sandboxPerTest();

  it("verify passes on its IAM applied and read back through the sandbox's IAM, managed policies attached", async () => {
    // GIVEN the vendor's role, created by the vendor (IAM refuses a trust naming a principal that does not exist),
    // and the example's IAM applied to fresh accounts through IAM's API
    const s = await newSandbox({ state: emptyCopy(compiled.state) });
    await new IAMClient(clientConfig(s, userKeys(s, `arn:aws:iam::${VENDOR_ACCOUNT}:root`))).send(
      new CreateRoleCommand({ RoleName: "vendor-scanner", AssumeRolePolicyDocument: trustingRoot }),
    );
    await apply(s, compiled.state);
    // WHEN it is read back with GetAccountAuthorizationDetails and verified
    const deployed = loadInventory(await readBack(s, compiled.state));
    const graph = new AccessGraph(deployed);
    const result = verify(compiled, graph, { deployed, findings: findings(deployed, { chains: compiled.chains, graph }) });
    // THEN the grant is possible, nothing undeclared, no drift, no finding; the role carries AWS's managed policy ARNs
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    expect(result.undeclared).toEqual([]);
    expect(result.drift).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.ok).toBe(true);
    expect(deployed.accounts.get(PROD)?.roles.get("vendor-readonly")?.managedPolicyArns).toEqual([
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::aws:policy/SecurityAudit",
    ]);
  });

  /**
   * GIVEN the example in the sandbox, and in the vendor's account (as its administrators would set
   * it up): a user `ops` whose keys start the vendor's side, the role vendor-scanner (created by the
   * vendor's root through IAM) that ops may assume and that may assume our role, and a role `intern`
   * with the same permissions but not named by our trust.
   */
  async function vendorSide(): Promise<{ s: Sandbox; scanner: Keys; intern: Keys }> {
    const state: AccountState = compileExample("007-saas-vendor").state; // its own: the sandbox writes into it
    const vendor = state.accounts.get(VENDOR_ACCOUNT);
    if (!vendor) throw new Error("no vendor account");
    const ops = `arn:aws:iam::${VENDOR_ACCOUNT}:user/ops`;
    vendor.users.set("ops", {
      name: "ops",
      path: "/",
      arn: ops,
      policies: new Map([["assume", policyDocument([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }])]]),
      managedPolicyArns: [],
      accessKeys: true,
      tags: new Map(),
    });
    const s = await newSandbox({ state });
    const root = new IAMClient(clientConfig(s, userKeys(s, `arn:aws:iam::${VENDOR_ACCOUNT}:root`)));
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: ops }, Action: "sts:AssumeRole" }],
    });
    const mayAssume = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE }] });
    const sessions: Keys[] = [];
    for (const name of ["vendor-scanner", "intern"]) {
      await root.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      await root.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "assume-customer-role", PolicyDocument: mayAssume }));
      sessions.push(await session(s, userKeys(s, ops), `arn:aws:iam::${VENDOR_ACCOUNT}:role/${name}`));
    }
    return { s, scanner: sessions[0] as Keys, intern: sessions[1] as Keys };
  }

  async function session(s: Sandbox, keys: Keys, RoleArn: string, ExternalId?: string): Promise<Keys> {
    const out = await new STSClient(clientConfig(s, keys)).send(
      new AssumeRoleCommand({ RoleArn, RoleSessionName: "vendor-scan", ...(ExternalId ? { ExternalId } : {}) }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("incomplete AssumeRole answer");
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  }

  it("the SDK for JavaScript, as the vendor with the ExternalId: iam:GetRole and s3:ListBuckets allowed, iam:CreateRole denied", async () => {
    // GIVEN the vendor's scanner session
    const { s, scanner } = await vendorSide();
    // WHEN it assumes our role with the ExternalId, then reads and writes
    const ours = await session(s, scanner, ROLE, EXTERNAL_ID);
    const iam = new IAMClient(clientConfig(s, ours));
    const role = await iam.send(new GetRoleCommand({ RoleName: "vendor-readonly" }));
    const buckets = await new S3Client({ ...clientConfig(s, ours), forcePathStyle: true }).send(new ListBucketsCommand({}));
    const create = await refusal(iam.send(new CreateRoleCommand({ RoleName: "backdoor", AssumeRolePolicyDocument: "{}" })));
    // THEN ReadOnlyAccess's iam:Get* and s3:List* answer; iam:CreateRole is AccessDenied (403)
    expect(role.Role?.Arn).toBe(ROLE);
    expect(buckets.$metadata.httpStatusCode).toBe(200);
    expect(create).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(create.message).toContain("iam:CreateRole");
  });

  it("without the ExternalId, or as another role of the vendor's account, AssumeRole is AccessDenied", async () => {
    // GIVEN the vendor's scanner and intern sessions
    const { s, scanner, intern } = await vendorSide();
    // WHEN the scanner leaves out the ExternalId, gives a wrong one, and the intern gives the right one
    const attempts = await Promise.all([
      refusal(session(s, scanner, ROLE)),
      refusal(session(s, scanner, ROLE, "guessed-id")),
      refusal(session(s, intern, ROLE, EXTERNAL_ID)),
    ]);
    // THEN STS refuses each (AccessDenied, 403), as AWS does when the trust's condition or principal does not match
    for (const attempt of attempts) expect(attempt).toMatchObject({ name: "AccessDenied", status: 403 });
  });

  it.skipIf(!AWS)("Debian's AWS CLI, as the vendor: assume-role --external-id, iam get-role allowed, iam create-role denied", async () => {
    // GIVEN the vendor's scanner session
    const { s, scanner } = await vendorSide();
    // WHEN the CLI assumes our role with the ExternalId and uses the session it got
    const assumed = await awsCliAt(s, scanner, [
      "sts",
      "assume-role",
      "--role-arn",
      ROLE,
      "--role-session-name",
      "vendor-cli",
      "--external-id",
      EXTERNAL_ID,
    ]);
    expect(assumed.code).toBe(0);
    const c = (JSON.parse(assumed.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } })
      .Credentials;
    const ours = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const get = await awsCliAt(s, ours, ["iam", "get-role", "--role-name", "vendor-readonly"]);
    const create = await awsCliAt(s, ours, ["iam", "create-role", "--role-name", "backdoor", "--assume-role-policy-document", "{}"]);
    // THEN get-role prints the role; create-role fails with AccessDenied
    expect(get.code).toBe(0);
    expect((JSON.parse(get.stdout) as { Role: { Arn: string } }).Role.Arn).toBe(ROLE);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toContain("AccessDenied");
  });
});
