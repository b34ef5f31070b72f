/**
 * Escalation edges (issue 15): each way AWS documents for a principal to come to act as a role or
 * user of its own account besides a trust admitting it, on hand-written inventories, with and
 * without what blocks it (an SCP, a permissions boundary, a condition, what the target must have).
 * What each technique needs is written here from AWS's pages, not read from xacct's table.
 */
import { join } from "node:path";
import { UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { AccessGraph } from "../src/graph/graph.js";
import { reach, whoCan } from "../src/graph/query.js";
import { type AccountEntry, type AccountState, policyDocument, type PolicyStatement } from "../src/state/account-state.js";
import { A, accounts, addRole, addUser, allow, B, ec2Trust, trusts, underScp } from "./support/accounts.js";
import { iam, trusting } from "./support/iam-apply.js";
import { assume, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { xacct } from "./support/xacct-cli.js";

const newSandbox = sandboxPerTest();

const serviceTrust = (service: string): PolicyStatement => ({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
const passRole = (role: string, service: string): PolicyStatement =>
  allow("iam:PassRole", role, { Condition: { StringEquals: { "iam:PassedToService": service } } });

/** The hop into `target` of the caller's reach, as [technique, …] along its path; undefined when it cannot reach it. */
function techniquesTo(state: AccountState, caller: string, target: string, edges: "all" | "assume" = "all"): string[] | undefined {
  const reached = reach(new AccessGraph(state, {}, { edges }), caller).roles.find((r) => r.role === target);
  return reached?.techniques;
}

/** Passing a role to a service that runs the caller's code as it, per the service's own IAM page. */
const PASSING: {
  technique: string;
  /** The principal the role's trust admits: the one that runs as it. */
  trust: string;
  /** iam:PassedToService as the service checks it. */
  passedTo: string;
  actions: string[];
  instanceProfile?: true;
}[] = [
  // Lambda: "you must grant the user permission to pass the execution role"; CreateFunction, then invoke it.
  {
    technique: "pass-role-lambda",
    trust: "lambda.amazonaws.com",
    passedTo: "lambda.amazonaws.com",
    actions: ["lambda:CreateFunction", "lambda:InvokeFunction"],
  },
  // EC2: "iam:PassRole" and ec2:RunInstances with an instance profile holding the role.
  {
    technique: "pass-role-ec2",
    trust: "ec2.amazonaws.com",
    passedTo: "ec2.amazonaws.com",
    actions: ["ec2:RunInstances"],
    instanceProfile: true,
  },
  // ECS: "The IAM task role must have a trust policy that specifies the ecs-tasks.amazonaws.com service."
  {
    technique: "pass-role-ecs",
    trust: "ecs-tasks.amazonaws.com",
    passedTo: "ecs-tasks.amazonaws.com",
    actions: ["ecs:RegisterTaskDefinition", "ecs:RunTask"],
  },
  {
    technique: "pass-role-glue",
    trust: "glue.amazonaws.com",
    passedTo: "glue.amazonaws.com",
    actions: ["glue:CreateJob", "glue:StartJobRun"],
  },
  {
    technique: "pass-role-cloudformation",
    trust: "cloudformation.amazonaws.com",
    passedTo: "cloudformation.amazonaws.com",
    actions: ["cloudformation:CreateStack"],
  },
  {
    technique: "pass-role-codebuild",
    trust: "codebuild.amazonaws.com",
    passedTo: "codebuild.amazonaws.com",
    actions: ["codebuild:CreateProject", "codebuild:StartBuild"],
  },
  {
    technique: "pass-role-sagemaker",
    trust: "sagemaker.amazonaws.com",
    passedTo: "sagemaker.amazonaws.com",
    actions: ["sagemaker:CreateTrainingJob"],
  },
  {
    technique: "pass-role-step-functions",
    trust: "states.amazonaws.com",
    passedTo: "states.amazonaws.com",
    actions: ["states:CreateStateMachine", "states:StartExecution"],
  },
  // EMR: steps run on the cluster's instances, as the role of their instance profile (EMR's "Service role for cluster EC2 instances").
  {
    technique: "pass-role-emr",
    trust: "ec2.amazonaws.com",
    passedTo: "ec2.amazonaws.com",
    actions: ["elasticmapreduce:RunJobFlow"],
    instanceProfile: true,
  },
  // Data Pipeline: "must have iam:PassRole permissions to … DataPipelineDefaultResourceRole", the EC2 resource's role.
  {
    technique: "pass-role-data-pipeline",
    trust: "ec2.amazonaws.com",
    passedTo: "datapipeline.amazonaws.com",
    actions: ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"],
    instanceProfile: true,
  },
];

describe("passing a role to a service that runs the caller's code as it", () => {
  for (const p of PASSING) {
    /** Account A: the role the service runs as, and a developer allowed the given statements. */
    const setup = (statements: (target: string) => PolicyStatement[], instanceProfile = p.instanceProfile === true) => {
      const { a, state } = accounts();
      const target = addRole(
        a,
        "runner",
        [serviceTrust(p.trust)],
        [allow("s3:GetObject", "*")],
        instanceProfile ? { instanceProfile: true } : {},
      );
      const dev = addUser(a, "dev", statements(target.arn));
      return { a, state, target: target.arn, dev: dev.arn };
    };

    it(`${p.technique}: iam:PassRole to ${p.passedTo} and ${p.actions.join(", ")} make an edge; --edges assume has none`, () => {
      // GIVEN a developer allowed to pass the role to the service and to make it run
      const { state, target, dev } = setup((role) => [passRole(role, p.passedTo), allow(p.actions, "*")]);
      // WHEN the developer's reach is asked, with every edge and with assumption only
      // THEN the role is reached by the technique, and not by assumption alone
      expect(techniquesTo(state, dev, target)).toEqual([p.technique]);
      expect(techniquesTo(state, dev, target, "assume")).toBeUndefined();
    });

    it(`${p.technique}: none without ${p.actions.at(-1)}, with PassRole to another service, or with an SCP denying PassRole`, () => {
      // GIVEN the same developer lacking the last action
      const missing = setup((role) => [
        passRole(role, p.passedTo),
        allow(p.actions.slice(0, -1).length ? p.actions.slice(0, -1) : "s3:ListBucket", "*"),
      ]);
      // AND one whose PassRole names another service in iam:PassedToService
      const elsewhere = setup((role) => [passRole(role, "airflow.amazonaws.com"), allow(p.actions, "*")]);
      // AND one with everything, in an account whose SCP denies iam:PassRole
      const denied = setup((role) => [passRole(role, p.passedTo), allow(p.actions, "*")]);
      underScp(denied.state, { Effect: "Deny", Action: "iam:PassRole", Resource: "*" });
      // WHEN each reach is asked THEN none reaches the role
      for (const s of [missing, elsewhere, denied]) expect(techniquesTo(s.state, s.dev, s.target)).toBeUndefined();
    });

    if (p.instanceProfile)
      it(`${p.technique}: none for a role in no instance profile (EC2 runs a role only from one)`, () => {
        const { state, target, dev } = setup((role) => [passRole(role, p.passedTo), allow(p.actions, "*")], false);
        expect(techniquesTo(state, dev, target)).toBeUndefined();
      });
  }

  it("a role whose trust does not admit the service is not run by it", () => {
    // GIVEN a role trusting EC2, and a developer allowed to create Lambda functions with it
    const { a, state } = accounts();
    const target = addRole(a, "runner", [ec2Trust]);
    const dev = addUser(a, "dev", [
      passRole(target.arn, "lambda.amazonaws.com"),
      allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
    ]);
    // WHEN its reach is asked THEN the role is not reached: Lambda cannot assume it
    expect(techniquesTo(state, dev.arn, target.arn)).toBeUndefined();
  });

  it("a caller allowed to create only functions of its own prefix still creates one (it chooses the name)", () => {
    // GIVEN lambda:CreateFunction and lambda:InvokeFunction only on functions named app-*
    const { a, state } = accounts();
    const target = addRole(a, "runner", [serviceTrust("lambda.amazonaws.com")]);
    const functions = `arn:aws:lambda:*:${A}:function:app-*`;
    const dev = addUser(a, "dev", [
      passRole(target.arn, "lambda.amazonaws.com"),
      allow(["lambda:CreateFunction", "lambda:InvokeFunction"], functions),
    ]);
    // WHEN its reach is asked THEN it reaches the role by a function it names app-…
    expect(techniquesTo(state, dev.arn, target.arn)).toEqual(["pass-role-lambda"]);
  });

  it("PassRole stays in its account: a caller of another account allowed everything passes none of A's roles", () => {
    // GIVEN a role of A that Lambda runs, and an administrator of B (iam:PassRole only passes a role of the caller's account)
    const { a, b, state } = accounts();
    const target = addRole(a, "runner", [serviceTrust("lambda.amazonaws.com")]);
    const admin = addUser(b, "admin", [allow("*", "*")]);
    // WHEN its reach is asked THEN A's role is not reached
    expect(techniquesTo(state, admin.arn, target.arn)).toBeUndefined();
  });
});

describe("changing IAM: rewriting a trust, making a user's credentials", () => {
  it("iam:UpdateAssumeRolePolicy on a role: the caller rewrites the trust to admit itself, then assumes it", () => {
    // GIVEN a role trusting only EC2, and a user allowed UpdateAssumeRolePolicy on it (the IAM API reference)
    const { a, state } = accounts();
    const target = addRole(a, "deployer", [ec2Trust], [allow("*", "*")]);
    const dev = addUser(a, "dev", [allow("iam:UpdateAssumeRolePolicy", target.arn)]);
    // WHEN its reach is asked THEN the role is reached by rewriting its trust
    expect(techniquesTo(state, dev.arn, target.arn)).toEqual(["update-assume-role-policy"]);
    // AND who may read anything as the role lists the user, through the role, by that technique
    const who = whoCan(new AccessGraph(state), { action: "s3:GetObject", resource: "arn:aws:s3:::any-bucket/key", resourceAccount: A });
    expect(who.principals.find((p) => p.principal === dev.arn)).toEqual(
      expect.objectContaining({ via: [target.arn], techniques: ["update-assume-role-policy"] }),
    );
  });

  it("the same is blocked by an SCP denying it, or by a permissions boundary that does not allow it", () => {
    // GIVEN the user of the previous case in an account whose SCP denies iam:UpdateAssumeRolePolicy
    const scp = accounts();
    const t1 = addRole(scp.a, "deployer", [ec2Trust]);
    const u1 = addUser(scp.a, "dev", [allow("iam:UpdateAssumeRolePolicy", t1.arn)]);
    underScp(scp.state, { Effect: "Deny", Action: "iam:UpdateAssumeRolePolicy", Resource: "*" });
    // AND one whose permissions boundary allows only S3
    const bounded = accounts();
    const t2 = addRole(bounded.a, "deployer", [ec2Trust]);
    const boundary = `arn:aws:iam::${A}:policy/s3-only`;
    bounded.a.managedPolicies.set(boundary, policyDocument([allow("s3:*", "*")]));
    const u2 = addUser(bounded.a, "dev", [allow("iam:UpdateAssumeRolePolicy", t2.arn)], { permissionsBoundaryArn: boundary });
    // WHEN each reach is asked THEN neither reaches the role
    expect(techniquesTo(scp.state, u1.arn, t1.arn)).toBeUndefined();
    expect(techniquesTo(bounded.state, u2.arn, t2.arn)).toBeUndefined();
  });

  it("after the rewrite a role's boundary still holds (a trust naming a role's ARN is limited by its boundary); a user's does not", () => {
    // GIVEN a role and a user, each allowed to rewrite the target's trust, each bounded to iam:UpdateAssumeRolePolicy alone
    const { a, state } = accounts();
    const target = addRole(a, "deployer", [ec2Trust]);
    const boundary = `arn:aws:iam::${A}:policy/rewrite-only`;
    a.managedPolicies.set(boundary, policyDocument([allow("iam:UpdateAssumeRolePolicy", "*")]));
    const role = addRole(a, "ops", [ec2Trust], [allow("iam:UpdateAssumeRolePolicy", target.arn)], { permissionsBoundaryArn: boundary });
    const user = addUser(a, "dev", [allow("iam:UpdateAssumeRolePolicy", target.arn)], { permissionsBoundaryArn: boundary });
    // WHEN each one's reach is asked
    // THEN the role cannot then assume it ("Resource-based policies that grant permissions to an IAM role ARN are
    // limited by an implicit deny in a permissions boundary"), and the user, named by its ARN, can
    expect(techniquesTo(state, role.arn, target.arn)).toBeUndefined();
    expect(techniquesTo(state, user.arn, target.arn)).toEqual(["update-assume-role-policy"]);
  });

  for (const [technique, action] of [
    ["create-access-key", "iam:CreateAccessKey"],
    ["create-login-profile", "iam:CreateLoginProfile"],
    ["update-login-profile", "iam:UpdateLoginProfile"],
  ] as const)
    it(`${action} on a user gives the caller that user's credentials (${technique})`, () => {
      // GIVEN a user with an administrator's policy, and a helpdesk user allowed the action on it
      const { a, state } = accounts();
      const target = addUser(a, "ops", [allow("*", "*")]);
      const helpdesk = addUser(a, "helpdesk", [allow(action, target.arn)]);
      // WHEN the helpdesk's reach is asked THEN it becomes the user by the technique
      expect(techniquesTo(state, helpdesk.arn, target.arn)).toEqual([technique]);
      // AND, with a condition it cannot meet (a tag it does not carry), it does not
      const guarded = accounts();
      const t = addUser(guarded.a, "ops", [allow("*", "*")]);
      const h = addUser(guarded.a, "helpdesk", [allow(action, t.arn, { Condition: { StringEquals: { "aws:PrincipalTag/team": "iam" } } })]);
      expect(techniquesTo(guarded.state, h.arn, t.arn)).toBeUndefined();
    });

  it("a role of AWS's own (service-linked, IAM Identity Center's) is changed by nobody", () => {
    // GIVEN an administrator, a service-linked role and a permission set's role of the account
    const { a, state } = accounts();
    const admin = addUser(a, "admin", [allow("*", "*")]);
    const linked = addRole(a, "AWSServiceRoleForECS", [serviceTrust("ecs.amazonaws.com")], [], {
      path: "/aws-service-role/ecs.amazonaws.com/",
    });
    const sso = addRole(a, "AWSReservedSSO_Admin_0123456789abcdef", [ec2Trust], [], { path: "/aws-reserved/sso.amazonaws.com/" });
    // WHEN its reach is asked THEN neither role is reached ("only modifiable by AWS")
    expect(techniquesTo(state, admin.arn, linked.arn)).toBeUndefined();
    expect(techniquesTo(state, admin.arn, sso.arn)).toBeUndefined();
  });
});

describe("granting oneself more: an administrator of its account reaches everyone in it", () => {
  /** Account A with a role and a user besides the caller. */
  const others = (a: AccountEntry) => ({
    role: addRole(a, "payments", [trusts(`arn:aws:iam::${A}:role/payments-app`)], [allow("dynamodb:*", "*")]).arn,
    user: addUser(a, "ops", [allow("s3:*", "*")]).arn,
  });

  it("iam:PutRolePolicy on its own role: it grants itself anything, then rewrites any trust or makes any user's keys", () => {
    // GIVEN a CI role allowed to put inline policies on itself
    const { a, state } = accounts();
    const ci = addRole(a, "ci", [ec2Trust], [allow("iam:PutRolePolicy", `arn:aws:iam::${A}:role/ci`)]);
    const { role, user } = others(a);
    // WHEN its reach is asked THEN it reaches the role and the user by escalating itself
    const graph = new AccessGraph(state);
    const reached = new Map(reach(graph, ci.arn).roles.map((r) => [r.role, r]));
    expect(reached.get(role)?.techniques).toEqual(["self-escalation"]);
    expect(reached.get(user)?.techniques).toEqual(["self-escalation"]);
    // AND the hop says how: the grant to itself, then the rewrite of the trust
    expect(reached.get(role)?.steps).toEqual([["iam:PutRolePolicy on itself", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]]);
  });

  it("iam:CreatePolicyVersion on a customer managed policy attached to it does the same", () => {
    // GIVEN a user with a customer managed policy allowing only a new version of itself
    const { a, state } = accounts();
    const own = `arn:aws:iam::${A}:policy/self-service`;
    a.managedPolicies.set(own, policyDocument([allow("iam:CreatePolicyVersion", own)]));
    const dev = addUser(a, "dev", [], { managedPolicyArns: [own] });
    const { role } = others(a);
    // WHEN its reach is asked THEN it reaches the role by escalating itself
    expect(techniquesTo(state, dev.arn, role)).toEqual(["self-escalation"]);
  });

  it("a permissions boundary holds what it grants itself: within one allowing only PutRolePolicy and S3, nobody is reached", () => {
    // GIVEN the CI role of the first case, bounded to iam:PutRolePolicy and S3
    const { a, state } = accounts();
    const boundary = `arn:aws:iam::${A}:policy/ci-boundary`;
    a.managedPolicies.set(boundary, policyDocument([allow(["iam:PutRolePolicy", "s3:*"], "*")]));
    const ci = addRole(a, "ci", [ec2Trust], [allow("iam:PutRolePolicy", `arn:aws:iam::${A}:role/ci`)], {
      permissionsBoundaryArn: boundary,
    });
    const { role, user } = others(a);
    // WHEN its reach is asked THEN neither is reached: the boundary denies the IAM calls that follow
    expect(techniquesTo(state, ci.arn, role)).toBeUndefined();
    expect(techniquesTo(state, ci.arn, user)).toBeUndefined();
  });

  it("stays in its account: an administrator of B reaches nothing of A's by changing IAM", () => {
    // GIVEN an administrator of B and a role of A that trusts only EC2
    const { a, b, state } = accounts();
    const admin = addUser(b, "admin", [allow("*", "*")]);
    const target = addRole(a, "deployer", [ec2Trust]);
    // WHEN its reach is asked THEN A's role is not reached (IAM's API changes only the caller's own account)
    expect(techniquesTo(state, admin.arn, target.arn)).toBeUndefined();
    expect(B).not.toBe(A);
  });
});

describe("the sandbox carries out the IAM-change edges with the real SDK, exactly where the graph has them", () => {
  it("a user allowed iam:UpdateAssumeRolePolicy rewrites the trust and assumes the role; one without it is refused", async () => {
    // GIVEN a role trusting only EC2, a user allowed to rewrite its trust, another allowed only to read S3
    const { a, state } = accounts();
    const target = addRole(a, "deployer", [ec2Trust], [allow("s3:*", "*")]);
    const dev = addUser(a, "dev", [allow("iam:UpdateAssumeRolePolicy", target.arn)]);
    const reader = addUser(a, "reader", [allow("s3:GetObject", "*")]);
    const graph = new AccessGraph(state);
    const hasEdge = (from: string) => graph.incomingOf(target.arn).some((e) => e.from === from);
    const s = await newSandbox({ state });

    // WHEN each rewrites the trust to admit itself, then assumes the role, through the SDK
    const attempt = async (user: string) => {
      const keys = userKeys(s, user);
      try {
        await iam(s, keys).send(new UpdateAssumeRolePolicyCommand({ RoleName: "deployer", PolicyDocument: trusting(user) }));
        await assume(s, keys, target.arn);
        return "assumed";
      } catch (error) {
        return (error as { name?: string }).name;
      }
    };

    // THEN the one the graph gives an edge does it, and the other is refused at the rewrite
    expect(hasEdge(dev.arn)).toBe(true);
    expect(await attempt(dev.arn)).toBe("assumed");
    expect(hasEdge(reader.arn)).toBe(false);
    expect(await attempt(reader.arn)).toBe("AccessDenied");
  });
});

describe("the CLI: techniques on each hop, --edges assume for assumption only", () => {
  const inventory = join(import.meta.dirname, "inventories", "escalation");
  const ask = ["who-can", "--inventory", inventory, "--action", "s3:PutObject", "--resource", "arn:aws:s3:::prod-artifacts/app.zip"];
  const where = ["--resource-account", "222222222222"];

  it("who-can names the CI role and the helpdesk user, each hop with its technique, in text and JSON", () => {
    // GIVEN test/inventories/escalation: ci may pass release to Lambda; helpdesk may rewrite release's trust
    // WHEN who-can is asked for prod's artifacts bucket
    const text = xacct([...ask, ...where]);
    const json = xacct([...ask, ...where, "--json"]);
    // THEN each is listed through release, the hop into it labelled with how
    expect(text.stdout).toContain(
      "arn:aws:iam::111111111111:role/ci via arn:aws:iam::111111111111:role/release [pass-role-lambda] -> arn:aws:iam::222222222222:role/prod-deploy",
    );
    const principals = (JSON.parse(json.stdout) as { principals: { principal: string; techniques: string[]; steps: string[][] }[] })
      .principals;
    expect(principals.find((p) => p.principal === "arn:aws:iam::111111111111:user/helpdesk")).toMatchObject({
      techniques: ["update-assume-role-policy", "assume"],
      steps: [["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], ["sts:AssumeRole"]],
    });
  });

  it("--edges assume answers as trusts alone do: neither is listed; a bad value is refused in one line", () => {
    const assumed = xacct([...ask, ...where, "--edges", "assume"]);
    expect(assumed.stdout).not.toContain("role/ci");
    expect(assumed.stdout).not.toContain("user/helpdesk");
    const bad = xacct([...ask, ...where, "--edges", "some"]);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: 'xacct: --edges takes all or assume, got "some"\n' });
  });
});
