/**
 * Names are checked at load against the rule of the system each lands in (issue 11, item 2), each
 * problem located at the field it comes from. The rules are AWS's (IAM API reference and IAM and
 * STS quotas), Kubernetes' (DNS-1123), EKS's, MWAA's and cron's as a Kubernetes CronJob reads it.
 */
import { describe, expect, it } from "vitest";
import { loadModel } from "../src/model/load.js";
import { problems } from "./support/model-problems.js";

/** A model with one field left to fill: `VALUE` (a YAML string) at the marked place. */
function model(place: string, value: string): string {
  const fields: Record<string, string> = {
    roleName: "",
    workload: "w",
    account: "data",
    user: "legacy",
    namespace: "jobs",
    podServiceAccount: "api",
    schedule: '"0 3 * * *"',
    environment: "env1",
    bucket: "lake",
    principal: '"arn:aws:iam::333333333333:role/Vendor"',
    externalId: "partner-123",
    profile: "w-data",
    image: "registry.example.com/tools/aws-cli:2",
  };
  fields[place] = value;
  return `version: 1
name: app
accounts:
  home: { id: "111111111111", region: us-east-1 }
  ${fields.account}: { id: "222222222222", region: us-east-1 }
  vendor: { id: "333333333333", region: us-east-1, external: true }
clusters:
  eks: { account: home, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789 }
workloads:
  ${fields.workload}:
    account: home
    identity: { type: irsa, cluster: eks, serviceAccount: job,
      namespace: ${fields.namespace} }
    runtime: { kind: cronjob,
      schedule: ${fields.schedule},
      image: ${fields.image} }
  pods:
    account: home
    identity: { type: pod-identity, cluster: eks, namespace: apps,
      serviceAccount: ${fields.podServiceAccount} }
  keys:
    account: home
    identity: { type: iam-user,
      user: ${fields.user} }
  partner:
    account: vendor
    identity: { type: external,
      principal: ${fields.principal},
      externalId: ${fields.externalId} }
  env:
    account: home
    identity: { type: mwaa,
      environment: ${fields.environment} }
grants:
  - workload: ${fields.workload}
    account: ${fields.account}
    service: s3
    access: [read]
    resources:
      bucket: ${fields.bucket}
    profile: ${fields.profile}${fields.roleName ? `\n    role:\n      name: ${fields.roleName}` : ""}
  - { workload: keys, account: ${fields.account}, service: s3, access: [read], resources: { bucket: lake } }
  - { workload: partner, account: ${fields.account}, service: s3, access: [read], resources: { bucket: lake } }
  - { workload: pods, account: ${fields.account}, service: s3, access: [read], resources: { bucket: lake } }
  - { workload: env, account: ${fields.account}, service: s3, access: [read], resources: { bucket: lake } }
`;
}

/** The 1-based line of the first line of `text` holding `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}

const long = (n: number) => "r".repeat(n);

describe("names are checked against the rule of the system they land in", () => {
  // [what, field, YAML value, JSON path of the problem, text the message holds, line marker]
  const refused: [string, string, string, string, string, string][] = [
    // IAM CreateRole RoleName: "Length Constraints: Minimum length of 1. Maximum length of 64. Pattern: [\w+=,.@-]+"
    ["a role name of 65 characters", "roleName", long(65), "grants[0].role.name", "is not an IAM role name", "name: rrr"],
    ["a role name with a space", "roleName", '"my role"', "grants[0].role.name", "must be an IAM role name", 'name: "my role"'],
    ["a role name with a line break", "roleName", '"reader\\n[x]"', "grants[0].role.name", "must be an IAM role name", 'name: "reader'],
    [
      "a template placeholder xacct does not fill",
      "roleName",
      '"r-{nope}"',
      "grants[0].role.name",
      "{app}, {consumer}, {stage}, {consumerStage} allowed",
      'name: "r-{nope}"',
    ],
    [
      "{stage} in a grant that is not expanded per stage",
      "roleName",
      '"r-{stage}"',
      "grants[0].role.name",
      "uses {stage}, which has no value here",
      'name: "r-{stage}"',
    ],
    // The default target role is xacct-WORKLOAD: 6 + 60 characters is over IAM's 64.
    [
      "a workload whose default role name is over 64",
      "workload",
      long(60),
      "grants[0].workload",
      "is not an IAM role name",
      `- workload: ${long(60)}`,
    ],
    // PutRolePolicy PolicyName: "Maximum length of 128": xacct-s3-ACCOUNT with a 120-character account.
    [
      "an account whose grant policy name is over 128",
      "account",
      long(120),
      "grants[0].account",
      "is not an IAM policy name",
      `    account: ${long(120)}`,
    ],
    // CreateUser UserName: "Maximum length of 64. Pattern: [\w+=,.@-]+"
    [
      "an IAM user name of 65 characters",
      "user",
      long(65),
      "workloads.keys.identity.user",
      "must be an IAM user name",
      `user: ${long(65)}`,
    ],
    // AssumeRole ExternalId: "Minimum length of 2. Maximum length of 1224. Pattern: [\w+=,.@:\/-]*"
    [
      "an external ID with a space",
      "externalId",
      '"a b"',
      "workloads.partner.identity.externalId",
      "must be an external ID",
      'externalId: "a b"',
    ],
    [
      "an external ID of one character",
      "externalId",
      "x",
      "workloads.partner.identity.externalId",
      "must be an external ID",
      "externalId: x",
    ],
    [
      "a principal ARN with a space in its name",
      "principal",
      '"arn:aws:iam::333333333333:role/Vendor Role"',
      "workloads.partner.identity.principal",
      "must be an IAM principal ARN",
      'principal: "arn',
    ],
    // The AWS config file's section header [profile NAME]: no brackets, no spaces, no line breaks.
    ["a profile name with a bracket", "profile", '"a]b"', "grants[0].profile", "must be an AWS config profile name", 'profile: "a]b"'],
    [
      "a profile name with a line break",
      "profile",
      '"a\\ncredential_process = x"',
      "grants[0].profile",
      "must be an AWS config profile name",
      'profile: "a',
    ],
    // Kubernetes: a namespace is a DNS-1123 label (lower case, at most 63), a service account a DNS-1123 subdomain.
    [
      "an upper-case namespace",
      "namespace",
      "Jobs",
      "workloads.w.identity.namespace",
      "must be a Kubernetes DNS-1123 label",
      "namespace: Jobs",
    ],
    [
      "a namespace of 64 characters",
      "namespace",
      "n".repeat(64),
      "workloads.w.identity.namespace",
      "must be a Kubernetes DNS-1123 label",
      "namespace: nnn",
    ],
    [
      "a service account with an underscore",
      "podServiceAccount",
      "api_1",
      "workloads.pods.identity.serviceAccount",
      "must be a Kubernetes DNS-1123 subdomain",
      "serviceAccount: api_1",
    ],
    // A CronJob's schedule: five fields, each within its range (croner parses it).
    ["a minute of 61", "schedule", '"61 * * * *"', "workloads.w.runtime.schedule", "is not a cron schedule", "schedule:"],
    ["six fields", "schedule", '"0 0 3 * * *"', "workloads.w.runtime.schedule", "five fields", "schedule:"],
    [
      "a schedule with a line break",
      "schedule",
      '"0 3 * * *\\nx: 1"',
      "workloads.w.runtime.schedule",
      "is not a cron schedule",
      "schedule:",
    ],
    // MWAA CreateEnvironment Name: "Pattern: ^[a-zA-Z][0-9a-zA-Z-_]*$", at most 80.
    [
      "an MWAA environment starting with a digit",
      "environment",
      "1env",
      "workloads.env.identity.environment",
      "must be an MWAA environment name",
      "environment: 1env",
    ],
    [
      "an image with a space",
      "image",
      '"aws cli:2"',
      "workloads.w.runtime.image",
      "must be a container image reference",
      'image: "aws cli:2"',
    ],
    // IAM policy documents hold only U+0009, U+000A, U+000D and U+0020 to U+00FF; xacct takes no control characters in names.
    ["a bucket with a line break", "bucket", '"lake\\n[x]"', "grants[0].resources.bucket", "must be policy text", 'bucket: "lake'],
    // S3: "Bucket names must be between 3 (min) and 63 (max) characters long ... only lowercase letters, numbers, periods (.), and hyphens (-)".
    [
      "a bucket with a space and an upper-case letter",
      "bucket",
      '"My lake"',
      "grants[0].resources.bucket",
      "is not an S3 bucket name",
      'bucket: "My lake"',
    ],
    ["a bucket of two characters", "bucket", "ab", "grants[0].resources.bucket", "is not an S3 bucket name", "bucket: ab"],
  ];

  it.each(refused)("refuses %s, located at the field", (_what, place, value, path, message, marker) => {
    // GIVEN a model with the name in that field
    const text = model(place, value);
    // WHEN it is loaded
    const found = problems(text);
    // THEN the problem is at that field's line, naming the rule
    const problem = found.find((p) => p.path === path);
    expect(problem, JSON.stringify(found)).toBeDefined();
    expect(problem!.message).toContain(message);
    expect(problem!.line).toBe(lineOf(text, marker));
  });

  const accepted: [string, string, string][] = [
    ["a role name of exactly 64 characters", "roleName", long(64)],
    ["a role name with every character IAM allows", "roleName", '"Role_+=,.@-1"'],
    ["a profile named default", "profile", "default"],
    ["a cron preset both Kubernetes and Airflow read", "schedule", "'@daily'"],
    ["a principal ARN with a path", "principal", '"arn:aws:iam::333333333333:role/team/ops/Vendor"'],
    ["an account's root as the principal", "principal", '"arn:aws:iam::333333333333:root"'],
    ["an image with a registry port and a digest", "image", `"registry.example.com:5000/tools/aws-cli@sha256:${"a".repeat(64)}"`],
  ];

  it.each(accepted)("accepts %s", (_what, place, value) => {
    // GIVEN a model with a name within the rule WHEN it is loaded THEN it loads
    expect(() => loadModel(model(place, value), "xacct.yaml")).not.toThrow();
  });
});
