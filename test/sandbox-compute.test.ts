/**
 * What runs as a role, in the sandbox, through the real SDK clients: IAM's instance profiles
 * (CreateInstanceProfile, AddRoleToInstanceProfile, … and the role's InstanceProfileList in
 * GetAccountAuthorizationDetails), EC2's RunInstances / DescribeInstances / TerminateInstances in
 * EC2's own query protocol, and Lambda's CreateFunction, whose execution role ListFunctions
 * returns. Each refuses what AWS refuses, with AWS's error codes (the EC2 API reference's "Error
 * codes", IAM's and Lambda's API references), and is decided on the caller's policies.
 */
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  EC2Client,
  paginateDescribeInstances,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  GetAccountAuthorizationDetailsCommand,
  GetInstanceProfileCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { CreateFunctionCommand, DeleteFunctionCommand, LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/index.js";
import { auditorArn, collectState } from "./support/collect.js";
import { iam, rootOf, trusting } from "./support/iam-apply.js";
import { clientConfig, type Keys, refusal, sandboxPerTest, signedQuery, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();
/** An AMI ID of EC2's form (ami- and 17 hexadecimal digits). */
const AMI = "ami-0abcdef1234567890";

/** A trust policy admitting a service principal. */
const trustingService = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

const ec2 = (s: Sandbox, keys: Keys) => new EC2Client(clientConfig(s, keys));
const lambda = (s: Sandbox, keys: Keys) => new LambdaClient(clientConfig(s, keys));

/** The role `name` of account A in the instance profile `profile`, made through IAM as A's root. */
async function roleInProfile(s: Sandbox, name: string, profile: string, path = "/"): Promise<{ role: string; profile: string }> {
  const client = iam(s, rootOf(s, A));
  const role = await client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustingService("ec2.amazonaws.com") }));
  const made = await client.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile, Path: path }));
  await client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: name }));
  return { role: role.Role?.Arn ?? "", profile: made.InstanceProfile?.Arn ?? "" };
}

describe("sandbox IAM: instance profiles", () => {
  it("a profile holding a role is in the role's InstanceProfileList, and GetInstanceProfile names the role", async () => {
    // GIVEN account A's role `web` added to the instance profile `web-profile` at path /apps/
    const s = await newSandbox({ state: collectState([A]) });
    const { role, profile } = await roleInProfile(s, "web", "web-profile", "/apps/");
    // THEN the profile's ARN is IAM's: instance-profile, its path, its name
    expect(profile).toBe(`arn:aws:iam::${A}:instance-profile/apps/web-profile`);
    // WHEN GetInstanceProfile and GetAccountAuthorizationDetails are called
    const client = iam(s, rootOf(s, A));
    const got = await client.send(new GetInstanceProfileCommand({ InstanceProfileName: "web-profile" }));
    const details = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    // THEN the profile names its role, and the role lists the profile (with the role in its Roles)
    expect(got.InstanceProfile).toMatchObject({ InstanceProfileName: "web-profile", Path: "/apps/", Arn: profile });
    expect(got.InstanceProfile?.InstanceProfileId).toMatch(/^AIPA[A-Z0-9]{17}$/);
    expect(got.InstanceProfile?.Roles?.map((r) => r.Arn)).toEqual([role]);
    const web = details.RoleDetailList?.find((r) => r.RoleName === "web");
    expect(web?.InstanceProfileList?.map((p) => [p.Arn, p.Roles?.map((r) => r.Arn)])).toEqual([[profile, [role]]]);
  });

  it("refuses a second role, deleting a profile or role still joined, and names that do not exist, in IAM's words", async () => {
    // GIVEN role `web` in profile `web-profile`, and a second role
    const s = await newSandbox({ state: collectState([A]) });
    await roleInProfile(s, "web", "web-profile");
    const client = iam(s, rootOf(s, A));
    await client.send(new CreateRoleCommand({ RoleName: "other", AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:root`) }));
    // WHEN a second role is added  THEN LimitExceeded: a profile holds one role (IAM quotas; the SDK names IAM's codes ...Exception)
    expect(
      await refusal(client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web-profile", RoleName: "other" }))),
    ).toMatchObject({
      name: "LimitExceededException",
      status: 409,
    });
    // WHEN the profile, or the role, is deleted while joined  THEN DeleteConflict
    expect(await refusal(client.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web-profile" })))).toMatchObject({
      name: "DeleteConflictException",
      status: 409,
    });
    expect(await refusal(client.send(new DeleteRoleCommand({ RoleName: "web" })))).toMatchObject({ name: "DeleteConflictException" });
    // WHEN a profile that does not exist is read, or a role that does not exist is added  THEN NoSuchEntity
    expect(await refusal(client.send(new GetInstanceProfileCommand({ InstanceProfileName: "nope" })))).toMatchObject({
      name: "NoSuchEntityException",
      status: 404,
    });
    expect(
      await refusal(client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web-profile", RoleName: "nope" }))),
    ).toMatchObject({
      name: "NoSuchEntityException",
    });
    // WHEN a profile of the same name (in another case) is created  THEN EntityAlreadyExists
    expect(await refusal(client.send(new CreateInstanceProfileCommand({ InstanceProfileName: "WEB-PROFILE" })))).toMatchObject({
      name: "EntityAlreadyExistsException",
    });
    // WHEN a name breaks IAM's pattern  THEN ValidationError
    expect(await refusal(client.send(new CreateInstanceProfileCommand({ InstanceProfileName: "bad name" })))).toMatchObject({
      name: "ValidationError",
    });
    // WHEN the role is removed  THEN the profile and then the role can be deleted
    await client.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "web-profile", RoleName: "web" }));
    await client.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web-profile" }));
    await client.send(new DeleteRoleCommand({ RoleName: "web" }));
  });

  it("adding a role needs iam:PassRole on it besides iam:AddRoleToInstanceProfile", async () => {
    // GIVEN a user of A allowed the instance profile calls but not iam:PassRole
    const s = await newSandbox({ state: collectState([A]) });
    const root = iam(s, rootOf(s, A));
    await root.send(new CreateRoleCommand({ RoleName: "web", AssumeRolePolicyDocument: trustingService("ec2.amazonaws.com") }));
    await root.send(new CreateInstanceProfileCommand({ InstanceProfileName: "web-profile" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "auditor",
        PolicyName: "profiles",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "iam:AddRoleToInstanceProfile", Resource: "*" }],
        }),
      }),
    );
    // WHEN the user adds the role to the profile
    const refused = await refusal(
      iam(s, userKeys(s, auditorArn(A))).send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web-profile", RoleName: "web" })),
    );
    // THEN AccessDenied on iam:PassRole for the role
    expect(refused).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(refused.message).toContain(`iam:PassRole on resource: arn:aws:iam::${A}:role/web`);
  });
});

describe("sandbox EC2: instances and their instance profiles", () => {
  it("RunInstances with a profile by name or by ARN; DescribeInstances shows each instance's profile, page by page", async () => {
    // GIVEN role `web` in profile `web-profile` of account A
    const s = await newSandbox({ state: collectState([A]) });
    const { profile } = await roleInProfile(s, "web", "web-profile");
    const client = ec2(s, rootOf(s, A));
    // WHEN three instances are run with the profile by name, three by ARN, and one without a profile
    const byName = await client.send(
      new RunInstancesCommand({ ImageId: AMI, MinCount: 3, MaxCount: 3, IamInstanceProfile: { Name: "web-profile" } }),
    );
    const byArn = await client.send(
      new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 3, InstanceType: "t3.micro", IamInstanceProfile: { Arn: profile } }),
    );
    const bare = await client.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1 }));
    // THEN each answer is a reservation of A with its instances, pending, of EC2's ID form
    expect(byName.OwnerId).toBe(A);
    expect(byName.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(byName.Instances?.map((i) => i.State)).toEqual(Array(3).fill({ Code: 0, Name: "pending" }));
    expect(byArn.Instances?.every((i) => /^i-[0-9a-f]{17}$/.test(i.InstanceId ?? ""))).toBe(true);
    expect(byArn.Instances?.map((i) => i.IamInstanceProfile?.Arn)).toEqual([profile, profile, profile]);
    // WHEN DescribeInstances is paged five at a time (its least MaxResults)
    const pages = [];
    for await (const page of paginateDescribeInstances({ client, pageSize: 5 }, {})) pages.push(page);
    // THEN two pages hold all seven, each instance running, with its profile's ARN where it has one
    expect(pages.map((p) => p.Reservations?.flatMap((r) => r.Instances ?? []).length)).toEqual([5, 2]);
    const seen = pages.flatMap((p) => p.Reservations?.flatMap((r) => r.Instances ?? []) ?? []);
    const launched = [...(byName.Instances ?? []), ...(byArn.Instances ?? []), ...(bare.Instances ?? [])];
    expect(seen.map((i) => i.InstanceId)).toEqual(launched.map((i) => i.InstanceId));
    expect(seen.map((i) => i.State?.Name)).toEqual(Array(7).fill("running"));
    expect(seen.map((i) => i.IamInstanceProfile?.Arn)).toEqual([...Array(6).fill(profile), undefined]);
    // AND the instances of one run are one reservation
    expect(pages[0]?.Reservations?.[0]?.Instances?.map((i) => i.InstanceId)).toEqual(byName.Instances?.map((i) => i.InstanceId));
  });

  it("TerminateInstances moves an instance to terminated, which DescribeInstances still lists and its filter selects", async () => {
    // GIVEN two instances of account A
    const s = await newSandbox({ state: collectState([A]) });
    const client = ec2(s, rootOf(s, A));
    const run = await client.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 2, MaxCount: 2 }));
    const [gone, kept] = (run.Instances ?? []).map((i) => i.InstanceId ?? "");
    // WHEN one is terminated
    const terminated = await client.send(new TerminateInstancesCommand({ InstanceIds: [gone as string] }));
    // THEN EC2 answers its state change, from running (16) to shutting-down (32)
    expect(terminated.TerminatingInstances).toEqual([
      { InstanceId: gone, PreviousState: { Code: 16, Name: "running" }, CurrentState: { Code: 32, Name: "shutting-down" } },
    ]);
    // AND it is listed as terminated (48); the filter instance-state-name selects by state
    const all = await client.send(new DescribeInstancesCommand({ InstanceIds: [gone as string, kept as string] }));
    expect(all.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.State?.Code])).toEqual([
      [gone, 48],
      [kept, 16],
    ]);
    const running = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["running"] }] }));
    expect(running.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([kept]);
  });

  it("refuses malformed IDs, a profile of no such name or ARN, and bad counts and pages, with EC2's error codes", async () => {
    // GIVEN account A with role `web` in `web-profile`, and account B with a profile of its own
    const s = await newSandbox({ state: collectState([A, B]) });
    await roleInProfile(s, "web", "web-profile");
    await iam(s, rootOf(s, B)).send(new CreateInstanceProfileCommand({ InstanceProfileName: "theirs" }));
    const client = ec2(s, rootOf(s, A));
    const run = (input: Partial<ConstructorParameters<typeof RunInstancesCommand>[0]>) =>
      refusal(client.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, ...input })));
    // WHEN each mistaken call is made  THEN EC2's error code, HTTP 400
    expect(await run({ ImageId: "ami-xyz" })).toMatchObject({ name: "InvalidAMIID.Malformed", status: 400 });
    expect(await run({ IamInstanceProfile: { Name: "nope" } })).toMatchObject({ name: "InvalidParameterValue", status: 400 });
    expect(await run({ IamInstanceProfile: { Arn: "not-an-arn" } })).toMatchObject({ name: "InvalidParameterValue" });
    // (another account's profile is not one EC2 launches with)
    expect(await run({ IamInstanceProfile: { Arn: `arn:aws:iam::${B}:instance-profile/theirs` } })).toMatchObject({
      name: "InvalidParameterValue",
      message: expect.stringContaining("iamInstanceProfile.arn"),
    });
    expect(await run({ MinCount: 2, MaxCount: 1 })).toMatchObject({ name: "InvalidParameterValue" });
    expect(await run({ MinCount: 0 })).toMatchObject({ name: "InvalidParameterValue" });
    expect(await run({ InstanceType: "huge" as never })).toMatchObject({ name: "InvalidParameterValue" });
    const describe = (input: DescribeInstancesCommandInput) => refusal(client.send(new DescribeInstancesCommand(input)));
    expect(await describe({ InstanceIds: ["i-nothex"] })).toMatchObject({ name: "InvalidInstanceID.Malformed" });
    expect(await describe({ InstanceIds: ["i-0123456789abcdef0"] })).toMatchObject({
      name: "InvalidInstanceID.NotFound",
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
    expect(await describe({ MaxResults: 4 })).toMatchObject({ name: "InvalidParameterValue" });
    expect(await describe({ MaxResults: 5, InstanceIds: ["i-0123456789abcdef0"] })).toMatchObject({ name: "InvalidParameterCombination" });
    expect(await describe({ NextToken: "bm90LWEtdG9rZW4" })).toMatchObject({ name: "InvalidPaginationToken" });
    expect(await refusal(client.send(new TerminateInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })))).toMatchObject({
      name: "InvalidInstanceID.NotFound",
    });
    // AND B's instance is not A's to describe or terminate
    const theirs = await ec2(s, rootOf(s, B)).send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1 }));
    const id = theirs.Instances?.[0]?.InstanceId ?? "";
    expect(await describe({ InstanceIds: [id] })).toMatchObject({ name: "InvalidInstanceID.NotFound" });
    expect((await client.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
  });

  it("decides each call on the caller's policies: UnauthorizedOperation, and iam:PassRole for the profile's role", async () => {
    // GIVEN role `web` in `web-profile`, and A's auditor allowed ec2:RunInstances but not iam:PassRole, nor any EC2 read
    const s = await newSandbox({ state: collectState([A]) });
    await roleInProfile(s, "web", "web-profile");
    await iam(s, rootOf(s, A)).send(
      new PutUserPolicyCommand({
        UserName: "auditor",
        PolicyName: "collect",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" }],
        }),
      }),
    );
    const client = ec2(s, userKeys(s, auditorArn(A)));
    // WHEN the auditor runs an instance without a profile, with DryRun  THEN DryRunOperation: it would be allowed
    expect(await refusal(client.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, DryRun: true })))).toMatchObject({
      name: "DryRunOperation",
      status: 412,
    });
    // WHEN it runs one with the profile  THEN UnauthorizedOperation naming iam:PassRole on the role
    const passed = await refusal(
      client.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: "web-profile" } })),
    );
    expect(passed).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    expect(passed.message).toContain("You are not authorized to perform this operation.");
    expect(passed.message).toContain(`iam:PassRole on resource: arn:aws:iam::${A}:role/web`);
    // WHEN it describes instances  THEN UnauthorizedOperation for ec2:DescribeInstances
    const described = await refusal(client.send(new DescribeInstancesCommand({})));
    expect(described).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    expect(described.message).toContain("ec2:DescribeInstances");
  });

  it("answers EC2's throttling code and other operations in EC2's shape", async () => {
    // GIVEN a sandbox throttling every call
    const s = await newSandbox({ state: collectState([A]), faults: { throttle: 1 } });
    // WHEN DescribeInstances is sent once  THEN RequestLimitExceeded (503), which the SDK retries as throttling
    const refused = await refusal(ec2(s, rootOf(s, A)).send(new DescribeInstancesCommand({})));
    expect(refused).toMatchObject({ name: "RequestLimitExceeded", status: 503 });
    // AND without faults, an operation the sandbox keeps no state for is answered in EC2's namespace
    const calm = await newSandbox({ state: collectState([A]) });
    const answer = await signedQuery(calm, rootOf(calm, A), "ec2", [
      ["Action", "RebootInstances"],
      ["Version", "2016-11-15"],
      ["InstanceId.1", "i-0123456789abcdef0"],
    ]);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('<RebootInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
  });
});

describe("sandbox Lambda: functions and their execution roles", () => {
  /** A ZipFile's bytes (the sandbox keeps their size and hash, not the bytes). */
  const ZIP = new Uint8Array([80, 75, 5, 6, ...Array(18).fill(0)]);

  it("CreateFunction keeps the function's role, which ListFunctions returns, page by page", async () => {
    // GIVEN a role of account A that Lambda may assume
    const s = await newSandbox({ state: collectState([A]) });
    const role = await iam(s, rootOf(s, A)).send(
      new CreateRoleCommand({ RoleName: "fn-exec", Path: "/service/", AssumeRolePolicyDocument: trustingService("lambda.amazonaws.com") }),
    );
    const client = lambda(s, rootOf(s, A));
    // WHEN 52 functions are created with it
    const names = Array.from({ length: 52 }, (_, i) => `fn-${String(i).padStart(2, "0")}`);
    for (const FunctionName of names) {
      const made = await client.send(
        new CreateFunctionCommand({
          FunctionName,
          Role: role.Role?.Arn,
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Code: { ZipFile: ZIP },
        }),
      );
      // THEN each answer names the function, its role and its code's size
      expect(made).toMatchObject({ FunctionName, Role: role.Role?.Arn, CodeSize: ZIP.length, State: "Pending" });
    }
    // WHEN they are listed
    const pages = [];
    for await (const page of paginateListFunctions({ client }, {})) pages.push(page);
    // THEN Lambda's pages of at most 50 hold them all, each with its role
    expect(pages.map((p) => p.Functions?.length)).toEqual([50, 2]);
    const listed = pages.flatMap((p) => p.Functions ?? []);
    expect(listed.map((f) => f.FunctionArn)).toEqual(names.map((n) => `arn:aws:lambda:us-east-1:${A}:function:${n}`));
    expect(new Set(listed.map((f) => f.Role))).toEqual(new Set([`arn:aws:iam::${A}:role/service/fn-exec`]));
    // WHEN one is deleted  THEN it is not listed, and a second delete is ResourceNotFoundException
    await client.send(new DeleteFunctionCommand({ FunctionName: "fn-00" }));
    const after = [];
    for await (const page of paginateListFunctions({ client }, {})) after.push(...(page.Functions ?? []));
    expect(after).toHaveLength(51);
    expect(await refusal(client.send(new DeleteFunctionCommand({ FunctionName: "fn-00" })))).toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
    });
  });

  it("refuses a malformed role, a role Lambda may not assume, a name taken, and a role it may not pass, in Lambda's words", async () => {
    // GIVEN a role trusting Lambda, one trusting only EC2, and A's auditor who may create functions but pass no role
    const s = await newSandbox({ state: collectState([A]) });
    const root = iam(s, rootOf(s, A));
    await root.send(new CreateRoleCommand({ RoleName: "fn-exec", AssumeRolePolicyDocument: trustingService("lambda.amazonaws.com") }));
    await root.send(new CreateRoleCommand({ RoleName: "ec2-only", AssumeRolePolicyDocument: trustingService("ec2.amazonaws.com") }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "auditor",
        PolicyName: "create",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" }],
        }),
      }),
    );
    const client = lambda(s, rootOf(s, A));
    const create = (Role: string, FunctionName = "f", c = client) =>
      refusal(
        c.send(new CreateFunctionCommand({ FunctionName, Role, Runtime: "python3.12", Handler: "app.main", Code: { ZipFile: ZIP } })),
      );
    // WHEN the role is no role ARN  THEN ValidationException
    expect(await create("arn:aws:iam::1:user/x")).toMatchObject({ name: "ValidationException", status: 400 });
    // WHEN the role does not trust Lambda, or does not exist  THEN InvalidParameterValueException, as Lambda says it
    for (const role of [`arn:aws:iam::${A}:role/ec2-only`, `arn:aws:iam::${A}:role/missing`])
      expect(await create(role)).toMatchObject({
        name: "InvalidParameterValueException",
        message: "The role defined for the function cannot be assumed by Lambda.",
      });
    // WHEN the name is taken  THEN ResourceConflictException (409)
    await client.send(
      new CreateFunctionCommand({
        FunctionName: "f",
        Role: `arn:aws:iam::${A}:role/fn-exec`,
        Runtime: "python3.12",
        Handler: "app.main",
        Code: { ZipFile: ZIP },
      }),
    );
    expect(await create(`arn:aws:iam::${A}:role/fn-exec`)).toMatchObject({ name: "ResourceConflictException", status: 409 });
    // WHEN the auditor creates one  THEN AccessDeniedException for iam:PassRole on the role
    const denied = await create(`arn:aws:iam::${A}:role/fn-exec`, "g", lambda(s, userKeys(s, auditorArn(A))));
    expect(denied).toMatchObject({ name: "AccessDeniedException", status: 403 });
    expect(denied.message).toContain(`iam:PassRole on resource: arn:aws:iam::${A}:role/fn-exec`);
  });
});
