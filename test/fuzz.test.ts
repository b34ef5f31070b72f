/**
 * Property tests: random and malformed policies and requests never crash or hang the engine; each
 * gives a decision or a PolicyInputError that says where the problem is.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PolicyInputError, simulate } from "../src/policy/index.js";

const operators = [
  "StringEquals",
  "StringNotEquals",
  "StringLike",
  "StringNotLikeIfExists",
  "ForAnyValue:StringEquals",
  "ForAllValues:StringLike",
  "NumericLessThan",
  "DateGreaterThan",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnLike",
  "ArnNotEquals",
  "Null",
  "StringEqual",
  "ForSome:StringEquals",
  "NullIfExists",
  "numericlessthan",
];
const keys = [
  "aws:SourceIp",
  "aws:username",
  "aws:PrincipalTag/team",
  "aws:CurrentTime",
  "s3:prefix",
  "aws:TagKeys",
  "sts:ExternalId",
  "constructor",
  "__proto__",
  "toString",
];
const strings = fc.oneof(
  fc.constantFrom(
    "*",
    "?",
    "s3:GetObject",
    "s3:Get*",
    "sqs:*",
    "arn:aws:s3:::b/*",
    "arn:aws:iam::111111111111:role/r",
    "10.0.0.0/8",
    "2001:db8::/32",
    "2026-01-01T00:00:00Z",
    "1700000000",
    "true",
    "false",
    "${aws:username}",
    "${aws:PrincipalTag/team, 'x'}",
    "${*}",
    "${",
    "}",
    "111111111111",
    "arn:aws:sts::111111111111:assumed-role/r/s",
    "lambda.amazonaws.com",
    "aGVsbG8=",
    "",
    "${constructor}",
    "${__proto__}",
    "${toString}",
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
  ),
  fc.string({ maxLength: 12 }),
);
const scalar = fc.oneof(strings, fc.integer(), fc.boolean(), fc.constant(null));
const listOr = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.array(a, { maxLength: 3 }));

const condition = fc.dictionary(fc.constantFrom(...operators), fc.dictionary(fc.constantFrom(...keys), listOr(scalar), { maxKeys: 2 }), {
  maxKeys: 2,
});
const principal = fc.oneof(
  fc.constant("*"),
  fc.record({ AWS: listOr(strings) }, { requiredKeys: [] }),
  fc.record({ Service: listOr(strings), Federated: listOr(strings) }, { requiredKeys: [] }),
  scalar,
);
const statement = fc.record(
  {
    Sid: strings,
    Effect: fc.constantFrom("Allow", "Deny", "Allow", "Deny", "Permit"),
    Action: listOr(strings),
    NotAction: listOr(strings),
    Resource: listOr(strings),
    NotResource: listOr(strings),
    Principal: principal,
    NotPrincipal: principal,
    Condition: fc.oneof(condition, scalar),
    Bogus: scalar,
  },
  { requiredKeys: ["Effect"] },
);
const policy = fc.oneof(
  fc.record(
    { Version: fc.constantFrom("2012-10-17", "2008-10-17", "2012"), Statement: listOr(statement) },
    { requiredKeys: ["Statement"] },
  ),
  fc.record({ Version: fc.constant("2012-10-17"), Statement: listOr(statement) }).map((p) => JSON.stringify(p)),
  fc.string({ maxLength: 20 }),
  scalar,
  fc.anything({ maxDepth: 2 }),
);
const request = fc.record(
  {
    principal: fc.oneof(
      fc.constantFrom(
        "arn:aws:iam::111111111111:user/u",
        "arn:aws:sts::111111111111:assumed-role/r/s",
        "arn:aws:iam::222222222222:role/r",
        "arn:aws:iam::111111111111:root",
        "lambda.amazonaws.com",
        "anonymous",
        "arn:aws:iam::111111111111:oidc-provider/oidc.example.com",
        "accounts.google.com",
        "arn:aws:iam::1:user/u",
      ),
      strings,
    ),
    action: fc.oneof(fc.constantFrom("s3:GetObject", "sts:AssumeRole", "kms:Decrypt", "sqs:SendMessage"), strings),
    resource: fc.oneof(
      fc.constantFrom("arn:aws:s3:::b/k", "arn:aws:iam::222222222222:role/r", "arn:aws:sqs:eu-west-1:222222222222:q", "*"),
      strings,
    ),
    resourceAccount: fc.oneof(fc.constantFrom("111111111111", "222222222222"), strings),
    context: fc.oneof(
      fc.dictionary(fc.constantFrom(...keys), fc.oneof(strings, fc.array(strings, { maxLength: 3 })), { maxKeys: 4 }),
      scalar,
    ),
    identityPolicies: fc.oneof(fc.array(policy, { maxLength: 3 }), scalar),
    resourcePolicy: policy,
    permissionsBoundary: policy,
    sessionPolicy: policy,
    endpointPolicy: policy,
    scps: fc.oneof(fc.array(fc.array(policy, { maxLength: 2 }), { maxLength: 3 }), scalar),
    rcps: fc.oneof(fc.array(fc.array(policy, { maxLength: 2 }), { maxLength: 2 }), scalar),
  },
  { requiredKeys: [] },
);

function decideOrLocatedError(input: unknown): void {
  try {
    const result = simulate(input);
    expect(["Allow", "ImplicitDeny", "ExplicitDeny"]).toContain(result.decision);
    expect(typeof result.explain.summary).toBe("string");
    expect(() => JSON.stringify(result)).not.toThrow();
  } catch (error) {
    if (!(error instanceof PolicyInputError)) throw error;
    // Located: the message starts with the JSON path, unless the request itself is not an object.
    const notAnObject = typeof input !== "object" || input === null || Array.isArray(input);
    if (!notAnObject) expect(error.path.length).toBeGreaterThan(0);
    expect(error.message.startsWith(error.path)).toBe(true);
  }
}

describe("fuzzing the engine", () => {
  it("random requests and policies: a decision or a located error, never a crash", () => {
    fc.assert(fc.property(request, decideOrLocatedError), { numRuns: 3000 });
  });

  it("mostly well-formed requests also reach the evaluation (not only validation)", () => {
    const target = fc.constantFrom(
      { resource: "arn:aws:s3:::b/k", resourceAccount: "111111111111" },
      { resource: "arn:aws:s3:::b/k", resourceAccount: "222222222222" },
      { resource: "arn:aws:iam::222222222222:role/r" },
      { resource: "arn:aws:iam::111111111111:role/r" },
    );
    const wellFormed = fc.record({
      principal: fc.constantFrom(
        "arn:aws:iam::111111111111:user/u",
        "arn:aws:sts::111111111111:assumed-role/r/s",
        "lambda.amazonaws.com",
        "anonymous",
      ),
      action: fc.constantFrom("s3:GetObject", "sts:AssumeRole", "kms:Decrypt"),
      target,
      context: fc.dictionary(fc.constantFrom(...keys), fc.oneof(strings, fc.array(strings, { maxLength: 3 })), { maxKeys: 4 }),
      identityPolicies: fc.array(
        fc.record({
          Version: fc.constant("2012-10-17"),
          Statement: fc.array(
            fc.record({
              Effect: fc.constantFrom("Allow", "Deny"),
              Action: fc.constantFrom("*", "s3:*", "s3:Get?bject", "sts:AssumeRole", "kms:*"),
              Resource: fc.constantFrom("*", "arn:aws:s3:::b/*", "arn:aws:s3:::${aws:username}/*", "arn:aws:iam::*:role/*"),
              Condition: fc.constantFrom(
                {},
                { StringLike: { "aws:username": "a*" } },
                { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
                { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
              ),
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 2 },
      ),
    });
    const seen = new Set<string>();
    fc.assert(
      fc.property(wellFormed, ({ target: where, ...input }) => {
        const result = simulate({ ...input, ...where });
        seen.add(result.decision);
      }),
      { numRuns: 2000 },
    );
    expect([...seen].sort()).toEqual(["Allow", "ExplicitDeny", "ImplicitDeny"]);
  });

  it("random bytes as a JSON policy string: a located error", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        decideOrLocatedError({
          principal: "arn:aws:iam::111111111111:user/u",
          action: "s3:GetObject",
          resource: "*",
          identityPolicies: [text],
        });
      }),
      { numRuns: 2000 },
    );
  });
});
