/**
 * The three ways a grant crosses to its resources, one function each. Each returns what each side
 * gets — as aws-cdk's Grant holds the statements added to the principal and those added to the
 * resource — and the assume-role hops between; the compiler writes them into AccountState.
 *
 * - `viaResourcePolicy` (`via: resource-policy`): the workload's own identity acts, allowed by its
 *   identity policy and by the resource's policy naming it.
 * - `viaOwnIdentity` (`via: role` in the workload's own account): the workload's identity acts,
 *   allowed by its identity policy (and by KMS key policies, which must allow even their own
 *   account's principals).
 * - `viaAssumedRoles` (`via: chain`, and `via: role` across accounts): each role of the chain
 *   trusts its caller, each caller may assume the next role, and the last role holds the access.
 */
import { CHAIN_LIMIT_SECONDS, DEFAULT_ROLE_SESSION_SECONDS, MAX_SESSION_DURATION } from "../aws/limits.js";
import { roleArn } from "../aws/arn.js";
import { sessionNameFor } from "../model/names.js";
import { type Place, recipeFor } from "../services/index.js";
import type { AccountEntry, PolicyStatement } from "../state/account-state.js";
import { principalConditionOf, principalOf } from "./identities.js";
import { arnOf, kindStatements, type ServiceAccess } from "./permissions.js";
import type { Hop, ManualStep, StartIdentity } from "./plan.js";

/** One grant instance, resolved: who acts from where, on what, with which identity statements. */
export interface GrantContext {
  workload: string;
  from: AccountEntry;
  to: AccountEntry;
  start: StartIdentity;
  /** The ARN the workload acts as before any hop. */
  principal: string;
  access: ServiceAccess;
  place: Place;
  /** The statements the acting identity needs: the service's recipe and the grant's own. */
  statements: PolicyStatement[];
  /** The name of the identity policy holding them on the workload's own identity. */
  policyName: string;
}

/** Statements for an identity policy of one principal. */
export interface PrincipalStatements {
  account: AccountEntry;
  principal: string;
  policyName: string;
  statements: PolicyStatement[];
  /** Set where xacct may not write this identity's policies: the step its administrators take instead. */
  manual?: ManualStep;
}

/** A role's resource side: the role (created if missing) and the trust statement naming its caller. */
export interface RoleTrust {
  account: AccountEntry;
  name: string;
  maxSessionDuration: number;
  statement: PolicyStatement;
  /** Managed policies (ARNs) the grant attaches to the role. */
  managedPolicyArns?: readonly string[];
}

/** One statement for the resource-based policy held by `arn`, naming the acting principal. */
export interface ResourceStatement {
  account: AccountEntry;
  arn: string;
  service: string;
  statement: PolicyStatement;
  /** The model's kind and name of the resource holding the policy (a companion's, such as a secret's key, has none). */
  holder?: { kind: string; name: string };
  /** Set in an account the model does not manage: the step its administrators take (the statement is recorded too). */
  manual?: ManualStep;
}

/** What a grant gives each side, and the hops between them. */
export interface GrantSides {
  principal: PrincipalStatements[];
  resource: { trusts: RoleTrust[]; policies: ResourceStatement[] };
  hops: Hop[];
}

/** The workload's own identity acts; the resource's policy names it. */
export function viaResourcePolicy(g: GrantContext): GrantSides {
  return {
    principal: [ownIdentity(g)],
    resource: {
      trusts: [],
      policies: resourceStatements(g.access, g.place, g.to, { principal: g.principal, label: g.workload, condition: startCondition(g) }),
    },
    hops: [],
  };
}

/** Whole organizations or OUs, as a resource policy admits them: everyone, on a condition on the caller's organization. */
export interface Grantees {
  /** Names the statements' Sids and the steps (Org, OuAb12…). */
  label: string;
  condition: NonNullable<PolicyStatement["Condition"]>;
}

/**
 * The resource's policy admits every principal of an organization or OUs (`Principal: "*"` on a
 * condition on aws:PrincipalOrgID or aws:PrincipalOrgPaths, as AWS's examples do). Their own
 * accounts' administrators allow them the same actions in their identity policies.
 */
export function toOrganization(access: ServiceAccess, place: Place, to: AccountEntry, who: Grantees): ResourceStatement[] {
  return resourceStatements(access, place, to, { principal: "*", label: who.label, condition: who.condition });
}

/** The workload's own identity acts in its own account; only KMS key policies name it too. */
export function viaOwnIdentity(g: GrantContext): GrantSides {
  return {
    principal: [ownIdentity(g)],
    resource: { trusts: [], policies: keyPolicyStatements(g, g.principal, startCondition(g)) },
    hops: [],
  };
}

/** A role to assume: its account and name. */
export interface RoleStep {
  account: AccountEntry;
  name: string;
}

/** What the grant sets on the last role of a chain. */
export interface TargetRole {
  externalId: string | undefined;
  /** Trust only callers of the caller account's organization. */
  orgOnly: boolean;
  maxSessionDuration: number;
  sessionDuration: number;
  /** The name of the permission policy holding the access on the last role. */
  policyName: string;
  /** Managed policies (ARNs) attached to the last role. */
  managedPolicyArns?: readonly string[];
}

/** Each role of `steps` trusts its caller and each caller may assume it; the last role holds the access. */
export function viaAssumedRoles(g: GrantContext, steps: readonly RoleStep[], target: TargetRole, startsAsRole: boolean): GrantSides {
  const sides: GrantSides = { principal: [], resource: { trusts: [], policies: [] }, hops: [] };
  let caller = { principal: g.principal, start: g.start as StartIdentity | undefined, account: g.from, isRoleSession: startsAsRole };
  steps.forEach((step, j) => {
    const last = j === steps.length - 1;
    const externalId = last ? target.externalId : undefined;
    const arn = roleArn(step.account.partition, step.account.id, step.name);
    sides.resource.trusts.push({
      account: step.account,
      name: step.name,
      maxSessionDuration: last ? target.maxSessionDuration : MAX_SESSION_DURATION.default,
      ...(last && target.managedPolicyArns?.length ? { managedPolicyArns: target.managedPolicyArns } : {}),
      statement: trustStatement(caller.principal, g.workload, {
        // EKS Pod Identity tags the sessions it starts, so the role it reaches must allow sts:TagSession.
        tagSession: caller.start?.type === "pod-identity",
        externalId,
        orgId: target.orgOnly ? caller.account.organization?.id : undefined,
        principalCondition: caller.start ? principalConditionOf(caller.start, caller.account.partition) : undefined,
      }),
    });
    sides.principal.push(assumeStatements(caller, arn, j === 0 ? g.start : undefined));
    const duration = last ? target.sessionDuration : DEFAULT_ROLE_SESSION_SECONDS;
    sides.hops.push({
      roleArn: arn,
      account: step.account.id,
      ...(externalId ? { externalId } : {}),
      sessionName: sessionNameFor(g.workload),
      durationSeconds: caller.isRoleSession ? Math.min(duration, CHAIN_LIMIT_SECONDS) : duration,
      chained: caller.isRoleSession,
    });
    caller = { principal: arn, start: undefined, account: step.account, isRoleSession: true };
  });
  // A grant that only attaches managed policies has no statement of its own: no inline policy (IAM refuses an empty one).
  if (g.statements.length > 0)
    sides.principal.push({ account: g.to, principal: caller.principal, policyName: target.policyName, statements: g.statements });
  sides.resource.policies.push(...keyPolicyStatements(g, caller.principal));
  return sides;
}

/** The workload's identity policy with the grant's statements, or the step where xacct may not write it. */
function ownIdentity(g: GrantContext): PrincipalStatements {
  const side = { account: g.from, principal: g.principal, policyName: g.policyName, statements: g.statements };
  if (g.start.type === "sso") return { ...side, manual: permissionSetStep(g.start, g.from, g.statements) };
  if (g.from.managed && g.start.type !== "external") return side;
  return {
    ...side,
    manual: {
      account: g.from.id,
      title: `Grant ${principalOf(g.start, g.from.partition)} its side of the access`,
      detail: `Account ${g.from.name ?? g.from.id} is not managed by this model: its administrators must allow ${g.statements.flatMap((s) => s.Action ?? []).join(", ")} on ${[...new Set(g.statements.flatMap((s) => s.Resource ?? []))].join(", ")}.`,
    },
  };
}

/** The caller's side of an AssumeRole: its identity policy allows sts:AssumeRole on the role. */
function assumeStatements(
  caller: { account: AccountEntry; principal: string },
  target: string,
  start?: StartIdentity,
): PrincipalStatements {
  const statement: PolicyStatement = { Sid: "AssumeXacctRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: [target] };
  const side = { account: caller.account, principal: caller.principal, policyName: "xacct-assume-roles", statements: [statement] };
  if (start?.type === "sso") return { ...side, manual: permissionSetStep(start, caller.account, [statement]) };
  if (caller.account.managed) return side;
  return {
    ...side,
    manual: {
      account: caller.account.id,
      title: `Allow ${caller.principal} to assume ${target}`,
      detail: `Account ${caller.account.name ?? caller.account.id} is not managed by this model: its administrators must allow sts:AssumeRole on ${target} in the identity policy of ${caller.principal}.`,
    },
  };
}

/**
 * A permission set's role is AWS's: IAM Identity Center writes its policies from the permission
 * set, in the organization's management (or delegated administrator) account, so the identity side
 * is a step there, never a policy xacct writes on the role.
 */
function permissionSetStep(start: StartIdentity, account: AccountEntry, statements: PolicyStatement[]): ManualStep {
  const set = start.sso?.permissionSet ?? "";
  return {
    account: account.id,
    title: `Add ${statements.flatMap((s) => s.Action ?? []).join(", ")} to permission set ${set}`,
    detail: `The role AWSReservedSSO_${set}_… in account ${account.name ?? account.id} is created and kept by IAM Identity Center; xacct writes nothing for it. In IAM Identity Center, add this to the inline policy of permission set ${set} and reprovision it: ${JSON.stringify({ Version: "2012-10-17", Statement: statements })}`,
    permissionSet: { name: set, region: start.sso?.region ?? "us-east-1", statements },
  };
}

/** The condition of the workload's own principal (a permission set's aws:PrincipalArn patterns), if it has one. */
function startCondition(g: GrantContext): PolicyStatement["Condition"] | undefined {
  return principalConditionOf(g.start, g.from.partition);
}

/** A role's trust statement admitting the caller. */
function trustStatement(
  principal: string,
  workload: string,
  options: {
    externalId: string | undefined;
    orgId: string | undefined;
    tagSession: boolean;
    principalCondition?: PolicyStatement["Condition"] | undefined;
  },
): PolicyStatement {
  const condition: NonNullable<PolicyStatement["Condition"]> = { ...options.principalCondition };
  if (options.externalId) condition.StringEquals = { "sts:ExternalId": options.externalId };
  if (options.orgId) condition.StringEquals = { ...condition.StringEquals, "aws:PrincipalOrgID": options.orgId };
  return {
    Sid: `Trust${pascal(workload)}`,
    Effect: "Allow",
    Principal: { AWS: principal },
    Action: options.tagSession ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole",
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

/**
 * A KMS key's policy must allow its use even in the key's own account, so a grant that decrypts
 * with a key names the acting principal in the key policy too.
 */
function keyPolicyStatements(g: GrantContext, principal: string, condition?: PolicyStatement["Condition"]): ResourceStatement[] {
  return resourceStatements(g.access, g.place, g.to, { principal, label: g.workload, condition }, (service) => service === "kms");
}

/**
 * The resource's side: each statement goes into the resource-based policy of the resource that
 * covers its kind (the bucket's policy for objects), naming the caller; statements on kinds no
 * resource policy covers (`*`-only actions) stay on the identity side alone.
 */
function resourceStatements(
  access: ServiceAccess,
  place: Place,
  account: AccountEntry,
  who: { principal: string; label: string; condition?: PolicyStatement["Condition"] },
  only: (service: string) => boolean = () => true,
): ResourceStatement[] {
  const workload = who.label;
  return kindStatements(access, place).flatMap(({ service, kind, statement }) => {
    if (!only(service)) return [];
    const recipe = recipeFor(service);
    const holder = recipe?.policyHolders?.[kind];
    if (!recipe || !holder) return [];
    const names = Object.fromEntries(
      Object.entries(access.service === service ? access.resources : {}).map(([k, v]) => [k, typeof v === "string" ? v : (v[0] as string)]),
    );
    const arn = service === access.service ? arnOf(service, holder, names, place) : holderFromStatement(statement);
    const named: PolicyStatement = {
      Sid: `${statement.Sid ?? "Grant"}For${pascal(workload)}`,
      Effect: "Allow",
      Principal: { AWS: who.principal },
      Action: statement.Action,
      Resource: statement.Resource,
      ...(who.condition ? { Condition: who.condition } : {}),
    };
    const manual: ManualStep | undefined = account.managed
      ? undefined
      : {
          account: account.id,
          title: `Add ${workload}'s statement to the policy of ${arn}`,
          detail: `Account ${account.name ?? account.id} is not managed by this model: its administrators must add this statement to the resource-based policy of ${arn}: ${JSON.stringify(named)}`,
        };
    const name = service === access.service ? names[holder] : undefined;
    return [
      { account, arn, service, statement: named, ...(name ? { holder: { kind: holder, name } } : {}), ...(manual ? { manual } : {}) },
    ];
  });
}

/** A companion's statement (a KMS key for a secret) is held by the one resource it names. */
function holderFromStatement(statement: PolicyStatement): string {
  const resources = typeof statement.Resource === "string" ? [statement.Resource] : (statement.Resource ?? []);
  return resources[0] ?? "*";
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}
