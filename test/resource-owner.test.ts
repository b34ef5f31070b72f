/**
 * Questions about a resource whose ARN names no account (S3: "the account ID and Region are not
 * part of an S3 bucket ARN"), asked of a model with the built CLI: the owner is the account the
 * model shows owning the bucket (its bucket policy, else the grants that name it); where the model
 * cannot tell, the CLI says so and asks for --resource-account (exit 2), rather than answering
 * "nobody" or Deny as if the bucket belonged to no account (issue 11, item 12).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modelText } from "./support/models.js";
import { CLI as cli } from "./support/xacct-cli.js";

const combined = join(import.meta.dirname, "..", "examples", "combined", "xacct.yaml");

function xacct(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The combined example's seed 000: workload sparkflows (role ECSFargateRole, account sparkflows
// 100000000001) is granted list/read/write on bucket sparkflows-air, prefix dags/, through the role
// AccountB-MWAA-ReadRole of account mwaa (100000000002), where the bucket is.
const TASK_ROLE = "arn:aws:iam::100000000001:role/ECSFargateRole";
const READ_ROLE = "arn:aws:iam::100000000002:role/AccountB-MWAA-ReadRole";
const OBJECT = "arn:aws:s3:::sparkflows-air/dags/x";

describe("S3 questions without --resource-account", () => {
  it("who-can finds the model's readers of a bucket it places in an account", () => {
    // GIVEN the combined example, whose grants put bucket sparkflows-air in account mwaa
    // WHEN who-can is asked about an object under dags/ without --resource-account
    const r = xacct(["who-can", "--model", combined, "--action", "s3:GetObject", "--resource", OBJECT, "--json"]);
    // THEN the read role, and the task role through it, can read it
    expect(r.status).toBe(0);
    const principals = (JSON.parse(r.stdout) as { principals: { principal: string; via: string[] }[] }).principals;
    expect(principals).toContainEqual(expect.objectContaining({ principal: READ_ROLE, via: [] }));
    expect(principals).toContainEqual(expect.objectContaining({ principal: TASK_ROLE, via: [READ_ROLE] }));
  });

  it("can allows the task role to read the object through the read role", () => {
    // GIVEN the same model
    // WHEN can is asked whether the task role may read the object, without --resource-account
    const r = xacct(["can", "--model", combined, "--principal", TASK_ROLE, "--action", "s3:GetObject", "--resource", OBJECT, "--json"]);
    // THEN it may, by assuming the read role
    expect(r.status).toBe(0);
    const answer = JSON.parse(r.stdout) as { decision: string; paths: { via: string[] }[] };
    expect(answer.decision).toBe("Allow");
    expect(answer.paths.map((p) => p.via)).toContainEqual([READ_ROLE]);
  });

  it("asks for --resource-account for a bucket no policy of the model names", () => {
    // GIVEN the same model, which names no bucket "somebody-elses-bucket"
    // WHEN who-can and can are asked about an object in it
    const whoCan = xacct([
      "who-can",
      "--model",
      combined,
      "--action",
      "s3:GetObject",
      "--resource",
      "arn:aws:s3:::somebody-elses-bucket/x",
    ]);
    const can = xacct([
      "can",
      "--model",
      combined,
      "--principal",
      TASK_ROLE,
      "--action",
      "s3:GetObject",
      "--resource",
      "arn:aws:s3:::somebody-elses-bucket/x",
    ]);
    // THEN each refuses on one line, naming the resource and --resource-account, with exit 2 and no answer
    for (const r of [whoCan, can]) {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("arn:aws:s3:::somebody-elses-bucket/x");
      expect(r.stderr).toContain("--resource-account");
    }
  });

  it("asks for --resource-account when the grants of two accounts name the bucket", () => {
    // GIVEN a model whose grants name bucket "shared-name" in account a and in account b, with no bucket policy
    const dir = mkdtempSync(join(tmpdir(), "xacct-owner-"));
    const model = join(dir, "xacct.yaml");
    writeFileSync(
      model,
      modelText({
        name: "two-owners",
        grants: `  - { workload: app, account: a, service: s3, access: [read], resources: { bucket: shared-name }, role: { name: reader-a } }
  - { workload: app, account: b, service: s3, access: [read], resources: { bucket: shared-name }, role: { name: reader-b } }
`,
      }),
    );
    // WHEN who-can is asked about an object of that bucket
    const r = xacct(["who-can", "--model", model, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-name/x"]);
    // THEN it cannot tell which account owns it, names both, and asks for --resource-account
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("111111111111");
    expect(r.stderr).toContain("222222222222");
    expect(r.stderr).toContain("--resource-account");
    // AND with --resource-account the question is answered for that account's bucket
    const given = xacct([
      "who-can",
      "--model",
      model,
      "--action",
      "s3:GetObject",
      "--resource",
      "arn:aws:s3:::shared-name/x",
      "--resource-account",
      "222222222222",
      "--json",
    ]);
    expect(given.status).toBe(0);
    expect((JSON.parse(given.stdout) as { principals: { principal: string }[] }).principals.map((p) => p.principal)).toContain(
      "arn:aws:iam::222222222222:role/reader-b",
    );
  });
});

describe("S3 questions over an inventory", () => {
  it("reads a bucket policy that holds a single statement object, as AWS returns it", () => {
    // GIVEN an inventory whose account 111111111111 holds a role and a bucket policy whose Statement
    // is one object, not a list (the IAM User Guide's grammar: "Statement": <statement> | [<statement>, …])
    const dir = mkdtempSync(join(tmpdir(), "xacct-owner-"));
    const role = "arn:aws:iam::111111111111:role/reader";
    const trust = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
    mkdirSync(join(dir, "111111111111"));
    writeFileSync(
      join(dir, "111111111111", "authorization-details.json"),
      JSON.stringify({ RoleDetailList: [{ RoleName: "reader", Path: "/", Arn: role, AssumeRolePolicyDocument: trust }] }),
    );
    writeFileSync(
      join(dir, "111111111111", "resource-policies.json"),
      JSON.stringify({
        "arn:aws:s3:::single-statement": {
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Principal: { AWS: role }, Action: "s3:GetObject", Resource: "arn:aws:s3:::single-statement/*" },
        },
      }),
    );
    // WHEN who-can is asked about an object of the bucket, without --resource-account
    const r = xacct(["who-can", "--inventory", dir, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::single-statement/x", "--json"]);
    // THEN the bucket policy places the bucket in the account, and its role may read the object
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { principals: { principal: string }[] }).principals.map((p) => p.principal)).toContain(role);
  });
});
