/**
 * The graph's edges, decided lazily: a role's incoming edges (who may become it) are decided by
 * the engine when first asked, the whole graph's only when it is first read. Who-can walks back
 * from the principals that can act only through the trusts it meets, so it decides few of them.
 */
import { CHAIN_LIMIT_SECONDS } from "../aws/limits.js";
import { decidingStatements, type Outcome } from "../policy/evaluate.js";
import { pathText } from "../policy/errors.js";
import type { Policy, Statement } from "../policy/policy.js";
import { isAccountId, principalAccountId } from "../aws/arn.js";
import { type AccountEntry, type AccountState, type RoleState, userOf } from "../state/account-state.js";
import { type Decided, NOTHING_REQUIRED, type Question } from "./decide.js";
import type { Escalations } from "./escalation.js";
import type { GraphNode, GraphNodes } from "./nodes.js";
import type { TrustCallers } from "./trust-callers.js";

export interface Edge {
  from: string;
  to: string;
  action: string;
  /** Keys the caller must supply for the edge to hold (sts:ExternalId, …). */
  requires: Record<string, string>;
  /** The longest session this hop can give. */
  maxSessionSeconds: number;
  /** The trust statement that admits the caller. */
  statement?: string;
  /** How the caller comes to act as the target other than by a trust admitting it (./escalation.ts); absent for assumption. */
  technique?: string;
  /** The requests an escalation takes, in order (`iam:PutRolePolicy on itself`, `iam:UpdateAssumeRolePolicy`). */
  steps?: string[];
  /**
   * What the edge holds only if, that the inventory cannot show: a function or instance running as
   * the role, any subject a web identity or SAML provider vouches for where the trust pins none.
   */
  holdsIf?: string;
  /**
   * Attached policies of the caller whose documents are unknown, on an edge that holds only if
   * they allow sts:AssumeRole: such an edge is kept apart from the others (see unknownFrom).
   */
  unknown?: string[];
}

/** What the resolver needs from the graph. */
export interface EdgeSources {
  state: AccountState;
  nodes: GraphNodes;
  callers: TrustCallers;
  trustOf(role: RoleState): Policy;
  /** The engine's decision, settling the keys the caller chooses. */
  decide(caller: GraphNode, q: Question): Decided<Outcome>;
  /** Keys every decision is given (the question's `--context`). */
  supplied: Record<string, string>;
  /** The escalation techniques' edges (./escalation.ts). */
  escalations: Escalations;
  /** Whether a role's or user's incoming edges hold them (`--edges all`), or assumption only. */
  withEscalations: boolean;
}

export class EdgeResolver {
  /** The edges into each role whose trust has been decided. */
  private readonly into = new Map<string, readonly Edge[]>();
  /** The edges into each role decided so far that hold only if unknown policies allow them. */
  private readonly unknownInto = new Map<string, readonly Edge[]>();
  /** Those edges of the whole graph by caller, once every trust has been decided. */
  private unknownByCaller: Map<string, Edge[]> | undefined;
  /** The whole graph's edges by caller and by role, once every trust has been decided. */
  private whole: { byCaller: Map<string, Edge[]>; byRole: Map<string, Edge[]> } | undefined;
  /** The escalation edges into each role or user asked about. */
  private readonly escalations = new Map<string, { sure: Edge[]; unknown: Edge[] }>();
  /** From what trusts name to the roles (and, with escalations, users) a caller may come to act as, built once: see outgoing. */
  private targets: TargetIndex | undefined;
  /** Each trust statement as edges name it (policy, path and Sid), made once: many edges share one. */
  private readonly statementNames = new Map<Statement, string>();
  /** The keys of an assumption into each account, for callers and for services, made once: each role's callers are asked in a row with one (see questionContext). */
  private readonly assumeContexts = [new Map<string, Record<string, string>>(), new Map<string, Record<string, string>>()];

  constructor(private readonly from: EdgeSources) {}

  /** The edges into one role or user (none for other nodes), decided on first use. */
  incomingOf(id: string): readonly Edge[] {
    let list = this.into.get(id);
    if (!list) {
      const node = this.from.nodes.byId.get(id);
      const account = node?.account !== undefined ? this.from.state.accounts.get(node.account) : undefined;
      const both = node?.role && account ? this.edgesInto(node.role, account) : { sure: [], unknown: [] };
      if (this.from.withEscalations) {
        const escalated = this.escalated(id, both);
        both.sure.push(...escalated.sure);
        both.unknown.push(...escalated.unknown);
      }
      list = both.sure;
      this.into.set(id, list);
      if (both.unknown.length) this.unknownInto.set(id, both.unknown);
    }
    return list;
  }

  /**
   * The escalation edges into a role or user (./escalation.ts), whatever edges the graph holds: its
   * incoming edges decided once (with the escalations when the graph holds them), then those.
   */
  escalationsInto(id: string): readonly Edge[] {
    this.incomingOf(id);
    return this.escalated(id, { sure: this.into.get(id) ?? [], unknown: this.unknownInto.get(id) ?? [] }).sure;
  }

  /** The escalation edges into a role or user from callers other than those `assumed` (its trust's edges) holds; decided once per target. */
  private escalated(id: string, assumed: { sure: readonly Edge[]; unknown: readonly Edge[] }): { sure: Edge[]; unknown: Edge[] } {
    const known = this.escalations.get(id);
    if (known) return known;
    const into = { sure: [] as Edge[], unknown: [] as Edge[] };
    this.escalations.set(id, into);
    const node = this.from.nodes.byId.get(id);
    const account = node?.account !== undefined ? this.from.state.accounts.get(node.account) : undefined;
    const target = node?.role ?? (node?.kind === "user" && account ? userOf(account, id) : undefined);
    if (!node || !account || !target) return into;
    const admitted = new Set([...assumed.sure, ...assumed.unknown].map((e) => e.from));
    const session = "maxSessionDuration" in target ? Math.min(CHAIN_LIMIT_SECONDS, target.maxSessionDuration) : Infinity;
    for (const [from, how] of this.from.escalations.into(target, node.role ? "role" : "user", account, admitted)) {
      const edge: Edge = {
        from,
        to: target.arn,
        action: how.steps[0] as string,
        requires: NOTHING_REQUIRED,
        maxSessionSeconds: session,
        technique: how.technique,
        steps: how.steps,
        ...(how.unknown ? { unknown: how.unknown } : {}),
        ...(how.holdsIf ? { holdsIf: how.holdsIf } : {}),
      };
      (edge.unknown ? into.unknown : into.sure).push(edge);
    }
    return into;
  }

  /** The edges from a caller that hold only if its unknown policies allow them (decides every trust on first use). */
  unknownFrom(id: string): readonly Edge[] {
    if (!this.unknownByCaller) {
      this.all();
      const byCaller = new Map<string, Edge[]>();
      for (const list of this.unknownInto.values())
        for (const edge of list) {
          const out = byCaller.get(edge.from);
          if (out) out.push(edge);
          else byCaller.set(edge.from, [edge]);
        }
      this.unknownByCaller = byCaller;
    }
    return this.unknownByCaller.get(id) ?? [];
  }

  /**
   * The edges from one caller, sure and unknown, deciding only the trusts that could admit it: those
   * naming its account (or a principal of it), its provider or service, or anyone; and, with
   * escalations, its own account's roles and users. A forward walk (can, reach) thus decides what
   * it reaches, never the whole organization's trusts.
   */
  outgoing(id: string): { sure: Edge[]; unknown: Edge[] } {
    if (this.whole) return { sure: this.whole.byCaller.get(id) ?? [], unknown: this.unknownFrom(id) as Edge[] };
    const node = this.from.nodes.byId.get(id);
    const out = { sure: [] as Edge[], unknown: [] as Edge[] };
    if (!node) return out;
    const index = (this.targets ??= targetIndex(this.from.state, this.from.withEscalations));
    const candidates = new Set<string>(index.any);
    for (const key of [node.account, node.principal])
      if (key !== undefined) for (const target of index.named.get(key) ?? []) candidates.add(target);
    if (this.from.withEscalations && node.account !== undefined)
      for (const target of index.own.get(node.account) ?? []) candidates.add(target);
    // A user may join a group that lets it assume a role elsewhere (./escalation.ts): its escalations reach past its account.
    const escalates = this.from.withEscalations && node.kind === "user";
    for (const target of [...candidates].sort((x, y) => (index.order.get(x) as number) - (index.order.get(y) as number))) {
      const to = this.from.nodes.byId.get(target);
      const account = to?.account !== undefined ? this.from.state.accounts.get(to.account) : undefined;
      if (this.into.has(target) || escalates || (this.from.withEscalations && to?.account === node.account) || !to?.role || !account) {
        // Every edge into it (decided once, with its escalations), of which this caller's.
        for (const edge of this.incomingOf(target)) if (edge.from === id) out.sure.push(edge);
        for (const edge of this.unknownInto.get(target) ?? []) if (edge.from === id) out.unknown.push(edge);
        continue;
      }
      // A role whose trust names the caller's account or the caller: only this caller's edge is decided.
      const edge = target === id ? undefined : this.decideEdge(node, to.role, account, this.from.trustOf(to.role));
      if (edge) (edge.unknown ? out.unknown : out.sure).push(edge);
    }
    return out;
  }

  /** Every edge by caller and by role: decides every trust, in the state's order (so the maps' order does not depend on what was asked before). */
  all(): { readonly byCaller: ReadonlyMap<string, Edge[]>; readonly byRole: ReadonlyMap<string, Edge[]> } {
    if (this.whole) return this.whole;
    const whole = { byCaller: new Map<string, Edge[]>(), byRole: new Map<string, Edge[]>() };
    for (const account of this.from.state.accounts.values()) {
      const targets = this.from.withEscalations ? [...account.roles.values(), ...account.users.values()] : account.roles.values();
      for (const target of targets) {
        const list = this.incomingOf(target.arn);
        if (list.length) whole.byRole.set(target.arn, list as Edge[]);
        for (const edge of list) {
          const out = whole.byCaller.get(edge.from);
          if (out) out.push(edge);
          else whole.byCaller.set(edge.from, [edge]);
        }
      }
    }
    return (this.whole = whole);
  }

  /** The edges into a role: every caller its trust could admit, as the engine decides, in the order the trust names them. */
  private edgesInto(role: RoleState, account: AccountEntry): { sure: Edge[]; unknown: Edge[] } {
    const trust = this.from.trustOf(role);
    const into = { sure: [] as Edge[], unknown: [] as Edge[] };
    for (const caller of this.from.callers.of(role, account, trust)) {
      if (caller === role.arn) continue;
      const edge = this.decideEdge(this.from.nodes.byId.get(caller) as GraphNode, role, account, trust);
      if (edge) (edge.unknown ? into.unknown : into.sure).push(edge);
    }
    return into;
  }

  /** Decides one hop with the engine; keeps it, labelled, when caller-chosen keys settle it. */
  private decideEdge(caller: GraphNode, role: RoleState, account: AccountEntry, trust: Policy): Edge | undefined {
    const action =
      caller.kind === "federated"
        ? caller.principal.includes("saml-provider/")
          ? "sts:AssumeRoleWithSAML"
          : "sts:AssumeRoleWithWebIdentity"
        : "sts:AssumeRole";
    const context = this.assumeContext(account, caller.kind === "service");
    const { result, requires, unknown } = this.from.decide(caller, { action, resource: role.arn, account, policy: trust, context });
    if (unknown)
      return {
        from: caller.id,
        to: role.arn,
        action,
        requires,
        maxSessionSeconds: Math.min(CHAIN_LIMIT_SECONDS, role.maxSessionDuration),
        unknown,
      };
    if (result.decision !== "Allow") return undefined;
    const chained = caller.kind === "role" || caller.kind === "account";
    const statement = decidingStatements(result, "resource")[0];
    const open = caller.kind === "federated" ? this.from.nodes.openSubject(caller) : undefined;
    return {
      from: caller.id,
      to: role.arn,
      action,
      requires,
      maxSessionSeconds: chained ? Math.min(CHAIN_LIMIT_SECONDS, role.maxSessionDuration) : role.maxSessionDuration,
      ...(statement ? { statement: this.statementName(statement) } : {}),
      ...(open ? { holdsIf: open } : {}),
    };
  }

  private assumeContext(account: AccountEntry, service: boolean): Record<string, string> {
    const known = this.assumeContexts[service ? 1 : 0] as Map<string, Record<string, string>>;
    let context = known.get(account.id);
    if (!context) {
      const { supplied } = this.from;
      context = { "aws:ResourceAccount": account.id, ...supplied };
      if (service) context["aws:SourceAccount"] = supplied["aws:SourceAccount"] ?? account.id;
      known.set(account.id, context);
    }
    return context;
  }

  private statementName(statement: Statement): string {
    let name = this.statementNames.get(statement);
    if (name === undefined) {
      name = trustStatementName(statement);
      this.statementNames.set(statement, name);
    }
    return name;
  }
}

/** How an edge names the trust statement that admits its caller (Edge.statement): its path, with its Sid when it has one. */
export function trustStatementName(statement: Statement): string {
  return statement.sid ? `${pathText(statement.path)} (${statement.sid})` : pathText(statement.path);
}

/** Where outgoing looks for a caller's targets, in the state's order. */
interface TargetIndex {
  /** By an account ID, a provider's ARN or a service's name: the roles whose trust names it (or a principal of the account). */
  named: Map<string, string[]>;
  /** Roles whose trust may admit anyone (`*`, NotPrincipal, what the index cannot read). */
  any: string[];
  /** By account ID: its roles and users, which its own principals may escalate into. */
  own: Map<string, string[]>;
  /** Every role and user, by its place in the state. */
  order: Map<string, number>;
}

/** Reads every trust as written (no compiling): what it names, and where a caller of each kind looks. */
function targetIndex(state: AccountState, withUsers: boolean): TargetIndex {
  const index: TargetIndex = { named: new Map(), any: [], own: new Map(), order: new Map() };
  const file = (key: string, arn: string) => {
    const list = index.named.get(key);
    if (!list) index.named.set(key, [arn]);
    else if (list[list.length - 1] !== arn) list.push(arn);
  };
  for (const account of state.accounts.values()) {
    const own: string[] = [];
    for (const role of account.roles.values()) {
      index.order.set(role.arn, index.order.size);
      own.push(role.arn);
      const keys = trustNames(role.trustPolicy);
      if (keys === "any") index.any.push(role.arn);
      else for (const key of keys) file(key, role.arn);
    }
    if (withUsers)
      for (const user of account.users.values()) {
        index.order.set(user.arn, index.order.size);
        own.push(user.arn);
      }
    index.own.set(account.id, own);
  }
  return index;
}

/**
 * What a trust's Allow statements name, as keys a caller is found by: the account of each AWS
 * principal, each provider and service; "any" where a statement may admit anyone or cannot be read
 * here (the engine decides those roles' callers as for every other).
 */
function trustNames(document: RoleState["trustPolicy"]): Set<string> | "any" {
  const keys = new Set<string>();
  const statements: unknown[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  for (const raw of statements) {
    if (typeof raw !== "object" || raw === null) return "any";
    const statement = raw as { Effect?: unknown; Principal?: unknown; NotPrincipal?: unknown };
    if (statement.Effect !== "Allow") continue;
    const principal = statement.Principal;
    if (statement.NotPrincipal !== undefined || typeof principal !== "object" || principal === null) return "any";
    for (const [kind, value] of Object.entries(principal)) {
      for (const name of Array.isArray(value) ? value : [value]) {
        if (typeof name !== "string" || name === "*") return "any";
        if (kind === "AWS") {
          const account = isAccountId(name) ? name : principalAccountId(name);
          if (account === undefined) return "any";
          keys.add(account);
        } else keys.add(name);
      }
    }
  }
  return keys;
}
