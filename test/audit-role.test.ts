/**
 * The model's `audit:` option: the read-only audit role xacct collect assumes, in every managed
 * account, trusting only the collector, with one inline policy allowing exactly the calls collect
 * makes; one StackSet for it; verify counts its trust as declared; a collect through it completes,
 * and an audit role lacking one action leaves that service failed.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collect } from "../src/collect/collect.js";
import { compile } from "../src/compile/compile.js";
import { emitCloudFormation } from "../src/emit/cloudformation.js";
import { findings } from "../src/graph/findings/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { recipeFor, recipeServices } from "../src/services/index.js";
import type { AccountState, PolicyDocument } from "../src/state/account-state.js";
import { cfnLint, hasCfnLint } from "./support/cfn-lint.js";
import { sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const SECURITY = "111111111111";
const A = "222222222222";
const B = "333333333333";
const newSandbox = sandboxPerTest();

const MODEL = `version: 1
name: audited
accounts:
  security: { id: "${SECURITY}", region: us-east-1, organization: o-a1b2c3d4e5, ou: [r-a1b2, ou-a1b2-workload1] }
  a: { id: "${A}", region: us-east-1, organization: o-a1b2c3d4e5, ou: [r-a1b2, ou-a1b2-workload1] }
  b: { id: "${B}", region: us-east-1, organization: o-a1b2c3d4e5, ou: [r-a1b2, ou-a1b2-workload1] }
  vendor: { id: "444444444444", region: us-east-1, external: true }
workloads: {}
grants: []
audit: { collector: security, principal: collector }
`;

/**
 * What collect calls, by the names AWS's Service Authorization Reference gives their actions:
 * IAM's GetAccountAuthorizationDetails, ListOpenIDConnectProviders, ListSAMLProviders; AWS
 * Organizations' read calls of `collect --all`; S3's ListBuckets (action s3:ListAllMyBuckets),
 * GetBucketLocation, GetBucketPolicy; KMS's ListKeys, GetKeyPolicy; SQS's ListQueues,
 * GetQueueAttributes (which returns a queue's Policy attribute); Lambda's ListFunctions and EC2's
 * DescribeInstances (what runs as each role: a function's Role, an instance's IamInstanceProfile).
 */
const COLLECT_CALLS = [
  "iam:GetAccountAuthorizationDetails",
  "iam:ListOpenIDConnectProviders",
  "iam:ListSAMLProviders",
  "organizations:DescribeOrganization",
  "organizations:ListRoots",
  "organizations:ListOrganizationalUnitsForParent",
  "organizations:ListAccountsForParent",
  "organizations:ListAccounts",
  "organizations:ListPolicies",
  "organizations:DescribePolicy",
  "organizations:ListTargetsForPolicy",
  "s3:ListAllMyBuckets",
  "s3:GetBucketLocation",
  "s3:GetBucketPolicy",
  "kms:ListKeys",
  "kms:GetKeyPolicy",
  "sqs:ListQueues",
  "sqs:GetQueueAttributes",
  "lambda:ListFunctions",
  "ec2:DescribeInstances",
];
/** Services other modules add a collect hook for, each declaring its own calls' actions there. */
const hookActions = () => recipeServices().flatMap((s) => recipeFor(s)?.collect?.actions ?? []);

const actionsOf = (document: PolicyDocument | undefined) => document?.Statement.flatMap((s) => [s.Action ?? []].flat()) ?? [];

describe("audit: the least-privilege audit role", () => {
  it("is in every managed account, trusting only the collector's principal, allowing exactly collect's calls", () => {
    // GIVEN a model of three managed accounts and an external one, with audit: collected from security's role `collector`
    // WHEN it is compiled
    const { state } = compile(loadModel(MODEL));
    // THEN each managed account, and only those, has xacct-audit
    const holders = [...state.accounts.values()].filter((a) => a.roles.has("xacct-audit")).map((a) => a.id);
    expect(holders.sort()).toEqual([SECURITY, A, B]);
    for (const id of [SECURITY, A, B]) {
      const role = state.accounts.get(id)?.roles.get("xacct-audit");
      // AND its trust admits the collector role in the security account, nothing else
      expect(role?.trustPolicy.Statement).toEqual([
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${SECURITY}:role/collector` }, Action: "sts:AssumeRole" },
      ]);
      // AND it has one inline policy, whose actions are collect's calls and the service hooks' (each once), on every resource
      expect([...(role?.policies.keys() ?? [])]).toHaveLength(1);
      const policy = [...(role?.policies.values() ?? [])][0];
      const actions = actionsOf(policy);
      expect(new Set(actions).size).toBe(actions.length);
      expect(actions).toEqual(expect.arrayContaining(COLLECT_CALLS));
      expect(new Set(actions)).toEqual(new Set([...COLLECT_CALLS, ...hookActions()]));
      expect(policy?.Statement.every((s) => s.Effect === "Allow" && s.Resource === "*")).toBe(true);
      expect(role?.managedPolicyArns).toEqual([]);
    }
  });

  it("refuses a collector that is not an account of the model, saying where", () => {
    // GIVEN audit: naming an account the model does not declare
    const text = MODEL.replace("collector: security", "collector: securty");
    // WHEN it is loaded  THEN the error names audit.collector and the account it may mean
    expect(() => loadModel(text)).toThrow(/audit\.collector: unknown account "securty".*security/);
  });

  it("is one StackSet, which cfn-lint accepts", () => {
    // GIVEN the model compiled
    const compiled = compile(loadModel(MODEL));
    // WHEN CloudFormation is emitted
    const files = new Map(emitCloudFormation(compiled).map((f) => [f.path, f.content]));
    // THEN one StackSet holds the audit role (the collector's own account trusts itself: not cross-account)
    const sets = [...files.keys()].filter((p) => p.startsWith("stacksets/") && p.endsWith(".json"));
    expect(sets).toEqual(["stacksets/xacct-audit.json"]);
    const template = JSON.parse(files.get("stacksets/xacct-audit.json") ?? "{}");
    const roles = Object.values(template.Resources as Record<string, { Type: string; Properties: { RoleName: string } }>);
    expect(roles.map((r) => [r.Type, r.Properties.RoleName])).toEqual([["AWS::IAM::Role", "xacct-audit"]]);
    expect(files.get("stacksets/xacct-audit.md")).toContain("OrganizationalUnitIds=");
    if (hasCfnLint) expect(cfnLint([files.get("stacksets/xacct-audit.json") ?? ""])).toEqual({ output: "", status: 0 });
  });

  it("verify counts its trust as declared, and no finding on it is high", () => {
    // GIVEN the model as applied, the collector role in place
    const compiled = compile(loadModel(MODEL));
    const deployed = structuredClone(compiled.state) as AccountState;
    withCollector(deployed, "collector");
    // (the user only signs in to the sandbox below; a real collector is a role, as here)
    deployed.accounts.get(SECURITY)?.users.delete("auditor");
    // WHEN verify runs
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN no undeclared access goes to an audit role, and no high or critical finding names one
    expect(result.undeclared.filter((u) => u.to.endsWith(":role/xacct-audit"))).toEqual([]);
    const onAudit = findings(deployed).filter((f) => JSON.stringify(f).includes(":role/xacct-audit"));
    expect(onAudit.filter((f) => f.severity === "high" || f.severity === "critical")).toEqual([]);
  });
});

/** The collector's identity in the security account: a user (STS: a root user cannot assume roles) allowed to assume the audit roles. */
function withCollector(state: AccountState, roleName?: string): void {
  const security = state.accounts.get(SECURITY);
  if (!security) throw new Error("no security account");
  const assume: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/xacct-audit" }],
  };
  security.users.set("auditor", {
    name: "auditor",
    path: "/",
    arn: `arn:aws:iam::${SECURITY}:user/auditor`,
    policies: new Map([["assume", assume]]),
    managedPolicyArns: [],
    accessKeys: true,
    groups: [],
    tags: new Map(),
  });
  if (roleName)
    security.roles.set(roleName, {
      name: roleName,
      path: "/",
      arn: `arn:aws:iam::${SECURITY}:role/${roleName}`,
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${SECURITY}:root` }, Action: "sts:AssumeRole" }],
      },
      policies: new Map([["assume", assume]]),
      managedPolicyArns: [],
      maxSessionDuration: 3600,
      tags: new Map(),
    });
}

describe("audit: collecting through the generated role", () => {
  const ROOT_MODEL = MODEL.replace(", principal: collector", "");
  const out = () => join(mkdtempSync(join(tmpdir(), "xacct-audit-")), "inventory");

  it("completes every account", async () => {
    // GIVEN the model's audit roles in the sandbox (trusting the security account), and a user there who may assume them
    const state = compile(loadModel(ROOT_MODEL)).state;
    withCollector(state);
    const s = await newSandbox({ state });
    // WHEN the user collects A and B through xacct-audit
    const keys = userKeys(s, `arn:aws:iam::${SECURITY}:user/auditor`);
    const result = await collect({ out: out(), endpoint: s.url, regions: ["us-east-1"], accounts: [A, B], credentials: async () => keys });
    // THEN both are complete
    expect(result.notComplete).toEqual([]);
    expect([...result.report.accounts.values()].map((a) => a.status)).toEqual(["complete", "complete"]);
  });

  it("records the service whose action the role lacks as failed, the rest read", async () => {
    // GIVEN B's audit role without kms:ListKeys
    const state = compile(loadModel(ROOT_MODEL)).state;
    withCollector(state);
    const policy = [...(state.accounts.get(B)?.roles.get("xacct-audit")?.policies.values() ?? [])][0];
    for (const statement of policy?.Statement ?? []) statement.Action = [statement.Action ?? []].flat().filter((a) => a !== "kms:ListKeys");
    const s = await newSandbox({ state });
    // WHEN A and B are collected
    const dir = out();
    const keys = userKeys(s, `arn:aws:iam::${SECURITY}:user/auditor`);
    const result = await collect({ out: dir, endpoint: s.url, regions: ["us-east-1"], accounts: [A, B], credentials: async () => keys });
    // THEN A is complete; B is incomplete with KMS failed (access denied) and IAM read
    const report = JSON.parse(readFileSync(join(dir, "collect-report.json"), "utf8"));
    const byAccount = new Map(report.accounts.map((a: { account: string }) => [a.account, a]));
    expect(byAccount.get(A)).toMatchObject({ status: "complete" });
    expect(byAccount.get(B)).toMatchObject({ status: "incomplete" });
    const reads = (byAccount.get(B) as { reads: { service: string; status: string; why?: string }[] }).reads;
    expect(reads.find((r) => r.service === "kms")).toMatchObject({ status: "failed", why: expect.stringMatching(/AccessDenied/) });
    expect(reads.find((r) => r.service === "iam")).toMatchObject({ status: "read" });
    expect(result.notComplete.map((a) => a.account)).toEqual([B]);
  });
});
