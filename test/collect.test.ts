/**
 * `xacct collect` against the sandbox with the real SDK: what it writes is what `loadInventory`
 * reads, equal in IAM to what was applied through the IAM API; resource policies put through the
 * services' own APIs come back with their owner and region; an account whose audit role cannot be
 * assumed is recorded and the others complete (exit 1); `--resume` reads only what is not complete.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { collect } from "../src/collect/collect.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { loadInventory } from "../src/state/inventory.js";
import { auditorArn, collectState, createAuditRole } from "./support/collect.js";
import { apply, emptyCopy, iam, rootOf, trusting } from "./support/iam-apply.js";
import { compileExample } from "./support/state.js";
import { MAIN, runProgram } from "./support/chain-cli.js";
import { clientConfig, type Keys, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { xacct } from "./support/xacct-cli.js";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const newSandbox = sandboxPerTest();
const outDir = () => join(mkdtempSync(join(tmpdir(), "xacct-collect-")), "inventory");

/** Collect as the library runs it for the CLI, with `keys` as the caller's credentials. */
const run = (s: Sandbox, keys: Keys, out: string, more: Partial<Parameters<typeof collect>[0]> = {}) =>
  collect({ out, endpoint: s.url, regions: ["us-east-1"], credentials: async () => keys, ...more });

describe("xacct collect: the caller's own account", () => {
  it("writes an inventory loadInventory reads, equal in IAM to what was applied", async () => {
    // GIVEN example 001's IAM applied through the IAM API
    const compiled = compileExample("001-cats-external");
    const s = await newSandbox({ state: emptyCopy(compiled.state) });
    await apply(s, compiled.state);
    const account = [...compiled.state.accounts.values()].find((a) => a.managed && a.roles.size > 0);
    if (!account) throw new Error("example 001 has no account with roles");
    // WHEN its root collects its own account
    const out = outDir();
    const result = await run(s, rootOf(s, account.id), out);
    // THEN the account is complete, and the inventory holds the roles applied, with their trust and policies
    expect(result.notComplete).toEqual([]);
    const loaded = loadInventory(out).accounts.get(account.id);
    expect([...(loaded?.roles.keys() ?? [])].sort()).toEqual([...account.roles.keys()].sort());
    for (const role of account.roles.values()) {
      const got = loaded?.roles.get(role.name);
      expect(got?.trustPolicy).toEqual(role.trustPolicy);
      expect(got?.policies).toEqual(role.policies);
      expect(got?.managedPolicyArns.sort()).toEqual([...role.managedPolicyArns].sort());
    }
    expect(loaded?.managedPolicies).toEqual(account.managedPolicies);
  });

  it("reads back the S3, KMS and SQS policies put through their APIs, with owner and region, and no secret", async () => {
    // GIVEN a bucket, a key and a queue of account A, each with a policy put through the real SDK
    const s = await newSandbox({ state: collectState([A, B]) });
    const root = rootOf(s, A);
    const grant = (action: string, resource: string) => ({
      Version: "2012-10-17",
      Statement: [{ Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: action, Resource: resource }],
    });
    const s3 = new S3Client({ ...clientConfig(s, root), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "collected-bucket" }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: "collected-bucket",
        Policy: JSON.stringify(grant("s3:GetObject", "arn:aws:s3:::collected-bucket/*")),
      }),
    );
    const kms = new KMSClient(clientConfig(s, root));
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const keyPolicy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "own", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "kms:*", Resource: "*" },
        ...grant("kms:Decrypt", "*").Statement,
      ],
    };
    await kms.send(new PutKeyPolicyCommand({ KeyId: key, PolicyName: "default", Policy: JSON.stringify(keyPolicy) }));
    const sqs = new SQSClient(clientConfig(s, root));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "collected-queue" }));
    const queue = `arn:aws:sqs:us-east-1:${A}:collected-queue`;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(grant("sqs:SendMessage", queue)) } }));
    // WHEN the auditor user collects its own account
    const out = outDir();
    const auditor = userKeys(s, auditorArn(A));
    const result = await run(s, auditor, out);
    // THEN each policy is in the inventory as it was put
    expect(result.notComplete).toEqual([]);
    const policies = loadInventory(out).accounts.get(A)?.resourcePolicies;
    expect(policies?.get("arn:aws:s3:::collected-bucket")?.policy.Statement).toEqual(
      grant("s3:GetObject", "arn:aws:s3:::collected-bucket/*").Statement,
    );
    expect(policies?.get(key)?.policy.Statement).toEqual(keyPolicy.Statement);
    expect(policies?.get(queue)?.policy.Statement).toEqual(grant("sqs:SendMessage", queue).Statement);
    // AND the bucket's owner and region, which its ARN does not carry, are recorded
    const file = JSON.parse(readFileSync(join(out, A, "resource-policies.json"), "utf8"));
    expect(file.resources).toContainEqual(
      expect.objectContaining({ arn: "arn:aws:s3:::collected-bucket", account: A, region: "us-east-1" }),
    );
    // AND no file holds the caller's secret key
    for (const name of [...readdirSync(out), ...readdirSync(join(out, A)).map((f) => join(A, f))]) {
      if (name === A) continue;
      expect(readFileSync(join(out, name), "utf8")).not.toContain(auditor.secretAccessKey);
    }
  });
});

describe("xacct collect --accounts", () => {
  it("collects the accounts whose audit role it assumes, records the one it cannot, and exits 1", async () => {
    // GIVEN three accounts, an audit role in A and B trusting A, none in C
    const s = await newSandbox({ state: collectState([A, B, C]) });
    await createAuditRole(s, A, A);
    await createAuditRole(s, B, A);
    const auditor = userKeys(s, auditorArn(A));
    // WHEN the auditor collects all three with the CLI
    const out = outDir();
    const ran = await runProgram(
      process.execPath,
      [MAIN, "collect", "--out", out, "--endpoint-url", s.url, "--regions", "us-east-1", "--accounts", `${A},${B},${C}`],
      {
        PATH: process.env.PATH,
        HOME: out,
        AWS_ACCESS_KEY_ID: auditor.accessKeyId,
        AWS_SECRET_ACCESS_KEY: auditor.secretAccessKey,
        AWS_CONFIG_FILE: join(out, "none"),
        AWS_SHARED_CREDENTIALS_FILE: join(out, "none"),
      },
    );
    // THEN A and B are in the inventory, C is not, and the report and the summary say why
    expect(ran.code).toBe(1);
    expect([...loadInventory(out).accounts.keys()]).toEqual([A, B]);
    const report = JSON.parse(readFileSync(join(out, "collect-report.json"), "utf8"));
    const byAccount = new Map(report.accounts.map((a: { account: string }) => [a.account, a]));
    expect(byAccount.get(A)).toMatchObject({ status: "complete" });
    expect(byAccount.get(B)).toMatchObject({ status: "complete" });
    expect(byAccount.get(C)).toMatchObject({
      status: "failed",
      why: expect.stringContaining(`cannot assume arn:aws:iam::${C}:role/xacct-audit`),
    });
    expect(ran.stderr).toContain(`${C} failed: cannot assume`);
    expect(ran.stderr).not.toContain(auditor.secretAccessKey);
  });

  it("--resume reads only the accounts not complete", async () => {
    // GIVEN a run that collected A and B and could not assume C's role
    const s = await newSandbox({ state: collectState([A, B, C]) });
    await createAuditRole(s, A, A);
    await createAuditRole(s, B, A);
    const auditor = userKeys(s, auditorArn(A));
    const out = outDir();
    const accounts = [A, B, C];
    expect((await run(s, auditor, out, { accounts })).notComplete.map((a) => a.account)).toEqual([C]);
    // AND since then, C's audit role was created and a role was added to A
    await createAuditRole(s, C, A);
    await iam(s, rootOf(s, A)).send(
      new CreateRoleCommand({ RoleName: "added-later", AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:root`) }),
    );
    // WHEN collect runs again with --resume
    const again = await run(s, auditor, out, { accounts, resume: true });
    // THEN A and B are not read again (A's new role is not in the inventory), C is now complete
    expect(again.skipped).toEqual([A, B]);
    expect(again.notComplete).toEqual([]);
    const inventory = loadInventory(out);
    expect([...inventory.accounts.keys()]).toEqual([A, B, C]);
    expect(inventory.accounts.get(A)?.roles.has("added-later")).toBe(false);
    expect(inventory.accounts.get(C)?.roles.has("xacct-audit")).toBe(true);
  });
});

describe("xacct collect: connections", () => {
  it("holds its keep-alive connections within a bound across accounts, so a server capping connections serves every account", async () => {
    // GIVEN twelve accounts with an audit role trusting A, in a sandbox that drops connections past 40 open ones
    // (a client per account, service and region, each with a pool of its own, would hold well over a hundred)
    const ids = Array.from({ length: 12 }, (_, i) => String(400000000001 + i));
    const s = await newSandbox({ state: collectState([A, ...ids]), limits: { connections: 40 } });
    for (const id of ids) await createAuditRole(s, id, A);
    // WHEN the auditor collects them, four accounts at a time
    const result = await run(s, userKeys(s, auditorArn(A)), outDir(), { accounts: ids, concurrency: 4 });
    // THEN every account is complete
    expect(result.notComplete).toEqual([]);
    expect(result.accounts).toEqual(ids);
  });
});

describe("xacct collect: bad flags", () => {
  it.each([
    [["collect"], "--out DIR"],
    [["collect", "--out", "x", "--concurrency", "0"], "--concurrency takes a whole number"],
    [["collect", "--out", "x", "--accounts", "12345"], "--accounts takes a comma-separated list of 12-digit account IDs"],
    [["collect", "--out", "x", "--all", "--accounts", A], "not both"],
    [["collect", "--out", "x", "--regions", "mars"], "--regions"],
    [["collect", "--out", "x", "--role-name", "bad role"], "--role-name must be an IAM role name"],
    [["collect", "--out", "x", "--endpoint-url", "ftp://h"], "--endpoint-url must be"],
  ])("%j: one line, exit 2", (args, said) => {
    // GIVEN a mistaken command line
    // WHEN it is run
    const r = xacct(args);
    // THEN one line says what is wrong, exit 2, nothing written
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining(said)]);
  });

  it("refuses a directory it did not write, before any call", () => {
    // GIVEN a directory holding a file of the user's
    const dir = mkdtempSync(join(tmpdir(), "xacct-collect-foreign-"));
    writeFileSync(join(dir, "notes.txt"), "mine");
    // WHEN collect is told to write there (no endpoint: a call would fail differently)
    const r = xacct(["collect", "--out", dir, "--endpoint-url", "http://127.0.0.1:9"]);
    // THEN it refuses in one line, and the file is untouched
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not empty and no earlier `xacct collect --out` wrote it");
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
  });
});
