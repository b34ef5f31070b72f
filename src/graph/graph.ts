/**
 * The access graph across accounts. Nodes are the principals that can start or continue a chain
 * — IAM users, roles (their sessions), federated identities (an OIDC provider with one `sub`, a
 * SAML provider), service principals and the roots of accounts outside the inventory. An edge
 * says a node may become a role, as the engine decides it with every layer: the caller's identity
 * policies, boundary and SCPs, the role's trust policy and the target account's RCPs.
 *
 * Built from three parts: the nodes (./nodes.ts), the index from what trust policies name to the
 * callers they could admit (./trust-callers.ts), and the lazy edge resolver (./edges.ts); every
 * decision, an edge's or a question's, is `decide`'s (./decide.ts). Besides assumption, edges by
 * the other ways AWS offers to act as a role or user (rewriting its trust, passing it to a service,
 * making a user's keys: ./escalation.ts) unless the graph is built with `edges: "assume"`.
 *
 * Every node exists once the graph is constructed; a role's incoming edges are decided when first
 * asked (`incomingOf`), and the whole graph (`edges`, `incoming`) when first read.
 */
import type { Evaluation, Outcome } from "../policy/evaluate.js";
import type { Policy } from "../policy/policy.js";
import type { RequestPrincipal } from "../policy/principal.js";
import { compileGlob, type Glob, globMatches } from "../policy/wildcard.js";
import type { AccountEntry, AccountState, ResourcePolicyState, RoleState } from "../state/account-state.js";
import { type Decided, decide, type DecideOptions, type Question } from "./decide.js";
import { type Edge, EdgeResolver } from "./edges.js";
import { Escalations } from "./escalation.js";
import { type GraphNode, GraphNodes } from "./nodes.js";
import { PolicyBook } from "./policies.js";
import { policyHolderOf } from "./resource-policy.js";
import { TrustCallers } from "./trust-callers.js";

export type { Edge } from "./edges.js";
/** The edges a graph holds: every technique, or role assumption through trusts only. */
export type EdgeKinds = "all" | "assume";
export const EDGE_KINDS: readonly EdgeKinds[] = ["all", "assume"];
export type { GraphNode, NodeKind } from "./nodes.js";
export type { Question } from "./decide.js";

export class AccessGraph {
  readonly book: PolicyBook;
  private readonly built: GraphNodes;
  private readonly callers: TrustCallers;
  private readonly resolver: EdgeResolver;
  /** Per account, its resource policies held under an ARN pattern (see patterned). */
  private readonly patterns = new Map<AccountEntry, readonly [Glob, ResourcePolicyState][]>();

  constructor(
    readonly state: AccountState,
    /** Keys every edge's decision is given (`--context`). */
    supplied: Record<string, string> = {},
    /** Which edges: `all` (assumption and every escalation technique, ./escalation.ts) or `assume` (trusts only). */
    readonly options: { edges?: EdgeKinds } = {},
  ) {
    this.book = new PolicyBook(state);
    this.built = new GraphNodes(state, this.book);
    this.callers = new TrustCallers(state, this.built);
    // Every node exists from the start (those trusts name outside the inventory too); edges are
    // decided when first needed: who-can walks the trusts of few roles, so it decides few of them.
    this.callers.nameAll((role) => this.trustOf(role));
    this.resolver = new EdgeResolver({
      state,
      nodes: this.built,
      callers: this.callers,
      trustOf: (role) => this.trustOf(role),
      decide: (caller, q) => this.decide(caller, q, { callerKeys: true }),
      supplied,
      escalations: new Escalations({
        state,
        nodes: this.built,
        book: this.book,
        decide: (caller, q) => this.decide(caller, q),
        trustOf: (role) => this.trustOf(role),
      }),
      withEscalations: options.edges !== "assume",
    });
  }

  /** The federated identities of a provider (one per `sub` its trusts name), without looking at every node. */
  identitiesOf(provider: string): GraphNode[] {
    return this.built.identitiesOf(provider);
  }

  /** Every node by id. */
  get nodes(): Map<string, GraphNode> {
    return this.built.byId;
  }

  /** Every edge, by the caller's node id (decides every trust on first use). */
  get edges(): ReadonlyMap<string, Edge[]> {
    return this.resolver.all().byCaller;
  }

  /** Every edge, by the role assumed (decides every trust on first use). */
  get incoming(): ReadonlyMap<string, Edge[]> {
    return this.resolver.all().byRole;
  }

  /** The escalation edges into a role or user (./escalation.ts), whether or not the graph's edges hold them. */
  escalationsInto(id: string): readonly Edge[] {
    return this.resolver.escalationsInto(id);
  }

  /**
   * The edges from one node, deciding only the trusts that could admit it (see EdgeResolver.outgoing):
   * what a forward walk reads instead of `edges`, which decides every trust of the state.
   */
  outgoingOf(id: string): readonly Edge[] {
    return this.resolver.outgoing(id).sure;
  }

  /** The edges from a node that hold only if its unknown policies allow, deciding only the trusts that could admit it. */
  unknownOutgoingOf(id: string): readonly Edge[] {
    return this.resolver.outgoing(id).unknown;
  }

  /** The edges from a node that hold only if its attached policies whose documents are unknown allow sts:AssumeRole. */
  unknownEdgesFrom(id: string): readonly Edge[] {
    return this.resolver.unknownFrom(id);
  }

  /** The edges into one role (none for other nodes), its trust decided on first use. */
  incomingOf(id: string): readonly Edge[] {
    return this.resolver.incomingOf(id);
  }

  /**
   * May `caller` do the request: the engine's decision, explained when asked, and with the keys
   * the caller chooses settled when asked (see DecideOptions).
   */
  decide(caller: GraphNode, q: Question, how: DecideOptions & { explain: true }): Decided<Evaluation>;
  decide(caller: GraphNode, q: Question, how?: DecideOptions): Decided<Outcome>;
  decide(caller: GraphNode, q: Question, how: DecideOptions = {}): Decided<Evaluation | Outcome> {
    return decide(this.built, this.book, caller, q, how);
  }

  /** The request principal a node acts as, parsed once for each node of the graph. */
  principalOf(node: GraphNode): RequestPrincipal {
    return this.built.principalOf(node);
  }

  /** A role's trust policy, compiled. */
  trustOf(role: RoleState): Policy {
    return this.book.policy(role.trustPolicy, "trust", `${role.arn} trust policy`);
  }

  /** The policy governing a resource of an account: a role's trust, or the resource policy of it or of what holds it (./resource-policy.ts). */
  resourcePolicyOf(account: AccountEntry | undefined, resource: string): Policy | undefined {
    if (!account) return undefined;
    const role = account.roles.get(resource.slice(resource.lastIndexOf("/") + 1));
    if (role?.arn === resource) return this.trustOf(role);
    const held =
      account.resourcePolicies.get(resource) ??
      account.resourcePolicies.get(policyHolderOf(resource)) ??
      this.patterned(account).find(([glob]) => globMatches(glob, resource))?.[1];
    return held ? this.book.policy(held.policy, "resource", held.arn) : undefined;
  }

  /**
   * The resource policies of an account kept under an ARN pattern rather than one resource: a
   * model names a secret as `secret:db-??????`, since Secrets Manager adds six random characters
   * to every secret's ARN. Compiled once per account, when a lookup by the exact ARN misses.
   */
  private patterned(account: AccountEntry): readonly [Glob, ResourcePolicyState][] {
    let list = this.patterns.get(account);
    if (!list) {
      list = [...account.resourcePolicies.values()]
        .filter((p) => p.arn.includes("*") || p.arn.includes("?"))
        .map((p) => [compileGlob(p.arn), p] as [Glob, ResourcePolicyState]);
      this.patterns.set(account, list);
    }
    return list;
  }

  /**
   * A principal of an account outside the inventory (a consumer's role named by a stream policy):
   * it may do whatever its own administrators allow.
   */
  outsider(arn: string): GraphNode {
    return this.built.outsider(arn);
  }

  /** aws:PrincipalOrgID and aws:PrincipalOrgPaths of an account's principals, where known (see GraphNodes.orgContext). */
  orgContext(account: string): Record<string, string | string[]> {
    return this.built.orgContext(account);
  }

  /**
   * Whether a resource-based policy (a trust) allows the node itself or its role by name, not only
   * its account, in some statement: in the resource's own account that lets the node in whatever
   * its identity policies say.
   */
  namesDirectly(policy: Policy, node: GraphNode): boolean {
    return this.callers.namesDirectly(policy, node);
  }

  /** Ids of the nodes whose identity policies could allow the action on the resource, conditions aside. */
  grantedTo(action: string, resource: string): Set<string> {
    return this.built.indexed().grants.candidates(action, resource);
  }

  /** Ids of the nodes with attached policies whose documents are unknown: they may be allowed anything. */
  withUnknownPolicies(): readonly string[] {
    return this.built.indexed().unknown;
  }

  /** Ids of the service principals' nodes. */
  serviceNodes(): readonly string[] {
    return this.built.indexed().services;
  }

  /** Node ids in the order `nodes` holds them. */
  inNodeOrder(ids: Iterable<string>): string[] {
    return this.built.inOrder(ids);
  }
}
