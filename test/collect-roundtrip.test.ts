/**
 * Issue 14's round trip, with the real SDK and the CLI as a team runs it: each example model (with
 * the model's `audit:` role) applied to the sandbox through IAM and the services' resource-policy
 * APIs, `xacct collect --all --endpoint-url …` from it, then `xacct verify --model` against what
 * was collected passes; `xacct import` of the collected inventory gives a model that verifies
 * against it with nothing undeclared and answers who-can as the original. Changes made by hand
 * afterwards (a role, an inline policy, a bucket statement) are each reported; and collecting under
 * injected throttling gives the same inventory as without.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { loadInventory } from "../src/state/inventory.js";
import { iam, rootOf, trusting } from "./support/iam-apply.js";
import { collectAll, collectorKeys, deploy, inventoryOut, withAudit } from "./support/roundtrip.js";
import { clientConfig, sandboxPerTest } from "./support/sandbox-clients.js";
import { EXAMPLES } from "./support/state.js";
import { expectSameWhoCan } from "./support/who-can-compare.js";
import { xacct } from "./support/xacct-cli.js";

const newSandbox = sandboxPerTest();

interface VerifyJson {
  ok: boolean;
  grants: { possible: boolean; summary: string; reason?: string }[];
  undeclared: { from: string; to: string }[];
  drift: { resource: string; problem: string }[];
  findings: { id: string; resource: string }[];
}

/** `xacct verify --model FILE --inventory DIR --json`: its exit status and what it found. */
function verifyCli(model: string, inventory: string): { status: number | null; result: VerifyJson } {
  const r = xacct(["verify", "--model", model, "--inventory", inventory, "--json"]);
  return { status: r.status, result: JSON.parse(r.stdout) as VerifyJson };
}

/** Writes a model text to a file of its own. */
function modelFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "xacct-roundtrip-model-")), "xacct.yaml");
  writeFileSync(file, text);
  return file;
}

describe("round trip: apply each example, collect --all, verify, import", () => {
  for (const example of EXAMPLES) {
    it(`${example}`, async () => {
      // GIVEN the example's model with the audit role, deployed to the sandbox through the AWS APIs
      const applied = withAudit(example);
      const s = await newSandbox(applied.sandbox);
      await deploy(s, applied);

      // WHEN the collector role of the management account runs xacct collect --all against it
      const out = inventoryOut();
      const ran = await collectAll(s, applied, await collectorKeys(s, applied), out);

      // THEN every account is complete
      expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      // AND verify --model passes against what was collected: every grant possible, nothing undeclared, no drift
      const model = modelFile(applied.modelText);
      const verified = verifyCli(model, out);
      expect({ undeclared: verified.result.undeclared, drift: verified.result.drift, findings: verified.result.findings }).toEqual({
        undeclared: [],
        drift: [],
        findings: [],
      });
      expect(verified.result.grants.filter((g) => !g.possible)).toEqual([]);
      expect(verified.status).toBe(0);

      // WHEN the collected inventory is imported
      const imported = join(mkdtempSync(join(tmpdir(), "xacct-roundtrip-import-")), "xacct.yaml");
      const importRun = xacct(["import", "--inventory", out, "--out", imported]);
      // (everything is expressed: no warning, only the line saying what it wrote)
      expect(importRun.stderr.split("\n").filter((l) => l.includes("warning"))).toEqual([]);
      expect(importRun.status).toBe(0);

      // THEN the imported model verifies against the inventory with no undeclared access and no drift
      const again = verifyCli(imported, out);
      expect({ undeclared: again.result.undeclared, drift: again.result.drift }).toEqual({ undeclared: [], drift: [] });
      expect(again.result.grants.filter((g) => !g.possible)).toEqual([]);
      // AND its graph answers who-can across accounts as the original model's does
      const importedModel = compile(loadModel(readFileSync(imported, "utf8"), imported));
      expectSameWhoCan(applied.compiled, importedModel, loadInventory(out));
    });
  }
});

describe("round trip: what is changed by hand after the deployment is reported", () => {
  it("an added role, an added inline policy on a model role and an added bucket statement are each reported", async () => {
    // GIVEN example 006 deployed with its audit role
    const applied = withAudit("006-org-log-archive");
    const s = await newSandbox(applied.sandbox);
    await deploy(s, applied);
    const logging = "222222222222";
    const outsider = "999999999999";
    const root = rootOf(s, logging);
    // AND by hand: a role of the logging account trusting an outside account
    await iam(s, root).send(
      new CreateRoleCommand({ RoleName: "added-by-hand", AssumeRolePolicyDocument: trusting(`arn:aws:iam::${outsider}:root`) }),
    );
    // AND an inline policy on the audit role, which the model declares
    await iam(s, root).send(
      new PutRolePolicyCommand({
        RoleName: "xacct-audit",
        PolicyName: "extra",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      }),
    );
    // AND a statement in the log archive's bucket policy letting the outside account read
    const s3 = new S3Client({ ...clientConfig(s, root), region: "eu-west-1", forcePathStyle: true });
    const bucket = "acme-org-log-archive";
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? "{}");
    policy.Statement.push({
      Sid: "AddedByHand",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${outsider}:root` },
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${bucket}/*`,
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));

    // WHEN the organization is collected and verified against the model
    const out = inventoryOut();
    expect((await collectAll(s, applied, await collectorKeys(s, applied), out)).code).toBe(0);
    const verified = verifyCli(modelFile(applied.modelText), out);

    // THEN verify fails and reports each change
    expect(verified.status).toBe(1);
    const drift = verified.result.drift;
    expect(drift).toContainEqual(expect.objectContaining({ resource: `arn:aws:iam::${logging}:role/added-by-hand` }));
    expect(drift).toContainEqual(
      expect.objectContaining({ resource: `arn:aws:iam::${logging}:role/xacct-audit`, problem: expect.stringContaining("extra") }),
    );
    expect(drift).toContainEqual(
      expect.objectContaining({ resource: `arn:aws:s3:::${bucket}`, problem: expect.stringContaining("AddedByHand") }),
    );
  });
});

describe("round trip under faults", () => {
  it("collecting with a quarter of the calls throttled gives the same inventory as without", async () => {
    // GIVEN example combined deployed twice, to a sandbox without faults and to one throttling 25% of calls, at one instant
    const now = Date.now();
    const collected: string[] = [];
    for (const throttle of [0, 0.25]) {
      // (a deployment of its own for each: the sandbox takes the state it is given and changes it)
      const applied = withAudit("combined");
      const s = await newSandbox({ ...applied.sandbox, clock: () => now, faults: { throttle, seed: 14 } });
      await deploy(s, applied, 10);
      // WHEN each is collected
      const out = inventoryOut();
      const ran = await collectAll(s, applied, await collectorKeys(s, applied, 10), out);
      expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      // (the summary line counts the throttling answers the SDK retried)
      const throttledCalls = Number(/(\d+) throttled/.exec(ran.stderr)?.[1]);
      if (throttle > 0) expect(throttledCalls).toBeGreaterThan(0);
      else expect(throttledCalls).toBe(0);
      collected.push(out);
    }

    // THEN every file but the report is the same, byte for byte
    const [calm, throttled] = collected as [string, string];
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".json") && f !== "collect-report.json")
        .sort();
    expect(files(throttled)).toEqual(files(calm));
    for (const file of files(calm))
      expect({ file, text: readFileSync(join(throttled, file), "utf8") }).toEqual({
        file,
        text: readFileSync(join(calm, file), "utf8"),
      });
  }, 240_000); // the SDK backs off on each throttling answer: minutes, not seconds
});
