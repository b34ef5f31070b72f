/**
 * The report's view model from the access graph: accounts as groups, the graph's principals and
 * its engine-decided assume-role edges (each with the trust statement that admits the caller and
 * the caller's own sts:AssumeRole statements), resources named by resource-based policies with an
 * edge from each principal they name, and for a model its workloads, each starting as its first
 * identity and reaching the resources its last identity's policies name. Findings are attached to
 * the nodes and edges they are about.
 */
import { MAX_SESSION_DURATION } from "../aws/limits.js";
import type { Chain } from "../compile/plan.js";
import type { Finding } from "../graph/findings/types.js";
import { list, principalsOf } from "../graph/findings/statements.js";
import type { AccessGraph, Edge, GraphNode } from "../graph/graph.js";
import { statementMayAllow } from "../graph/policies.js";
import { trustStatementName } from "../graph/edges.js";
import { decideAs } from "../graph/query.js";
import { parseArn, principalAccountId, rootArn } from "../aws/arn.js";
import { fitted } from "../policy/fitted.js";
import type { Policy } from "../policy/policy.js";
import { type AccountEntry, type AccountState, type PolicyDocument, type PolicyStatement } from "../state/account-state.js";
import type { PolicyStatementRef, ReportAccount, ReportData, ReportEdge, ReportFinding, ReportNode } from "./types.js";

/**
 * The empty list edges share until one is given an item (half a million edges' own empty lists
 * were 60 MB): frozen, so a push to it fails loudly instead of giving every edge the item.
 */
const NONE = Object.freeze([]) as unknown as never[];

/** A list as an edge keeps it: at its size (policy/fitted.ts), or the shared empty one. */
const kept = <T>(list: readonly T[]): T[] => (list.length ? fitted(list) : NONE);

/** What the view model is built from. */
export interface ReportInput {
  state: AccountState;
  graph: AccessGraph;
  /** A model's run-time chains (none for an inventory). */
  chains: readonly Chain[];
  findings: readonly Finding[];
  /** Why the model accepts a finding, for those it accepts. @default none accepted */
  acceptedBecause?: (finding: Finding) => string | undefined;
  /** What was read, shown in the page's header. */
  source: string;
  title: string;
}

/** Conditions AWS evaluates on the request, shown as what an edge needs (`aws:PrincipalOrgID = o-…`). */
function conditionNeeds(statement: PolicyStatement | undefined): string[] {
  const out: string[] = [];
  for (const [operator, keys] of Object.entries(statement?.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys))
      out.push(`${key} ${operator} ${Array.isArray(value) ? value.join(", ") : String(value)}`);
  }
  return out;
}

/** The name a resource is drawn with: a bucket's, a queue's, a table's, a function's. */
function resourceLabel(arn: string): string {
  const parsed = parseArn(arn);
  if (!parsed) return arn;
  const tail = arn.split(":").slice(5).join(":");
  return `${parsed.service}: ${tail.split(/[/:]/).filter(Boolean).pop() ?? tail}`;
}

class Builder {
  private readonly nodes = new Map<string, ReportNode>();
  private readonly edges: ReportEdge[] = [];
  /**
   * The edges from a node (the outer key) to another (the inner key), to find a step's edges
   * without scanning them all: the edge itself when it is the only one (most are).
   */
  private readonly between = new Map<string, Map<string, ReportEdge | ReportEdge[]>>();
  /** Each list of actions once, however many edges allow it (most allow sts:AssumeRole alone); frozen, being shared. */
  private readonly actionLists = new Map<string, string[]>();
  /** The findings of the edges that have any (the others share NONE). */
  private readonly edgeFindings = new Map<ReportEdge, number[]>();
  /** Each text an edge needs once (thousands of edges need the same condition). */
  private readonly needTexts = new Map<string, string>();
  private readonly accounts = new Map<string, ReportAccount>();
  private readonly statements: PolicyStatementRef[] = [];
  /** Each statement's index in `statements`, per statement object and where it is written. */
  private readonly statementIndex = new Map<PolicyStatement, Map<string, number>>();
  /** Identity policies compiled by the graph's book, back to their documents and names. */
  private readonly documents = new Map<Policy, { where: string; document: PolicyDocument }>();

  constructor(private readonly input: ReportInput) {}

  build(): ReportData {
    const { state, graph } = this.input;
    for (const account of state.accounts.values()) this.account(account.id, account);
    for (const node of graph.nodes.values()) this.principalNode(node);
    for (const edges of graph.edges.values()) for (const edge of edges) this.assumeRoleEdge(edge);
    for (const account of state.accounts.values())
      for (const held of account.resourcePolicies.values()) this.resourcePolicyEdges(account, held.arn, held.policy);
    for (const chain of this.input.chains) this.chain(chain);
    const findings = this.input.findings.map((f, i) => this.finding(f, i));
    const accounts = [...this.accounts.values()].sort((a, b) => (a.name ?? "~").localeCompare(b.name ?? "~") || a.id.localeCompare(b.id));
    return {
      source: this.input.source,
      title: this.input.title,
      accounts,
      nodes: [...this.nodes.values()],
      edges: this.edges,
      statements: this.statements,
      findings,
    };
  }

  /** A statement's index in the report's statement table, added once. */
  private statement(where: string, statement: PolicyStatement): number {
    let byWhere = this.statementIndex.get(statement);
    if (!byWhere) this.statementIndex.set(statement, (byWhere = new Map()));
    let index = byWhere.get(where);
    if (index === undefined) {
      index = this.statements.push({ where, statement }) - 1;
      byWhere.set(where, index);
    }
    return index;
  }

  private account(id: string, entry?: AccountEntry): void {
    if (this.accounts.has(id)) return;
    this.accounts.set(id, {
      id,
      ...(entry?.name ? { name: entry.name } : {}),
      ...(entry?.stage ? { stage: entry.stage } : {}),
      managed: entry?.managed ?? false,
    });
  }

  private add(node: Omit<ReportNode, "workloads" | "findings">): ReportNode {
    const known = this.nodes.get(node.id);
    if (known) return known;
    if (node.account) this.account(node.account, this.input.state.accounts.get(node.account));
    const full: ReportNode = { ...node, workloads: [], findings: [] };
    this.nodes.set(node.id, full);
    return full;
  }

  private principalNode(node: GraphNode): void {
    const account = node.account ? { account: node.account } : {};
    switch (node.kind) {
      case "role":
      case "user":
        this.add({ id: node.id, kind: node.kind, label: node.id.slice(node.id.lastIndexOf("/") + 1), arn: node.id, ...account });
        return;
      case "federated": {
        // Its ID is federatedId's: the provider's ARN, then `#` and the whole `sub` (which may hold a `#` itself).
        const provider = node.principal;
        const sub = node.id.length > provider.length ? node.id.slice(provider.length + 1) : undefined;
        const issuer = provider.slice(provider.indexOf("provider/") + 9);
        this.add({
          id: node.id,
          kind: "federated",
          label: sub ? `web identity ${sub.replace(/^system:serviceaccount:/, "")}` : issuer,
          arn: provider,
          detail: sub ? `tokens from ${issuer} with sub ${sub}` : `identities from ${issuer}`,
          ...account,
        });
        return;
      }
      case "service":
        this.add({ id: node.id, kind: "service", label: node.id, arn: node.id });
        return;
      case "account":
        this.add({
          id: node.id,
          kind: "account",
          label: node.id.endsWith(":root") ? "any principal (root)" : node.id.slice(node.id.lastIndexOf("/") + 1),
          arn: node.id,
          detail: "outside the inventory: whatever its administrators allow",
          ...account,
        });
    }
  }

  /** The identity-policy documents of a role or user node, indexed by their compiled policies. */
  private indexDocuments(node: GraphNode): void {
    const entry = node.account ? this.input.state.accounts.get(node.account) : undefined;
    const holder = node.kind === "role" ? node.role : [...(entry?.users.values() ?? [])].find((u) => u.arn === node.id);
    if (!entry || !holder) return;
    const book = this.input.graph.book;
    const owners = [holder, ...("groups" in holder ? (holder.groups ?? []).flatMap((g) => entry.groups.get(g) ?? []) : [])];
    for (const owner of owners) {
      for (const [name, document] of owner.policies)
        this.documents.set(book.policy(document, "identity", `${owner.arn} inline policy ${name}`), {
          where: `${owner.arn} inline policy ${name}`,
          document,
        });
      for (const arn of owner.managedPolicyArns) {
        const document = book.managed(entry, arn);
        if (document) this.documents.set(book.policy(document, "identity", arn), { where: arn, document });
      }
    }
  }

  /** The caller's Allow statements that could allow the action on the resource, as written. */
  private callerStatements(node: GraphNode | undefined, action: string, resource: string): number[] {
    if (!node || (node.kind !== "role" && node.kind !== "user")) return [];
    if (!node.identityPolicies.every((p) => this.documents.has(p))) this.indexDocuments(node);
    const out: number[] = [];
    for (const policy of node.identityPolicies) {
      const source = this.documents.get(policy);
      if (!source) continue;
      policy.statements.forEach((s, i) => {
        const written = source.document.Statement[i];
        if (written && s.effect === "Allow" && statementMayAllow(s, action.toLowerCase(), resource))
          out.push(this.statement(source.where, written));
      });
    }
    return out;
  }

  private edgesBetween(from: string, to: string): ReportEdge[] {
    const found = this.between.get(from)?.get(to);
    return found === undefined ? NONE : Array.isArray(found) ? found : [found];
  }

  private crossAccount(from: string, to: string): boolean {
    const a = this.nodes.get(from)?.account;
    const b = this.nodes.get(to)?.account;
    return a !== undefined && b !== undefined && a !== b;
  }

  private edge(edge: Omit<ReportEdge, "id" | "crossAccount" | "workloads" | "findings">): ReportEdge {
    const key = edge.actions.join("\n");
    let actions = this.actionLists.get(key);
    if (!actions) this.actionLists.set(key, (actions = Object.freeze(kept(edge.actions)) as string[]));
    const full: ReportEdge = {
      id: `e${this.edges.length}`,
      ...edge,
      actions,
      needs: kept(edge.needs.map((text) => this.needTexts.get(text) ?? (this.needTexts.set(text, text), text))),
      callerSide: kept(edge.callerSide),
      crossAccount: this.crossAccount(edge.from, edge.to),
      workloads: NONE,
      findings: NONE,
    };
    this.edges.push(full);
    let to = this.between.get(edge.from);
    if (!to) this.between.set(edge.from, (to = new Map()));
    const known = to.get(edge.to);
    to.set(edge.to, known === undefined ? full : [...(Array.isArray(known) ? known : [known]), full]);
    return full;
  }

  private assumeRoleEdge(edge: Edge): void {
    const { graph } = this.input;
    const role = graph.nodes.get(edge.to)?.role;
    let allowedBy: number | undefined;
    let trustStatement: PolicyStatement | undefined;
    if (role && edge.statement) {
      const at = graph.trustOf(role).statements.findIndex((s) => trustStatementName(s) === edge.statement);
      trustStatement = at >= 0 ? role.trustPolicy.Statement[at] : undefined;
      if (trustStatement) allowedBy = this.statement(edge.statement, trustStatement);
    }
    if (edge.technique) {
      this.edge({
        kind: "escalation",
        technique: edge.technique,
        from: edge.from,
        to: edge.to,
        actions: edge.steps ?? [edge.action],
        needs: edge.holdsIf ? [`holds only if ${edge.holdsIf}`] : [],
        maxSessionSeconds: edge.maxSessionSeconds,
        callerSide: this.callerStatements(graph.nodes.get(edge.from), edge.action, edge.to),
      });
      return;
    }
    const required = Object.entries(edge.requires).map(([key, value]) => `${key} = ${value} (the caller supplies it)`);
    this.edge({
      kind: "assume-role",
      from: edge.from,
      to: edge.to,
      actions: [edge.action],
      needs: [
        ...required,
        ...conditionNeeds(trustStatement).filter((c) => !required.some((r) => r.startsWith(c.split(" ")[0] as string))),
        ...(edge.holdsIf ? [`holds only if ${edge.holdsIf}`] : []),
      ],
      maxSessionSeconds: edge.maxSessionSeconds,
      ...(allowedBy !== undefined ? { allowedBy } : {}),
      callerSide: this.callerStatements(graph.nodes.get(edge.from), edge.action, edge.to),
    });
  }

  private resourceNode(arn: string, account: string | undefined): ReportNode {
    return this.add({ id: arn, kind: "resource", label: resourceLabel(arn), arn, ...(account ? { account } : {}) });
  }

  /** The nodes a resource policy's principal names: a role or user, an account's root, a service, anyone. */
  private namedNodes(statement: PolicyStatement, partition: string): string[] {
    const principals = principalsOf(statement);
    const ids: string[] = [];
    if (principals.everyone) ids.push(this.add({ id: "*", kind: "anyone", label: "anyone (*)", arn: "*" }).id);
    for (const service of principals.service) ids.push(this.add({ id: service, kind: "service", label: service, arn: service }).id);
    for (const aws of principals.aws) {
      if (this.nodes.has(aws)) ids.push(aws);
      else {
        const account = principalAccountId(aws);
        if (!account) continue;
        const root = rootArn(partition, account);
        const isRoot = aws === account || aws === root;
        ids.push(
          this.add({
            id: isRoot ? root : aws,
            kind: "account",
            label: isRoot ? "any principal (root)" : aws.slice(aws.lastIndexOf("/") + 1),
            arn: isRoot ? root : aws,
            account,
          }).id,
        );
      }
    }
    return ids;
  }

  private resourcePolicyEdges(account: AccountEntry, arn: string, policy: PolicyDocument): void {
    this.resourceNode(arn, parseArn(arn)?.account || account.id);
    policy.Statement.forEach((statement, i) => {
      if (statement.Effect !== "Allow") return;
      const where = `${arn} resource policy.Statement[${i}]${statement.Sid ? ` (${statement.Sid})` : ""}`;
      const actions = list(statement.Action);
      for (const from of this.namedNodes(statement, account.partition)) {
        if (!this.mayAct(from, actions, arn, account, statement)) continue;
        this.edge({
          kind: "resource-policy",
          from,
          to: arn,
          actions,
          needs: conditionNeeds(statement),
          allowedBy: this.statement(where, statement),
          callerSide: this.callerStatements(this.input.graph.nodes.get(from), actions[0] ?? "*", arn),
        });
      }
    });
  }

  /**
   * Whether a principal a resource policy names can act under it, as the engine decides with the
   * caller's side too (across accounts its identity policies must allow as well). A statement with
   * conditions is drawn as conditional, and wildcard actions are not tried one by one: both are kept.
   */
  private mayAct(from: string, actions: string[], arn: string, account: AccountEntry, statement: PolicyStatement): boolean {
    const node = this.input.graph.nodes.get(from);
    if (!node || statement.Condition !== undefined || actions.length === 0 || actions.some((a) => a.includes("*") || a.includes("?")))
      return true;
    // The resources the statement names (a pattern tried on one resource it matches), else the holder's ARN.
    const named = list(statement.Resource).filter((r) => r !== "*");
    const resources = named.length ? named.map((r) => r.replace(/[*?]/g, "x")) : [arn];
    return actions.some((action) =>
      resources.some((resource) => decideAs(this.input.graph, node, action, resource, account, {}).decision === "Allow"),
    );
  }

  /** A workload, the identities its chain goes through and the resources its last identity reaches. */
  private chain(chain: Chain): void {
    const { start } = chain;
    const workload = this.add({
      id: `workload:${chain.workload}`,
      kind: "workload",
      label: chain.workload,
      arn: `workload ${chain.workload}`,
      account: start.account,
      detail: start.cluster
        ? `${start.type} on ${start.cluster.name}, service account ${start.cluster.namespace}/${start.cluster.serviceAccount}`
        : start.type,
    });
    const first = start.roleArn ?? start.userArn;
    if (!first || !this.nodes.has(first)) return;
    const path = [workload.id, first, ...chain.hops.map((h) => h.roleArn)];
    if (!this.edgesBetween(workload.id, first).some((e) => e.kind === "starts-as")) {
      this.edge({
        kind: "starts-as",
        from: workload.id,
        to: first,
        actions: [start.type],
        needs: [],
        maxSessionSeconds: this.input.graph.nodes.get(first)?.role?.maxSessionDuration ?? MAX_SESSION_DURATION.default,
        callerSide: [],
      });
    }
    const last = path[path.length - 1] as string;
    this.mark(chain.workload, path);
    for (const arn of this.reachedResources(last, chain)) this.mark(chain.workload, [last, arn]);
  }

  /** The resources a chain's last identity reaches for the chain's service: identity edges to them, made once. */
  private reachedResources(identity: string, chain: Chain): string[] {
    const service = chain.service;
    if (!service) return []; // only managed policies: no resource of a service named
    const node = this.input.graph.nodes.get(identity);
    if (!node || (node.kind !== "role" && node.kind !== "user")) return [];
    if (!node.identityPolicies.every((p) => this.documents.has(p))) this.indexDocuments(node);
    const arns = new Map<string, { actions: Set<string>; statements: number[] }>();
    for (const policy of node.identityPolicies) {
      const source = this.documents.get(policy);
      if (!source) continue;
      for (const statement of source.document.Statement) {
        const actions = list(statement.Action).filter((a) => a.toLowerCase().startsWith(`${service.toLowerCase()}:`));
        if (statement.Effect !== "Allow" || actions.length === 0) continue;
        for (const resource of list(statement.Resource)) {
          if (resource === "*" || !resource.startsWith("arn:")) continue;
          const arn = resource.replace(/\/\*$/, "");
          const entry = arns.get(arn) ?? { actions: new Set<string>(), statements: [] };
          for (const a of actions) entry.actions.add(a);
          entry.statements.push(this.statement(source.where, statement));
          arns.set(arn, entry);
        }
      }
    }
    for (const [arn, { actions, statements }] of arns) {
      this.resourceNode(arn, parseArn(arn)?.account || chain.account);
      if (!this.edgesBetween(identity, arn).some((e) => e.kind === "identity")) {
        this.edge({ kind: "identity", from: identity, to: arn, actions: [...actions], needs: [], callerSide: statements });
      }
    }
    return [...arns.keys()];
  }

  /** Marks the workload on the nodes of a path and on the edges between them. */
  private mark(workload: string, path: readonly string[]): void {
    path.forEach((id, i) => {
      const node = this.nodes.get(id);
      if (node && !node.workloads.includes(workload)) node.workloads.push(workload);
      const next = path[i + 1];
      if (next === undefined) return;
      for (const edge of this.edgesBetween(id, next))
        if (!edge.workloads.includes(workload)) edge.workloads = [...edge.workloads, workload];
    });
  }

  private finding(f: Finding, index: number): ReportFinding {
    const nodes = fitted([f.resource, ...(f.path ?? [])].filter((id, i, all) => this.nodes.has(id) && all.indexOf(id) === i));
    const edges = (f.path ?? []).flatMap((from, i) => {
      const to = f.path?.[i + 1];
      return to === undefined ? [] : this.edgesBetween(from, to);
    });
    for (const id of nodes) this.nodes.get(id)?.findings.push(index);
    for (const edge of edges) {
      let list = this.edgeFindings.get(edge);
      if (!list) this.edgeFindings.set(edge, (list = []));
      list.push(index);
      edge.findings = list;
    }
    const accepted = this.input.acceptedBecause?.(f);
    return {
      id: f.id,
      severity: f.severity,
      title: f.title,
      resource: f.resource,
      ...(f.path ? { path: f.path } : {}),
      detail: f.detail,
      fix: f.fix,
      ...(accepted ? { accepted } : {}),
      nodes,
      edges: edges.map((e) => e.id),
    };
  }
}

/** The report's view model of a state's access graph, its model's chains and its findings. */
export function reportData(input: ReportInput): ReportData {
  return new Builder(input).build();
}
