/**
 * CloudFormation output: every template conforms to AWS's resource specification (as packaged in
 * @aws-cdk/aws-service-spec), carries the AccountState's IAM unchanged, uses each service's own
 * resource for its resource-based policy, and the StackSet variant deploys the same role into any
 * account. Expectations follow the CloudFormation resource reference and the AWS CLI reference.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, type Compiled } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { emitCloudFormation } from "../src/emit/cloudformation.js";
import type { AccountEntry } from "../src/state/account-state.js";
import { awsCli, awsPart, cliAccepts } from "./support/aws-cli.js";
import { loadSpec, validateTemplate } from "./support/cfn-validate.js";
import { compileEmitModel, compileExample, DATA, PLATFORM } from "./support/emit-model.js";
import { modelText } from "./support/models.js";
import { vendorModel } from "./support/vendor-model.js";
import { cfnLint, hasCfnLint } from "./support/cfn-lint.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const model = compileEmitModel();
const example = compileExample("000-sparkflows-mwaa");

function outputs(compiled: Compiled): Map<string, string> {
  return new Map(emitCloudFormation(compiled).map((f) => [f.path, f.content]));
}
const modelFiles = outputs(model);
const exampleFiles = outputs(example);

function read(files: Map<string, string>, path: string): Obj {
  const content = files.get(path);
  if (content === undefined) throw new Error(`no file ${path}; have ${[...files.keys()].join(", ")}`);
  return JSON.parse(content) as Obj;
}
const templates = (files: Map<string, string>) => [...files.keys()].filter((p) => /(cloudformation|stacksets\/.*)\.json$/.test(p));
const account = (id: string) => model.state.accounts.get(id) as AccountEntry;
const resourcesOfType = (t: Obj, type: string) => Object.entries(t.Resources as Obj).filter(([, r]) => r.Type === type) as [string, Obj][];
const platform = () => read(modelFiles, "accounts/platform/cloudformation.json");
const data = () => read(modelFiles, "accounts/data/cloudformation.json");

beforeAll(async () => {
  await loadSpec();
}, 60_000);

describe("the template validator", () => {
  const trust = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };

  it("accepts a role as the AWS::IAM::Role reference documents it", async () => {
    const template = {
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: { R: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: trust, MaxSessionDuration: 3600 } } },
    };
    expect(await validateTemplate(template)).toEqual([]);
  });

  it("rejects a misspelt property, a missing required one, a wrong type, an unknown type and dangling references", async () => {
    const template = {
      Resources: {
        R: { Type: "AWS::IAM::Role", Properties: { RoleNmae: "x", MaxSessionDuration: "3600", Tags: [{ Key: "k" }] } },
        P: { Type: "AWS::IAM::InstanceProfile", DependsOn: "Nope", Properties: { Roles: [{ Ref: "Missing" }] } },
        Q: { Type: "AWS::IAM::Rolle", Properties: {} },
      },
      Outputs: { A: { Value: { "Fn::GetAtt": ["R", "Nothing"] } } },
    };
    const errors = (await validateTemplate(template)).join("\n");
    expect(errors).toContain("Resources.R.Properties.RoleNmae: not a property");
    expect(errors).toContain("Resources.R.Properties.AssumeRolePolicyDocument: required");
    expect(errors).toContain("Resources.R.Properties.MaxSessionDuration: expected an integer");
    expect(errors).toContain("Resources.R.Properties.Tags[0]: expected a tag");
    expect(errors).toContain("Resources.P.DependsOn: no resource Nope");
    expect(errors).toContain("Resources.P.Properties.Roles[0]: Ref to unknown Missing");
    expect(errors).toContain("Resources.Q.Type: unknown resource type AWS::IAM::Rolle");
    expect(errors).toContain("Outputs.A.Value: AWS::IAM::Role has no attribute Nothing");
  });

  it("checks nested property types too (an inline policy without its name)", async () => {
    const template = {
      Resources: {
        R: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: trust, Policies: [{ PolicyDocument: trust, Name: "p" }] } },
      },
    };
    const errors = await validateTemplate(template);
    expect(errors).toContain("Resources.R.Properties.Policies[0].PolicyName: required");
    expect(errors.some((e) => e.startsWith("Resources.R.Properties.Policies[0].Name: not a property"))).toBe(true);
  });
});

describe("every template conforms to AWS's resource specification", () => {
  for (const [name, files] of [
    ["example 000", exampleFiles],
    ["the emit model", modelFiles],
  ] as const) {
    it(`${name}: ${templates(files).length} templates`, async () => {
      expect(templates(files).length).toBeGreaterThan(1);
      for (const path of templates(files))
        expect({ path, errors: await validateTemplate(read(files, path)) }).toEqual({ path, errors: [] });
    });
  }

  it.skipIf(!hasCfnLint)("and cfn-lint, AWS's template linter, finds nothing (skipped when cfn-lint is not installed)", () => {
    const texts = [
      ...templates(modelFiles).map((p) => modelFiles.get(p) ?? ""),
      ...templates(exampleFiles).map((p) => exampleFiles.get(p) ?? ""),
    ];
    expect(cfnLint(texts)).toEqual({ output: "", status: 0 });
  });
});

describe("one template per managed account", () => {
  it("is written for each managed account and none for an external one", () => {
    expect(
      templates(modelFiles)
        .filter((p) => p.startsWith("accounts/"))
        .sort(),
    ).toEqual(["accounts/data/cloudformation.json", "accounts/platform/cloudformation.json"]);
    expect(
      templates(exampleFiles)
        .filter((p) => p.startsWith("accounts/"))
        .sort(),
    ).toEqual(["accounts/mwaa/cloudformation.json", "accounts/sparkflows/cloudformation.json"]);
  });

  it("creates every role with its trust, inline policies and session limit exactly as the AccountState has them", () => {
    for (const [id, path] of [
      [PLATFORM, "platform"],
      [DATA, "data"],
    ] as const) {
      const roles = resourcesOfType(read(modelFiles, `accounts/${path}/cloudformation.json`), "AWS::IAM::Role").map(
        ([, r]) => r.Properties,
      );
      expect(roles.map((r) => r.RoleName).sort()).toEqual([...account(id).roles.keys()].sort());
      for (const role of account(id).roles.values()) {
        const props = roles.find((r) => r.RoleName === role.name)!;
        expect(props.AssumeRolePolicyDocument).toEqual(role.trustPolicy);
        expect(new Map((props.Policies ?? []).map((p: Obj) => [p.PolicyName, p.PolicyDocument]))).toEqual(role.policies);
        expect(props.MaxSessionDuration).toBe(role.maxSessionDuration);
      }
    }
    expect(
      resourcesOfType(data(), "AWS::IAM::Role").find(([, r]) => r.Properties.RoleName === "platform-glue")![1].Properties
        .MaxSessionDuration,
    ).toBe(7200);
  });

  it("gives every resource an alphanumeric logical ID, distinct even for names differing only in punctuation, and the same on every build", () => {
    const ids = Object.keys(platform().Resources);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]+$/);
    const svc = resourcesOfType(platform(), "AWS::IAM::Role").filter(([, r]) => /^svc[-_]a$/.test(r.Properties.RoleName));
    expect(new Set(svc.map(([id]) => id)).size).toBe(2);
    expect(outputs(compileEmitModel())).toEqual(modelFiles);
  });

  it("adds an instance profile, holding the role by name (Ref), only for instance roles", () => {
    const profiles = resourcesOfType(platform(), "AWS::IAM::InstanceProfile");
    const [nodesId] = resourcesOfType(platform(), "AWS::IAM::Role").find(([, r]) => r.Properties.RoleName === "nodes")!;
    expect(profiles.map(([, p]) => p.Properties)).toEqual([{ InstanceProfileName: "nodes", Path: "/", Roles: [{ Ref: nodesId }] }]);
  });

  it("creates the IAM user with its policies but never an access key", () => {
    const users = resourcesOfType(platform(), "AWS::IAM::User").map(([, u]) => u.Properties);
    expect(users.map((u) => u.UserName)).toEqual(["legacy-airflow"]);
    expect(users[0].Policies.map((p: Obj) => p.PolicyName)).toEqual([...account(PLATFORM).users.get("legacy-airflow")!.policies.keys()]);
    for (const path of templates(modelFiles)) expect(modelFiles.get(path)).not.toContain("AWS::IAM::AccessKey");
  });

  it("creates the OIDC provider with an https:// URL and the sts.amazonaws.com audience, before the role that trusts it", () => {
    const [[providerId, provider]] = resourcesOfType(platform(), "AWS::IAM::OIDCProvider") as [[string, Obj]];
    expect(provider.Properties).toEqual({
      Url: "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF0123456789",
      ClientIdList: ["sts.amazonaws.com"],
    });
    const [, spark] = resourcesOfType(platform(), "AWS::IAM::Role").find(([, r]) => r.Properties.RoleName === "spark")!;
    expect(spark.DependsOn).toEqual([providerId]);
  });

  it("outputs every role's ARN", () => {
    const t = platform();
    const roleIds = resourcesOfType(t, "AWS::IAM::Role").map(([id]) => id);
    expect(Object.values(t.Outputs as Obj).map((o: Obj) => o.Value["Fn::GetAtt"])).toEqual(roleIds.map((id) => [id, "Arn"]));
  });

  it("says where and after which stacks to deploy", () => {
    expect(data().Metadata.xacct.deploy).toBe(
      "aws cloudformation deploy --template-file cloudformation.json --stack-name xacct-data --capabilities CAPABILITY_NAMED_IAM --region us-east-2",
    );
    expect(data().Metadata.xacct.deployAfter).toEqual(["platform"]);
    expect(data().Description).toContain("after the stacks of platform");
  });
});

describe("resource-based policies, each as its service's own resource", () => {
  const policyOf = (arn: string) => account(DATA).resourcePolicies.get(arn)!.policy;
  const only = (type: string) => {
    const found = resourcesOfType(data(), type);
    expect(found).toHaveLength(1);
    return found[0]![1].Properties as Obj;
  };

  it("S3: AWS::S3::BucketPolicy takes the bucket's name, not its ARN", () => {
    expect(only("AWS::S3::BucketPolicy")).toEqual({ Bucket: "lake", PolicyDocument: policyOf("arn:aws:s3:::lake") });
  });

  it("SQS: AWS::SQS::QueuePolicy takes queue URLs", () => {
    expect(only("AWS::SQS::QueuePolicy")).toEqual({
      Queues: ["https://sqs.us-east-2.amazonaws.com/222222222222/jobs"],
      PolicyDocument: policyOf("arn:aws:sqs:us-east-2:222222222222:jobs"),
    });
  });

  it("Kinesis: AWS::Kinesis::ResourcePolicy takes the stream ARN", () => {
    const arn = "arn:aws:kinesis:us-east-2:222222222222:stream/events";
    expect(only("AWS::Kinesis::ResourcePolicy")).toEqual({ ResourceArn: arn, ResourcePolicy: policyOf(arn) });
  });

  it("Secrets Manager: AWS::SecretsManager::ResourcePolicy names the secret (a `-??????` wildcard ARN is no secret ID)", () => {
    expect(only("AWS::SecretsManager::ResourcePolicy")).toEqual({
      SecretId: "db-creds",
      ResourcePolicy: policyOf("arn:aws:secretsmanager:us-east-2:222222222222:secret:db-creds-??????"),
    });
  });

  it("Lambda: one AWS::Lambda::Permission per action, naming the caller; function URLs need FunctionUrlAuthType AWS_IAM", () => {
    const permissions = resourcesOfType(data(), "AWS::Lambda::Permission").map(([, p]) => p.Properties);
    const fn = "arn:aws:lambda:us-east-2:222222222222:function:trigger";
    const caller = "arn:aws:iam::111111111111:user/legacy-airflow";
    const actions = [policyOf(fn).Statement.flatMap((s) => s.Action ?? [])].flat();
    expect(permissions).toEqual(
      actions.map((action) => ({
        FunctionName: fn,
        Action: action,
        Principal: caller,
        ...(action === "lambda:InvokeFunctionUrl" ? { FunctionUrlAuthType: "AWS_IAM" } : {}),
      })),
    );
    expect(actions).toContain("lambda:InvokeFunction");
  });

  it("KMS, CodeArtifact and API Gateway: no resource in the template (it would own the key, repository or API); listed in Metadata instead", () => {
    const types = Object.values(data().Resources as Obj).map((r: Obj) => r.Type as string);
    expect(
      types.filter((t) => t.startsWith("AWS::KMS::") || t.startsWith("AWS::CodeArtifact::") || t.startsWith("AWS::ApiGateway::")),
    ).toEqual([]);
    const leftOut = [...account(DATA).resourcePolicies.values()].filter((p) => BY_HAND.includes(p.service));
    expect(leftOut.map((p) => p.service)).toEqual(expect.arrayContaining(BY_HAND));
    expect(
      data()
        .Metadata.xacct.notInTemplate.map((n: Obj) => n.resource)
        .sort(),
    ).toEqual(leftOut.map((p) => p.arn).sort());
  });
});

/** Services whose resource policies have no CloudFormation resource of their own. */
const BY_HAND = ["kms", "codeartifact", "execute-api"];

describe("resource-policies-to-apply.json", () => {
  const file = () => read(modelFiles, "accounts/data/resource-policies-to-apply.json");
  const entry = (arn: string) => (file().policies as Obj[]).find((p) => p.resourceArn === arn)!;
  const key = "arn:aws:kms:us-east-2:222222222222:key/0a1b2c3d-1111-2222-3333-444455556666";
  const repository = "arn:aws:codeartifact:us-east-2:222222222222:repository/shared/pypi";

  it("holds each policy the template leaves out, with the AccountState's policy", () => {
    for (const p of file().policies as Obj[]) expect(p.policy).toEqual(account(DATA).resourcePolicies.get(p.resourceArn)!.policy);
    expect((file().policies as Obj[]).map((p) => p.resourceArn).sort()).toEqual(
      [...account(DATA).resourcePolicies.values()]
        .filter((p) => BY_HAND.includes(p.service))
        .map((p) => p.arn)
        .sort(),
    );
  });

  it("applies a repository policy with put-repository-permissions-policy on its domain, owner and repository", () => {
    const put = (entry(repository).commands as string[]).at(-1)!;
    expect(put).toMatch(
      /^aws codeartifact put-repository-permissions-policy --region us-east-2 --domain shared --domain-owner 222222222222 --repository pypi --policy-document file:\/\/\S+\.json$/,
    );
    expect((entry(key).commands as string[]).at(-1)).toMatch(
      new RegExp(`^aws kms put-key-policy --region us-east-2 --key-id ${key} --policy-name default --policy file://\\S+\\.json$`),
    );
  });

  const jq = spawnSync("jq", ["--version"]).status === 0;
  it.skipIf(!jq)(
    "merges into the current policy: keeps the key administrators' statement, replaces ours by Sid, twice gives the same (skipped without jq)",
    () => {
      const [, merge] = entry(key).commands as string[];
      const input = merge!.match(/ (\S+\.current\.json) > (\S+\.json)$/)!;
      const dir = mkdtempSync(join(tmpdir(), "xacct-merge-"));
      const admin = {
        Sid: "EnableRootAccess",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "kms:*",
        Resource: "*",
      };
      const ours = entry(key).policy.Statement as Obj[];
      writeFileSync(
        join(dir, input[1]!),
        JSON.stringify({ Version: "2012-10-17", Statement: [admin, { ...ours[0], Action: "kms:Encrypt" }] }),
      );
      const run = () => {
        const r = spawnSync("bash", ["-c", merge!], { cwd: dir, encoding: "utf8" });
        expect(r.stderr).toBe("");
        return JSON.parse(spawnSync("cat", [input[2]!], { cwd: dir, encoding: "utf8" }).stdout) as Obj;
      };
      const once = run();
      expect(once.Statement).toEqual([admin, ...ours]);
      writeFileSync(join(dir, input[1]!), JSON.stringify(once));
      expect(run()).toEqual(once);
    },
  );

  it.skipIf(!awsCli)("every aws command is one the AWS CLI accepts (run against an unreachable endpoint; skipped without the CLI)", () => {
    for (const p of file().policies as Obj[]) {
      for (const line of (p.commands as string[]).filter((c) => c.startsWith("aws "))) {
        const command = awsPart(line);
        // A patch file holds API Gateway's patch operations; every other file holds the policy.
        const content = (name: string) =>
          name.endsWith(".patch.json")
            ? JSON.stringify([{ op: "replace", path: "/policy", value: JSON.stringify(p.policy) }])
            : JSON.stringify(p.policy);
        const files = Object.fromEntries([...command.matchAll(/file:\/\/(\S+)/g)].map((m) => [m[1]!, content(m[1]!)]));
        const result = cliAccepts(command, files);
        expect({ command, output: result.output, accepted: result.accepted }).toMatchObject({ accepted: true });
      }
    }
  });
});

describe("StackSet-ready templates", () => {
  /** Fn::Sub and Ref as CloudFormation resolves them (`${!x}` is the literal `${x}`). */
  function deployInto(value: unknown, vars: Record<string, string>): unknown {
    if (Array.isArray(value)) return value.map((v) => deployInto(v, vars));
    if (!value || typeof value !== "object") return value;
    const o = value as Obj;
    if (typeof o.Ref === "string" && o.Ref in vars) return vars[o.Ref];
    if (typeof o["Fn::Sub"] === "string")
      return (o["Fn::Sub"] as string).replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) =>
        bang ? `\${${name}}` : (vars[name] ?? `<unresolved ${name}>`),
      );
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, deployInto(v, vars)]));
  }
  const stackSetRole = (files: Map<string, string>, name: string) =>
    resourcesOfType(read(files, `stacksets/${name}.json`), "AWS::IAM::Role")[0]![1];

  it("exist exactly for the roles grants create in a target account (trusting another account), not for workloads' own roles", () => {
    const names = (files: Map<string, string>) => [...files.keys()].filter((p) => p.startsWith("stacksets/") && p.endsWith(".json")).sort();
    expect(names(modelFiles)).toEqual(["stacksets/partner-glue.json", "stacksets/platform-glue.json"]);
    expect(names(exampleFiles)).toEqual(["stacksets/AccountB-MWAA-ReadRole.json"]);
  });

  it("hold no literal ID of the account they came from, while principals of other accounts stay literal", () => {
    for (const name of ["partner-glue", "platform-glue"]) {
      const text = modelFiles.get(`stacksets/${name}.json`)!;
      expect(text).not.toContain(DATA);
    }
    expect(modelFiles.get("stacksets/platform-glue.json")).toContain('"arn:aws:iam::111111111111:role/nodes"');
    expect(modelFiles.get("stacksets/partner-glue.json")).toContain('"arn:aws:iam::333333333333:root"');
  });

  it("deployed into the original account, are exactly that account's role (IAM policy variables included)", () => {
    const original = (name: string) => resourcesOfType(data(), "AWS::IAM::Role").find(([, r]) => r.Properties.RoleName === name)![1];
    for (const name of ["partner-glue", "platform-glue"]) {
      expect(deployInto(stackSetRole(modelFiles, name), { "AWS::AccountId": DATA, "AWS::Partition": "aws" })).toEqual(original(name));
    }
    expect(JSON.stringify(original("platform-glue"))).toContain("${aws:PrincipalTag/team}");
  });

  it("deployed into another account, name that account's resources", () => {
    const deployed = deployInto(stackSetRole(modelFiles, "platform-glue"), {
      "AWS::AccountId": "999999999999",
      "AWS::Partition": "aws",
    }) as Obj;
    const glue = deployed.Properties.Policies.find((p: Obj) => p.PolicyName === "glue").PolicyDocument.Statement;
    expect(glue[0].Resource).toEqual(["arn:aws:glue:us-east-2:999999999999:job/nightly"]);
    expect(glue[1].Resource).toBe("arn:aws:sqs:us-east-2:999999999999:${aws:PrincipalTag/team}-jobs");
    expect(deployed.Properties.AssumeRolePolicyDocument).toEqual(account(DATA).roles.get("platform-glue")!.trustPolicy);
  });

  it("write AWS managed policies' ARNs in the deploying partition, for a model of aws-cn or aws-us-gov", () => {
    // AWS: "arn:${Partition}:iam::aws:policy/..." — an AWS managed policy's ARN carries the partition it lives in
    // (IAM identifiers: aws-cn is China, aws-us-gov is GovCloud (US)); AWS::Partition is that of the stack's account.
    for (const partition of ["aws-cn", "aws-us-gov"]) {
      // GIVEN the SaaS vendor's model in that partition, ReadOnlyAccess and the job function ViewOnlyAccess attached
      const files = outputs(
        compile(loadModel(vendorModel({ partition, managedPolicies: "[ReadOnlyAccess, ViewOnlyAccess]" }), "xacct.yaml")),
      );
      // WHEN its StackSet template is read
      const role = stackSetRole(files, "vendor-readonly");
      // THEN each ARN names ${AWS::Partition}, never a literal partition, with the policy's path
      expect(role.Properties.ManagedPolicyArns).toEqual([
        { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess" },
        { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/job-function/ViewOnlyAccess" },
      ]);
      // AND deployed into an account of the partition, they are that partition's ARNs
      expect(deployInto(role.Properties.ManagedPolicyArns, { "AWS::Partition": partition })).toEqual([
        `arn:${partition}:iam::aws:policy/ReadOnlyAccess`,
        `arn:${partition}:iam::aws:policy/job-function/ViewOnlyAccess`,
      ]);
      // AND cfn-lint, where installed, finds nothing to say about the template
      if (hasCfnLint) expect(cfnLint([files.get("stacksets/vendor-readonly.json")!])).toEqual({ output: "", status: 0 });
    }
  });

  it("come with the service-managed StackSet commands for the account's OU", () => {
    const readme = modelFiles.get("stacksets/platform-glue.md")!;
    expect(readme).toContain("aws cloudformation create-stack-set");
    expect(readme).toContain("--permission-model SERVICE_MANAGED");
    expect(readme).toContain("--capabilities CAPABILITY_NAMED_IAM");
    expect(readme).toContain("--template-body file://platform-glue.json");
    expect(readme).toContain("aws cloudformation create-stack-instances");
    expect(readme).toContain("--deployment-targets OrganizationalUnitIds=ou-ab12-22222222");
  });

  it.skipIf(!awsCli)("whose commands the AWS CLI accepts (run against an unreachable endpoint; skipped without the CLI)", () => {
    const readme = modelFiles.get("stacksets/platform-glue.md")!;
    const block = readme.slice(readme.indexOf("```sh") + 5, readme.lastIndexOf("```")).replace(/\\\n/g, " ");
    const commands = block
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("aws "));
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      const result = cliAccepts(command, { "platform-glue.json": modelFiles.get("stacksets/platform-glue.json")! });
      expect({ command, output: result.output, accepted: result.accepted }).toMatchObject({ accepted: true });
    }
  });
});

describe("an account whose only resource policies are applied by hand", () => {
  it("gets resource-policies-to-apply.json, and no empty template", () => {
    // GIVEN app of account a decrypting with a key of b through the key policy: b gets nothing but the key policy
    const compiled = compile(
      loadModel(
        modelText({
          name: "keyonly",
          region: "us-east-2",
          grants:
            "  - workload: app\n    account: b\n    service: kms\n    access: [decrypt]\n    resources: { key: k1 }\n    via: resource-policy\n",
        }),
      ),
    );
    // WHEN CloudFormation is emitted
    const files = outputs(compiled);
    // THEN b's key policy is among the steps to apply by hand, and b has no template (it would be empty)
    const steps = read(files, "accounts/b/resource-policies-to-apply.json");
    expect((steps.policies as Obj[]).map((p) => p.resourceArn)).toEqual(["arn:aws:kms:us-east-2:222222222222:key/k1"]);
    expect(files.has("accounts/b/cloudformation.json")).toBe(false);
  });
});
