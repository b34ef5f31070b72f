/**
 * Bad input: each policy AWS would reject, and each malformed request, gets one clear error that
 * names where (a JSON path) and what is wrong.
 */
import { describe, expect, it } from "vitest";
import { PolicyInputError, simulate } from "../src/policy/index.js";

const base = {
  principal: "arn:aws:iam::111111111111:user/alice",
  action: "s3:GetObject",
  resource: "arn:aws:s3:::bucket/key",
  resourceAccount: "111111111111",
};

function statement(s: Record<string, unknown>): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, s] };
}

function errorOf(request: Record<string, unknown>): string {
  try {
    simulate(request);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyInputError);
    return (error as Error).message;
  }
  throw new Error("expected an error, got a decision");
}

describe("policies AWS would reject", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "an Effect other than Allow or Deny",
      { identityPolicies: [statement({ Effect: "Permit", Action: "s3:*", Resource: "*" })] },
      'identityPolicies[0].Statement[1].Effect: must be "Allow" or "Deny", got "Permit"',
    ],
    [
      "a lower-case effect",
      { identityPolicies: [statement({ Effect: "allow", Action: "s3:*", Resource: "*" })] },
      'identityPolicies[0].Statement[1].Effect: must be "Allow" or "Deny", got "allow"',
    ],
    [
      "an unknown statement element",
      { identityPolicies: [statement({ Effect: "Allow", Action: "s3:*", Resource: "*", Actions: "s3:*" })] },
      'identityPolicies[0].Statement[1].Actions: unknown statement element "Actions"',
    ],
    [
      "an unknown policy element",
      { identityPolicies: [{ Version: "2012-10-17", Statements: [] }] },
      'identityPolicies[0].Statements: unknown policy element "Statements"',
    ],
    ["a missing Statement", { identityPolicies: [{ Version: "2012-10-17" }] }, "identityPolicies[0].Statement: is required"],
    [
      "an unknown Version",
      { identityPolicies: [{ Version: "2012-10-18", Statement: [] }] },
      'identityPolicies[0].Version: must be "2012-10-17" or "2008-10-17", got "2012-10-18"',
    ],
    [
      "NotPrincipal in an identity policy",
      { identityPolicies: [statement({ Effect: "Deny", NotPrincipal: { AWS: "111111111111" }, Action: "s3:*", Resource: "*" })] },
      "identityPolicies[0].Statement[1].NotPrincipal: an identity-based policy cannot have NotPrincipal",
    ],
    [
      "Principal in an SCP",
      { scps: [[statement({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" })]] },
      "scps[0][0].Statement[1].Principal: a service control policy cannot have Principal",
    ],
    [
      "both Action and NotAction",
      { identityPolicies: [statement({ Effect: "Allow", Action: "s3:*", NotAction: "iam:*", Resource: "*" })] },
      "identityPolicies[0].Statement[1].NotAction: a statement cannot have both Action and NotAction",
    ],
    [
      "no Action",
      { identityPolicies: [statement({ Effect: "Allow", Resource: "*" })] },
      "identityPolicies[0].Statement[1]: a statement needs Action or NotAction",
    ],
    [
      "no Resource in an identity policy",
      { identityPolicies: [statement({ Effect: "Allow", Action: "s3:*" })] },
      "identityPolicies[0].Statement[1]: a statement needs Resource or NotResource",
    ],
    [
      "no Principal in a resource policy",
      { resourcePolicy: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } } },
      "resourcePolicy.Statement: a statement needs Principal or NotPrincipal",
    ],
    [
      "Resource in a trust policy",
      {
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::111111111111:role/r",
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: "111111111111" }, Action: "sts:AssumeRole", Resource: "*" }],
        },
      },
      "resourcePolicy.Statement[0].Resource: a role trust policy has no Resource",
    ],
    [
      "a malformed action",
      { identityPolicies: [statement({ Effect: "Allow", Action: "s3GetObject", Resource: "*" })] },
      'identityPolicies[0].Statement[1].Action: must be "*" or "service:Action" (for example "s3:GetObject"), got "s3GetObject"',
    ],
    [
      "a malformed resource ARN",
      { identityPolicies: [statement({ Effect: "Allow", Action: "s3:*", Resource: ["*", "bucket/key"] })] },
      'identityPolicies[0].Statement[1].Resource[1]: must be "*" or an ARN',
    ],
    [
      "an unknown condition operator",
      {
        identityPolicies: [
          statement({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEqual: { "aws:username": "a" } } }),
        ],
      },
      'identityPolicies[0].Statement[1].Condition.StringEqual: unknown condition operator "StringEqual"',
    ],
    [
      "a mis-cased condition operator, with a hint",
      {
        identityPolicies: [
          statement({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { stringequals: { "aws:username": "a" } } }),
        ],
      },
      '(did you mean "StringEquals"?)',
    ],
    [
      "an unknown set qualifier",
      {
        identityPolicies: [
          statement({
            Effect: "Allow",
            Action: "s3:*",
            Resource: "*",
            Condition: { "ForSomeValues:StringEquals": { "aws:TagKeys": "a" } },
          }),
        ],
      },
      'Condition["ForSomeValues:StringEquals"]: unknown condition operator',
    ],
    [
      "Null with IfExists",
      {
        identityPolicies: [
          statement({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { NullIfExists: { "aws:username": "true" } } }),
        ],
      },
      "unknown condition operator",
    ],
    [
      "a non-numeric value for a Numeric operator",
      {
        identityPolicies: [
          statement({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { NumericLessThan: { "s3:max-keys": "ten" } } }),
        ],
      },
      'Condition.NumericLessThan["s3:max-keys"]: NumericLessThan takes a number, got "ten"',
    ],
    [
      "a malformed CIDR",
      {
        identityPolicies: [
          statement({
            Effect: "Allow",
            Action: "s3:*",
            Resource: "*",
            Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/99"] } },
          }),
        ],
      },
      'Condition.IpAddress["aws:SourceIp"][1]: IpAddress takes an IP address or CIDR block, got "10.0.0.0/99"',
    ],
    [
      "a malformed date",
      {
        identityPolicies: [
          statement({
            Effect: "Allow",
            Action: "s3:*",
            Resource: "*",
            Condition: { DateGreaterThan: { "aws:CurrentTime": "next tuesday" } },
          }),
        ],
      },
      "DateGreaterThan takes an ISO 8601 date or epoch seconds",
    ],
    [
      "a nested object as a condition value",
      {
        identityPolicies: [
          statement({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:username": { a: 1 } } } }),
        ],
      },
      "a condition value must be a string, number or boolean, got an object",
    ],
    [
      "a malformed principal ARN",
      {
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1111:role/x" }, Action: "s3:*", Resource: "*" }],
        },
      },
      "resourcePolicy.Statement[0].Principal.AWS: not an AWS principal",
    ],
    [
      "a partial wildcard in a principal ARN",
      {
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/*" }, Action: "s3:*", Resource: "*" }],
        },
      },
      "AWS accepts no wildcard in a principal ARN",
    ],
    [
      "an unknown principal type",
      {
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { User: "x" }, Action: "s3:*", Resource: "*" }],
        },
      },
      'resourcePolicy.Statement[0].Principal.User: unknown principal type "User"',
    ],
    [
      "a policy string that is not JSON",
      { identityPolicies: ['{"Version": "2012-10-17", "Statement": ['] },
      "identityPolicies[0]: not valid JSON",
    ],
    [
      "a policy that is an array",
      { identityPolicies: [[]] },
      "identityPolicies[0]: a policy must be a JSON object (or a JSON string holding one), got an array",
    ],

    [
      "NotPrincipal in a trust policy",
      {
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::111111111111:role/r",
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", NotPrincipal: { AWS: "111111111111" }, Action: "sts:AssumeRole" }],
        },
      },
      "resourcePolicy.Statement[0].NotPrincipal: AWS does not support NotPrincipal in a role trust policy",
    ],
    [
      "an RCP naming a principal other than *",
      {
        rcps: [
          [{ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: { AWS: "111111111111" }, Action: "s3:*", Resource: "*" }] }],
        ],
      },
      'rcps[0][0].Statement[0].Principal: a resource control policy takes only "Principal": "*"',
    ],
    [
      "an RCP with NotAction",
      { rcps: [[{ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", NotAction: "s3:*", Resource: "*" }] }]] },
      "rcps[0][0].Statement[0].NotAction: a resource control policy cannot have NotAction",
    ],
    [
      "an RCP with a custom Allow",
      { rcps: [[{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] }]] },
      "rcps[0][0].Statement[0].Effect: a resource control policy allows only as RCPFullAWSAccess does",
    ],
    [
      "an RCP without Version 2012-10-17",
      { rcps: [[{ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }] }]] },
      'rcps[0][0].Version: a resource control policy must have Version "2012-10-17"',
    ],
    [
      "a non-alphanumeric Sid in an identity policy",
      { identityPolicies: [statement({ Sid: "Read Reports", Effect: "Allow", Action: "s3:*", Resource: "*" })] },
      'identityPolicies[0].Statement[1].Sid: an identity-based policy takes only letters and digits in a Sid, got "Read Reports"',
    ],
    [
      "a Sid used twice in an identity policy",
      {
        identityPolicies: [
          {
            Version: "2012-10-17",
            Statement: [
              { Sid: "A", Effect: "Allow", Action: "s3:*", Resource: "*" },
              { Sid: "A", Effect: "Deny", Action: "iam:*", Resource: "*" },
            ],
          },
        ],
      },
      'identityPolicies[0].Statement[1].Sid: Sid "A" is used twice',
    ],
    [
      "an empty Action list",
      { identityPolicies: [statement({ Effect: "Allow", Action: [], Resource: "*" })] },
      "identityPolicies[0].Statement[1].Action: must not be an empty list",
    ],
  ];
  for (const [name, request, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(errorOf({ ...base, ...request })).toContain(message);
    });
  }
});

describe("valid policies AWS accepts", () => {
  it("accepts free-form Sids in a resource-based policy (S3, SQS) and condition keys with spaces", () => {
    const result = simulate({
      ...base,
      resourcePolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Allow:Read/1 for alice",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111111111111:user/alice" },
            Action: "s3:GetObject",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/Cost Center": "42" } },
          },
        ],
      },
      context: { "aws:ResourceTag/Cost Center": "42" },
    });
    expect(result.decision).toBe("Allow");
  });
});

describe("malformed requests", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a missing principal", { principal: undefined }, "principal: is required"],
    ["a missing action", { action: undefined }, "action: is required"],
    ["a missing resource", { resource: undefined }, "resource: is required"],
    ["a wildcard action", { action: "s3:Get*" }, 'action: must be one action as "service:Action" (no wildcards), got "s3:Get*"'],
    [
      "an S3 ARN without resourceAccount",
      { resourceAccount: undefined },
      "resourceAccount: is required: the resource ARN carries no account ID",
    ],
    ["a short account ID", { resourceAccount: "1111" }, 'resourceAccount: must be a 12-digit account ID, got "1111"'],
    ["an unknown field", { identityPolicy: [] }, 'identityPolicy: unknown request field "identityPolicy"'],
    ["a principal that is no principal", { principal: "alice" }, "principal: must be an IAM user, role, assumed-role or root ARN"],
    [
      "an SCP that is not a list of levels",
      { scps: [{ Version: "2012-10-17", Statement: [] }] },
      "scps[0]: must be an array of policies, got an object",
    ],
    [
      "a resourceAccount that contradicts the ARN",
      { resource: "arn:aws:sqs:us-east-1:222222222222:q", resourceAccount: "111111111111" },
      "resourceAccount: says 111111111111, but the resource ARN belongs to 222222222222",
    ],
    [
      "a context value that is a number",
      { context: { "s3:max-keys": 10 } },
      'context["s3:max-keys"]: must be a string or an array of strings, got number 10',
    ],
  ];
  for (const [name, request, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(errorOf({ ...base, ...request })).toContain(message);
    });
  }
});
