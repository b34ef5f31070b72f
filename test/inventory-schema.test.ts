/**
 * The inventory format's JSON Schemas (schema/inventory/, docs/inventory.md): each is what
 * src/state/inventory-schema.ts generates; every file of the inventories under test/inventories/
 * and of an inventory `xacct collect` read from the sandox with the real SDK is valid against the
 * schema of its name; a broken file is not.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { collect } from "../src/collect/collect.js";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { collectActions } from "../src/services/index.js";
import { inventoryJsonSchemas } from "../src/state/inventory-schema.js";
import { auditorArn, collectState, createAuditRole } from "./support/collect.js";
import { iam, rootOf } from "./support/iam-apply.js";
import { clientConfig, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const SCHEMA_DIR = join(import.meta.dirname, "..", "schema", "inventory");
const INVENTORIES = join(import.meta.dirname, "inventories");
const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();

// UPDATE_SCHEMA=1 writes the generated schemas into schema/inventory/ (then review the diff).
if (process.env.UPDATE_SCHEMA) {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, schema] of inventoryJsonSchemas()) writeFileSync(join(SCHEMA_DIR, name), `${JSON.stringify(schema, null, 2)}\n`);
}
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = new Map(
  readdirSync(SCHEMA_DIR).map((name) => [
    name.replace(".schema.json", ".json"),
    ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8"))),
  ]),
);

/** Each JSON file of an inventory directory, with the problems ajv finds in it against its schema. */
function problems(dir: string): { file: string; errors: string[] }[] {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
  return files.map((file) => {
    const validate = validators.get(file.split("/").pop() ?? "");
    if (!validate) return { file, errors: ["no schema for this file"] };
    validate(JSON.parse(readFileSync(join(dir, file), "utf8")));
    return { file, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  });
}

describe("the inventory's JSON Schemas", () => {
  it("are the files in schema/inventory/, as src/state/inventory-schema.ts generates them (UPDATE_SCHEMA=1 writes them)", () => {
    // GIVEN the schemas the code defines
    const generated = inventoryJsonSchemas();
    // WHEN the committed files are read
    const committed = new Map(readdirSync(SCHEMA_DIR).map((name) => [name, JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8"))]));
    // THEN there is one per file of the layout, and each is the generated one
    expect([...committed.keys()].sort()).toEqual(
      [
        "authorization-details.schema.json",
        "compute.schema.json",
        "collect-report.schema.json",
        "oidc-providers.schema.json",
        "organization.schema.json",
        "resource-policies.schema.json",
        "saml-providers.schema.json",
      ].sort(),
    );
    expect(committed).toEqual(generated);
  });

  it.each(readdirSync(INVENTORIES).filter((d) => !d.includes(".")))("accept every file of test/inventories/%s", (name) => {
    // GIVEN an inventory the loader reads  WHEN each file is validated  THEN none has a problem
    expect(problems(join(INVENTORIES, name)).filter((p) => p.errors.length)).toEqual([]);
  });

  it("accept every file xacct collect writes from the sandbox with the real SDK", async () => {
    // GIVEN two accounts with audit roles, and a bucket policy in B put through S3's API
    const s = await newSandbox({ state: collectState([A, B]) });
    await createAuditRole(s, A, A);
    await createAuditRole(s, B, A);
    const s3 = new S3Client({ ...clientConfig(s, rootOf(s, B)), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "schema-bucket" }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "s3:GetObject", Resource: "arn:aws:s3:::schema-bucket/*" },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: "schema-bucket", Policy: JSON.stringify(policy) }));
    // AND in B a Lambda function and an EC2 instance running as a role (for compute.json)
    const role = await iam(s, rootOf(s, B)).send(
      new CreateRoleCommand({
        RoleName: "runner",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "ec2.amazonaws.com"] }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    await iam(s, rootOf(s, B)).send(new CreateInstanceProfileCommand({ InstanceProfileName: "runner" }));
    await iam(s, rootOf(s, B)).send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "runner", RoleName: "runner" }));
    await new EC2Client(clientConfig(s, rootOf(s, B))).send(
      new RunInstancesCommand({ ImageId: "ami-0abcdef1234567890", MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: "runner" } }),
    );
    await new LambdaClient(clientConfig(s, rootOf(s, B))).send(
      new CreateFunctionCommand({
        FunctionName: "runner",
        Role: role.Role?.Arn,
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...Array(18).fill(0)]) },
      }),
    );
    // WHEN the auditor collects both
    const out = join(mkdtempSync(join(tmpdir(), "xacct-schema-")), "inventory");
    const auditor = userKeys(s, auditorArn(A));
    const result = await collect({ out, endpoint: s.url, regions: ["us-east-1"], accounts: [A, B], credentials: async () => auditor });
    expect(result.notComplete).toEqual([]);
    // THEN every file it wrote (the report too) is valid against its schema
    const found = problems(out);
    expect(found.map((p) => p.file).sort()).toEqual(
      [A, B]
        .flatMap((id) =>
          ["authorization-details", "compute", "oidc-providers", "resource-policies", "saml-providers"].map((f) => `${id}/${f}.json`),
        )
        .concat("collect-report.json")
        .sort(),
    );
    expect(found.filter((p) => p.errors.length)).toEqual([]);
    // (B's compute.json holds the function and the instance it validated)
    const compute = JSON.parse(readFileSync(join(out, B, "compute.json"), "utf8"));
    expect([compute.functions.length, compute.instances.length]).toEqual([1, 1]);
  });

  it("accept organization.json and the report as xacct collect --all writes them", async () => {
    // GIVEN an organization of A (its management account) and B, each with the audit role the model's audit: makes
    const state = compile(
      loadModel(`version: 1
name: org
accounts:
  a: { id: "${A}", region: us-east-1, organization: o-a1b2c3d4e5, ou: [r-a1b2] }
  b: { id: "${B}", region: us-east-1, organization: o-a1b2c3d4e5, ou: [r-a1b2, ou-a1b2-workload1] }
workloads: {}
grants: []
audit: { collector: a }
`),
    ).state;
    // AND in A a user who may read the organization and assume the audit roles
    const reads = { Effect: "Allow" as const, Action: collectActions(), Resource: "*" };
    const assume = { Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/xacct-audit" };
    state.accounts.get(A)?.users.set("auditor", {
      name: "auditor",
      path: "/",
      arn: auditorArn(A),
      policies: new Map([["collect", { Version: "2012-10-17", Statement: [reads, assume] }]]),
      managedPolicyArns: [],
      accessKeys: true,
      groups: [],
      tags: new Map(),
    });
    const s = await newSandbox({ state, managementAccounts: [A] });
    // WHEN the auditor collects the whole organization
    const out = join(mkdtempSync(join(tmpdir(), "xacct-schema-")), "inventory");
    const auditor = userKeys(s, auditorArn(A));
    const result = await collect({ out, endpoint: s.url, regions: ["us-east-1"], all: true, credentials: async () => auditor });
    expect(result.notComplete).toEqual([]);
    // THEN organization.json is written and every file is valid against its schema
    const found = problems(out);
    expect(found.map((p) => p.file)).toContain("organization.json");
    expect(found.filter((p) => p.errors.length)).toEqual([]);
  });

  it.each([
    [
      "resource-policies.json",
      { resources: [{ arn: "arn:aws:s3:::b", account: "12", region: "", policy: { Statement: [] } }] },
      "/resources/0/account",
    ],
    [
      "authorization-details.json",
      { RoleDetailList: [{ Arn: "arn:aws:iam::111111111111:role/r", AssumeRolePolicyDocument: { Statement: [] } }] },
      "/RoleDetailList/0",
    ],
    [
      "oidc-providers.json",
      { OpenIDConnectProviderList: [{ Arn: "arn:aws:iam::111111111111:saml-provider/x" }] },
      "/OpenIDConnectProviderList/0/Arn",
    ],
    [
      "organization.json",
      { organizationId: "o-abcdefghij", accounts: { "111111111111": { parents: "r-ab12" } } },
      "/accounts/111111111111/parents",
    ],
    ["collect-report.json", { accounts: [{ account: A, status: "done", reads: [] }] }, "/accounts/0/status"],
  ])("refuse a broken %s, saying where", (file, content, where) => {
    // GIVEN a file broken as the loader would refuse it (an owner that is no account ID, a role without its name, …)
    const validate = validators.get(file);
    // WHEN it is validated
    const valid = validate?.(content);
    // THEN it is invalid, at that JSON path
    expect(valid).toBe(false);
    expect(validate?.errors?.map((e) => e.instancePath)).toContain(where);
  });
});
