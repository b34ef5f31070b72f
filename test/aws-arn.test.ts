/**
 * ARNs as AWS documents them: "Identify AWS resources with Amazon Resource Names (ARNs)"
 * (`arn:partition:service:region:account-id:resource-type/resource-id`, where the partition is
 * `aws`, `aws-cn` for China or `aws-us-gov` for AWS GovCloud (US)) and the IAM User Guide's
 * "IAM identifiers" (the example ARNs below are its own).
 */
import { parse, validate } from "@aws-sdk/util-arn-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assumedRoleArn,
  buildArn,
  isAccountId,
  managedPolicyArn,
  oidcProviderArn,
  parseArn,
  parseAssumedRoleArn,
  parseIamArn,
  principalAccountId,
  roleArn,
  rootArn,
  s3BucketArn,
  s3ObjectArn,
  samlProviderArn,
  userArn,
} from "../src/aws/arn.js";

const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;

describe("parseArn", () => {
  it("splits the six parts and keeps the colons of the resource part", () => {
    // GIVEN the ARN reference's SNS topic and a Lambda function version (resource-type:resource-id:qualifier)
    // WHEN parsed
    const topic = parseArn("arn:aws:sns:us-east-1:123456789012:example-sns-topic-name");
    const fn = parseArn("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:my-function:1");
    // THEN each part is in its place, the resource whole
    expect(topic).toEqual({
      partition: "aws",
      service: "sns",
      region: "us-east-1",
      account: "123456789012",
      resource: "example-sns-topic-name",
    });
    expect(fn).toEqual({
      partition: "aws-us-gov",
      service: "lambda",
      region: "us-gov-west-1",
      account: "123456789012",
      resource: "function:my-function:1",
    });
  });

  it("reads ARNs without region or account (S3 buckets in aws-cn)", () => {
    // GIVEN an S3 object ARN of the China partition
    // WHEN parsed
    const arn = parseArn("arn:aws-cn:s3:::amzn-s3-demo-bucket/photos/cat.jpg");
    // THEN region and account are empty
    expect(arn).toEqual({ partition: "aws-cn", service: "s3", region: "", account: "", resource: "amzn-s3-demo-bucket/photos/cat.jpg" });
  });

  it("returns null for what is not an ARN", () => {
    // GIVEN a wildcard, a bare account ID, a service principal and an ARN with too few parts
    // WHEN parsed / THEN none is an ARN
    for (const text of ["*", "123456789012", "lambda.amazonaws.com", "arn:aws:iam::123456789012", "ARN:aws:iam::123456789012:root"])
      expect(parseArn(text)).toBeNull();
  });

  it("gives what the AWS SDK's parser gives, on any text", () => {
    // GIVEN arbitrary text made of ARN-ish pieces (colons, "arn", partitions, slashes)
    const piece = fc.constantFrom("arn", "aws", "aws-cn", "iam", "", "123456789012", "role/R", "a:b", "/");
    const text = fc.oneof(
      fc.string(),
      fc.array(piece, { maxLength: 9 }).map((p) => p.join(":")),
    );
    fc.assert(
      fc.property(text, (t) => {
        // WHEN both parse it
        const ours = parseArn(t);
        // THEN an ARN for the SDK is the same ARN for us, and nothing else is one
        if (!validate(t)) return ours === null;
        const sdk = parse(t);
        return (
          ours !== null &&
          ours.partition === sdk.partition &&
          ours.service === sdk.service &&
          ours.region === sdk.region &&
          ours.account === sdk.accountId &&
          ours.resource === sdk.resource
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe("builders", () => {
  it.each(PARTITIONS)("build the IAM identifiers of the User Guide in %s", (p) => {
    // GIVEN the partition and the account 123456789012
    const id = "123456789012";
    // WHEN each kind of ARN xacct writes is built
    // THEN it is the User Guide's example with the partition in its place
    expect(rootArn(p, id)).toBe(`arn:${p}:iam::123456789012:root`);
    expect(userArn(p, id, "JohnDoe")).toBe(`arn:${p}:iam::123456789012:user/JohnDoe`);
    expect(userArn(p, id, "JaneDoe", "/division_abc/subdivision_xyz/")).toBe(
      `arn:${p}:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe`,
    );
    expect(roleArn(p, id, "S3Access")).toBe(`arn:${p}:iam::123456789012:role/S3Access`);
    expect(roleArn(p, id, "RDSAccess", "/application_abc/component_xyz/")).toBe(
      `arn:${p}:iam::123456789012:role/application_abc/component_xyz/RDSAccess`,
    );
    expect(assumedRoleArn(p, id, "Accounting-Role", "Mary")).toBe(`arn:${p}:sts::123456789012:assumed-role/Accounting-Role/Mary`);
    expect(managedPolicyArn(p, id, "UsersManageOwnCredentials")).toBe(`arn:${p}:iam::123456789012:policy/UsersManageOwnCredentials`);
    expect(samlProviderArn(p, id, "ADFSProvider")).toBe(`arn:${p}:iam::123456789012:saml-provider/ADFSProvider`);
    expect(oidcProviderArn(p, id, "oidc.eks.us-west-2.amazonaws.com/id/a1b2c3d4567890abcdefEXAMPLE11111")).toBe(
      `arn:${p}:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/a1b2c3d4567890abcdefEXAMPLE11111`,
    );
    expect(s3BucketArn(p, "amzn-s3-demo-bucket")).toBe(`arn:${p}:s3:::amzn-s3-demo-bucket`);
    expect(s3ObjectArn(p, "amzn-s3-demo-bucket", "dags/*")).toBe(`arn:${p}:s3:::amzn-s3-demo-bucket/dags/*`);
    expect(buildArn({ partition: p, service: "sns", region: "us-east-1", account: id, resource: "example-sns-topic-name" })).toBe(
      `arn:${p}:sns:us-east-1:123456789012:example-sns-topic-name`,
    );
  });

  it("writes AWS managed policies under the account `aws`", () => {
    // GIVEN the User Guide's AWS managed policy ReadOnlyAccess
    // WHEN built in GovCloud
    // THEN the account part is `aws`
    expect(managedPolicyArn("aws-us-gov", "aws", "ReadOnlyAccess")).toBe("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess");
  });
});

describe("reading IAM and STS ARNs", () => {
  it.each(PARTITIONS)("reads roles, users, root and providers in %s, the name being the last path segment", (p) => {
    // GIVEN ARNs of each kind in the partition
    // WHEN read
    // THEN kind, account, path and name come back
    expect(parseIamArn(`arn:${p}:iam::123456789012:root`)).toEqual({
      partition: p,
      account: "123456789012",
      kind: "root",
      path: "",
      name: "",
    });
    expect(parseIamArn(`arn:${p}:iam::123456789012:role/application_abc/component_xyz/RDSAccess`)).toEqual({
      partition: p,
      account: "123456789012",
      kind: "role",
      path: "/application_abc/component_xyz/",
      name: "RDSAccess",
    });
    expect(parseIamArn(`arn:${p}:iam::123456789012:user/JohnDoe`)).toEqual({
      partition: p,
      account: "123456789012",
      kind: "user",
      path: "/",
      name: "JohnDoe",
    });
    expect(parseIamArn(`arn:${p}:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE`)).toMatchObject({
      kind: "oidc-provider",
      name: "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
    });
    expect(parseIamArn(`arn:${p}:iam::aws:policy/ReadOnlyAccess`)).toMatchObject({
      kind: "policy",
      account: "aws",
      name: "ReadOnlyAccess",
    });
    expect(parseAssumedRoleArn(`arn:${p}:sts::123456789012:assumed-role/Accounting-Role/Mary`)).toEqual({
      partition: p,
      account: "123456789012",
      roleName: "Accounting-Role",
      sessionName: "Mary",
    });
  });

  it("refuses ARNs that are not IAM principals of a 12-digit account", () => {
    // GIVEN a regional IAM ARN, a short account, an S3 bucket, a role without a name and a federated user
    // WHEN read / THEN none is an IAM entity, and none is a role session
    expect(parseIamArn("arn:aws:iam:us-east-1:123456789012:role/R")).toBeNull();
    expect(parseIamArn("arn:aws:iam::12345:role/R")).toBeNull();
    expect(parseIamArn("arn:aws:s3:::amzn-s3-demo-bucket")).toBeNull();
    expect(parseIamArn("arn:aws:iam::123456789012:role/")).toBeNull();
    expect(parseAssumedRoleArn("arn:aws:sts::123456789012:federated-user/John")).toBeNull();
  });

  it("knows an account from a bare ID or a principal ARN, and only 12 digits are an account", () => {
    // GIVEN account IDs and principals as policies name them
    // WHEN the account is asked / THEN it is the 12-digit account or undefined
    expect(isAccountId("123456789012")).toBe(true);
    expect(isAccountId("12345678901")).toBe(false);
    expect(isAccountId("1234567890123")).toBe(false);
    expect(principalAccountId("123456789012")).toBe("123456789012");
    expect(principalAccountId("arn:aws-cn:iam::123456789012:user/JohnDoe")).toBe("123456789012");
    expect(principalAccountId("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1")).toBeUndefined();
    expect(principalAccountId("lambda.amazonaws.com")).toBeUndefined();
  });
});
