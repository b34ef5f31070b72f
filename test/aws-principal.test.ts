/**
 * The names of a Principal element, as the IAM User Guide's "AWS JSON policy elements: Principal"
 * writes them (account IDs and root ARNs, role, user and assumed-role session ARNs, service and
 * federated principals), compiled by the engine and read back through the one decoder.
 */
import { describe, expect, it } from "vitest";
import { decodePrincipalTag, principalTag } from "../src/aws/principal.js";
import { compilePrincipal } from "../src/policy/principal.js";

describe("decodePrincipalTag", () => {
  it("reads back each name a Principal element holds", () => {
    // GIVEN the Principal examples of the User Guide, in the China partition where it names one
    const principal = {
      AWS: [
        "123456789012",
        "arn:aws-cn:iam::111122223333:root",
        "arn:aws:iam::123456789012:role/path/role-name",
        "arn:aws-us-gov:iam::123456789012:user/user-name",
        "arn:aws:sts::123456789012:assumed-role/role-name/role-session-name",
      ],
      Service: "ecs.amazonaws.com",
      Federated: "cognito-identity.amazonaws.com",
    };
    // WHEN the engine compiles it and each name is decoded
    const names = [...compilePrincipal(principal, "Principal").names].map(decodePrincipalTag);
    // THEN the bare ID names the account in any partition, the root its account in its partition,
    // a role its name without the path (its sessions carry only the name), users and sessions their ARN
    expect(names).toEqual(
      expect.arrayContaining([
        { kind: "account", partition: undefined, account: "123456789012" },
        { kind: "account", partition: "aws-cn", account: "111122223333" },
        { kind: "role", partition: "aws", account: "123456789012", name: "role-name" },
        { kind: "arn", arn: "arn:aws-us-gov:iam::123456789012:user/user-name" },
        { kind: "arn", arn: "arn:aws:sts::123456789012:assumed-role/role-name/role-session-name" },
        { kind: "service", name: "ecs.amazonaws.com" },
        { kind: "federated", name: "cognito-identity.amazonaws.com" },
      ]),
    );
    expect(names).toHaveLength(7);
  });

  it("is the inverse of principalTag for every kind", () => {
    // GIVEN one tagged name of each kind
    const tags = [
      principalTag.account("aws-us-gov", "123456789012"),
      principalTag.anyPartitionAccount("123456789012"),
      principalTag.role("aws-cn", "123456789012", "S3Access"),
      principalTag.arn("arn:aws:iam::123456789012:user/JohnDoe"),
      principalTag.service("lambda.amazonaws.com"),
      principalTag.federated("arn:aws:iam::123456789012:saml-provider/ADFSProvider"),
      principalTag.uniqueId("AROADBQP57FF2AEXAMPLE"),
      principalTag.canonical("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),
    ];
    // WHEN decoded
    // THEN each comes back whole, colons of ARNs included
    expect(tags.map(decodePrincipalTag)).toEqual([
      { kind: "account", partition: "aws-us-gov", account: "123456789012" },
      { kind: "account", partition: undefined, account: "123456789012" },
      { kind: "role", partition: "aws-cn", account: "123456789012", name: "S3Access" },
      { kind: "arn", arn: "arn:aws:iam::123456789012:user/JohnDoe" },
      { kind: "service", name: "lambda.amazonaws.com" },
      { kind: "federated", name: "arn:aws:iam::123456789012:saml-provider/ADFSProvider" },
      { kind: "unique-id", id: "AROADBQP57FF2AEXAMPLE" },
      { kind: "canonical", id: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" },
    ]);
  });
});
