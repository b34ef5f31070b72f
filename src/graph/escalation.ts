/**
 * Escalation edges: the ways, besides a trust policy admitting its `sts:AssumeRole*`, that a
 * principal comes to act as a role or user. Each technique is a few requests the caller must be
 * allowed, each decided by the engine as any request is (identity policies, boundary, SCPs, RCPs),
 * and what must hold of the target (a trust admitting the service the role is passed to). IAM and
 * the services act in the caller's own account (iam:PassRole passes only a role of that account),
 * so these edges stay inside one account, but for a user that adds itself to a group of its account
 * whose policies let it assume a role elsewhere. Only accounts whose policies the state holds
 * (managed ones) get them.
 *
 * Taking over what already runs as a role (lambda:UpdateFunctionCode on a function running as it,
 * ssm:SendCommand or ssm:StartSession on an instance with its profile) rests on the inventory's
 * compute.json; where an account has none, the edge holds only if something runs as the role, and
 * says so (`holdsIf`).
 */
import { isAwsProtectedRolePath } from "../policy/aws-rules.js";
import type { Outcome } from "../policy/evaluate.js";
import { globMatches, type Glob } from "../policy/wildcard.js";
import type { Policy } from "../policy/policy.js";
import {
  type AccountEntry,
  type AccountState,
  type GroupState,
  policyDocument,
  type RoleState,
  type UserState,
  userOf,
} from "../state/account-state.js";
import type { Decided, Question } from "./decide.js";
import type { GraphNode, GraphNodes } from "./nodes.js";
import { actionMatches, GrantIndex, type PolicyBook } from "./policies.js";

/** One request a technique needs: its action, on which resource, with which keys. */
export interface Step {
  action: string;
  resource: string;
  context?: Record<string, string>;
  /** The caller names this resource (a function it creates): any name its policies allow will do. */
  chosen?: true;
  /**
   * The resource's policy is a trust naming the caller, as the caller rewrote it: the request then
   * holds in its own account unless its boundary or session policy stops it (IAM's evaluation logic:
   * a resource-based policy naming a role's ARN is limited by an implicit deny in its boundary).
   */
  trustsCaller?: true;
}

export interface Technique {
  /** Its id, as hops and `--edges` name it. */
  id: string;
  target: "role" | "user";
  /** What the caller does, in words. */
  summary: string;
  /** The AWS documentation it rests on. */
  doc: string;
  /** The service principal whose code runs as the role: the role's trust must admit it. */
  service?: string;
  /** iam:PassedToService where the role is passed to another service than `service` (EMR, Data Pipeline). */
  passedTo?: string;
  /** EC2 runs a role only from an instance profile holding it. */
  instanceProfile?: true;
  /** What already runs as the role that the caller takes over (compute.json): a function or an instance. */
  runsOn?: "functions" | "instances";
  /** The requests the caller makes, in order; `on`: the function or instance taken over, when the inventory lists it. */
  steps(target: RoleState | UserState, account: AccountEntry, on?: string): Step[];
}

const IAM_API = "https://docs.aws.amazon.com/IAM/latest/APIReference/";
const SSM_API = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/";
const PASS_ROLE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html";

/** An ARN of a resource in the caller's account and region, of a service's resource type. */
function inAccount(account: AccountEntry, service: string, resource: string): string {
  return `arn:${account.partition}:${service}:${account.region ?? "us-east-1"}:${account.id}:${resource}`;
}

/** A technique passing the role to a service that then runs the caller's code or template as it. */
function passTo(
  id: string,
  service: string,
  summary: string,
  doc: string,
  actions: [string, string][],
  extra: Partial<Technique> = {},
): Technique {
  return {
    id,
    target: "role",
    service,
    summary,
    doc,
    ...extra,
    steps: (role, account) => [
      { action: "iam:PassRole", resource: role.arn, context: { "iam:PassedToService": extra.passedTo ?? service } },
      ...actions.map(([action, resource]) => ({
        action,
        resource: resource === "*" ? "*" : inAccount(account, action.slice(0, action.indexOf(":")), resource),
        chosen: true as const,
      })),
    ],
  };
}

/** A request on what runs as the role: the function or instance the inventory lists, else one the caller's policies let it name. */
function running(action: string, on: string | undefined, any: string): Step {
  return on ? { action, resource: on } : { action, resource: any, chosen: true };
}

/** A technique taking over an instance with the role's profile by Systems Manager: the action on the instance, then on its document. */
function onInstance(
  id: string,
  action: string,
  document: (account: AccountEntry, region: string) => string,
  summary: string,
  doc: string,
): Technique {
  return {
    id,
    target: "role",
    service: "ec2.amazonaws.com",
    instanceProfile: true,
    runsOn: "instances",
    summary,
    doc,
    steps: (_role, account, on) => [
      running(action, on, inAccount(account, "ec2", "instance/*")),
      { action, resource: document(account, regionOf(account, on)) },
    ],
  };
}

/** The region of an instance or function's ARN, else the account's. */
function regionOf(account: AccountEntry, arn: string | undefined): string {
  return arn?.split(":")[3] || (account.region ?? "us-east-1");
}

/** Every technique, in the order they are tried (the first that holds labels the edge). */
export const TECHNIQUES: readonly Technique[] = [
  {
    id: "update-assume-role-policy",
    target: "role",
    summary: "rewrites the role's trust policy to admit itself (iam:UpdateAssumeRolePolicy), then assumes it",
    doc: `${IAM_API}API_UpdateAssumeRolePolicy.html`,
    steps: (role) => [
      { action: "iam:UpdateAssumeRolePolicy", resource: role.arn },
      { action: "sts:AssumeRole", resource: role.arn, trustsCaller: true },
    ],
  },
  passTo(
    "pass-role-lambda",
    "lambda.amazonaws.com",
    "creates a Lambda function with the role as its execution role (iam:PassRole, lambda:CreateFunction) and invokes it",
    PASS_ROLE,
    [
      ["lambda:CreateFunction", "function:*"],
      ["lambda:InvokeFunction", "function:*"],
    ],
  ),
  passTo(
    "pass-role-ec2",
    "ec2.amazonaws.com",
    "runs an EC2 instance with the role's instance profile (iam:PassRole, ec2:RunInstances)",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html",
    [["ec2:RunInstances", "instance/*"]],
    { instanceProfile: true },
  ),
  passTo(
    "pass-role-ecs",
    "ecs-tasks.amazonaws.com",
    "registers an ECS task definition with the role as its task role and runs it (iam:PassRole, ecs:RegisterTaskDefinition, ecs:RunTask)",
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
    [
      ["ecs:RegisterTaskDefinition", "*"],
      ["ecs:RunTask", "task-definition/*"],
    ],
  ),
  passTo(
    "pass-role-glue",
    "glue.amazonaws.com",
    "creates a Glue job running as the role and starts it (iam:PassRole, glue:CreateJob, glue:StartJobRun)",
    "https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html",
    [
      ["glue:CreateJob", "job/*"],
      ["glue:StartJobRun", "job/*"],
    ],
  ),
  passTo(
    "pass-role-cloudformation",
    "cloudformation.amazonaws.com",
    "creates a CloudFormation stack with the role as its service role (iam:PassRole, cloudformation:CreateStack)",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
    [["cloudformation:CreateStack", "stack/*/*"]],
  ),
  passTo(
    "pass-role-codebuild",
    "codebuild.amazonaws.com",
    "creates a CodeBuild project with the role as its service role and starts a build (iam:PassRole, codebuild:CreateProject, codebuild:StartBuild)",
    "https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html",
    [
      ["codebuild:CreateProject", "project/*"],
      ["codebuild:StartBuild", "project/*"],
    ],
  ),
  passTo(
    "pass-role-sagemaker",
    "sagemaker.amazonaws.com",
    "creates a SageMaker training job running its container as the role (iam:PassRole, sagemaker:CreateTrainingJob)",
    "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html",
    [["sagemaker:CreateTrainingJob", "training-job/*"]],
  ),
  passTo(
    "pass-role-step-functions",
    "states.amazonaws.com",
    "creates a Step Functions state machine with the role and starts it (iam:PassRole, states:CreateStateMachine, states:StartExecution)",
    "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html",
    [
      ["states:CreateStateMachine", "stateMachine:*"],
      ["states:StartExecution", "stateMachine:*"],
    ],
  ),
  // EMR and Data Pipeline run the caller's steps on EC2 instances, as the role of their instance profile.
  passTo(
    "pass-role-emr",
    "ec2.amazonaws.com",
    "runs an EMR cluster whose instances' profile holds the role, with its own steps (iam:PassRole, elasticmapreduce:RunJobFlow)",
    "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html",
    [["elasticmapreduce:RunJobFlow", "*"]],
    { instanceProfile: true },
  ),
  passTo(
    "pass-role-data-pipeline",
    "ec2.amazonaws.com",
    "creates and activates a Data Pipeline whose EC2 resource runs as the role (iam:PassRole, datapipeline:CreatePipeline, datapipeline:PutPipelineDefinition, datapipeline:ActivatePipeline)",
    "https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-iam-roles.html",
    [
      ["datapipeline:CreatePipeline", "*"],
      ["datapipeline:PutPipelineDefinition", "*"],
      ["datapipeline:ActivatePipeline", "*"],
    ],
    { instanceProfile: true, passedTo: "datapipeline.amazonaws.com" },
  ),
  {
    id: "update-function-code",
    target: "role",
    service: "lambda.amazonaws.com",
    runsOn: "functions",
    summary:
      "replaces the code of a Lambda function running as the role (lambda:UpdateFunctionCode): its next invocation runs the caller's code",
    doc: "https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html",
    steps: (_role, account, on) => [running("lambda:UpdateFunctionCode", on, inAccount(account, "lambda", "function:*"))],
  },
  onInstance(
    "ssm-send-command",
    "ssm:SendCommand",
    // An AWS-owned document: its ARN names no account.
    (account, region) => `arn:${account.partition}:ssm:${region}::document/AWS-RunShellScript`,
    "runs a shell command on an EC2 instance with the role's instance profile (ssm:SendCommand on the instance and AWS-RunShellScript)",
    `${SSM_API}API_SendCommand.html`,
  ),
  onInstance(
    "ssm-start-session",
    "ssm:StartSession",
    // The session document used when none is named: the account's own.
    (account, region) => `arn:${account.partition}:ssm:${region}:${account.id}:document/SSM-SessionManagerRunShell`,
    "opens a Session Manager shell on an EC2 instance with the role's instance profile (ssm:StartSession on the instance and SSM-SessionManagerRunShell)",
    `${SSM_API}API_StartSession.html`,
  ),
  {
    id: "create-access-key",
    target: "user",
    summary: "creates an access key for the user (iam:CreateAccessKey) and signs in with it",
    doc: `${IAM_API}API_CreateAccessKey.html`,
    steps: (user) => [{ action: "iam:CreateAccessKey", resource: user.arn }],
  },
  {
    id: "create-login-profile",
    target: "user",
    summary: "sets a console password for the user (iam:CreateLoginProfile) and signs in as it",
    doc: `${IAM_API}API_CreateLoginProfile.html`,
    steps: (user) => [{ action: "iam:CreateLoginProfile", resource: user.arn }],
  },
  {
    id: "update-login-profile",
    target: "user",
    summary: "changes the user's console password (iam:UpdateLoginProfile) and signs in as it",
    doc: `${IAM_API}API_UpdateLoginProfile.html`,
    steps: (user) => [{ action: "iam:UpdateLoginProfile", resource: user.arn }],
  },
];

/**
 * The requests by which a principal grants itself anything: a policy put on its own role or user
 * (iam:PutRolePolicy, iam:PutUserPolicy), AWS's AdministratorAccess attached to it
 * (iam:AttachRolePolicy, iam:AttachUserPolicy, with iam:PolicyARN naming it), or a new default
 * version of a customer managed policy attached to it (iam:CreatePolicyVersion sets it as default
 * without iam:SetDefaultPolicyVersion). Within its boundary and SCPs it may then use any technique
 * above on anyone of its account. (iam:AddUserToGroup gives a user only the group's own
 * permissions: see ADD_USER_TO_GROUP.)
 */
export function selfEscalationSteps(kind: "role" | "user", arn: string, account: AccountEntry, attached: readonly string[]): Step[] {
  const administrator = { "iam:PolicyARN": `arn:${account.partition}:iam::aws:policy/AdministratorAccess` };
  const [put, attach] = kind === "role" ? ["iam:PutRolePolicy", "iam:AttachRolePolicy"] : ["iam:PutUserPolicy", "iam:AttachUserPolicy"];
  const customer = attached.filter((p) => p.startsWith(`arn:${account.partition}:iam::${account.id}:policy/`));
  return [
    { action: put, resource: arn },
    { action: attach, resource: arn, context: administrator },
    ...customer.map((resource) => ({ action: "iam:CreatePolicyVersion", resource })),
  ];
}

/**
 * The services of the first request of every technique and of selfEscalationSteps: all an
 * account's grant index is asked about (it files nothing else, and fails loudly if asked).
 */
const FIRST_STEP_SERVICES: ReadonlySet<string> = new Set(["iam", "lambda", "ssm"]);

/** Every request selfEscalationSteps may name, for roles and users. */
const SELF_ESCALATION_ACTIONS = [
  "iam:PutRolePolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:AttachUserPolicy",
  "iam:CreatePolicyVersion",
];

/** The technique label of a self-escalation edge: what the caller grants itself with, then what it uses. */
export const SELF_ESCALATION = "self-escalation";

/**
 * The technique label of an edge by which a user adds itself to a group of its account
 * (iam:AddUserToGroup on the group) and, with the group's policies then its own, assumes the
 * target or uses a technique on it.
 */
export const ADD_USER_TO_GROUP = "add-user-to-group";
export const ADD_USER_TO_GROUP_DOC = `${IAM_API}API_AddUserToGroup.html`;

/** What the escalation edges need from the graph. */
export interface EscalationSources {
  state: AccountState;
  nodes: GraphNodes;
  book: PolicyBook;
  decide(caller: GraphNode, q: Question): Decided<Outcome>;
  /** A role's trust policy, compiled (for a user that may assume it once in a group). */
  trustOf(role: RoleState): Policy;
}

/** An escalation edge's technique and the requests it takes (in words, for the hop). */
export interface Escalated {
  technique: string;
  steps: string[];
  /** Attached policies of the caller whose documents are unknown, that the edge holds only if they allow. */
  unknown?: string[];
  /** What the edge holds only if, that the inventory cannot show (something running as the role). */
  holdsIf?: string;
}

/** A user that may add itself to a group, and itself with the group's policies. */
interface Joiner {
  node: GraphNode;
  group: GroupState;
  empowered: GraphNode;
  unknown?: string[];
}

/** One way to try a technique on a target: its requests, in words, and what it holds only if. */
interface Attempt {
  steps: Step[];
  words: string[];
  holdsIf?: string;
}

/** A principal that may grant itself anything: the request that does it, and itself so empowered. */
interface Admin {
  node: GraphNode;
  empowered: GraphNode;
  step: string;
  /** The steps of its edges, by the technique it then uses: one list shared by all of them. */
  steps: Map<Technique, string[]>;
  unknown?: string[];
}

/** The ways to try a technique on a target: once, or on each function or instance running as it (once, conditionally, where the inventory does not say). */
function attempts(technique: Technique, target: RoleState | UserState, account: AccountEntry): Attempt[] {
  if (!technique.runsOn) {
    const steps = technique.steps(target, account);
    return [{ steps, words: actionsOf(technique, steps) }];
  }
  const what = technique.runsOn === "functions" ? "a Lambda function" : "an EC2 instance";
  if (!account.running) {
    const steps = technique.steps(target, account);
    return [
      {
        steps,
        words: [`${(steps[0] as Step).action} on ${what} running as ${target.arn}`],
        holdsIf: `${what} runs as ${target.arn} (account ${account.id}'s inventory has no compute.json to say)`,
      },
    ];
  }
  return (account.running[technique.runsOn].get(target.arn) ?? []).map((on) => ({
    steps: technique.steps(target, account, on),
    words: [`${technique.steps(target, account, on)[0]?.action} on ${on}`],
  }));
}

function holdsIf(attempt: { holdsIf?: string }): { holdsIf?: string } {
  return attempt.holdsIf ? { holdsIf: attempt.holdsIf } : {};
}

/** A technique's requests, in words; the same for every target, so one list is shared by all its edges. */
const ACTIONS = new WeakMap<Technique, string[]>();
function actionsOf(technique: Technique, steps: readonly Step[]): string[] {
  let actions = ACTIONS.get(technique);
  if (!actions) ACTIONS.set(technique, (actions = steps.map((s) => s.action)));
  return actions;
}

/**
 * Decides the escalation edges into roles and users, per target, on first use; the principals of
 * an account that may grant themselves anything are found once per account.
 */
export class Escalations {
  private readonly admins = new Map<string, Admin[]>();
  private readonly trusts = new Map<string, Policy>();
  private readonly local = new Map<string, { grants: GrantIndex<string>; unknown: string[] }>();
  private joining: Joiner[] | undefined;

  constructor(private readonly from: EscalationSources) {}

  /**
   * The callers that can come to act as the target by a technique, each with the first technique
   * that holds; `admitted`: the callers its trust already admits (a service among them for a role
   * passed to it), whom no escalation edge duplicates.
   */
  into(target: RoleState | UserState, kind: "role" | "user", account: AccountEntry, admitted: ReadonlySet<string>): Map<string, Escalated> {
    const out = new Map<string, Escalated>();
    // Service-linked roles and IAM Identity Center's are changed only by AWS ("only modifiable by AWS").
    if (!account.managed || isAwsProtectedRolePath(target.path)) return out;
    const skip = (id: string) => id === target.arn || admitted.has(id) || out.has(id);
    const { grants, unknown } = this.localOf(account);
    for (const technique of this.applicable(target, kind, admitted)) {
      for (const attempt of attempts(technique, target, account)) {
        const first = attempt.steps[0] as Step;
        // Most accounts have nobody allowed the first request at all: known without looking at the target.
        const holders = grants.holdersOf(first.action);
        if (holders.size === 0 && unknown.length === 0) break;
        for (const id of [...(first.chosen ? holders : grants.candidates(first.action, first.resource)), ...unknown]) {
          const caller = this.from.nodes.byId.get(id);
          if (!caller || skip(id)) continue;
          const held = this.allows(caller, attempt.steps, account);
          if (held) out.set(id, { technique: technique.id, steps: attempt.words, ...held, ...holdsIf(attempt) });
        }
      }
    }
    for (const admin of this.adminsOf(account)) {
      if (skip(admin.node.id)) continue;
      // Allowed anything it grants itself, within its boundary and SCPs: the first technique that then holds.
      const technique = TECHNIQUES.find(
        (t) => t.target === kind && !t.service && this.allows(admin.empowered, t.steps(target, account), account) !== undefined,
      );
      if (technique) {
        let steps = admin.steps.get(technique);
        if (!steps) admin.steps.set(technique, (steps = [admin.step, ...actionsOf(technique, technique.steps(target, account))]));
        out.set(admin.node.id, { technique: SELF_ESCALATION, steps, ...(admin.unknown ? { unknown: admin.unknown } : {}) });
      }
    }
    for (const joiner of this.joiners()) {
      if (skip(joiner.node.id)) continue;
      const how = this.asMember(joiner, target, kind, account, admitted);
      if (how)
        out.set(joiner.node.id, {
          technique: ADD_USER_TO_GROUP,
          steps: [`iam:AddUserToGroup on ${joiner.group.arn}`, ...how.words],
          ...(joiner.unknown || how.unknown ? { unknown: [...(joiner.unknown ?? []), ...(how.unknown ?? [])] } : {}),
          ...holdsIf(how),
        });
    }
    return out;
  }

  /** The techniques that can apply to the target: of its kind, its trust admitting the service, EC2's with an instance profile. */
  private applicable(target: RoleState | UserState, kind: "role" | "user", admitted: ReadonlySet<string>): Technique[] {
    return TECHNIQUES.filter(
      (t) =>
        t.target === kind &&
        (!t.service || admitted.has(t.service)) &&
        (!t.instanceProfile || (target as RoleState).instanceProfile === true),
    );
  }

  /**
   * How a user, once a member of the group, comes to act as the target: assuming it (a role whose
   * trust admits the user or its account, in any account), or any technique in its own account.
   */
  private asMember(
    joiner: Joiner,
    target: RoleState | UserState,
    kind: "role" | "user",
    account: AccountEntry,
    admitted: ReadonlySet<string>,
  ): (Attempt & { unknown?: string[] }) | undefined {
    if (kind === "role") {
      const { result, unknown } = this.from.decide(joiner.empowered, {
        action: "sts:AssumeRole",
        resource: target.arn,
        account,
        policy: this.from.trustOf(target as RoleState),
        context: { "aws:ResourceAccount": account.id },
      });
      if (result.decision === "Allow" || unknown) return { steps: [], words: ["sts:AssumeRole"], ...(unknown ? { unknown } : {}) };
    }
    if (joiner.node.account !== account.id) return undefined;
    for (const technique of this.applicable(target, kind, admitted))
      for (const attempt of attempts(technique, target, account)) {
        const held = this.allows(joiner.empowered, attempt.steps, account);
        if (held) return { ...attempt, ...held };
      }
    return undefined;
  }

  /**
   * The users of managed accounts that may add themselves to a group of their account they are not
   * in, each with the group's policies added to its own; found once, from the organization's grant
   * index (few principals are allowed iam:AddUserToGroup at all).
   */
  private joiners(): Joiner[] {
    if (this.joining) return this.joining;
    const list: Joiner[] = [];
    const indexed = this.from.nodes.indexed();
    for (const id of [...indexed.grants.holdersOf("iam:AddUserToGroup"), ...indexed.unknown]) {
      const node = this.from.nodes.byId.get(id);
      const account = node?.account !== undefined ? this.from.state.accounts.get(node.account) : undefined;
      if (!node || node.kind !== "user" || !account?.managed) continue;
      const user = userOf(account, id);
      for (const group of account.groups.values()) {
        if (user?.groups?.includes(group.name)) continue;
        const held = this.allows(node, [{ action: "iam:AddUserToGroup", resource: group.arn }], account);
        if (!held) continue;
        const policies = this.from.book.identityPolicies(account, group);
        list.push({ node, group, empowered: { ...node, identityPolicies: [...node.identityPolicies, ...policies] }, ...held });
      }
    }
    return (this.joining = list);
  }

  /** Whether the caller is allowed every step (each on some resource it may choose); with the unknown policies it rests on. */
  private allows(caller: GraphNode, steps: readonly Step[], account: AccountEntry): { unknown?: string[] } | undefined {
    const unknown = new Set<string>();
    for (const step of steps) {
      let allowed = false;
      for (const resource of step.chosen ? chosenResources(caller, step, account) : [step.resource]) {
        const { result, unknown: rests } = this.from.decide(caller, {
          action: step.action,
          resource,
          account,
          policy: step.trustsCaller ? this.trustNaming(caller) : undefined,
          context: { "aws:ResourceAccount": account.id, ...step.context },
        });
        if (result.decision === "Allow" || rests) {
          for (const p of rests ?? []) unknown.add(p);
          allowed = true;
          if (!rests) break;
        }
      }
      if (!allowed) return undefined;
    }
    return unknown.size ? { unknown: [...unknown] } : {};
  }

  /**
   * The identity-side grants of an account's own roles and users, indexed (and those with policies
   * whose documents are unknown): escalation stays in the account, so a target's callers are looked
   * up among its account's principals only, never among every principal of the organization.
   */
  private localOf(account: AccountEntry): { grants: GrantIndex<string>; unknown: string[] } {
    let local = this.local.get(account.id);
    if (!local) {
      local = { grants: new GrantIndex<string>(this.from.book, FIRST_STEP_SERVICES), unknown: [] };
      for (const holder of [...account.roles.values(), ...account.users.values()]) {
        const node = this.from.nodes.byId.get(holder.arn);
        if (!node) continue;
        local.grants.add(node.id, node.identityPolicies);
        if (node.unknownPolicies?.length) local.unknown.push(node.id);
      }
      this.local.set(account.id, local);
    }
    return local;
  }

  /** A trust policy naming the caller (its role's ARN, or the user's), as a caller rewriting a trust writes it; one per caller. */
  private trustNaming(caller: GraphNode): Policy {
    let trust = this.trusts.get(caller.id);
    if (!trust) {
      const document = policyDocument([{ Effect: "Allow", Principal: { AWS: caller.id }, Action: "sts:AssumeRole" }]);
      trust = this.from.book.policy(document, "trust", `the trust ${caller.id} writes for itself`);
      this.trusts.set(caller.id, trust);
    }
    return trust;
  }

  /** The principals of a managed account that may grant themselves anything, with the request that does it. */
  private adminsOf(account: AccountEntry): Admin[] {
    let list = this.admins.get(account.id);
    if (list) return list;
    list = [];
    const { grants, unknown } = this.localOf(account);
    const unknownIds = new Set(unknown);
    // Those allowed none of the requests on any resource are passed over before their steps are made (most of an account).
    const holding = new Set(unknown);
    for (const action of SELF_ESCALATION_ACTIONS) for (const id of grants.holdersOf(action)) holding.add(id);
    const holders: [string, RoleState | UserState, "role" | "user"][] = [];
    for (const r of account.roles.values()) if (holding.has(r.arn)) holders.push([r.arn, r, "role"]);
    for (const u of account.users.values()) if (holding.has(u.arn)) holders.push([u.arn, u, "user"]);
    for (const [arn, holder, kind] of holders) {
      const node = this.from.nodes.byId.get(arn);
      if (!node) continue;
      for (const step of selfEscalationSteps(kind, arn, account, holder.managedPolicyArns)) {
        const known = !unknownIds.has(arn);
        if (known && (!grants.holdersOf(step.action).has(arn) || !grants.candidates(step.action, step.resource).has(arn))) continue;
        const held = this.allows(node, [step], account);
        if (!held) continue;
        // Made once per principal: the graph remembers what it works out about each node it is asked about.
        const empowered: GraphNode = { ...node, identityPolicies: [...node.identityPolicies, this.from.nodes.unknownStandIn] };
        list.push({
          node,
          empowered,
          step: `${step.action} on ${step.resource === arn ? "itself" : step.resource}`,
          steps: new Map(),
          ...held,
        });
        break;
      }
    }
    this.admins.set(account.id, list);
    return list;
  }
}

/**
 * Resources the caller may name in a request that creates one (a function, a job): the step's own
 * (its account's and region's, any name) and, for each pattern of the caller's Allow statements
 * for the action, a name that pattern matches, in the target's account and region.
 */
function chosenResources(caller: GraphNode, step: Step, account: AccountEntry): string[] {
  const out = [step.resource];
  const lowerAction = step.action.toLowerCase();
  for (const policy of caller.identityPolicies)
    for (const s of policy.statements) {
      if (s.effect !== "Allow" || s.resources === null || !actionMatches(s, lowerAction)) continue;
      for (const pattern of s.resources) {
        if (!("glob" in pattern)) continue;
        const named = instanceOf(pattern.glob, account);
        if (named && !out.includes(named)) out.push(named);
      }
    }
  return out;
}

/** A resource a pattern matches, with any account and region it leaves open filled in with the account's; undefined when none fits. */
function instanceOf(glob: Glob, account: AccountEntry): string | undefined {
  const text = glob.exact ?? [glob.first.text, ...glob.middle.map((m) => m.text), ...(glob.last ? [glob.last.text] : [])].join("x");
  const fields = text.split(":");
  if (fields.length < 6 || fields[0] !== "arn") return undefined;
  if (fields[3] === "x" || fields[3] === "") fields[3] = account.region ?? "us-east-1";
  if (fields[4] === "x") fields[4] = account.id;
  const named = fields.join(":").replaceAll("?", "x");
  return fields[4] === account.id && globMatches(glob, named) ? named : undefined;
}
