/**
 * Escalation edges (issue 15): each way AWS documents for a principal to come to act as a role or
 * user of its own account besides a trust admitting it, on hand-written inventories, with and
 * without what blocks it (an SCP, a permissions boundary, a condition, what the target must have).
 * What each technique needs is written here from AWS's pages, not read from xacct's table.
 */
import { join } from "node:path";
import { PutUserPolicyCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { AccessGraph } from "../src/graph/graph.js";
import { reach, whoCan } from "../src/graph/query.js";
import { type AccountEntry, type AccountState, policyDocument, type PolicyStatement } from "../src/state/account-state.js";
import { A, accounts, addGroup, addRole, addUser, allow, B, ec2Trust, mayAssume, runs, trusts, underScp } from "./support/accounts.js";
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

describe("taking over what already runs as a role: its Lambda function's code, its instance by Systems Manager", () => {
  const fn = `arn:aws:lambda:us-east-1:${A}:function:nightly-export`;
  const other = `arn:aws:lambda:us-east-1:${A}:function:hello`;
  const instance = `arn:aws:ec2:us-east-1:${A}:instance/i-0123456789abcdef0`;
  /** The path into `target` of the caller's reach: its techniques and what it holds only if. */
  const pathTo = (state: AccountState, caller: string, target: string) => {
    const r = reach(new AccessGraph(state), caller).roles.find((x) => x.role === target);
    return r && { techniques: r.techniques, steps: r.steps, holdsIf: r.holdsIf };
  };

  it("lambda:UpdateFunctionCode on a function running as the role: its next invocation runs the caller's code as the role", () => {
    // GIVEN a role Lambda runs nightly-export as (compute.json lists it), and a developer allowed to update that function's code
    const { a, state } = accounts();
    const target = addRole(a, "exporter", [serviceTrust("lambda.amazonaws.com")], [allow("s3:*", "*")]);
    runs(a, [[fn, target.arn]]);
    const dev = addUser(a, "dev", [allow("lambda:UpdateFunctionCode", fn)]);
    // AND one allowed to update only another function, which runs as no role it could want
    const bystander = addUser(a, "bystander", [allow("lambda:UpdateFunctionCode", other)]);
    // WHEN each one's reach is asked
    // THEN the developer becomes the role by the function it may change, unconditionally (the inventory says what runs)
    expect(pathTo(state, dev.arn, target.arn)).toEqual({
      techniques: ["update-function-code"],
      steps: [[`lambda:UpdateFunctionCode on ${fn}`]],
      holdsIf: undefined,
    });
    expect(pathTo(state, bystander.arn, target.arn)).toBeUndefined();
    // AND an SCP denying lambda:UpdateFunctionCode leaves no edge
    underScp(state, { Effect: "Deny", Action: "lambda:UpdateFunctionCode", Resource: "*" });
    expect(pathTo(state, dev.arn, target.arn)).toBeUndefined();
  });

  it("where the inventory does not say what runs (no compute.json), the edge is kept and holds only if a function runs as the role", () => {
    // GIVEN the developer allowed to update any function, in an account whose inventory lists no functions
    const { a, state } = accounts();
    const target = addRole(a, "exporter", [serviceTrust("lambda.amazonaws.com")]);
    const dev = addUser(a, "dev", [allow("lambda:UpdateFunctionCode", `arn:aws:lambda:*:${A}:function:*`)]);
    // WHEN its reach is asked THEN the role is reached, saying what it rests on
    const path = pathTo(state, dev.arn, target.arn);
    expect(path?.techniques).toEqual(["update-function-code"]);
    expect(path?.holdsIf).toEqual([expect.stringContaining(`a Lambda function runs as ${target.arn}`)]);
    // AND where compute.json lists no function running as it, there is no edge at all
    runs(a, [[other, `arn:aws:iam::${A}:role/someone-else`]]);
    expect(pathTo(state, dev.arn, target.arn)).toBeUndefined();
  });

  it("ssm:SendCommand on an instance with the role's profile (and on AWS-RunShellScript) runs commands as the role", () => {
    // GIVEN an instance running with the role's instance profile, and an operator allowed SendCommand on it and on the document
    const { a, state } = accounts();
    const target = addRole(a, "app-server", [ec2Trust], [allow("secretsmanager:GetSecretValue", "*")], { instanceProfile: true });
    runs(a, [], [[instance, target.arn]]);
    const document = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript";
    const ops = addUser(a, "ops", [allow("ssm:SendCommand", [instance, document])]);
    // AND one allowed SendCommand on the instance only (Run Command authorizes the document too)
    const half = addUser(a, "half", [allow("ssm:SendCommand", instance)]);
    // WHEN each one's reach is asked THEN the operator becomes the role, the other does not
    expect(pathTo(state, ops.arn, target.arn)?.techniques).toEqual(["ssm-send-command"]);
    expect(pathTo(state, half.arn, target.arn)).toBeUndefined();
  });

  it("ssm:StartSession on the instance (and SSM-SessionManagerRunShell) opens a shell as the role; a boundary without it stops it", () => {
    // GIVEN an instance with the role's profile and an engineer allowed to start sessions on the account's instances
    const { a, state } = accounts();
    const target = addRole(a, "app-server", [ec2Trust], [], { instanceProfile: true });
    runs(a, [], [[instance, target.arn]]);
    const sessions = ["arn:aws:ec2:*:*:instance/*", `arn:aws:ssm:*:${A}:document/SSM-SessionManagerRunShell`];
    const engineer = addUser(a, "engineer", [allow("ssm:StartSession", sessions)]);
    const boundary = `arn:aws:iam::${A}:policy/read-only`;
    a.managedPolicies.set(boundary, policyDocument([allow("ec2:Describe*", "*")]));
    const bounded = addUser(a, "bounded", [allow("ssm:StartSession", sessions)], { permissionsBoundaryArn: boundary });
    // WHEN each one's reach is asked THEN the engineer reaches the role by a session; the bounded one does not
    expect(pathTo(state, engineer.arn, target.arn)?.techniques).toEqual(["ssm-start-session"]);
    expect(pathTo(state, bounded.arn, target.arn)).toBeUndefined();
  });
});

describe("iam:AddUserToGroup: a user joins a group and acts with the group's policies", () => {
  it("joining a group allowed sts:AssumeRole on a role, of its account or another, makes an edge to it", () => {
    // GIVEN a group "deployers" of A allowed to assume A's release role and B's prod role, both trusting A's account
    const { a, b, state } = accounts();
    const release = addRole(a, "release", [trusts(`arn:aws:iam::${A}:root`)]);
    const prod = addRole(b, "prod", [trusts(`arn:aws:iam::${A}:root`)]);
    const group = addGroup(a, "deployers", [mayAssume(release.arn, prod.arn)]);
    // AND a helpdesk user allowed to add users to that group, but not itself allowed to assume anything
    const helpdesk = addUser(a, "helpdesk", [allow("iam:AddUserToGroup", group.arn)]);
    // WHEN its reach is asked
    const graph = new AccessGraph(state);
    const reached = new Map(reach(graph, helpdesk.arn).roles.map((r) => [r.role, r]));
    // THEN it reaches both roles by joining the group (the IAM API reference: AddUserToGroup adds the user to the group)
    expect(reached.get(release.arn)?.techniques).toEqual(["add-user-to-group"]);
    expect(reached.get(prod.arn)?.steps).toEqual([[`iam:AddUserToGroup on ${group.arn}`, "sts:AssumeRole"]]);
    // AND with assumption alone, neither
    expect(reach(new AccessGraph(state, {}, { edges: "assume" }), helpdesk.arn).roles).toEqual([]);
  });

  it("none when an SCP denies iam:AddUserToGroup, when the user is already in the group, or for a role (only users join groups)", () => {
    // GIVEN the group of the previous case and three callers allowed iam:AddUserToGroup on it
    const setup = () => {
      const { a, state } = accounts();
      const release = addRole(a, "release", [trusts(`arn:aws:iam::${A}:root`)]);
      const group = addGroup(a, "deployers", [mayAssume(release.arn)]);
      return { a, state, release, group };
    };
    const scp = setup();
    const u1 = addUser(scp.a, "helpdesk", [allow("iam:AddUserToGroup", scp.group.arn)]);
    underScp(scp.state, { Effect: "Deny", Action: "iam:AddUserToGroup", Resource: "*" });
    const member = setup();
    const u2 = addUser(member.a, "helpdesk", [allow("iam:AddUserToGroup", member.group.arn)], { groups: ["deployers"] });
    const role = setup();
    const r3 = addRole(role.a, "ops", [ec2Trust], [allow("iam:AddUserToGroup", role.group.arn)]);
    // WHEN each reach is asked THEN none reaches the release role by joining (the member assumes it as before)
    expect(techniquesTo(scp.state, u1.arn, scp.release.arn)).toBeUndefined();
    expect(techniquesTo(member.state, u2.arn, member.release.arn)).toEqual(["assume"]);
    expect(techniquesTo(role.state, r3.arn, role.release.arn)).toBeUndefined();
  });
});

describe("web identity and SAML trusts that pin no subject: edges marked as holding for any subject", () => {
  const issuer = "token.actions.githubusercontent.com";
  const provider = `arn:aws:iam::${A}:oidc-provider/${issuer}`;
  const federated = (condition: Record<string, string>): PolicyStatement => ({
    Effect: "Allow",
    Principal: { Federated: provider },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: condition },
  });

  it("a trust with only :aud admits every identity of the issuer: the edge says so; one pinning :sub does not", () => {
    // GIVEN a role whose trust checks only the audience, and one that pins the subject too (AWS's GitHub OIDC guidance)
    const { a, state } = accounts();
    a.oidcProviders.set(provider, { arn: provider, issuer, clientIds: ["sts.amazonaws.com"] });
    const open = addRole(a, "open", [federated({ [`${issuer}:aud`]: "sts.amazonaws.com" })]);
    const pinned = addRole(a, "pinned", [
      federated({ [`${issuer}:aud`]: "sts.amazonaws.com", [`${issuer}:sub`]: "repo:acme/app:ref:refs/heads/main" }),
    ]);
    // WHEN the provider's reach is asked
    const roles = new Map(reach(new AccessGraph(state), provider).roles.map((r) => [r.role, r]));
    // THEN the open role's hop holds for any subject, said on the path; the pinned one's requires its sub instead
    expect(roles.get(open.arn)?.holdsIf).toEqual([expect.stringContaining(`the trust pins no ${issuer}:sub`)]);
    expect(roles.get(pinned.arn)?.holdsIf).toBeUndefined();
    expect(roles.get(pinned.arn)?.requires).toEqual({ [`${issuer}:sub`]: "repo:acme/app:ref:refs/heads/main" });
    // AND asked for one subject, the open trust admits it with nothing left to hold
    const asked = reach(new AccessGraph(state), provider, { [`${issuer}:sub`]: "repo:evil/fork:ref:refs/heads/main" });
    expect(asked.roles.find((r) => r.role === open.arn)).toMatchObject({ via: [open.arn] });
    expect(asked.roles.find((r) => r.role === open.arn)?.holdsIf).toBeUndefined();
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

describe("the sandbox carries out self-escalation with the real SDK, exactly where the graph has it", () => {
  it("a user allowed iam:PutUserPolicy on itself grants itself the rewrite, rewrites the trust and assumes the role; a bystander cannot", async () => {
    // GIVEN a role trusting only EC2, a user allowed to put inline policies on itself only, and one allowed only to read S3
    const { a, state } = accounts();
    const target = addRole(a, "deployer", [ec2Trust], [allow("s3:*", "*")]);
    const dev = addUser(a, "dev", [allow("iam:PutUserPolicy", `arn:aws:iam::${A}:user/dev`)]);
    const reader = addUser(a, "reader", [allow("s3:GetObject", "*")]);
    const graph = new AccessGraph(state);
    const edgeFrom = (from: string) => graph.incomingOf(target.arn).find((e) => e.from === from);
    const s = await newSandbox({ state });
    const everything = JSON.stringify({ Version: "2012-10-17", Statement: [allow("*", "*")] });

    // WHEN each puts an allow-everything policy on itself, rewrites the trust to admit itself, then assumes the role
    const attempt = async (user: string, name: string) => {
      const keys = userKeys(s, user);
      try {
        await iam(s, keys).send(new PutUserPolicyCommand({ UserName: name, PolicyName: "mine", PolicyDocument: everything }));
        await iam(s, keys).send(new UpdateAssumeRolePolicyCommand({ RoleName: "deployer", PolicyDocument: trusting(user) }));
        await assume(s, keys, target.arn);
        return "assumed";
      } catch (error) {
        return (error as { name?: string }).name;
      }
    };

    // THEN the graph's self-escalation edge is carried out for real, and the bystander is refused at the first call
    expect(edgeFrom(dev.arn)?.technique).toBe("self-escalation");
    expect(await attempt(dev.arn, "dev")).toBe("assumed");
    expect(edgeFrom(reader.arn)).toBeUndefined();
    expect(await attempt(reader.arn, "reader")).toBe("AccessDenied");
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
