/**
 * GetAccountAuthorizationDetails in pages, read by the real SDK's paginator and Debian's AWS CLI.
 * IAM's API reference: "MaxItems — Use this only when paginating results to indicate the maximum
 * number of items you want in the response. If additional items exist beyond the maximum you
 * specify, the IsTruncated response element is true." and "Marker — … Set it to the value of the
 * Marker element in the response that you received to indicate where the next call should
 * start." The items are the entities of the four lists (users, groups, roles, policies), counted
 * together.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetAccountAuthorizationDetailsCommand,
  paginateGetAccountAuthorizationDetails,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { awsCli } from "./support/aws-cli.js";
import { iam, rootOf, trusting } from "./support/iam-apply.js";
import { userAndRoleModel } from "./support/models.js";
import { sandboxPerTest } from "./support/sandbox-clients.js";

const B = "222222222222";
const newSandbox = sandboxPerTest();
const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }] });

/** Account B of a small model, with four more roles and three managed policies made through IAM. */
async function accountWithEntities(): Promise<Sandbox> {
  const s = await newSandbox({
    state: compile(loadModel(userAndRoleModel({ name: "pages", role: "glue-runner", region: "us-east-1" }))).state,
  });
  const client = iam(s, rootOf(s, B));
  for (const n of [1, 2, 3, 4])
    await client.send(new CreateRoleCommand({ RoleName: `r${n}`, AssumeRolePolicyDocument: trusting(`arn:aws:iam::${B}:root`) }));
  for (const n of [1, 2, 3]) await client.send(new CreatePolicyCommand({ PolicyName: `p${n}`, PolicyDocument: policy }));
  return s;
}

type Lists = Pick<GetAccountAuthorizationDetailsCommandOutput, "UserDetailList" | "GroupDetailList" | "RoleDetailList" | "Policies">;
const names = (d: Lists) => ({
  users: (d.UserDetailList ?? []).map((u) => u.UserName),
  groups: (d.GroupDetailList ?? []).map((g) => g.GroupName),
  roles: (d.RoleDetailList ?? []).map((r) => r.RoleName),
  policies: (d.Policies ?? []).map((p) => p.PolicyName),
});
const count = (d: Lists) => Object.values(names(d)).reduce((n, l) => n + l.length, 0);

describe("GetAccountAuthorizationDetails pages (MaxItems, Marker, IsTruncated)", () => {
  it("the SDK's paginator with MaxItems 2 reads every entity, at most two per page across the lists", async () => {
    // GIVEN an account with at least five roles and three managed policies
    const s = await accountWithEntities();
    const client = iam(s, rootOf(s, B));
    const whole = await client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    expect(whole.IsTruncated).toBe(false);
    expect(count(whole)).toBeGreaterThanOrEqual(8);
    // WHEN the real paginator reads it two entities at a time
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    for await (const p of paginateGetAccountAuthorizationDetails({ client, pageSize: 2 }, {})) pages.push(p);
    // THEN every page but the last is truncated with a Marker, none holds more than two entities
    // in all its lists, and together they hold exactly what one unpaged call holds
    expect(pages.length).toBe(Math.ceil(count(whole) / 2));
    for (const p of pages.slice(0, -1)) expect([p.IsTruncated, typeof p.Marker, count(p)]).toEqual([true, "string", 2]);
    expect(pages.at(-1)?.IsTruncated).toBe(false);
    expect(pages.at(-1)?.Marker).toBeUndefined();
    const joined = { users: [] as unknown[], groups: [] as unknown[], roles: [] as unknown[], policies: [] as unknown[] };
    for (const p of pages) for (const [k, v] of Object.entries(names(p))) joined[k as keyof typeof joined].push(...v);
    expect(joined).toEqual(names(whole));
  });

  it("without MaxItems a page holds at most IAM's default of 100 entities", async () => {
    // GIVEN an account with 101 roles
    const s = await newSandbox({
      state: compile(loadModel(userAndRoleModel({ name: "pages", role: "glue-runner", region: "us-east-1" }))).state,
    });
    const client = iam(s, rootOf(s, B));
    for (let n = 0; n < 101; n++)
      await client.send(new CreateRoleCommand({ RoleName: `many${n}`, AssumeRolePolicyDocument: trusting(`arn:aws:iam::${B}:root`) }));
    // WHEN it is asked with no MaxItems
    const first = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    // THEN the answer is cut at 100 and says so
    expect([first.RoleDetailList?.length, first.IsTruncated]).toEqual([100, true]);
    const rest = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"], Marker: first.Marker }));
    expect([rest.IsTruncated, (first.RoleDetailList?.length ?? 0) + (rest.RoleDetailList?.length ?? 0)]).toEqual([false, 102]);
  });

  // (The CLI's --max-items is botocore's own cut, counted on the first list only; --page-size is
  // what it sends as MaxItems.)
  it.skipIf(!awsCli)("Debian's AWS CLI reads it whole with --page-size 2, one request per two entities", async () => {
    // GIVEN the same account, and the CLI with its root keys
    const s = await accountWithEntities();
    const keys = rootOf(s, B);
    const whole = await iam(s, keys).send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    const home = mkdtempSync(join(tmpdir(), "xacct-aws-cli-"));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: join(home, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const cli = (...args: string[]) =>
      new Promise<Lists & { NextToken?: string }>((resolve, reject) =>
        execFile(
          "aws",
          ["iam", "get-account-authorization-details", "--endpoint-url", s.url, "--output", "json", ...args],
          { env },
          (error, out, err) => (error ? reject(new Error(`aws failed: ${err}`)) : resolve(JSON.parse(out) as Lists)),
        ),
      );
    const calls: string[] = [];
    s.onLog((e) => e.action === "iam:GetAccountAuthorizationDetails" && calls.push(e.decision));
    // WHEN the CLI pages two at a time
    const paged = await cli("--page-size", "2");
    // THEN it followed the Markers to the whole account, one allowed request per page
    expect(names(paged)).toEqual(names(whole));
    expect(calls).toEqual(Array(Math.ceil(count(whole) / 2)).fill("Allow"));
  });
});
