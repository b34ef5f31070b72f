/**
 * Compiles a model into AccountState — both sides of every grant, as aws-cdk's
 * Grant.addToPrincipalOrResource does across accounts — plus the run-time chains and the manual
 * steps the emitters need.
 */
import { CHAIN_LIMIT_SECONDS, DEFAULT_ROLE_SESSION_SECONDS, MAX_SESSION_DURATION } from "../aws/limits.js";
import { roleArn } from "../aws/arn.js";
import type { Model } from "../model/schema.js";
import { defaultProfileName, defaultTargetRoleName, grantPolicyName, sessionNameFor } from "../model/names.js";
import { ROLE_SESSION_IDENTITIES } from "../model/references.js";
import {
  type AccountEntry,
  type AccountState,
  emptyAccount,
  policyDocument,
  type PolicyDocument,
  type PolicyStatement,
} from "../state/account-state.js";
import { addIdentity, type ClusterInfo, principalOf } from "./identities.js";
import { arnOf, kindStatements, type ServiceAccess, statementsFor } from "./permissions.js";
import type { Chain, Hop, ManualStep, StartIdentity } from "./plan.js";
import { type Place, recipeFor } from "../services/index.js";
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
    }
  }
  const compiler = new Compiler(model, byKey);
  const chains = grantInstances(model).map((instance) => compiler.grant(instance));
  return { model, state, chains, manualSteps: compiler.manualSteps };
}

class Compiler {
  readonly manualSteps: ManualStep[] = [];
  private readonly starts = new Map<string, StartIdentity>();

  constructor(
    private readonly model: Model,
    private readonly accounts: Map<string, AccountEntry>,
  ) {}

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

  grant(instance: GrantInstance): Chain {
    const { grant, index, vars } = instance;
    const where = `grants[${index}]`;
    const workload = this.model.workloads[grant.workload];
    if (!workload) throw new Error(`no workload "${grant.workload}"`);
    const from = this.account(instance.from);
    const to = this.account(instance.to);
    const start = this.start(grant.workload, instance.from, vars);
    const place = { partition: to.partition, region: to.region ?? "us-east-1", account: to.id };
    const resources = Object.fromEntries(
      Object.entries(grant.resources).map(([k, v]) => [
        k,
        typeof v === "string"
          ? fillTemplate(v, vars, `${where}.resources.${k}`)
          : v.map((x) => fillTemplate(x, vars, `${where}.resources.${k}`)),
      ]),
    );
    const access: ServiceAccess = { service: grant.service, access: grant.access, resources };
    const statements = [...statementsFor(access, place), ...((grant.statements ?? []) as unknown as PolicyStatement[])];
    const via = grant.via ?? (grant.through?.length ? "chain" : "role");
    const principal = principalOf(start, from.partition);
    const startsAsRole = ROLE_SESSION_IDENTITIES.has(start.type) || (start.type === "external" && start.roleArn !== undefined);
    const policyName = grantPolicyName(grant.service, to.name ?? to.id);
    const hops: Hop[] = [];

    if (via === "resource-policy") {
      this.allowOnIdentity(start, from, policyName, statements);
      this.allowOnResource(access, place, to, principal, grant.workload);
    } else if (from.id === to.id && via === "role") {
      this.allowOnIdentity(start, from, policyName, statements);
      this.allowOnKeyPolicies(access, place, to, principal, grant.workload);
    } else {
      const steps = [
        ...(grant.through ?? []).map((hop, j) => ({
          account: this.account(accountFor(this.model, hop.account, vars.consumerStage, vars.stage)),
          name: fillTemplate(hop.role, vars, `${where}.through[${j}].role`),
        })),
        { account: to, name: fillTemplate(grant.role?.name ?? defaultTargetRoleName(grant.workload), vars, `${where}.role.name`) },
      ];
      let caller = { principal, start: start as StartIdentity | undefined, account: from, isRoleSession: startsAsRole };
      steps.forEach((step, j) => {
        const last = j === steps.length - 1;
        const externalId = last
          ? (grant.role?.externalId ?? (workload.identity.type === "external" ? workload.identity.externalId : undefined))
          : undefined;
        const arn = this.trustRole(step.account, step.name, caller.principal, {
          // EKS Pod Identity tags the sessions it starts, so the role it reaches must allow sts:TagSession.
          tagSession: caller.start?.type === "pod-identity",
          externalId,
          orgId: grant.role?.orgOnly ? caller.account.organization?.id : undefined,
          maxSessionDuration: last ? (grant.role?.maxSessionDuration ?? MAX_SESSION_DURATION.default) : MAX_SESSION_DURATION.default,
          workload: grant.workload,
        });
        this.allowAssume(caller, arn);
        const duration = last ? (grant.role?.sessionDuration ?? DEFAULT_ROLE_SESSION_SECONDS) : DEFAULT_ROLE_SESSION_SECONDS;
        hops.push({
          roleArn: arn,
          account: step.account.id,
          ...(externalId ? { externalId } : {}),
          sessionName: sessionNameFor(grant.workload),
          durationSeconds: caller.isRoleSession ? Math.min(duration, CHAIN_LIMIT_SECONDS) : duration,
          chained: caller.isRoleSession,
        });
        caller = { principal: arn, start: undefined, account: step.account, isRoleSession: true };
      });
      const target = to.roles.get(steps[steps.length - 1]!.name)!;
      target.policies.set(grant.service, mergePolicy(target.policies.get(grant.service), statements));
      this.allowOnKeyPolicies(access, place, to, target.arn, grant.workload);
    }

    if (grant.service === "secretsmanager" && resources["rds-instance"]) this.rdsIngress(resources, to, from, grant.workload);
    const recipe = recipeFor(grant.service);
    const profile = fillTemplate(
      grant.profile ?? workload.runtime?.profile ?? defaultProfileName(to.name ?? to.id, grant.service),
      vars,
      `${where}.profile`,
    );
    const lastHop = hops[hops.length - 1];
    return {
      grant: index,
      ...(vars.stage && vars.consumerStage ? { stage: { app: vars.stage, consumer: vars.consumerStage } } : {}),
      workload: grant.workload,
      accountName: to.name ?? to.id,
      account: to.id,
      region: place.region,
      service: grant.service,
      access: grant.access,
      resources,
      via,
      profile,
      start,
      hops,
      maxSessionSeconds: lastHop ? lastHop.durationSeconds : DEFAULT_ROLE_SESSION_SECONDS,
      summary: `${grant.workload} may ${grant.access.map((a) => recipe?.access[a]?.describe ?? a).join(", ")} (${recipe?.title ?? grant.service}) in ${to.name ?? to.id}${describeResources(resources)}${hops.length ? `, through ${hops.map((h) => h.roleArn).join(" then ")}` : via === "resource-policy" ? ", through the resource's own policy" : ""}`,
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

  /** Creates (or extends) a role whose trust admits the caller. Returns its ARN. */
  private trustRole(
    account: AccountEntry,
    name: string,
    principal: string,
    options: {
      externalId: string | undefined;
      orgId: string | undefined;
      maxSessionDuration: number;
      workload: string;
      tagSession: boolean;
    },
  ): string {
    const arn = roleArn(account.partition, account.id, name);
    const role = account.roles.get(name) ?? {
      name,
      path: "/",
      arn,
      description: `xacct: cross-account access role`,
      trustPolicy: policyDocument([]),
      policies: new Map(),
      managedPolicyArns: [],
      maxSessionDuration: options.maxSessionDuration,
      tags: new Map(),
    };
    role.maxSessionDuration = Math.max(role.maxSessionDuration, options.maxSessionDuration);
    account.roles.set(name, role);
    const condition: NonNullable<PolicyStatement["Condition"]> = {};
    if (options.externalId) condition.StringEquals = { "sts:ExternalId": options.externalId };
    if (options.orgId) condition.StringEquals = { ...condition.StringEquals, "aws:PrincipalOrgID": options.orgId };
    const statement: PolicyStatement = {
      Sid: `Trust${pascal(options.workload)}`,
      Effect: "Allow",
      Principal: { AWS: principal },
      Action: options.tagSession ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole",
      ...(Object.keys(condition).length ? { Condition: condition } : {}),
    };
    const same = role.trustPolicy.Statement.some((s) => JSON.stringify(s) === JSON.stringify(statement));
    if (!same) role.trustPolicy.Statement.push(statement);
    return arn;
  }

  /** The caller's side of an AssumeRole: its identity policy allows sts:AssumeRole on the role. */
  private allowAssume(caller: { start: StartIdentity | undefined; account: AccountEntry; principal: string }, target: string): void {
    const statement: PolicyStatement = { Sid: "AssumeXacctRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: [target] };
    if (!caller.account.managed) {
      this.manualSteps.push({
        account: caller.account.id,
        title: `Allow ${caller.principal} to assume ${target}`,
        detail: `Account ${caller.account.name ?? caller.account.id} is not managed by this model: its administrators must allow sts:AssumeRole on ${target} in the identity policy of ${caller.principal}.`,
      });
      return;
    }
    this.allowOnIdentityArn(caller.account, caller.principal, "xacct-assume-roles", [statement]);
  }

  private allowOnIdentity(start: StartIdentity, account: AccountEntry, policyName: string, statements: PolicyStatement[]): void {
    if (!account.managed || start.type === "external") {
      this.manualSteps.push({
        account: account.id,
        title: `Grant ${principalOf(start, account.partition)} its side of the access`,
        detail: `Account ${account.name ?? account.id} is not managed by this model: its administrators must allow ${statements.flatMap((s) => s.Action ?? []).join(", ")} on ${[...new Set(statements.flatMap((s) => s.Resource ?? []))].join(", ")}.`,
      });
      return;
    }
    this.allowOnIdentityArn(account, principalOf(start, account.partition), policyName, statements);
  }

  private allowOnIdentityArn(account: AccountEntry, arn: string, policyName: string, statements: PolicyStatement[]): void {
    const name = arn.slice(arn.lastIndexOf("/") + 1);
    const holder = arn.includes(":user/") ? account.users.get(name) : account.roles.get(name);
    if (!holder) throw new Error(`no identity ${arn} in account ${account.id}`);
    holder.policies.set(policyName, mergePolicy(holder.policies.get(policyName), statements));
  }

  /**
   * A KMS key's policy must allow its use even in the key's own account, so a grant that decrypts
   * with a key names the acting role in the key policy too.
   */
  private allowOnKeyPolicies(access: ServiceAccess, place: Place, account: AccountEntry, principal: string, workload: string): void {
    this.allowOnResource(access, place, account, principal, workload, (service) => service === "kms");
  }

  /**
   * The resource's side: each statement goes into the resource-based policy of the resource that
   * covers its kind (the bucket's policy for objects), naming the caller; statements on kinds no
   * resource policy covers (`*`-only actions) stay on the identity side alone.
   */
  private allowOnResource(
    access: ServiceAccess,
    place: Place,
    account: AccountEntry,
    principal: string,
    workload: string,
    only: (service: string) => boolean = () => true,
  ): void {
    for (const { service, kind, statement } of kindStatements(access, place)) {
      if (!only(service)) continue;
      const recipe = recipeFor(service);
      const holder = recipe?.policyHolders?.[kind];
      if (!recipe || !holder) continue;
      const names = Object.fromEntries(
        Object.entries(access.service === service ? access.resources : {}).map(([k, v]) => [
          k,
          typeof v === "string" ? v : (v[0] as string),
        ]),
      );
      const arn = service === access.service ? arnOf(service, holder, names, place) : holderFromStatement(statement);
      const existing = account.resourcePolicies.get(arn);
      const named: PolicyStatement = {
        Sid: `${statement.Sid ?? "Grant"}For${pascal(workload)}`,
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: statement.Action,
        Resource: statement.Resource,
      };
      if (!account.managed) {
        this.manualSteps.push({
          account: account.id,
          title: `Add ${workload}'s statement to the policy of ${arn}`,
          detail: `Account ${account.name ?? account.id} is not managed by this model: its administrators must add this statement to the resource-based policy of ${arn}: ${JSON.stringify(named)}`,
        });
      }
      account.resourcePolicies.set(arn, { arn, service, policy: mergePolicy(existing?.policy, [named]) });
    }
  }

  private rdsIngress(resources: Record<string, string | string[]>, to: AccountEntry, from: AccountEntry, workload: string): void {
    const port = String(resources["rds-port"] ?? "5432");
    this.manualSteps.push({
      account: to.id,
      title: `Open the RDS instance ${String(resources["rds-instance"])} to ${workload}`,
      detail: `In account ${to.name ?? to.id} (${to.region}), add an inbound rule to the security group attached to RDS instance ${String(resources["rds-instance"])}: TCP port ${port}, source the security group of ${workload}'s pods or nodes in account ${from.name ?? from.id} (reference it as ${from.id}/sg-…; security-group references across accounts need VPC peering or a Transit Gateway in the same region — otherwise use the source VPC's CIDR). Nothing else needs to be opened.`,
    });
  }
}

/** A companion's statement (a KMS key for a secret) is held by the one resource it names. */
function holderFromStatement(statement: PolicyStatement): string {
  const resources = typeof statement.Resource === "string" ? [statement.Resource] : (statement.Resource ?? []);
  return resources[0] ?? "*";
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

function describeResources(resources: Record<string, string | string[]>): string {
  const parts = Object.entries(resources).map(([k, v]) => `${k} ${typeof v === "string" ? v : v.join(", ")}`);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}
