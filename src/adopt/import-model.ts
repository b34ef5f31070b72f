/**
 * `xacct import`: the cross-account access an inventory holds, written as a model. Accounts (with
 * their organization and OU path), a workload for each principal that crosses into another
 * account (its role declared `existing`: the inventory's roles are already there), and a grant for
 * each cross-account edge of the access graph and each resource-policy statement that admits
 * another account — in the model's services and verbs where the statements are exactly what a
 * grant compiles to (src/adopt/verbs.ts), with the statements left over under `statements:`.
 *
 * Every entry says where it came from. What the model cannot express is said (a warning, and the
 * entry left out) rather than written wrong; the model written is then compiled and each role it
 * would create compared with the inventory's, so a difference is reported, never hidden.
 */
import { isAccountId, parseArn, parseIamArn } from "../aws/arn.js";
import { addAuditRoles, AUDIT_POLICY_NAME, DEFAULT_AUDIT_ROLE } from "../compile/audit.js";
import { SSO_ROLE_PATH } from "../compile/identities.js";
import { compile } from "../compile/compile.js";
import { loadModel, ModelError, ModelPathError } from "../model/load.js";
import {
  EKS_CLUSTER_NAME,
  EXTERNAL_ID,
  IAM_ROLE_NAME,
  MWAA_ENVIRONMENT_NAME,
  nameProblem,
  PERMISSION_SET_NAME,
  POLICY_TEXT,
} from "../model/names.js";
import { recipeServices } from "../services/index.js";
import type { AccountEntry, AccountState, PolicyDocument, PolicyStatement, RoleState } from "../state/account-state.js";
import { emptyAccount, organizationOf } from "../state/account-state.js";
import { AccessGraph, type GraphNode } from "../graph/graph.js";
import { findings } from "../graph/findings/index.js";
import { SEVERITIES } from "../graph/findings/types.js";
import { matchVerbs, sameStatements } from "./verbs.js";
import { modelDocument, type Commented } from "./model-document.js";

export interface ImportOptions {
  /** Only these account IDs' access is imported (the accounts granting it); every managed account when absent. */
  accounts?: readonly string[];
  /** The model's name. @default imported */
  name?: string;
}

export interface Imported {
  /** The model as YAML text, each entry commented with where it came from. */
  text: string;
  /** What the model could not express, or where what `build` would create differs from the inventory. */
  warnings: string[];
}

export class ImportError extends Error {}

/** A model name: letters, digits, '-', '_' and '.', not starting with a punctuation mark. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const WORKLOAD_TAG = "xacct:workload";

type Raw = Record<string, unknown>;
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A string made into a model name (kept when already one). */
function modelName(text: string, fallback: string): string {
  if (MODEL_NAME.test(text)) return text;
  const cleaned = text.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned || fallback;
}

/** Text from the inventory, as one line fit for a comment (the YAML library prefixes each line; this keeps each entry on one). */
function shown(text: string): string {
  return JSON.stringify(text);
}

/** `TrustFooBar` (the Sid xacct's build writes for workload foo-bar) back to a name whose Sid it is. */
function workloadOfSid(sid: string | undefined): string | undefined {
  const m = /^Trust([A-Z][A-Za-z0-9]*)$/.exec(sid ?? "");
  if (!m) return undefined;
  return (m[1] as string).replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

class Importer {
  readonly warnings: string[] = [];
  readonly graph: AccessGraph;
  private readonly selected: Set<string>;
  private readonly labels = new Map<string, string>();
  readonly accounts = new Map<string, Commented<Raw>>();
  readonly clusters = new Map<string, Commented<Raw>>();
  readonly workloads = new Map<string, Commented<Raw>>();
  readonly grants: Commented<Raw>[] = [];
  /** Workload name by principal id (role, user or outside principal ARN). */
  private readonly workloadOf = new Map<string, string | null>();
  /** Target roles the model creates, by ARN, with the inventory's role. */
  readonly targets = new Map<string, RoleState>();
  /** The model's `audit:`, where every imported account holds the audit role it generates. */
  audit: Commented<Raw> | undefined;
  /** The audit roles' ARNs and who the audit option lets assume them (a role's ARN, or `account:ID`). */
  private readonly auditEdges = new Set<string>();

  constructor(
    private readonly state: AccountState,
    options: ImportOptions,
  ) {
    const managed = [...state.accounts.values()].filter((a) => a.managed).map((a) => a.id);
    for (const id of options.accounts ?? []) {
      if (!isAccountId(id)) throw new ImportError(`--accounts: "${id}" is not a 12-digit account ID`);
      if (!state.accounts.get(id)?.managed) throw new ImportError(`--accounts: account ${id} is not in the inventory`);
    }
    this.selected = new Set(options.accounts?.length ? options.accounts : managed);
    this.graph = new AccessGraph(state, {}, { edges: "assume" });
    this.labelAccounts();
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /**
   * Leaves out the entry at a JSON path the model refused (a grant; a workload or cluster, with
   * every entry that names it), saying why; false if the path names no entry it can leave out.
   */
  drop(path: string, message: string): boolean {
    const grant = /^grants\[(\d+)\]/.exec(path);
    if (grant) {
      const [removed] = this.grants.splice(Number(grant[1]), 1);
      if (!removed) return false;
      this.warn(`${removed.comment}: the model refuses it (${path.replace(/^grants\[\d+\]\.?/, "") || "grant"}: ${message}): not imported`);
      return true;
    }
    const named = (section: string, names: Iterable<string>) =>
      [...names].filter((n) => path === `${section}.${n}` || path.startsWith(`${section}.${n}.`)).sort((a, b) => b.length - a.length)[0];
    const workload = named("workloads", this.workloads.keys());
    if (workload !== undefined) {
      this.warn(`${this.workloads.get(workload)?.comment ?? workload}: the model refuses it (${message}): not imported, nor its grants`);
      this.workloads.delete(workload);
      for (let i = this.grants.length - 1; i >= 0; i--) if (this.grants[i]?.value.workload === workload) this.grants.splice(i, 1);
      return true;
    }
    const cluster = named("clusters", this.clusters.keys());
    if (cluster !== undefined) {
      this.warn(`${this.clusters.get(cluster)?.comment ?? cluster}: the model refuses it (${message}): not imported, nor its workloads`);
      this.clusters.delete(cluster);
      for (const [name, w] of this.workloads)
        if ((w.value.identity as Raw | undefined)?.cluster === cluster)
          this.drop(`workloads.${name}`, `its cluster ${cluster} is not imported`);
      return true;
    }
    return false;
  }

  /**
   * Each account's model name: the label xacct's own policy names give it (`xacct-SERVICE-LABEL`,
   * the policy a grant writes on its caller) where they name one account alone, else its ID.
   */
  private labelAccounts(): void {
    const services = recipeServices();
    const seen = new Map<string, Set<string>>();
    for (const account of this.state.accounts.values())
      for (const holder of [...account.roles.values(), ...account.users.values()])
        for (const [policyName, doc] of holder.policies) {
          const service = services.find((s) => policyName.startsWith(`xacct-${s}-`));
          if (!service) continue;
          const label = policyName.slice(`xacct-${service}-`.length);
          for (const resource of doc.Statement.flatMap((s) => list(s.Resource))) {
            const owner = this.ownerOf(resource);
            if (owner) seen.set(label, (seen.get(label) ?? new Set()).add(owner));
          }
        }
    const used = new Set<string>();
    for (const [label, owners] of seen) {
      const [owner] = owners;
      if (owners.size === 1 && owner && MODEL_NAME.test(label) && !this.labels.has(owner) && !used.has(label)) {
        this.labels.set(owner, label);
        used.add(label);
      }
    }
  }

  /** The account a resource ARN belongs to: its account field, or the account holding its resource policy. */
  private ownerOf(arn: string): string | undefined {
    const parsed = parseArn(arn);
    if (parsed?.account) return parsed.account;
    for (const account of this.state.accounts.values())
      for (const p of account.resourcePolicies.keys()) if (arn === p || arn.startsWith(`${p}/`)) return account.id;
    return undefined;
  }

  label(id: string): string {
    return this.labels.get(id) ?? id;
  }

  /** The account's region: the one its resources' ARNs name most, else its OIDC providers', else us-east-1 (said). */
  private regionOf(account: AccountEntry | undefined, id: string): { region: string; known: boolean } {
    const counts = new Map<string, number>();
    const add = (region: string | undefined) => region && counts.set(region, (counts.get(region) ?? 0) + 1);
    for (const a of this.state.accounts.values())
      for (const holder of [...a.roles.values(), ...a.users.values()])
        for (const doc of holder.policies.values())
          for (const r of doc.Statement.flatMap((s) => list(s.Resource))) {
            const parsed = parseArn(r);
            if (parsed?.account === id && /^[a-z]{2}(-[a-z]+)+-\d$/.test(parsed.region)) add(parsed.region);
          }
    for (const arn of account?.resourcePolicies.keys() ?? []) add(parseArn(arn)?.region);
    for (const provider of account?.oidcProviders.values() ?? []) add(/^oidc\.eks\.([a-z0-9-]+)\.amazonaws/.exec(provider.issuer)?.[1]);
    const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    return best ? { region: best[0], known: true } : { region: "us-east-1", known: false };
  }

  /** The account's entry, added once: its ID, region, organization and OU path; external when not imported. */
  account(id: string): string {
    const label = this.label(id);
    if (this.accounts.has(label)) return label;
    const entry = this.state.accounts.get(id);
    const external = !entry?.managed || !this.selected.has(id);
    const { region, known } = this.regionOf(entry, id);
    const value: Raw = { id, region };
    const organization = organizationOf(this.state, id);
    const path = this.state.organization?.parents.get(id) ?? entry?.organization?.path;
    if (organization && /^o-[a-z0-9]{10,32}$/.test(organization)) {
      value.organization = organization;
      if (path?.length) value.ou = path;
    }
    if (external) value.external = true;
    const notes = [
      external
        ? `account ${id}: outside the imported accounts (named by a trust or resource policy)`
        : `account ${id}: ${id}/authorization-details.json`,
    ];
    if (!known) notes.push(`region unknown to the inventory: us-east-1 assumed, correct it`);
    this.accounts.set(label, { value, comment: notes.join("; ") });
    return label;
  }

  /** The workload a principal acts as (added once), or null where the model has no identity for it (said). */
  workload(node: GraphNode, requires: Record<string, string>, hint?: string): string | null {
    const known = this.workloadOf.get(node.id);
    if (known !== undefined) return known;
    const made = this.makeWorkload(node, requires, hint);
    this.workloadOf.set(node.id, made);
    return made;
  }

  /**
   * A workload name not yet taken: `base`, else `base` with other separators (analytics_api-client),
   * which xacct's build writes the same Sids for (TrustAnalyticsApiClient), else `base-2`, ….
   */
  private uniqueWorkload(base: string): string {
    const words = base.split(/[-_.]/);
    if (words.length > 1 && words.length <= 6)
      for (let combo = 0; combo < 3 ** (words.length - 1); combo++) {
        let candidate = words[0] as string;
        for (let i = 1, c = combo; i < words.length; i++, c = Math.floor(c / 3)) candidate += "-_."[c % 3] + (words[i] as string);
        if (!this.workloads.has(candidate) && MODEL_NAME.test(candidate)) return candidate;
      }
    let name = base;
    for (let i = 2; this.workloads.has(name); i++) name = `${base}-${i}`;
    return name;
  }

  /**
   * `hint`: the name xacct's build gave the workload, read from the Sid of the trust statement
   * admitting it (TrustVendorScanner → vendor-scanner), kept where nothing names it better.
   */
  private makeWorkload(node: GraphNode, requires: Record<string, string>, hint?: string): string | null {
    const accountId = node.account ?? "";
    const entry = this.state.accounts.get(accountId);
    const inside = entry?.managed === true && this.selected.has(accountId);
    const iam = parseIamArn(node.id);
    if (!inside) {
      const account = this.account(accountId);
      const identity: Raw = { type: "external" };
      if (iam?.kind === "role") identity.principal = node.id;
      const externalId = Object.entries(requires).find(([k]) => k.toLowerCase() === "sts:externalid")?.[1];
      if (externalId !== undefined) {
        if (nameProblem(EXTERNAL_ID, externalId)) {
          this.warn(`the external ID ${shown(externalId)} that ${node.id} must pass breaks the rule of an external ID: not imported`);
          return null;
        }
        identity.externalId = externalId;
      }
      const name = this.uniqueWorkload(
        hint && MODEL_NAME.test(hint) ? hint : modelName(iam?.kind === "role" ? iam.name : `${account}-principals`, "external"),
      );
      this.workloads.set(name, { value: { account, identity }, comment: `${node.id}: a principal outside the imported accounts` });
      return name;
    }
    const account = this.account(accountId);
    if (node.kind === "user" && iam) {
      const user = entry?.users.get(iam.name);
      const name = this.uniqueWorkload(modelName(user?.tags.get(WORKLOAD_TAG) ?? iam.name, "user"));
      this.workloads.set(name, {
        value: { account, identity: { type: "iam-user", user: iam.name } },
        comment: `${node.id}: IAM user`,
      });
      return name;
    }
    const role = node.role;
    if (node.kind !== "role" || !role) {
      this.warn(`${node.id} (${node.kind}) crosses accounts, and the model has no workload identity for it: not imported`);
      return null;
    }
    const problem = nameProblem(IAM_ROLE_NAME, role.name);
    if (problem) {
      this.warn(`role ${shown(role.arn)}: ${problem}: not imported`);
      return null;
    }
    const sso = this.permissionSet(role, account);
    if (sso) return sso;
    if (role.path !== "/") {
      this.warn(`role ${role.arn} has path ${shown(role.path)}; a model's roles are at /: not imported`);
      return null;
    }
    const identity = this.identityOf(role, account);
    if (!identity) return null;
    const tagged = role.tags.get(WORKLOAD_TAG);
    const name = this.uniqueWorkload(modelName(tagged && MODEL_NAME.test(tagged) ? tagged : role.name, "role"));
    this.workloads.set(name, {
      value: { account, identity: { ...identity.value, ...(name === role.name ? {} : { role: role.name }), existing: true } },
      comment: `${role.arn}: existing role, ${identity.comment}`,
    });
    return name;
  }

  /**
   * The workload of an IAM Identity Center permission set's role: AWSReservedSSO_<set>_<suffix>
   * under /aws-reserved/sso.amazonaws.com/, with the identity source's region as a path segment
   * unless it is us-east-1 (IAM Identity Center user guide, "Referencing permission sets"). The
   * access portal URL is not in any inventory: the workload says so, and `build` asks for it.
   */
  private permissionSet(role: RoleState, account: string): string | undefined {
    const path = new RegExp(`^${SSO_ROLE_PATH.replaceAll(".", "\\.")}(?:([a-z0-9-]+)/)?$`).exec(role.path);
    const set = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(role.name)?.[1];
    if (!path || set === undefined || nameProblem(PERMISSION_SET_NAME, set)) return undefined;
    const region = path[1] ?? "us-east-1";
    const accountRegion = this.accounts.get(account)?.value.region;
    const name = this.uniqueWorkload(modelName(set, "sso"));
    this.workloads.set(name, {
      value: { account, identity: { type: "sso", permissionSet: set, ...(region !== accountRegion ? { region } : {}) } },
      comment: `${role.arn}: IAM Identity Center permission set ${shown(set)}; add startUrl, the AWS access portal URL, before xacct build`,
    });
    return name;
  }

  /** The model identity a role's trust names (a service, an OIDC provider), or undefined (said). */
  private identityOf(role: RoleState, account: string): { value: Raw; comment: string } | undefined {
    const statements = role.trustPolicy.Statement.filter((s) => s.Effect === "Allow");
    for (const [i, s] of statements.entries()) {
      const where = `trust statement ${s.Sid ? shown(s.Sid) : `#${i}`}`;
      const principal = typeof s.Principal === "object" ? s.Principal : {};
      for (const provider of list(principal.Federated)) {
        const parsed = parseIamArn(provider);
        if (parsed?.kind !== "oidc-provider") continue;
        const issuer = parsed.name;
        const condition = s.Condition ?? {};
        const valueOf = (key: string, ops: string[]) =>
          ops.flatMap((op) => list(condition[op]?.[key] as string | string[] | undefined).map(String));
        const subs = valueOf(`${issuer}:sub`, ["StringEquals", "StringLike"]);
        const auds = valueOf(`${issuer}:aud`, ["StringEquals"]);
        const sa = subs.length === 1 ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(subs[0] as string) : null;
        if (issuer.startsWith("oidc.eks.") && sa && (auds.length === 0 || auds.every((a) => a === "sts.amazonaws.com"))) {
          const cluster = this.cluster(issuer, account);
          if (!cluster) return undefined;
          return {
            value: { type: "irsa", cluster, namespace: sa[1], serviceAccount: sa[2] },
            comment: `${where} admits service account ${shown(`${sa[1]}/${sa[2]}`)} of ${shown(issuer)}`,
          };
        }
        const bad = [...subs, ...auds].find((v) => nameProblem(POLICY_TEXT, v));
        if (bad !== undefined || auds.length > 1 || subs.length === 0) {
          this.warn(
            `role ${role.arn}: ${where} trusts ${issuer} ${subs.length === 0 ? "for every subject" : auds.length > 1 ? "for several audiences" : `with a value the model cannot hold (${shown(bad ?? "")})`}: not imported`,
          );
          return undefined;
        }
        return {
          value: {
            type: "oidc",
            issuer: `https://${issuer}`,
            ...(auds[0] !== undefined ? { audience: auds[0] } : {}),
            subject: subs.length === 1 ? subs[0] : subs,
          },
          comment: `${where} admits ${shown(issuer)} tokens`,
        };
      }
      const services = list(principal.Service);
      const kind = services.includes("ecs-tasks.amazonaws.com")
        ? "ecs-task"
        : services.includes("lambda.amazonaws.com")
          ? "lambda"
          : services.includes("ec2.amazonaws.com")
            ? "ec2-instance"
            : services.some((x) => x === "airflow.amazonaws.com" || x === "airflow-env.amazonaws.com")
              ? "mwaa"
              : undefined;
      if (kind === "mwaa") {
        const sourceArn = list(s.Condition?.ArnLike?.["aws:SourceArn"] ?? s.Condition?.ArnEquals?.["aws:SourceArn"]).map(String)[0];
        const environment = /:environment\/(.+)$/.exec(sourceArn ?? "")?.[1];
        if (!environment || nameProblem(MWAA_ENVIRONMENT_NAME, environment)) {
          this.warn(`role ${role.arn}: ${where} admits MWAA without naming its environment (aws:SourceArn): not imported`);
          return undefined;
        }
        return { value: { type: "mwaa", environment }, comment: `${where} admits MWAA environment ${shown(environment)}` };
      }
      if (kind) return { value: { type: kind }, comment: `${where} admits ${services.join(", ")}` };
    }
    this.warn(`role ${role.arn}: its trust names no service or OIDC provider the model has a workload identity for: not imported`);
    return undefined;
  }

  /** The cluster of an EKS OIDC issuer (added once), named from the issuer's ID. */
  private cluster(issuer: string, account: string): string | undefined {
    for (const [name, c] of this.clusters) if (c.value.oidcIssuer === issuer) return name;
    const m = /^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/id\/([A-Za-z0-9]+)$/.exec(issuer);
    if (!m) {
      this.warn(`OIDC issuer ${shown(issuer)} is not an EKS cluster's issuer the model can hold: not imported`);
      return undefined;
    }
    let name = `eks-${(m[3] as string).slice(0, 12).toLowerCase()}`;
    for (let i = 2; this.clusters.has(name); i++) name = `eks-${(m[3] as string).slice(0, 12).toLowerCase()}-${i}`;
    if (nameProblem(EKS_CLUSTER_NAME, name)) return undefined;
    this.clusters.set(name, {
      value: { account, region: m[1], oidcIssuer: issuer },
      comment: `the cluster of OIDC provider ${shown(issuer)} (its name is not in IAM: rename it)`,
    });
    return name;
  }

  /**
   * The model's `audit:` (src/compile/audit.ts), where every imported account holds the role it
   * generates, exactly: one trust statement naming one principal (a role of the collector account,
   * or its root) and the inline policy of collect's reads. Its edges are then declared by the audit
   * option rather than written as grants.
   */
  auditRole(): void {
    const ids = [...this.selected];
    const first = this.state.accounts.get(ids[0] ?? "");
    for (const candidate of first?.roles.values() ?? []) {
      const [statement, ...more] = candidate.trustPolicy.Statement;
      if (!candidate.policies.has(AUDIT_POLICY_NAME) || !statement || more.length) continue;
      const [principal, ...others] = typeof statement.Principal === "object" ? list(statement.Principal.AWS) : [];
      const iam = parseIamArn(principal ?? "");
      if (!principal || others.length || !iam || (iam.kind !== "root" && iam.kind !== "role") || iam.path !== "/") continue;
      const collectorEntry = this.state.accounts.get(iam.account) ?? emptyAccount(iam.account, iam.partition, { managed: false });
      const option = {
        collector: iam.account,
        ...(candidate.name !== DEFAULT_AUDIT_ROLE ? { role: candidate.name } : {}),
        ...(iam.kind === "role" ? { principal: iam.name } : {}),
      };
      const expected: AccountState = {
        accounts: new Map(ids.map((id) => [id, emptyAccount(id, this.state.accounts.get(id)?.partition ?? iam.partition)])),
      };
      addAuditRoles(option, expected, collectorEntry);
      const matches = ids.every((id) => {
        const built = expected.accounts.get(id)?.roles.get(candidate.name);
        const there = this.state.accounts.get(id)?.roles.get(candidate.name);
        return (
          built &&
          there &&
          there.path === "/" &&
          sameDocument(built.trustPolicy, there.trustPolicy) &&
          [...built.policies].every(([name, doc]) => sameStatements(doc.Statement, there.policies.get(name)?.Statement ?? []))
        );
      });
      if (!matches) continue;
      const from = iam.kind === "role" ? principal : `account:${iam.account}`;
      for (const id of ids) this.auditEdges.add(`${from} ${expected.accounts.get(id)?.roles.get(candidate.name)?.arn}`);
      this.audit = {
        value: { ...option, collector: this.account(iam.account) },
        comment: `the audit role ${shown(candidate.name)} in each imported account, trusting ${principal} (inline policy ${AUDIT_POLICY_NAME})`,
      };
      return;
    }
  }

  /** Whether the model's `audit:` declares the edge (its collector assuming an audit role). */
  private audited(from: GraphNode, to: string): boolean {
    return this.auditEdges.has(`${from.id} ${to}`) || this.auditEdges.has(`account:${from.account} ${to}`);
  }

  /** A grant per cross-account edge into a role of an imported account, one per inline policy of the role. */
  roleGrants(): void {
    const done = new Set<string>();
    for (const [fromId, edges] of this.graph.edges) {
      const from = this.graph.nodes.get(fromId) as GraphNode;
      if (from.kind === "service" || from.kind === "federated") continue;
      for (const edge of edges) {
        const to = this.graph.nodes.get(edge.to) as GraphNode;
        if (from.account === to.account || !to.role || !this.selected.has(to.account ?? "") || this.audited(from, edge.to)) continue;
        if (done.has(`${fromId} ${edge.to}`)) continue;
        done.add(`${fromId} ${edge.to}`);
        this.roleGrant(from, to.role, to.account as string, edge.requires, edge.statement);
      }
    }
  }

  private roleGrant(from: GraphNode, target: RoleState, accountId: string, requires: Record<string, string>, statement?: string): void {
    const incoming = this.graph.incomingOf(from.id).some((e) => {
      const caller = this.graph.nodes.get(e.from);
      return caller?.kind !== "service" && caller?.kind !== "federated" && caller?.account !== from.account;
    });
    if (incoming && from.kind === "role") {
      this.warn(
        `${from.id} → ${target.arn}: a chain through ${from.id}, which is itself assumed across accounts; chains are not imported yet`,
      );
      return;
    }
    const sid = target.trustPolicy.Statement.find(
      (s) =>
        s.Principal !== "*" &&
        list(s.Principal?.AWS).some((p) => p === from.id || p === `arn:${target.arn.split(":")[1]}:iam::${from.account}:root`),
    )?.Sid;
    const workload = this.workload(from, requires, workloadOfSid(sid));
    if (workload === null) {
      this.warn(`${from.id} → ${target.arn}: not imported (see above)`);
      return;
    }
    const problem = nameProblem(IAM_ROLE_NAME, target.name);
    if (problem || target.path !== "/") {
      this.warn(`role ${shown(target.arn)}: ${problem ?? `path ${shown(target.path)} is not /`}: not imported`);
      return;
    }
    const account = this.account(accountId);
    const entry = this.state.accounts.get(accountId) as AccountEntry;
    const place = { partition: entry.partition, region: this.accounts.get(account)?.value.region as string, account: accountId };
    const roleOptions: Raw = { name: target.name };
    const externalId = Object.entries(requires).find(([k]) => k.toLowerCase() === "sts:externalid")?.[1];
    if (externalId !== undefined && !this.workloads.get(workload)?.value.identity) roleOptions.externalId = externalId;
    const identity = this.workloads.get(workload)?.value.identity as Raw | undefined;
    if (externalId !== undefined && identity?.externalId !== externalId) roleOptions.externalId = externalId;
    if (target.maxSessionDuration !== 3600) roleOptions.maxSessionDuration = target.maxSessionDuration;
    const where = statement ? shown(statement) : `trust policy of ${target.arn}`;
    const policies = [...target.policies];
    const managed = target.managedPolicyArns;
    this.targets.set(target.arn, target);
    let first = true;
    for (const [policyName, doc] of policies) {
      const grant: Raw = { workload, account };
      const match = recipeServices().includes(policyName) ? matchVerbs(doc.Statement, place, { service: policyName }) : undefined;
      const note = [`${from.id} may assume ${target.arn} (${where}); inline policy ${shown(policyName)}`];
      if (match) {
        Object.assign(grant, { service: match.service, access: match.access, resources: match.resources });
        if (match.rest.length) {
          grant.statements = match.rest;
          note.push(`${match.rest.length} statement(s) beyond the verbs ${match.access.join(", ")} kept as written`);
        }
      } else {
        grant.statements = doc.Statement;
        note.push("its statements kept as written (they match no verb of the model's services)");
      }
      // The inventory's own name for the policy, where it is not the one build would give it.
      const named = grant.service === policyName ? {} : { policyName };
      grant.role = { ...roleOptions, ...named, ...(managed.length && first ? { managedPolicies: managed } : {}) };
      first = false;
      this.grants.push({ value: grant, comment: note.join("; ") });
    }
    if (first && managed.length) {
      this.grants.push({
        value: { workload, account, role: { ...roleOptions, managedPolicies: managed } },
        comment: `${from.id} may assume ${target.arn} (${where}); its managed policies`,
      });
    } else if (first && policies.length === 0) {
      this.warn(
        `${target.arn} is assumed by ${from.id} across accounts and holds no policy: a grant needs a service or managed policies; not imported`,
      );
    }
  }

  /**
   * A grant per set of resource-policy statements admitting the same principals of another account
   * (or an organization) on the same condition: one grant writes its statements into the policies
   * of several resources (a CodeArtifact domain and its repository), so they are read together.
   */
  resourcePolicyGrants(): void {
    for (const id of this.selected) {
      const entry = this.state.accounts.get(id) as AccountEntry;
      const groups = new Map<string, { arn: string; service: string; statement: PolicyStatement; index: number }[]>();
      for (const [arn, held] of entry.resourcePolicies) {
        held.policy.Statement.forEach((statement, index) => {
          const where = `${arn} policy statement ${statement.Sid ? shown(statement.Sid) : `#${index}`}`;
          if (statement.Effect !== "Allow") return;
          const principals = statement.Principal === "*" ? ["*"] : list(statement.Principal?.AWS);
          const outside = principals.filter((p) => p === "*" || (principalAccount(p) !== undefined && principalAccount(p) !== entry.id));
          if (outside.length === 0) return;
          if (statement.NotPrincipal || statement.NotAction || statement.NotResource) {
            this.warn(`${where}: NotPrincipal, NotAction or NotResource cannot be written as a grant: not imported`);
            return;
          }
          const key = JSON.stringify([[...principals].sort(), statement.Condition ?? null]);
          groups.set(key, [...(groups.get(key) ?? []), { arn, service: held.service, statement, index }]);
        });
      }
      for (const group of groups.values()) this.resourceStatements(entry, group, "whole");
    }
  }

  private resourceStatements(
    entry: AccountEntry,
    group: readonly { arn: string; service: string; statement: PolicyStatement; index: number }[],
    tried: "whole" | "service" | "one",
  ): void {
    const first = group[0] as (typeof group)[number];
    const s = first.statement;
    const where = group
      .map(({ arn, statement, index }) => `${arn} policy statement ${statement.Sid ? shown(statement.Sid) : `#${index}`}`)
      .join(", ");
    const principals = s.Principal === "*" ? ["*"] : list(s.Principal?.AWS);
    const outside = principals.filter((p) => p === "*" || (principalAccount(p) !== undefined && principalAccount(p) !== entry.id));
    const account = this.account(entry.id);
    const place = { partition: entry.partition, region: this.accounts.get(account)?.value.region as string, account: entry.id };
    const bare = group.map(({ statement }) => ({
      Effect: "Allow" as const,
      ...(statement.Action ? { Action: statement.Action } : {}),
      ...(statement.Resource ? { Resource: statement.Resource } : {}),
    }));
    const services = new Set(group.map((g) => g.service));
    const match = matchVerbs(bare, place, { ...(services.size === 1 ? { service: first.service } : {}), holderOnly: true });
    // Statements of several grants on the same principals: read per service, then one by one.
    if ((!match || match.rest.length) && tried !== "one" && group.length > 1) {
      if (tried === "whole" && services.size > 1)
        for (const service of services)
          this.resourceStatements(
            entry,
            group.filter((g) => g.service === service),
            "service",
          );
      else for (const one of group) this.resourceStatements(entry, [one], "one");
      return;
    }
    const condition = s.Condition ?? {};
    const actions = () => [...new Set(group.flatMap((g) => list(g.statement.Action)))].join(", ");
    if (principals.includes("*")) {
      const orgId = condition.StringEquals?.["aws:PrincipalOrgID"];
      const paths = list(condition["ForAnyValue:StringLike"]?.["aws:PrincipalOrgPaths"] as string | string[] | undefined).map(String);
      const others = Object.keys(condition).filter((op) => op !== "StringEquals" && op !== "ForAnyValue:StringLike");
      if (!match || match.rest.length || others.length || (orgId === undefined) === (paths.length === 0)) {
        this.warn(
          `${where}: admits every principal${orgId || paths.length ? " of an organization" : ""} to ${actions()} in a way the model's grants cannot write: not imported`,
        );
        return;
      }
      const ous = paths.map((p) => p.replace(/\/\*$/, "").split("/").at(-1) as string);
      this.grants.push({
        value: {
          grantees: orgId !== undefined ? { organization: true } : { ous },
          account,
          service: match.service,
          access: match.access,
          resources: match.resources,
          via: "resource-policy",
        },
        comment: `${where} admit${group.length === 1 ? "s" : ""} ${orgId !== undefined ? `organization ${shown(String(orgId))}` : `OUs ${ous.join(", ")}`}`,
      });
      return;
    }
    if (Object.keys(condition).length) {
      this.warn(`${where}: its condition (${Object.keys(condition).join(", ")}) cannot be written as a grant: not imported`);
      return;
    }
    if (!match || match.rest.length) {
      this.warn(`${where}: ${actions()} matches no verbs of the model's ${[...services].join(", ")}: not imported`);
      return;
    }
    for (const principal of outside) {
      const node = this.principalNode(principal);
      const workload = node ? this.workload(node, {}) : null;
      if (workload === null) {
        this.warn(`${where}: ${principal} is not a principal the model can name: not imported`);
        continue;
      }
      this.grants.push({
        value: { workload, account, service: match.service, access: match.access, resources: match.resources, via: "resource-policy" },
        comment: `${where} admit${group.length === 1 ? "s" : ""} ${principal}`,
      });
    }
  }

  /** The graph node of a principal a resource policy names (a role, a user, an account's root or ID). */
  private principalNode(principal: string): GraphNode | undefined {
    const id = isAccountId(principal) ? `arn:aws:iam::${principal}:root` : principal;
    return this.graph.nodes.get(id) ?? this.graph.outsider(id);
  }
}

function principalAccount(principal: string): string | undefined {
  if (isAccountId(principal)) return principal;
  return parseArn(principal)?.account || undefined;
}

/**
 * Writes the model of an inventory's cross-account access, as YAML text with a comment on each
 * entry, and the warnings: what it could not express, and each role `build` would write otherwise
 * than the inventory holds it.
 */
export function importInventory(state: AccountState, options: ImportOptions = {}): Imported {
  const importer = new Importer(state, options);
  for (const id of [...state.accounts.values()].filter((a) => a.managed).map((a) => a.id))
    if (!options.accounts?.length || options.accounts.includes(id)) importer.account(id);
  importer.auditRole();
  importer.roleGrants();
  importer.resourcePolicyGrants();
  const name = options.name ?? "imported";
  if (!MODEL_NAME.test(name)) throw new ImportError(`--name "${name}" is not a model name: use letters, digits, '-', '_' and '.'`);
  const parts = {
    name,
    accounts: importer.accounts,
    clusters: importer.clusters,
    workloads: importer.workloads,
    grants: importer.grants,
    audit: importer.audit,
  };
  // Loaded and compiled as `build` would: an entry the model refuses (a resource name from the
  // inventory that breaks its service's rule) is left out and said, never written.
  for (let tries = 0; ; tries++) {
    const problem = modelProblem(modelDocument({ ...parts, notImported: [], findings: [] }));
    if (!problem) break;
    if (tries > importer.grants.length + importer.workloads.size || !importer.drop(problem.path, problem.message))
      throw new ImportError(`the imported model does not load (${problem.path}: ${problem.message}); this is a bug in xacct import`);
  }
  selfCheck(modelDocument({ ...parts, notImported: [], findings: [] }), importer);
  // The same model, with what it could not express said at its end, and the findings verify will
  // report (an inventory holds no reason to accept a risk: the team accepts each, or fixes it).
  const risks = findings(state, { graph: importer.graph }).filter((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf("high"));
  return {
    text: modelDocument({
      ...parts,
      notImported: importer.warnings,
      findings: risks.map((f) => `${f.id} ${f.severity} on ${f.resource}: ${f.title}`),
    }),
    warnings: importer.warnings,
  };
}

/** The first problem loading or compiling the model finds, with its JSON path. */
function modelProblem(text: string): { path: string; message: string } | undefined {
  try {
    compile(loadModel(text, "imported model"));
    return undefined;
  } catch (error) {
    if (error instanceof ModelError) {
      const p = error.problems[0];
      return p ? { path: p.path, message: p.message } : { path: "", message: error.message };
    }
    if (error instanceof ModelPathError) return { path: error.path, message: error.problem };
    throw error;
  }
}

/**
 * The model written, compiled: each role it creates compared with the inventory's, so a role that
 * `build` would write otherwise (its trust, its inline policies) is reported.
 */
function selfCheck(text: string, importer: Importer): void {
  const compiled = compile(loadModel(text, "imported model"));
  for (const [arn, deployed] of importer.targets) {
    const account = compiled.state.accounts.get(parseArn(arn)?.account ?? "");
    const built = account?.roles.get(deployed.name);
    if (!built) continue;
    if (!sameDocument(built.trustPolicy, deployed.trustPolicy))
      importer.warn(
        `${arn}: the trust policy build writes differs from the inventory's (other principals or conditions than the grants say)`,
      );
    for (const [name, doc] of built.policies) {
      const there = deployed.policies.get(name);
      if (!there || !sameStatements(doc.Statement, there.Statement))
        importer.warn(`${arn}: inline policy ${shown(name)} as build writes it differs from the inventory's`);
    }
    for (const name of deployed.policies.keys())
      if (!built.policies.has(name)) importer.warn(`${arn}: inline policy ${shown(name)} of the inventory is not in the model`);
  }
}

function sameDocument(a: PolicyDocument, b: PolicyDocument): boolean {
  const key = (s: PolicyStatement) => JSON.stringify(s, [...keysOf(s)].sort());
  const ka = a.Statement.map(key).sort();
  const kb = b.Statement.map(key).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** Every key of a value, nested (a Set: a condition key may be `__proto__`), for a stable JSON.stringify. */
function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  return out;
}
