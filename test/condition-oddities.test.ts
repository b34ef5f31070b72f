/**
 * Where a request's value does not fit a condition (a list without a set qualifier, a value not
 * of the operator's type), the denial says so instead of passing as an ordinary mismatch: never a
 * silent decision on a value the engine could not compare. The decisions themselves are AWS's, in
 * test/cases/conditions-absent-and-sets.json and conditions-typed.json.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../src/policy/index.js";

const alice = "arn:aws:iam::111111111111:user/alice";
const allowIf = (condition: Record<string, Record<string, string>>) => ({
  principal: alice,
  action: "s3:GetObject",
  resource: "arn:aws:s3:::bucket/key",
  resourceAccount: "111111111111",
  identityPolicies: [
    { Version: "2012-10-17", Statement: [{ Sid: "Fenced", Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: condition }] },
  ],
});

describe("the explanation of a denial names the value that did not fit the condition", () => {
  it("a key given as a list to an operator without a set qualifier", () => {
    // GIVEN an Allow on aws:RequestedRegion with StringEquals, and the key given as a list
    const result = simulate({
      ...allowIf({ StringEquals: { "aws:RequestedRegion": "us-east-1" } }),
      context: { "aws:RequestedRegion": ["us-east-1"] },
    });
    // WHEN it is decided THEN it is denied, and the explanation says the list needs ForAnyValue: or ForAllValues:
    expect(result.decision).toBe("ImplicitDeny");
    expect(result.explain.summary).toContain("aws:RequestedRegion");
    expect(result.explain.summary).toContain(
      "is given as a list (a multivalued key), which StringEquals matches only with ForAnyValue: or ForAllValues:",
    );
  });

  it("a value not of the operator's type", () => {
    // GIVEN an Allow unless the source is another bucket (ArnNotLike), and a source that is no ARN
    const result = simulate({
      ...allowIf({ ArnNotLike: { "aws:SourceArn": "arn:aws:s3:::other-*" } }),
      context: { "aws:SourceArn": "not-an-arn" },
    });
    // WHEN it is decided THEN it is denied, the explanation saying the value is not an ARN
    expect(result.decision).toBe("ImplicitDeny");
    expect(result.explain.summary).toContain("aws:SourceArn");
    expect(result.explain.summary).toContain(
      "holds a value that is not an ARN or ARN pattern, which satisfies neither ArnNotLike nor its negation",
    );
  });

  it("an ordinary mismatch says nothing of the kind", () => {
    const result = simulate({
      ...allowIf({ StringEquals: { "aws:RequestedRegion": "us-east-1" } }),
      context: { "aws:RequestedRegion": "eu-west-1" },
    });
    expect(result.decision).toBe("ImplicitDeny");
    expect(result.explain.summary).not.toContain("does not fit");
  });
});

describe("condition key names are matched whatever their case and length", () => {
  it("a 100,000-character tag key in the request matches the policy's key written in another case", () => {
    // GIVEN an Allow on a principal tag whose key is 100,000 characters long (IAM documents condition
    // key names as case-insensitive), written in upper case in the policy and in mixed case in the request
    const tag = "K".repeat(50_000) + "k".repeat(50_000);
    const policyKey = `aws:PrincipalTag/${tag.toUpperCase()}`;
    const request = { ...allowIf({ StringEquals: { [policyKey]: "blue" } }), context: { [`aws:principaltag/${tag}`]: "blue" } };
    // WHEN it is decided, twice (names are lower-cased once and may be remembered)
    const first = simulate(request);
    const again = simulate(request);
    // THEN both are allowed, and a different value is not
    expect(first.decision).toBe("Allow");
    expect(again.decision).toBe("Allow");
    expect(simulate({ ...request, context: { [`aws:principaltag/${tag}`]: "red" } }).decision).toBe("ImplicitDeny");
  });
});
