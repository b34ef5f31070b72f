/**
 * The crossing strategies (src/compile/crossings.ts) as pure functions: what the principal side
 * and the resource side of a grant get. AWS's rules they follow (IAM User Guide):
 * - "For cross-account access, you must grant access to both the identity policy and the
 *   resource-based policy" ("Cross account resource access in IAM");
 * - a role's trust policy names who may assume it, and the caller's identity policy must allow
 *   sts:AssumeRole on it ("Granting a user permissions to switch roles");
 * - "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour"
 *   ("Roles terms and concepts").
 */
import { describe, expect, it } from "vitest";
import { type GrantContext, viaAssumedRoles, viaResourcePolicy } from "../src/compile/crossings.js";
import { emptyAccount } from "../src/state/account-state.js";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const read = { Sid: "Read", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::reports/*"] };

/** A workload running as role `etl` (IRSA) in account A, reading S3 objects in account C. */
function context(fromManaged = true): GrantContext {
  const from = emptyAccount(A, "aws", { name: "a", managed: fromManaged });
  return {
    workload: "etl",
    from,
    to: emptyAccount(C, "aws", { name: "c" }),
    start: { type: "irsa", account: A, roleArn: `arn:aws:iam::${A}:role/etl` },
    principal: `arn:aws:iam::${A}:role/etl`,
    access: { service: "s3", access: ["read"], resources: { bucket: "reports" } },
    place: { partition: "aws", region: "eu-west-1", account: C },
    statements: [read],
    policyName: "xacct-s3-c",
  };
}

describe("viaAssumedRoles", () => {
  it("has each role trust its caller, each caller allowed to assume the next, and the last role hold the access", () => {
    // GIVEN the workload's role in A, a hub role in B and the target role in C
    const g = context();
    const hub = emptyAccount(B, "aws", { name: "b" });
    const target = { externalId: undefined, orgOnly: false, maxSessionDuration: 3600, sessionDuration: 7200, policyName: "s3" };
    // WHEN the chain A → B/hub → C/reader is crossed
    const sides = viaAssumedRoles(
      g,
      [
        { account: hub, name: "hub" },
        { account: g.to, name: "reader" },
      ],
      target,
      true,
    );
    // THEN the resource side: each role's trust names the one before it
    expect(sides.resource.trusts.map((t) => [t.account.id, t.name, t.statement.Principal])).toEqual([
      [B, "hub", { AWS: `arn:aws:iam::${A}:role/etl` }],
      [C, "reader", { AWS: `arn:aws:iam::${B}:role/hub` }],
    ]);
    // AND the principal side: each caller may sts:AssumeRole the next role, and the last role holds the statements
    expect(sides.principal.map((p) => [p.principal, p.policyName, p.statements])).toEqual([
      [
        `arn:aws:iam::${A}:role/etl`,
        "xacct-assume-roles",
        [expect.objectContaining({ Action: "sts:AssumeRole", Resource: [`arn:aws:iam::${B}:role/hub`] })],
      ],
      [
        `arn:aws:iam::${B}:role/hub`,
        "xacct-assume-roles",
        [expect.objectContaining({ Action: "sts:AssumeRole", Resource: [`arn:aws:iam::${C}:role/reader`] })],
      ],
      [`arn:aws:iam::${C}:role/reader`, "s3", [read]],
    ]);
    // AND every hop starts from a role session, so each is chained and capped at one hour
    expect(sides.hops.map((h) => [h.roleArn, h.chained, h.durationSeconds])).toEqual([
      [`arn:aws:iam::${B}:role/hub`, true, 3600],
      [`arn:aws:iam::${C}:role/reader`, true, 3600],
    ]);
  });
});

describe("viaResourcePolicy", () => {
  it("gives the identity policy the statements and the bucket's policy a statement naming the workload", () => {
    // GIVEN the workload's role in A and a bucket in C
    // WHEN the grant crosses by the bucket's own policy
    const sides = viaResourcePolicy(context());
    // THEN the workload's identity policy holds the statements, with no hop
    expect(sides.principal).toEqual([expect.objectContaining({ principal: `arn:aws:iam::${A}:role/etl`, statements: [read] })]);
    expect(sides.hops).toEqual([]);
    // AND the bucket's policy names the workload's role as its principal
    expect(sides.resource.policies.map((p) => [p.arn, p.statement.Principal])).toContainEqual([
      "arn:aws:s3:::reports",
      { AWS: `arn:aws:iam::${A}:role/etl` },
    ]);
  });

  it("turns the identity side into a manual step where the workload's account is not managed", () => {
    // GIVEN the workload's account is outside the model's management
    // WHEN the grant crosses by the resource's policy
    const [principal] = viaResourcePolicy(context(false)).principal;
    // THEN its administrators are told what to allow, in their account
    expect(principal?.manual).toMatchObject({ account: A, title: `Grant arn:aws:iam::${A}:role/etl its side of the access` });
  });
});
