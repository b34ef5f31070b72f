/**
 * Terraform output (`main.tf.json`): follows Terraform's JSON configuration syntax (blocks as
 * resource.TYPE.NAME, identifiers, `${…}` references to blocks that exist, `$${` for a literal
 * `${`), carries the AccountState's policies unchanged as JSON strings, uses the AWS provider's
 * resource for each kind of IAM, and — when terraform and a local copy of the AWS provider are on
 * the machine — passes `terraform validate`.
 */
import { describe, expect, it } from "vitest";
import type { Compiled } from "../src/compile/compile.js";
import { emitTerraform } from "../src/emit/terraform.js";
import type { AccountEntry, PolicyDocument } from "../src/state/account-state.js";
import { compileEmitModel, compileExample, DATA, PLATFORM } from "./support/emit-model.js";
import { validate, why } from "./support/terraform-validate.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const model = compileEmitModel();
const example = compileExample("000-sparkflows-mwaa");
const configs = (compiled: Compiled) => new Map(emitTerraform(compiled).map((f) => [f.path, JSON.parse(f.content) as Obj]));
const modelConfigs = configs(model);
const exampleConfigs = configs(example);
const all = [...modelConfigs, ...exampleConfigs];
const platform = () => modelConfigs.get("accounts/platform/terraform/main.tf.json")!;
const data = () => modelConfigs.get("accounts/data/terraform/main.tf.json")!;
const account = (id: string) => model.state.accounts.get(id) as AccountEntry;
const blocks = (tf: Obj, type: string) => Object.entries((tf.resource?.[type] ?? {}) as Obj) as [string, Obj][];

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
const TOP_LEVEL = new Set([
  "//",
  "terraform",
  "provider",
  "resource",
  "data",
  "output",
  "variable",
  "locals",
  "module",
  "moved",
  "import",
  "check",
]);

/** The template sequences of a Terraform string: `${expr}` interpolations (`$${` is a literal `${`) and `%{` directives (`%%{` is literal). */
function templateParts(text: string): { interpolations: string[]; directives: number } {
  const interpolations: string[] = [];
  let directives = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) i += 2;
    else if (text.startsWith("${", i)) {
      const end = text.indexOf("}", i);
      interpolations.push(text.slice(i + 2, end));
      i = end;
    } else if (text.startsWith("%{", i)) directives++;
  }
  return { interpolations, directives };
}

/** A Terraform string's value when it holds no interpolation. */
function literalValue(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}
const policyOf = (text: string) => JSON.parse(literalValue(text)) as PolicyDocument;

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** The block an address (`aws_iam_role.x`, `data.aws_secretsmanager_secret.x`) names. */
function block(tf: Obj, address: string): Obj | undefined {
  const [first, ...rest] = address.split(".");
  const [type, name] = first === "data" ? rest : [first, rest[0]];
  return (first === "data" ? tf.data : tf.resource)?.[type!]?.[name!];
}

describe("Terraform's JSON configuration syntax", () => {
  it("has only known top-level blocks, and every resource, data and output block named by identifiers", () => {
    for (const [path, tf] of all) {
      for (const key of Object.keys(tf)) expect(TOP_LEVEL.has(key), `${path}: ${key}`).toBe(true);
      for (const kind of ["resource", "data"]) {
        for (const [type, named] of Object.entries((tf[kind] ?? {}) as Obj)) {
          expect(type, path).toMatch(/^aws_[a-z0-9_]+$/);
          for (const [name, body] of Object.entries(named as Obj)) {
            expect(name, `${path}: ${kind}.${type}.${name}`).toMatch(IDENTIFIER);
            expect(typeof body === "object" && !Array.isArray(body), `${path}: ${type}.${name}`).toBe(true);
          }
        }
      }
      for (const name of Object.keys(tf.output ?? {})) expect(name).toMatch(IDENTIFIER);
    }
  });

  it("has every ${…} reference (and depends_on) name a block that exists, and no template directive", () => {
    for (const [path, tf] of all) {
      const texts = strings(tf);
      expect(
        texts.reduce((n, t) => n + templateParts(t).directives, 0),
        path,
      ).toBe(0);
      const references = texts.flatMap((t) => templateParts(t).interpolations);
      expect(references.length).toBeGreaterThan(0);
      for (const ref of references) {
        expect(ref, path).toMatch(/^(data\.)?aws_[a-z0-9_]+\.[a-zA-Z_][a-zA-Z0-9_-]*\.[a-z_]+$/);
        expect(block(tf, ref.slice(0, ref.lastIndexOf("."))), `${path}: \${${ref}}`).toBeDefined();
      }
      const dependsOn = Object.values((tf.resource ?? {}) as Obj).flatMap((named) =>
        Object.values(named as Obj).flatMap((b: Obj) => b.depends_on ?? []),
      );
      for (const address of dependsOn) expect(block(tf, address), `${path}: depends_on ${address}`).toBeDefined();
    }
  });

  it("writes IAM policy variables as $${…} so Terraform passes ${…} through to IAM", () => {
    const [, policy] = blocks(data(), "aws_iam_role_policy").find(([, b]) => b.role === "${aws_iam_role.platform-glue.id}")!;
    expect(policy.policy).toContain("$${aws:PrincipalTag/team}");
    expect(templateParts(policy.policy).interpolations).toEqual([]);
  });
});

describe("one configuration per managed account", () => {
  it("is written for each managed account, pinned to its ID and region, with the AWS provider from hashicorp/aws", () => {
    expect([...modelConfigs.keys()].sort()).toEqual(["accounts/data/terraform/main.tf.json", "accounts/platform/terraform/main.tf.json"]);
    for (const [tf, entry] of [
      [platform(), account(PLATFORM)],
      [data(), account(DATA)],
    ] as const) {
      expect(tf.provider.aws).toEqual({ region: entry.region, allowed_account_ids: [entry.id] });
      expect(tf.terraform.required_providers.aws.source).toBe("hashicorp/aws");
      expect(tf.terraform.required_providers.aws.version).toMatch(/^>= ?\d+\.\d+/);
    }
  });

  it("creates every role with its trust policy, session limit and each inline policy, as the AccountState has them", () => {
    for (const [tf, entry] of [
      [platform(), account(PLATFORM)],
      [data(), account(DATA)],
    ] as const) {
      const roles = blocks(tf, "aws_iam_role");
      expect(roles.map(([, r]) => r.name).sort()).toEqual([...entry.roles.keys()].sort());
      for (const [name, role] of roles) {
        const state = entry.roles.get(role.name)!;
        expect(policyOf(role.assume_role_policy)).toEqual(state.trustPolicy);
        expect(role.max_session_duration).toBe(state.maxSessionDuration);
        const inline = blocks(tf, "aws_iam_role_policy").filter(([, p]) => p.role === `\${aws_iam_role.${name}.id}`);
        expect(new Map(inline.map(([, p]) => [p.name, policyOf(p.policy)]))).toEqual(state.policies);
      }
    }
  });

  it("gives roles whose names differ only in punctuation their own blocks", () => {
    const names = blocks(platform(), "aws_iam_role").filter(([, r]) => /^svc[-_]a$/.test(r.name));
    expect(new Set(names.map(([n]) => n)).size).toBe(2);
  });

  it("adds an instance profile for the instance role only", () => {
    expect(blocks(platform(), "aws_iam_instance_profile").map(([, p]) => p)).toEqual([
      { name: "nodes", path: "/", role: "${aws_iam_role.nodes.name}" },
    ]);
  });

  it("creates the IAM user and its policies, and never an access key (its secret would sit in the state)", () => {
    expect(blocks(platform(), "aws_iam_user").map(([, u]) => u.name)).toEqual(["legacy-airflow"]);
    const policies = blocks(platform(), "aws_iam_user_policy").map(([, p]) => [p.name, policyOf(p.policy)] as const);
    expect(new Map(policies)).toEqual(account(PLATFORM).users.get("legacy-airflow")!.policies);
    for (const [, tf] of all) expect(tf.resource.aws_iam_access_key).toBeUndefined();
  });

  it("creates the OIDC provider with an https:// URL and its audiences", () => {
    expect(blocks(platform(), "aws_iam_openid_connect_provider").map(([, p]) => p)).toEqual([
      { url: "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF0123456789", client_id_list: ["sts.amazonaws.com"] },
    ]);
  });

  it("orders the IRSA role after the OIDC provider its trust names; a policy naming only other accounts' principals waits for nothing here", () => {
    expect(blocks(platform(), "aws_iam_role").find(([, r]) => r.name === "spark")![1].depends_on).toEqual([
      `aws_iam_openid_connect_provider.${blocks(platform(), "aws_iam_openid_connect_provider")[0]![0]}`,
    ]);
    expect(blocks(data(), "aws_s3_bucket_policy")[0]![1].depends_on).toBeUndefined();
  });

  it("outputs every role's ARN", () => {
    const values = Object.values(data().output as Obj)
      .map((o: Obj) => o.value)
      .sort();
    expect(values).toEqual(
      blocks(data(), "aws_iam_role")
        .map(([name]) => `\${aws_iam_role.${name}.arn}`)
        .sort(),
    );
  });
});

describe("resource-based policies, each with the AWS provider's resource for it", () => {
  const statePolicy = (arn: string) => account(DATA).resourcePolicies.get(arn)!.policy;
  const only = (type: string) => {
    const found = blocks(data(), type);
    expect(found).toHaveLength(1);
    return found[0]![1];
  };

  it("aws_s3_bucket_policy takes the bucket name", () => {
    const b = only("aws_s3_bucket_policy");
    expect([b.bucket, policyOf(b.policy)]).toEqual(["lake", statePolicy("arn:aws:s3:::lake")]);
  });

  it("aws_sqs_queue_policy takes the queue URL", () => {
    const b = only("aws_sqs_queue_policy");
    expect([b.queue_url, policyOf(b.policy)]).toEqual([
      "https://sqs.us-east-2.amazonaws.com/222222222222/jobs",
      statePolicy("arn:aws:sqs:us-east-2:222222222222:jobs"),
    ]);
  });

  it("aws_kinesis_resource_policy takes the stream ARN", () => {
    const arn = "arn:aws:kinesis:us-east-2:222222222222:stream/events";
    const b = only("aws_kinesis_resource_policy");
    expect([b.resource_arn, policyOf(b.policy)]).toEqual([arn, statePolicy(arn)]);
  });

  it("aws_secretsmanager_secret_policy takes the secret's real ARN, looked up by name (the state has a `-??????` wildcard)", () => {
    const b = only("aws_secretsmanager_secret_policy");
    expect(policyOf(b.policy)).toEqual(statePolicy("arn:aws:secretsmanager:us-east-2:222222222222:secret:db-creds-??????"));
    const ref = templateParts(b.secret_arn).interpolations[0]!;
    expect(ref).toMatch(/^data\.aws_secretsmanager_secret\.[^.]+\.arn$/);
    expect(block(data(), ref.slice(0, ref.lastIndexOf(".")))).toEqual({ name: "db-creds" });
  });

  it("aws_lambda_permission: one per action, naming the caller; function URLs need function_url_auth_type AWS_IAM", () => {
    const fn = "arn:aws:lambda:us-east-2:222222222222:function:trigger";
    const permissions = blocks(data(), "aws_lambda_permission").map(([, p]) => p);
    expect(permissions.map((p) => p.action)).toEqual([statePolicy(fn).Statement.flatMap((s) => s.Action ?? [])].flat());
    for (const p of permissions) {
      expect(p).toMatchObject({ function_name: fn, principal: "arn:aws:iam::111111111111:user/legacy-airflow" });
      expect(p.statement_id).toMatch(/^[a-zA-Z0-9_-]{1,100}$/);
      expect(p.function_url_auth_type).toBe(p.action === "lambda:InvokeFunctionUrl" ? "AWS_IAM" : undefined);
    }
    expect(new Set(permissions.map((p) => p.statement_id)).size).toBe(permissions.length);
  });

  it("leaves KMS key and CodeArtifact policies to resource-policies-to-apply.json, and says so", () => {
    const types = Object.keys(data().resource);
    expect(types.filter((t) => t.startsWith("aws_kms_") || t.startsWith("aws_codeartifact_"))).toEqual([]);
    expect(data()["//"]).toContain("../resource-policies-to-apply.json");
    expect(data()["//"]).toContain("arn:aws:kms:us-east-2:222222222222:key/0a1b2c3d-1111-2222-3333-444455556666");
  });
});

describe(`terraform validate${why ? ` (skipped: ${why})` : ""}`, () => {
  it.skipIf(Boolean(why))("accepts every generated configuration", () => {
    const r = validate(all);
    expect(r.output).toContain("The configuration is valid");
    expect(r.status).toBe(0);
  });

  it.skipIf(Boolean(why))("rejects a configuration with a misspelt argument (so the check above can fail)", () => {
    const tf = structuredClone(data());
    const [name] = blocks(tf, "aws_s3_bucket_policy")[0]!;
    tf.resource.aws_s3_bucket_policy[name].bucket_name = tf.resource.aws_s3_bucket_policy[name].bucket;
    delete tf.resource.aws_s3_bucket_policy[name].bucket;
    const r = validate([["data", tf]]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("bucket_name");
  });
});
