/**
 * The access graph over an inventory built to make one decision run without end: a role's tag of
 * three million characters (the inventory format bounds no tag; AWS allows 256) and a trust policy
 * whose 20,000 patterns are each searched through it. The proof commands refuse, naming the caller
 * and the role whose decision it was, instead of running for minutes or answering anything.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { oneLine, xacct } from "./support/xacct-cli.js";

const dir = mkdtempSync(join(tmpdir(), "xacct-hostile-inventory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACCOUNT = "111111111111";
const allow = (action: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });

/** A role's entry in authorization-details.json (what `aws iam get-account-authorization-details` returns). */
function role(name: string, trust: object, tags: { Key: string; Value: string }[] = []) {
  return {
    Path: "/",
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().padEnd(17, "X")}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    CreateDate: "2024-07-01T10:00:00+00:00",
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: [],
    RolePolicyList: [{ PolicyName: "p", PolicyDocument: allow(name === "caller" ? "sts:AssumeRole" : "s3:GetObject") }],
    AttachedManagedPolicies: [],
    Tags: tags,
    RoleLastUsed: {},
  };
}

describe("the access graph on an inventory whose matching would not end", () => {
  it("refuses the question, naming the caller and the role whose trust asked too much", () => {
    // GIVEN a role "caller" tagged k = three million characters, and a role "target" trusting it
    // on the condition that the tag is like any of 20,000 patterns "*zzN*"
    const caller = role(
      "caller",
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      [{ Key: "k", Value: "a".repeat(3_000_000) }],
    );
    const patterns = Array.from({ length: 20_000 }, (_, i) => `*zz${i}*`);
    const target = role("target", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/caller` },
          Action: "sts:AssumeRole",
          Condition: { StringLike: { "aws:PrincipalTag/k": patterns } },
        },
      ],
    });
    mkdirSync(join(dir, ACCOUNT));
    writeFileSync(
      join(dir, ACCOUNT, "authorization-details.json"),
      JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [caller, target], Policies: [] }),
    );
    // WHEN who-can is asked who can assume the target
    const r = xacct(["who-can", "--inventory", dir, "--action", "sts:AssumeRole", "--resource", `arn:aws:iam::${ACCOUNT}:role/target`]);
    // THEN a usage error (exit 2, one line, no trace) naming the decision and why it was refused
    expect(oneLine(r)).toContain(
      `arn:aws:iam::${ACCOUNT}:role/caller calling sts:AssumeRole on arn:aws:iam::${ACCOUNT}:role/target: deciding this request would take more than 200,000,000 steps of matching`,
    );
  });
});
