/**
 * `verify`: each example model holds on its own graph (every grant possible, nothing undeclared);
 * written out as an inventory of what is deployed it still holds; and with one side of one grant
 * removed from a copy of that inventory it fails, naming the grant and why.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Compiled, compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { modelAsApplied, verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { authorizationDetails } from "../src/state/authorization-details.js";
import { loadInventory } from "../src/state/inventory.js";
import type { AccountState } from "../src/state/account-state.js";
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateRoleCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { policyDocument } from "../src/state/account-state.js";
import { apply, emptyCopy, iam, readBack, rootOf, trusting } from "./support/iam-apply.js";
import { sandboxPerTest } from "./support/sandbox-clients.js";
import { compileExample, examplesDir } from "./support/state.js";
import { CLI as cli } from "./support/xacct-cli.js";

/** Every example with a model (examples/simulate holds simulator cases, not a model). */
const examples = readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, "xacct.yaml")));

/** Writes the managed accounts of a state as an inventory directory, letting `change` edit each account's details first. */
function writeInventory(state: AccountState, change: (id: string, details: Record<string, unknown>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-inventory-"));
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    const details = authorizationDetails(account);
    change(account.id, details);
    mkdirSync(join(dir, account.id));
    writeFileSync(join(dir, account.id, "authorization-details.json"), JSON.stringify(details));
    const policies = Object.fromEntries([...account.resourcePolicies.values()].map((p) => [p.arn, p.policy]));
    if (Object.keys(policies).length) writeFileSync(join(dir, account.id, "resource-policies.json"), JSON.stringify(policies));
  }
  // The organization as Organizations lists it (organization.json), where the model declares one.
  const members = [...state.accounts.values()].filter((a) => a.organization);
  const organizationId = members[0]?.organization?.id;
  if (organizationId) {
    const accounts = Object.fromEntries(members.map((a) => [a.id, { parents: a.organization?.path ?? [] }]));
    writeFileSync(join(dir, "organization.json"), JSON.stringify({ organizationId, accounts }));
  }
  return dir;
}

function verifyAgainst(compiled: Compiled, dir: string) {
  const deployed = loadInventory(dir);
  // Accounts outside the model's management are not in the inventory: the graph treats them as outsiders.
  return verify(compiled, new AccessGraph(deployed), { deployed });
}

describe.each(examples)("examples/%s", (example) => {
  const compiled = compileExample(example);

  // What it creates, with its manual steps on IAM Identity Center permission sets taken as done.
  const { state, standIns } = modelAsApplied(compiled);

  it("holds on the graph of what it creates: every grant possible, nothing undeclared", () => {
    const result = verify(compiled, new AccessGraph(state), { standIns });
    expect(result.grants.filter((g) => !g.possible)).toEqual([]);
    expect(result.undeclared).toEqual([]);
    expect(result.grants.length).toBeGreaterThanOrEqual(compiled.chains.length);
  });

  it("holds against the same IAM read back as an inventory, with no drift", () => {
    const result = verifyAgainst(compiled, writeInventory(state));
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    expect(result.drift).toEqual([]);
  });
});

describe("a broken grant in a deployed copy", () => {
  const compiled = compileExample("000-sparkflows-mwaa");

  it("fails when the caller's sts:AssumeRole grant is gone, naming the grant and the hop", () => {
    const dir = writeInventory(compiled.state, (id, details) => {
      if (id !== "111111111111") return;
      for (const role of details.RoleDetailList as { RoleName: string; RolePolicyList: unknown[] }[])
        if (role.RoleName === "ECSFargateRole") role.RolePolicyList = [];
    });
    const result = verifyAgainst(compiled, dir);
    expect(result.ok).toBe(false);
    const broken = result.grants.filter((g) => !g.possible);
    expect(broken.map((g) => g.grant)).toEqual([0, 1]);
    expect(broken[0]?.reason).toContain("cannot assume arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole");
    expect(result.drift).toContainEqual({
      resource: "arn:aws:iam::111111111111:role/ECSFargateRole",
      problem: "inline policy xacct-assume-roles is missing",
      fix: expect.stringContaining("apply the model again"),
    });
  });

  it("fails when the trust admits someone the model does not declare", () => {
    const dir = writeInventory(compiled.state, (id, details) => {
      if (id !== "222222222222") return;
      for (const role of details.RoleDetailList as { RoleName: string; AssumeRolePolicyDocument: { Statement: unknown[] } }[]) {
        if (role.RoleName === "AccountB-MWAA-ReadRole")
          role.AssumeRolePolicyDocument.Statement.push({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::999999999999:root" },
            Action: "sts:AssumeRole",
          });
      }
    });
    const result = verifyAgainst(compiled, dir);
    expect(result.ok).toBe(false);
    expect(result.undeclared.map((u) => [u.from, u.to])).toEqual([
      ["arn:aws:iam::999999999999:root", "arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole"],
    ]);
    // and drift says what differs: one statement more than the model's, naming whom it admits
    expect(result.drift.map((d) => [d.resource, d.problem])).toEqual([
      [
        "arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole",
        expect.stringMatching(/^the deployed trust policy has an extra statement .*arn:aws:iam::999999999999:root/),
      ],
    ]);
  });
});

describe("xacct verify on the command line", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

  it.each(examples)("passes on examples/%s (exit 0)", (example) => {
    const r = run(["verify", "--model", join(examplesDir, example, "xacct.yaml"), "--json"]);
    const result = JSON.parse(r.stdout);
    expect({
      status: r.status,
      failing: result.grants.filter((g: { possible: boolean }) => !g.possible),
      findings: result.findings,
    }).toEqual({ status: 0, failing: [], findings: [] });
  });

  it("fails (exit 1) on a model whose accepted finding is no longer accepted, naming the rule", () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-verify-"));
    const text = readFileSync(join(examplesDir, "004-emr-eks-chain", "xacct.yaml"), "utf8").replace(/\naccept:[\s\S]*$/, "\n");
    writeFileSync(join(dir, "xacct.yaml"), text);
    const r = run(["verify", "--model", join(dir, "xacct.yaml")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL high XA013 /);
  });

  it("fails (exit 1) against a deployed copy with an inline policy added by hand, naming the role, the policy and what to do", () => {
    // GIVEN examples/000 as deployed, with one more inline policy on a role than the model declares
    const compiled = compileExample("000-sparkflows-mwaa");
    const dir = writeInventory(compiled.state, (id, details) => {
      if (id !== "222222222222") return;
      for (const role of details.RoleDetailList as { RoleName: string; RolePolicyList: unknown[] }[])
        if (role.RoleName === "AccountB-MWAA-ReadRole")
          role.RolePolicyList.push({
            PolicyName: "hand-added",
            PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
          });
    });
    // WHEN xacct verify reads it
    const r = run(["verify", "--model", join(examplesDir, "000-sparkflows-mwaa", "xacct.yaml"), "--inventory", dir]);
    // THEN it fails on the drift, saying where, what and what to do
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "FAIL drift: arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole: an extra inline policy hand-added is attached that the model does not declare",
    );
    expect(r.stdout).toMatch(/\n {6}fix: delete it \(aws iam delete-role-policy\), or declare it in the model/);
  });

  it("fails (exit 1) against a deployed copy with one side of a grant missing, and says which grant and why", () => {
    const compiled = compileExample("000-sparkflows-mwaa");
    const dir = writeInventory(compiled.state, (id, details) => {
      if (id !== "222222222222") return;
      for (const role of details.RoleDetailList as { RoleName: string; AssumeRolePolicyDocument: { Statement: unknown[] } }[]) {
        if (role.RoleName === "AccountB-MWAA-ReadRole") role.AssumeRolePolicyDocument.Statement = [];
      }
    });
    const r = run(["verify", "--model", join(examplesDir, "000-sparkflows-mwaa", "xacct.yaml"), "--inventory", dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("FAIL grants[0] sparkflows may read the environment");
    expect(r.stdout).toContain("cannot assume arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole");
  });
});

// examples/007 (its vendor's role must exist for IAM to take the trust) and 008 (its owner's role first) have their own such test.
describe.each(examples.filter((e) => !["combined", "007-saas-vendor", "008-mwaa-athena-cross-account"].includes(e)))(
  "examples/%s applied through the sandbox's IAM, its resource policies as the model writes them",
  (example) => {
    const newSandbox = sandboxPerTest();
    it("verifies with no drift: nothing the model declares reads as undeclared", async () => {
      // GIVEN the example's IAM applied through the real IAM client and read back, and its resource policies deployed as written
      const compiled = compileExample(example);
      const s = await newSandbox({ state: emptyCopy(compiled.state) });
      await apply(s, compiled.state);
      const dir = await readBack(s, compiled.state);
      for (const account of compiled.state.accounts.values()) {
        const policies = Object.fromEntries([...account.resourcePolicies.values()].map((p) => [p.arn, p.policy]));
        if (account.managed && Object.keys(policies).length)
          writeFileSync(join(dir, account.id, "resource-policies.json"), JSON.stringify(policies));
      }
      // WHEN verified against that inventory
      const deployed = loadInventory(dir);
      const result = verify(compiled, new AccessGraph(deployed), { deployed });
      // THEN nothing drifted
      expect(result.drift).toEqual([]);
    });
  },
);

describe.each(["aws-cn", "aws-us-gov"])("a model in the %s partition", (partition) => {
  it.each(examples.filter((e) => e !== "combined"))(
    "examples/%s holds on its own graph: verify names the partition's ARNs, not aws's",
    (example) => {
      // GIVEN an example model moved to another partition (every ARN it creates is arn:PARTITION:…)
      const file = join(examplesDir, example, "xacct.yaml");
      const compiled = compile(loadModel(`partition: ${partition}\n${readFileSync(file, "utf8")}`, file));
      // WHEN verified against the graph of what it creates, its manual steps on permission sets taken as done
      const { state, standIns } = modelAsApplied(compiled);
      const result = verify(compiled, new AccessGraph(state), { standIns });
      // THEN every grant is possible: the start principal, the OIDC provider and the resources are the partition's
      expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
      expect(result.undeclared).toEqual([]);
    },
  );
});

describe("a resource policy kept under an ARN pattern", () => {
  // Secrets Manager adds "a hyphen and six random characters" to every secret's name in its ARN,
  // so a model's secret policy is kept under secret:NAME-?????? and a real secret's ARN differs.
  const model = `version: 1
name: secrets
accounts:
  app: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
workloads:
  job: { account: app, identity: { type: ecs-task } }
grants:
  - workload: job
    account: data
    service: secretsmanager
    access: [read]
    resources: { secret: db, kms-key: 1234abcd-12ab-34cd-56ef-1234567890ab }
    via: resource-policy
`;

  it("governs the secret whatever its random suffix: verify proves the grant, can allows a real ARN", () => {
    // GIVEN a secret shared through its own resource policy (cross-account: both sides must allow)
    const compiled = compile(loadModel(model));
    const graph = new AccessGraph(compiled.state);
    // WHEN verify checks the grant on the model
    const result = verify(compiled, graph);
    // THEN the grant is possible (the policy held under secret:db-?????? governs the secret)
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    // and a secret with AWS's six-character suffix is readable, another secret is not
    const ask = (resource: string) =>
      can(graph, { principal: "arn:aws:iam::111111111111:role/job", action: "secretsmanager:GetSecretValue", resource }).decision;
    expect(ask("arn:aws:secretsmanager:us-east-1:222222222222:secret:db-AbC123")).toBe("Allow");
    expect(ask("arn:aws:secretsmanager:us-east-1:222222222222:secret:payroll-AbC123")).toBe("Deny");
  });
});

describe("drift in what is deployed through IAM, read back with GetAccountAuthorizationDetails", () => {
  // IAM user guide, "Policies and permissions": a role's or user's permissions are its inline
  // policies, the managed policies attached to it and its permissions boundary; a role's trust
  // policy says who may assume it. Each is a separate IAM call, so each can be changed by hand.
  const newSandbox = sandboxPerTest();
  const EMR = "111111111111";
  const KEYS = "333333333333";
  const OUTSIDER = "arn:aws:iam::999999999999:root";
  const allowing = (action: string) => JSON.stringify(policyDocument([{ Effect: "Allow", Action: action, Resource: "*" }]));

  /** The example's IAM applied as a deployment tool would, each role declared existing first made by its owner. */
  async function deployedExample(example: string) {
    const compiled = compileExample(example);
    const s = await newSandbox({ state: emptyCopy(compiled.state) });
    for (const account of compiled.state.accounts.values())
      for (const role of account.roles.values())
        if (role.existing)
          await iam(s, rootOf(s, account.id)).send(
            new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: trusting(`arn:aws:iam::${account.id}:root`) }),
          );
    await apply(s, compiled.state);
    return { compiled, s };
  }

  it("a clean apply has no drift; then an inline policy, a managed policy, a boundary and a trust statement added by hand are each reported, on roles and users", async () => {
    // GIVEN examples/003 applied through the sandbox's IAM, verified with no drift
    const { compiled, s } = await deployedExample("003-airflow-multi-account");
    const clean = loadInventory(await readBack(s, compiled.state));
    expect(verify(compiled, new AccessGraph(clean), { deployed: clean }).drift).toEqual([]);
    const role = compiled.state.accounts.get(EMR)?.roles.get("airflow-emr");
    const user = compiled.state.accounts.get(KEYS)?.users.get("airflow-cross-account");
    if (!role || !user) throw new Error("examples/003 no longer has the role airflow-emr and the user airflow-cross-account");
    // WHEN someone adds through the real IAM client what the model does not declare
    const emr = iam(s, rootOf(s, EMR));
    await emr.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: "hand-added", PolicyDocument: allowing("s3:*") }));
    await emr.send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
    await emr.send(
      new PutRolePermissionsBoundaryCommand({ RoleName: role.name, PermissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess" }),
    );
    const trust = policyDocument([
      ...role.trustPolicy.Statement,
      { Sid: "HandAdded", Effect: "Allow", Principal: { AWS: OUTSIDER }, Action: "sts:AssumeRole" },
    ]);
    await emr.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: JSON.stringify(trust) }));
    const keys = iam(s, rootOf(s, KEYS));
    await keys.send(new PutUserPolicyCommand({ UserName: user.name, PolicyName: "hand-added", PolicyDocument: allowing("athena:*") }));
    await keys.send(new AttachUserPolicyCommand({ UserName: user.name, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
    const deployed = loadInventory(await readBack(s, compiled.state));
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN each is drift on its role or user, saying what differs and what to do
    expect(result.ok).toBe(false);
    const problems = result.drift.map((d) => [d.resource, d.problem]);
    expect(problems).toEqual(
      expect.arrayContaining([
        [role.arn, expect.stringContaining("extra inline policy hand-added")],
        [role.arn, expect.stringContaining("extra managed policy arn:aws:iam::aws:policy/ReadOnlyAccess")],
        [role.arn, expect.stringContaining("permissions boundary arn:aws:iam::aws:policy/PowerUserAccess")],
        [role.arn, expect.stringMatching(/trust policy has an extra statement .*HandAdded.*999999999999/)],
        [user.arn, expect.stringContaining("extra inline policy hand-added")],
        [user.arn, expect.stringContaining("extra managed policy arn:aws:iam::aws:policy/ReadOnlyAccess")],
      ]),
    );
    expect(result.drift).toHaveLength(6);
    expect(result.drift.every((d) => /apply the model again|declare it in the model/.test(d.fix))).toBe(true);
  });

  it("a role owned elsewhere (declared existing) is checked for xacct's inline policy only, never its owner's policies", async () => {
    // GIVEN examples/008: MWAA's execution role is its owner's; xacct adds one inline policy to it
    const { compiled, s } = await deployedExample("008-mwaa-athena-cross-account");
    const exec = compiled.state.accounts.get(EMR)?.roles.get("reporting-mwaa-exec");
    if (!exec?.existing) throw new Error("examples/008 no longer declares reporting-mwaa-exec existing");
    // WHEN its owner attaches a managed policy and a boundary of their own, and xacct's inline policy is emptied
    const client = iam(s, rootOf(s, EMR));
    await client.send(new AttachRolePolicyCommand({ RoleName: exec.name, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
    await client.send(
      new PutRolePolicyCommand({ RoleName: exec.name, PolicyName: "owners-own", PolicyDocument: allowing("s3:ListAllMyBuckets") }),
    );
    const [name] = [...exec.policies.keys()];
    await client.send(
      new PutRolePolicyCommand({ RoleName: exec.name, PolicyName: name ?? "", PolicyDocument: allowing("sts:GetCallerIdentity") }),
    );
    const deployed = loadInventory(await readBack(s, compiled.state));
    // THEN only xacct's own inline policy is drift
    expect(verify(compiled, new AccessGraph(deployed), { deployed }).drift.map((d) => [d.resource, d.problem])).toEqual([
      [exec.arn, `inline policy ${name ?? ""} differs from the model's`],
    ]);
  });
  it("a resource policy statement that admits another account, an organization or everyone, and that the model does not declare, is drift", async () => {
    // GIVEN examples/002 applied through IAM, its stream and repository policies deployed as the model writes them
    // (IAM user guide, "Cross account resource access": a resource-based policy grants the principals it
    // names, in other accounts too; Principal "*" under aws:PrincipalOrgID admits every principal of the organization)
    const { compiled, s } = await deployedExample("002-stage-consumers");
    const PROD = "310000000003";
    const dir = await readBack(s, compiled.state);
    const account = compiled.state.accounts.get(PROD);
    if (!account) throw new Error("examples/002 no longer has account 310000000003");
    const stream = `arn:aws:kinesis:eu-central-1:${PROD}:stream/prod-orders-pubsub`;
    const bucket = "arn:aws:s3:::prod-orders-exports";
    const policies = new Map([...account.resourcePolicies.values()].map((p) => [p.arn, p.policy]));
    const declared = policies.get(stream);
    if (!declared) throw new Error("examples/002 no longer shares prod-orders-pubsub through its policy");
    // WHEN one statement is added by hand to the model's stream policy, and a bucket the model does not know has a policy of its own
    policies.set(
      stream,
      policyDocument([
        ...declared.Statement,
        { Sid: "HandAdded", Effect: "Allow", Principal: { AWS: "999999999999" }, Action: "kinesis:GetRecords", Resource: stream },
      ]),
    );
    policies.set(
      bucket,
      policyDocument([
        // A service's call on behalf of the account's own resources (aws:SourceAccount is the calling resource's owner)
        {
          Sid: "OwnLogs",
          Effect: "Allow",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${bucket}/*`,
          Condition: { StringEquals: { "aws:SourceAccount": PROD } },
        },
        { Sid: "Own", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: "s3:GetObject", Resource: `${bucket}/*` },
        {
          Sid: "Partner",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::888888888888:role/etl" },
          Action: "s3:GetObject",
          Resource: `${bucket}/*`,
        },
        {
          Sid: "Org",
          Effect: "Allow",
          Principal: "*",
          Action: "s3:ListBucket",
          Resource: bucket,
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg" } },
        },
        {
          Sid: "NoTls",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: bucket,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    );
    // AND a queue policy that admits every principal but the account's root (NotPrincipal with Allow, anonymous users included)
    const queue = `arn:aws:sqs:eu-central-1:${PROD}:exports`;
    policies.set(
      queue,
      policyDocument([{ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: "sqs:SendMessage", Resource: queue }]),
    );
    writeFileSync(join(dir, PROD, "resource-policies.json"), JSON.stringify(Object.fromEntries(policies)));
    const deployed = loadInventory(dir);
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN each statement that admits someone outside the account without the model declaring it is drift:
    // the model's own statements, the account's own principals and a Deny are not
    expect(result.drift.map((d) => [d.resource, d.problem])).toEqual([
      [stream, expect.stringMatching(/^statement HandAdded .* admits arn:aws:iam::999999999999:root from outside account 310000000003/)],
      [bucket, expect.stringMatching(/^statement Partner .* admits arn:aws:iam::888888888888:role\/etl from outside/)],
      [bucket, expect.stringMatching(/^statement Org .* admits every principal of organization o-exampleorg from outside/)],
      [queue, expect.stringMatching(/admits every principal except .*310000000003:root.* \(anonymous users included\) from outside/)],
    ]);
    expect(result.drift.map((d) => d.fix)).toEqual([
      expect.stringContaining("apply the model again"),
      expect.stringContaining("declare it in the model"),
      expect.stringContaining("declare it in the model"),
      expect.stringContaining("declare it in the model"),
    ]);
  });
});
