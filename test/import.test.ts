/**
 * `xacct import`: each example model, compiled and written as an inventory directory, imported
 * back; the model it writes verifies against that inventory (every grant possible, nothing
 * undeclared crosses accounts, no role drifts) and its graph answers the same who-can questions
 * across accounts as the original model's, for each resource the original grants on.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { importInventory } from "../src/adopt/import-model.js";
import { compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { modelAsApplied, verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { loadInventory } from "../src/state/inventory.js";
import { writeInventoryDir } from "./support/inventory-dir.js";
import { compileExample, EXAMPLES } from "./support/state.js";
import { xacct } from "./support/xacct-cli.js";
import { expectSameWhoCan } from "./support/who-can-compare.js";

describe("xacct import of each example's inventory", () => {
  for (const example of EXAMPLES) {
    it(`${example}: the imported model verifies against the inventory and answers who-can as the original`, () => {
      // GIVEN the example's compiled state as applied (with the role IAM Identity Center makes for
      // each permission set), written as an inventory directory and read back
      const original = compileExample(example);
      const inventory = loadInventory(writeInventoryDir(modelAsApplied(original).state));

      // WHEN it is imported
      const { text, warnings } = importInventory(inventory);

      // THEN nothing was left out or written otherwise than the inventory holds it
      expect(warnings).toEqual([]);
      const imported = compile(loadModel(text, "imported.yaml"));
      // AND verify --model imported --inventory DIR holds: every grant possible, nothing undeclared, no drift
      const graph = new AccessGraph(inventory);
      const result = verify(imported, graph, { deployed: inventory });
      expect(result.undeclared).toEqual([]);
      expect(result.drift).toEqual([]);
      expect(result.grants.filter((g) => !g.possible)).toEqual([]);
      // AND the imported model's graph answers who-can across accounts as the original model's does
      expectSameWhoCan(original, imported, inventory);
    });
  }
});

describe("xacct import writes what it read as data and says where each entry came from", () => {
  it("a hostile role name is refused with a warning, never written into the model", () => {
    // GIVEN an inventory whose caller role name breaks IAM's rule (a newline and a YAML comment in it)
    const original = compileExample("007-saas-vendor");
    const inventory = loadInventory(writeInventoryDir(original.state));
    const account = inventory.accounts.get("111122223333");
    const role = account?.roles.get("vendor-readonly");
    if (!account || !role) throw new Error("example 007 has no vendor-readonly role");
    account.roles.delete(role.name);
    const hostile = "evil\n# injected: true";
    account.roles.set(hostile, { ...role, name: hostile, arn: role.arn.replace("vendor-readonly", hostile) });

    // WHEN it is imported
    const { text, warnings } = importInventory(inventory);

    // THEN the role is reported and left out; the YAML holds no line the name made
    expect(warnings.join("\n")).toContain("not imported");
    expect(text).not.toMatch(/^# injected/m);
    expect(parseDocument(text).errors).toEqual([]);
  });

  it("a resource name the model refuses leaves its grant out, said, rather than a model that does not load", () => {
    // GIVEN example 004's inventory with the cross-account role's bucket renamed to one S3 refuses (upper case, a space)
    const inventory = loadInventory(writeInventoryDir(compileExample("004-emr-eks-chain").state));
    const policy = inventory.accounts.get("222222222222")?.roles.get("client-role-2")?.policies.get("s3");
    if (!policy) throw new Error("example 004 has no s3 policy on client-role-2");
    for (const statement of policy.Statement)
      statement.Resource = [statement.Resource ?? []].flat().map((r) => r.replace("datalake-222222222222-us-east-1", "Bad Bucket"));

    // WHEN it is imported
    const { text, warnings } = importInventory(inventory);

    // THEN the s3 grant is left out with a warning naming the role, and the model written loads
    expect(warnings.some((w) => w.includes("client-role-2") && w.includes("not imported"))).toBe(true);
    expect(text).not.toContain("bucket: Bad Bucket");
    expect(() => compile(loadModel(text, "imported.yaml"))).not.toThrow();
  });

  it("each grant carries a comment naming the role and the trust statement it came from", () => {
    // GIVEN example 007's inventory (a vendor's role assumes vendor-readonly with an external ID)
    const inventory = loadInventory(writeInventoryDir(compileExample("007-saas-vendor").state));

    // WHEN it is imported
    const text = importInventory(inventory).text;

    // THEN the comment line above the grant names the target role's ARN and the trust statement's Sid
    const lines = text.split("\n");
    const at = lines.findIndex((line) => line.trim() === "- workload: scanner");
    expect(lines[at - 1]).toMatch(/^\s*# .*arn:aws:iam::111122223333:role\/vendor-readonly.*TrustScanner/);
    // AND the external ID the trust requires is the workload's
    expect(parseDocument(text).getIn(["workloads", "scanner", "identity", "externalId"])).toBe("acme-7f3a9c2e");
  });

  it("a hand-built role's inline policy that matches no verb is kept as raw statements under its own policy name, written out once per grant", () => {
    // GIVEN test/inventories/account-root: role shared-reader in 222222222222 holds inline policy read-catalog
    // (dynamodb:GetItem on one table) and is assumed from 111111111111 and 999999999999
    const inventory = loadInventory(join(import.meta.dirname, "inventories", "account-root"));

    // WHEN it is imported
    const text = importInventory(inventory).text;

    // THEN each grant into shared-reader keeps the statements as written and the policy's own name
    const grants = parseDocument(text).toJS().grants as { role: { name: string; policyName?: string }; statements?: unknown[] }[];
    const into = grants.filter((g) => g.role.name === "shared-reader");
    expect(into.length).toBeGreaterThan(0);
    for (const g of into) {
      expect(g.role.policyName).toBe("read-catalog");
      expect(g.statements).toEqual([
        { Effect: "Allow", Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:222222222222:table/shared-catalog" },
      ]);
    }
    // AND no YAML alias stands for a shared value (a reader edits each grant on its own)
    expect(text).not.toMatch(/[&*]a\d/);
    // AND the model loads and compiles with the policy under that name on the role
    const compiled = compile(loadModel(text, "imported.yaml"));
    expect([...(compiled.state.accounts.get("222222222222")?.roles.get("shared-reader")?.policies.keys() ?? [])]).toEqual(["read-catalog"]);
  });

  it("a permission set's role becomes an sso workload, and build asks for the access portal URL the inventory cannot hold", () => {
    // GIVEN example 006 as applied: IAM Identity Center made AWSReservedSSO_SecurityAudit_<suffix> under
    // /aws-reserved/sso.amazonaws.com/eu-west-1/ in the security account, assuming log-archive-read in logging
    const dir = mkdtempSync(join(tmpdir(), "xacct-import-sso-"));
    const inventory = writeInventoryDir(modelAsApplied(compileExample("006-org-log-archive")).state);

    // WHEN it is imported with the CLI
    const model = join(dir, "xacct.yaml");
    const imported = xacct(["import", "--inventory", inventory, "--out", model]);

    // THEN the workload is the permission set, in the region its role's path names, with no made-up start URL
    expect(imported.status).toBe(0);
    const doc = parseDocument(readFileSync(model, "utf8"));
    const workloads = doc.toJS().workloads as Record<string, { account: string; identity: Record<string, string> }>;
    expect(Object.values(workloads)).toContainEqual({
      account: "333333333333",
      identity: { type: "sso", permissionSet: "SecurityAudit", region: "eu-west-1" },
    });
    // AND xacct build refuses it (a model problem: exit 2) at the workload's identity, saying what to add, and writes nothing
    const out = join(dir, "build");
    const built = xacct(["build", model, "--out", out]);
    expect(built.status).toBe(2);
    expect(built.stderr).toMatch(
      new RegExp(`^xacct: ${model.replaceAll(".", "\\.")}:\\d+:\\d+: workloads\\.\\S+\\.identity: give startUrl`),
    );
    expect(existsSync(out)).toBe(false);
  });
});
