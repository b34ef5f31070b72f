/**
 * The names of a Principal element, as the IAM User Guide's "AWS JSON policy elements: Principal"
 * writes them (account IDs and root ARNs, role, user and assumed-role session ARNs, service and
 * federated principals), compiled by the engine and read back through the one decoder.
 */
import { describe, expect, it } from "vitest";
import { type PrincipalName, PrincipalSet } from "../src/aws/principal.js";
import { compilePrincipal } from "../src/policy/principal.js";

describe("PrincipalSet", () => {
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
    // WHEN the engine compiles it and its names are read back
    const names = [...compilePrincipal(principal, "Principal")];
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

  it("holds one name of each kind, each once, in the order given, and finds each by its kind", () => {
    // GIVEN one name of each kind, the role and the bare account given twice
    const given: PrincipalName[] = [
      { kind: "account", partition: "aws-us-gov", account: "123456789012" },
      { kind: "account", partition: undefined, account: "111122223333" },
      { kind: "role", partition: "aws-cn", account: "123456789012", name: "S3Access" },
      { kind: "arn", arn: "arn:aws:iam::123456789012:user/JohnDoe" },
      { kind: "service", name: "lambda.amazonaws.com" },
      { kind: "federated", name: "arn:aws:iam::123456789012:saml-provider/ADFSProvider" },
      { kind: "unique-id", id: "AROADBQP57FF2AEXAMPLE" },
      { kind: "canonical", id: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" },
    ];
    // WHEN they are added to a set
    const set = new PrincipalSet();
    for (const name of [...given, given[2] as PrincipalName, given[1] as PrincipalName]) set.add(name);
    // THEN each comes back once, whole (colons of ARNs included), in the order given
    expect([...set]).toEqual(given);
    expect(set.size).toBe(8);
    // AND a root ARN names its account in its partition only, a bare ID in every partition
    expect(set.hasAccount("aws-us-gov", "123456789012")).toBe(true);
    expect(set.hasAccount("aws", "123456789012")).toBe(false);
    expect(set.hasAccount("aws-cn", "111122223333")).toBe(true);
    // AND a role is found by its partition, account and name, not across partitions
    expect(set.hasRole("aws-cn", "123456789012", "S3Access")).toBe(true);
    expect(set.hasRole("aws", "123456789012", "S3Access")).toBe(false);
    expect(set.hasArn("arn:aws:iam::123456789012:user/JohnDoe")).toBe(true);
    // AND a bare name is found as a service (case-insensitively) or as a federated provider
    expect(set.hasServiceOrFederated("Lambda.amazonaws.com")).toBe(true);
    expect(set.hasServiceOrFederated("arn:aws:iam::123456789012:saml-provider/ADFSProvider")).toBe(true);
    expect(set.hasServiceOrFederated("ecs.amazonaws.com")).toBe(false);
  });
});
