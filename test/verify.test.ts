/**
 * `verify`: each example model holds on its own graph (every grant possible, nothing undeclared);
 * written out as an inventory of what is deployed it still holds; and with one side of one grant
 * removed from a copy of that inventory it fails, naming the grant and why.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Compiled, compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { authorizationDetails } from "../src/state/authorization-details.js";
import { loadInventory } from "../src/state/inventory.js";
import type { AccountState } from "../src/state/account-state.js";
import { compileExample, examplesDir } from "./support/state.js";

const examples = [
  "000-sparkflows-mwaa",
  "001-cats-external",
  "002-stage-consumers",
  "003-airflow-multi-account",
  "004-emr-eks-chain",
  "combined",
];

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
  return dir;
}

function verifyAgainst(compiled: Compiled, dir: string) {
  const deployed = loadInventory(dir);
  // Accounts outside the model's management are not in the inventory: the graph treats them as outsiders.
  return verify(compiled, new AccessGraph(deployed), { deployed });
}

describe.each(examples)("examples/%s", (example) => {
  const compiled = compileExample(example);

  it("holds on the graph of what it creates: every grant possible, nothing undeclared", () => {
    const result = verify(compiled, new AccessGraph(compiled.state));
    expect(result.grants.filter((g) => !g.possible)).toEqual([]);
    expect(result.undeclared).toEqual([]);
    expect(result.grants.length).toBe(compiled.chains.length);
  });

  it("holds against the same IAM read back as an inventory, with no drift", () => {
    const result = verifyAgainst(compiled, writeInventory(compiled.state));
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
  const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
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

describe.each(["aws-cn", "aws-us-gov"])("a model in the %s partition", (partition) => {
  it.each(examples.filter((e) => e !== "combined"))(
    "examples/%s holds on its own graph: verify names the partition's ARNs, not aws's",
    (example) => {
      // GIVEN an example model moved to another partition (every ARN it creates is arn:PARTITION:…)
      const file = join(examplesDir, example, "xacct.yaml");
      const compiled = compile(loadModel(`partition: ${partition}\n${readFileSync(file, "utf8")}`, file));
      // WHEN verified against the graph of what it creates
      const result = verify(compiled, new AccessGraph(compiled.state));
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
