/**
 * Resources and roles that exist and are owned elsewhere (issue 13). AWS: PutBucketPolicy and
 * PutKeyPolicy replace the whole policy, so a template owning the policy of someone else's bucket or
 * key would drop its owner's statements; xacct writes only the statements it adds, as
 * merge-and-apply steps. An inline policy "is a policy created for a single IAM identity … Inline
 * policies maintain a strict one-to-one relationship between a policy and an identity"
 * (access_policies_managed-vs-inline.html): attaching one (AWS::IAM::RolePolicy,
 * aws_iam_role_policy) to an existing role adds to it and leaves its other policies, such as MWAA's
 * own permissions, as they are.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { emitAll } from "../src/emit/index.js";
import { loadModel } from "../src/model/load.js";
import { validateTemplate } from "./support/cfn-validate.js";
import { cfnLint, hasCfnLint } from "./support/cfn-lint.js";
import { EXISTING_MODEL } from "./support/existing-models.js";
import { validate, why } from "./support/terraform-validate.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const built = () => new Map(emitAll(compile(loadModel(EXISTING_MODEL))).map((f) => [f.path, f.content]));
const json = (files: Map<string, string>, path: string): Obj => JSON.parse(files.get(path) ?? "null") as Obj;
const resourcesOfType = (template: Obj, type: string): Obj[] =>
  Object.values(template.Resources as Obj).filter((r: Obj) => r.Type === type);

describe("a resource declared existing", () => {
  it("gets no CloudFormation or Terraform resource for its policy; a bucket of xacct's own still does", () => {
    // GIVEN the model: bucket shared-results and the key are existing in account data, bucket fresh-results is not
    const files = built();
    // WHEN the data account's template and configuration are read
    const template = json(files, "accounts/data/cloudformation.json");
    const tf = json(files, "accounts/data/terraform/main.tf.json");
    // THEN only fresh-results has a bucket policy there
    expect(resourcesOfType(template, "AWS::S3::BucketPolicy").map((r) => r.Properties.Bucket)).toEqual(["fresh-results"]);
    expect(Object.values(tf.resource.aws_s3_bucket_policy as Obj).map((r: Obj) => r.bucket)).toEqual(["fresh-results"]);
  });

  it("gets merge-and-apply commands that keep the owner's statements and are safe to run again", () => {
    // GIVEN the commands written for bucket shared-results, and the bucket's current policy with its owner's statement
    const entry = (json(built(), "accounts/data/resource-policies-to-apply.json").policies as Obj[]).find(
      (p) => p.resourceArn === "arn:aws:s3:::shared-results",
    );
    const [get, merge, put] = entry?.commands as string[];
    expect(get).toMatch(/^aws s3api get-bucket-policy --bucket shared-results /);
    expect(put).toMatch(/^aws s3api put-bucket-policy --bucket shared-results --policy file:\/\//);
    const dir = mkdtempSync(join(tmpdir(), "xacct-merge-"));
    const owner = { Sid: "OwnerDenyInsecure", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" };
    const current = get?.match(/> (\S+)$/)?.[1] as string;
    const merged = merge?.match(/> (\S+)$/)?.[1] as string;
    writeFileSync(join(dir, current), JSON.stringify({ Version: "2012-10-17", Statement: [owner] }));
    // WHEN the merge runs with the real jq, then runs again on its own output
    const run = () => spawnSync("sh", ["-c", merge as string], { cwd: dir, encoding: "utf8" });
    expect(run().status).toBe(0);
    const once = JSON.parse(readFileSync(join(dir, merged), "utf8")) as Obj;
    writeFileSync(join(dir, current), JSON.stringify(once));
    expect(run().status).toBe(0);
    const twice = JSON.parse(readFileSync(join(dir, merged), "utf8")) as Obj;
    // THEN the owner's statement is kept beside xacct's, and a second run changes nothing
    expect(once.Statement).toEqual([owner, ...(entry?.policy.Statement as Obj[])]);
    expect(twice).toEqual(once);
  });

  it("still gets its steps when every policy of its account is applied by hand", () => {
    // GIVEN the model without the grant on fresh-results: account data's policies are the existing bucket's and the key's
    const text = EXISTING_MODEL.split("\n")
      .filter((line) => !line.includes("fresh-results"))
      .join("\n");
    const files = new Map(emitAll(compile(loadModel(text))).map((f) => [f.path, f.content]));
    // THEN no template is written for data, but its merge steps are
    expect(files.has("accounts/data/cloudformation.json")).toBe(false);
    const policies = json(files, "accounts/data/resource-policies-to-apply.json").policies as Obj[];
    expect(policies.map((p) => p.resourceArn)).toEqual([
      "arn:aws:s3:::shared-results",
      "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-1111-2222-3333-444455556666",
    ]);
  });

  it("is listed under Manual steps in the generated README, with the statements' Sids", () => {
    // GIVEN the generated README
    const readme = built().get("README.md") ?? "";
    const manual = readme.slice(readme.indexOf("## Manual steps"), readme.indexOf("## Generated files"));
    // THEN each existing resource's policy has its merge step
    expect(manual).toContain("Merge xacct's statements into the policy of arn:aws:s3:::shared-results");
    expect(manual).toContain("Merge xacct's statements into the policy of arn:aws:kms:eu-west-1:222222222222:key/");
    expect(manual).not.toContain("fresh-results");
  });

  it("is refused when its kind holds no policy xacct writes", () => {
    // GIVEN a model declaring an existing Athena "workgroup" (Athena has no resource-based
    // policies: "To control access to workgroups, use resource-level IAM permissions or
    // identity-based IAM policies")
    const text = EXISTING_MODEL.replace("existing: {bucket:", "existing: {workgroup: [w], bucket:");
    // THEN the error locates it and lists the kinds
    expect(() => loadModel(text)).toThrow(/accounts\.data\.existing\.workgroup.*known: .*bucket/s);
  });
});

describe("a workload's existing role (MWAA's execution role)", () => {
  it("is not created: its policies are attached to it by name in CloudFormation and Terraform", async () => {
    // GIVEN the model, whose workload acts as MWAA's existing execution role etl-exec
    const files = built();
    const template = json(files, "accounts/analytics/cloudformation.json");
    const tf = json(files, "accounts/analytics/terraform/main.tf.json");
    // THEN no role is created, each inline policy is an AWS::IAM::RolePolicy / aws_iam_role_policy on etl-exec
    expect(resourcesOfType(template, "AWS::IAM::Role")).toEqual([]);
    const attached = resourcesOfType(template, "AWS::IAM::RolePolicy");
    expect(attached.map((r) => r.Properties.RoleName)).toEqual(["etl-exec", "etl-exec"]);
    expect(tf.resource.aws_iam_role).toBeUndefined();
    expect(Object.values(tf.resource.aws_iam_role_policy as Obj).map((r: Obj) => r.role)).toEqual(["etl-exec", "etl-exec"]);
    // and the template is valid for AWS's resource specification
    expect(await validateTemplate(template)).toEqual([]);
  });

  it.skipIf(!hasCfnLint)("passes cfn-lint, AWS's template linter (skipped when it is not installed)", () => {
    // GIVEN both accounts' templates
    const files = built();
    // WHEN cfn-lint reads them, THEN it finds nothing
    expect(cfnLint(["analytics", "data"].map((a) => files.get(`accounts/${a}/cloudformation.json`) ?? ""))).toEqual({
      output: "",
      status: 0,
    });
  });

  it.skipIf(Boolean(why))(`passes terraform validate${why ? ` (skipped: ${why})` : ""}`, () => {
    // GIVEN both accounts' configurations
    const files = built();
    // WHEN terraform validates them
    const r = validate(["analytics", "data"].map((a) => [a, json(files, `accounts/${a}/terraform/main.tf.json`)]));
    // THEN they are valid
    expect(r.output).toContain("The configuration is valid");
    expect(r.status).toBe(0);
  });
});
