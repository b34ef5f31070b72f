/**
 * `xacct collect` reads what runs as each role into ACCOUNT_ID/compute.json, with the real SDK
 * against the sandbox, through the audit role: every Lambda function with its execution role
 * (ListFunctions), every EC2 instance that is not terminated with the role of its instance
 * profile (DescribeInstances, the profile resolved through GetAccountAuthorizationDetails), in
 * every region and on every page; what cannot be told is left out and said, never guessed; an
 * account where a listing is refused gets no compute.json, and the report says why.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { collect } from "../src/collect/collect.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { loadInventory } from "../src/state/inventory.js";
import { auditorArn, collectState, createAuditRole } from "./support/collect.js";
import { iam, rootOf } from "./support/iam-apply.js";
import { clientConfig, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();
const AMI = "ami-0abcdef1234567890";
const ZIP = new Uint8Array([80, 75, 5, 6, ...Array(18).fill(0)]);
const outDir = () => join(mkdtempSync(join(tmpdir(), "xacct-collect-compute-")), "inventory");

/** A role of account B trusting a service, through IAM as B's root: its ARN. */
async function serviceRole(s: Sandbox, name: string, service: string, path = "/"): Promise<string> {
  const document = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
  const made = await iam(s, rootOf(s, B)).send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: document }));
  return made.Role?.Arn ?? "";
}

/** An instance profile of account B, holding `role` if given: its ARN. */
async function profile(s: Sandbox, name: string, role?: string): Promise<string> {
  const client = iam(s, rootOf(s, B));
  const made = await client.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  if (role) await client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: role }));
  return made.InstanceProfile?.Arn ?? "";
}

/** Instances of account B run in `region` (with a profile, by name or ARN): their IDs. */
async function run(s: Sandbox, region: string, count: number, profile?: { Name?: string; Arn?: string }): Promise<string[]> {
  const ec2 = new EC2Client({ ...clientConfig(s, rootOf(s, B)), region });
  const out = await ec2.send(
    new RunInstancesCommand({ ImageId: AMI, MinCount: count, MaxCount: count, ...(profile ? { IamInstanceProfile: profile } : {}) }),
  );
  return (out.Instances ?? []).map((i) => i.InstanceId ?? "");
}

/** A Lambda function of account B in us-east-1 running as `role`. */
async function createFunction(s: Sandbox, name: string, role: string): Promise<string> {
  const made = await new LambdaClient(clientConfig(s, rootOf(s, B))).send(
    new CreateFunctionCommand({ FunctionName: name, Role: role, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: ZIP } }),
  );
  return made.FunctionArn ?? "";
}

/** A's auditor collects account B through its audit role. */
const collectB = (s: Sandbox, out: string, regions = ["us-east-1"]) =>
  collect({ out, endpoint: s.url, regions, accounts: [B], credentials: async () => userKeys(s, auditorArn(A)) });

/** An instance's ARN, as the EC2 service authorization reference formats it. */
const instanceArn = (region: string, id: string) => `arn:aws:ec2:${region}:${B}:instance/${id}`;

describe("xacct collect: what runs as each role (compute.json)", () => {
  it("lists each function with its role and each instance with its profile's role, in every region; loadInventory reads it", async () => {
    // GIVEN in account B: role `web` in profile `web-profile`, two instances run with it by name in us-east-1,
    // one by ARN in eu-west-1, one without a profile, and one with it that was terminated
    const s = await newSandbox({ state: collectState([A, B]) });
    const web = await serviceRole(s, "web", "ec2.amazonaws.com");
    const webProfile = await profile(s, "web-profile", "web");
    const east = await run(s, "us-east-1", 2, { Name: "web-profile" });
    const west = await run(s, "eu-west-1", 1, { Arn: webProfile });
    await run(s, "us-east-1", 1);
    const [gone] = await run(s, "us-east-1", 1, { Name: "web-profile" });
    await new EC2Client(clientConfig(s, rootOf(s, B))).send(new TerminateInstancesCommand({ InstanceIds: [gone as string] }));
    // AND a Lambda function created with another role, `fn-exec` at path /service/
    const fnExec = await serviceRole(s, "fn-exec", "lambda.amazonaws.com", "/service/");
    const resize = await createFunction(s, "resize", fnExec);
    // AND B's audit role, allowed only the audit actions, trusting account A
    await createAuditRole(s, B, A);
    // WHEN A's auditor collects account B in both regions
    const out = outDir();
    const result = await collectB(s, out, ["us-east-1", "eu-west-1"]);
    // THEN the account is complete, and compute.json lists the function and the three live instances with a profile, by ARN
    expect(result.notComplete).toEqual([]);
    const file = JSON.parse(readFileSync(join(out, B, "compute.json"), "utf8"));
    expect(file).toEqual({
      functions: [{ arn: `arn:aws:lambda:us-east-1:${B}:function:resize`, role: `arn:aws:iam::${B}:role/service/fn-exec` }],
      instances: [...east.map((id) => instanceArn("us-east-1", id)), instanceArn("eu-west-1", west[0] as string)]
        .sort()
        .map((arn) => ({ arn, role: `arn:aws:iam::${B}:role/web` })),
    });
    expect(resize).toBe(`arn:aws:lambda:us-east-1:${B}:function:resize`);
    // AND loadInventory reads it as what runs as each role
    const running = loadInventory(out).accounts.get(B)?.running;
    expect(running?.functions).toEqual(new Map([[fnExec, [resize]]]));
    expect([...(running?.instances.keys() ?? [])]).toEqual([web]);
    expect(running?.instances.get(web)?.sort()).toEqual(
      [...east.map((id) => instanceArn("us-east-1", id)), instanceArn("eu-west-1", west[0] as string)].sort(),
    );
    // AND the report has one compute read per region, counting what it found
    const reads = result.report.accounts.get(B)?.reads.filter((r) => r.service === "compute");
    expect(reads).toEqual([
      { service: "compute", region: "eu-west-1", status: "read", resources: 1 },
      { service: "compute", region: "us-east-1", status: "read", resources: 3 },
    ]);
  });

  it("leaves out, and names in the report, a function of no known role and an instance whose profile holds no role", async () => {
    // GIVEN in account B a function known only by its policy (the sandbox keeps no role for it: ListFunctions gives none),
    // and an instance run with a profile that holds no role
    const s = await newSandbox({ state: collectState([A, B]) });
    await new LambdaClient(clientConfig(s, rootOf(s, B))).send(
      new AddPermissionCommand({ FunctionName: "legacy", StatementId: "a", Action: "lambda:InvokeFunction", Principal: A }),
    );
    await profile(s, "empty-profile");
    const [orphan] = await run(s, "us-east-1", 1, { Name: "empty-profile" });
    await createAuditRole(s, B, A);
    // WHEN A's auditor collects account B
    const out = outDir();
    const result = await collectB(s, out);
    // THEN no role is guessed: compute.json lists neither
    expect(result.notComplete).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, B, "compute.json"), "utf8"))).toEqual({ functions: [], instances: [] });
    // AND the compute read says what it left out and why
    const read = result.report.accounts.get(B)?.reads.find((r) => r.service === "compute");
    expect(read).toMatchObject({ status: "read", resources: 0 });
    expect(read?.why).toContain(`function arn:aws:lambda:us-east-1:${B}:function:legacy`);
    expect(read?.why).toContain(`instance ${orphan}: its instance profile arn:aws:iam::${B}:instance-profile/empty-profile holds no role`);
  });

  it("reads every page of ListFunctions and DescribeInstances", async () => {
    // GIVEN in account B 52 functions (Lambda pages 50 at a time) and 1,001 instances with a profile (EC2 at most 1,000)
    const s = await newSandbox({ state: collectState([A, B]) });
    const fnExec = await serviceRole(s, "fn-exec", "lambda.amazonaws.com");
    for (let i = 0; i < 52; i++) await createFunction(s, `fn-${i}`, fnExec);
    await serviceRole(s, "web", "ec2.amazonaws.com");
    await profile(s, "web-profile", "web");
    const ids = [...(await run(s, "us-east-1", 1000, { Name: "web-profile" })), ...(await run(s, "us-east-1", 1, { Name: "web-profile" }))];
    await createAuditRole(s, B, A);
    // WHEN A's auditor collects account B
    const out = outDir();
    await collectB(s, out);
    // THEN compute.json holds every one of them
    const file = JSON.parse(readFileSync(join(out, B, "compute.json"), "utf8"));
    expect(file.functions).toHaveLength(52);
    expect(file.instances.map((i: { arn: string }) => i.arn)).toEqual(ids.map((id) => instanceArn("us-east-1", id)).sort());
  });

  it("writes no compute.json where the audit role may not call DescribeInstances, removes an earlier one, and the report says why", async () => {
    // GIVEN account B with an instance running as a role, collected once, completely
    const s = await newSandbox({ state: collectState([A, B]) });
    await serviceRole(s, "web", "ec2.amazonaws.com");
    await profile(s, "web-profile", "web");
    await run(s, "us-east-1", 1, { Name: "web-profile" });
    await createAuditRole(s, B, A);
    const out = outDir();
    expect((await collectB(s, out)).notComplete).toEqual([]);
    expect(existsSync(join(out, B, "compute.json"))).toBe(true);
    // AND since then, B's audit role is denied ec2:DescribeInstances
    await iam(s, rootOf(s, B)).send(
      new PutRolePolicyCommand({
        RoleName: "xacct-audit",
        PolicyName: "no-ec2",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", Action: "ec2:DescribeInstances", Resource: "*" }],
        }),
      }),
    );
    // WHEN A's auditor collects account B again
    const result = await collectB(s, out);
    // THEN the account is incomplete, its compute read failed, naming the action and EC2's refusal
    const report = result.notComplete.find((r) => r.account === B);
    expect(report).toMatchObject({ status: "incomplete", why: "not read: compute in us-east-1" });
    const read = report?.reads.find((r) => r.service === "compute");
    expect(read).toMatchObject({ status: "failed", why: expect.stringContaining("ec2:DescribeInstances: UnauthorizedOperation") });
    // AND the rest of the account is written, without compute.json, so the graph keeps those edges conditional
    expect(existsSync(join(out, B, "authorization-details.json"))).toBe(true);
    expect(existsSync(join(out, B, "compute.json"))).toBe(false);
    expect(loadInventory(out).accounts.get(B)?.running).toBeUndefined();
    // AND collect-report.json on disk says the same
    const onDisk = JSON.parse(readFileSync(join(out, "collect-report.json"), "utf8"));
    expect(onDisk.accounts[0].reads).toContainEqual(read);
  });
});
