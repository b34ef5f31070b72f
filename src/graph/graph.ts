/**
 * The access graph across accounts. Nodes are the principals that can start or continue a chain
 * — IAM users, roles (their sessions), federated identities (an OIDC provider with one `sub`, a
 * SAML provider), service principals and the roots of accounts outside the inventory. An edge
 * says a node may become a role, as the engine decides it with every layer: the caller's identity
 * policies, boundary and SCPs, the role's trust policy and the target account's RCPs.
 *
 * Trust policies are indexed by the principals, accounts and providers they name, so each role is
 * checked only against the callers its trust can admit: cost grows with the edges, not with the
 * square of the principals. Where a trust names a whole account or everyone, only the principals
 * whose identity policies could allow sts:AssumeRole on the role are asked (a GrantIndex finds
 * them), with those of the role's own account that the trust names directly.
 *
 * Every node exists once the graph is constructed; a role's incoming edges are decided when first
 * asked (`incomingOf`), and the whole graph (`edges`, `incoming`) when first read. Who-can walks
 * back from the principals that can act only through the trusts it meets.
 */
import { CHAIN_LIMIT_SECONDS } from "../aws/limits.js";
import { orgPathValue } from "../aws/organizations.js";
import { decodePrincipalTag } from "../aws/principal.js";
import { assumedRoleArn, iamAccountId, isAccountId, parseArn, parseIamArn, principalAccountId, roleArn, rootArn } from "../aws/arn.js";
import { type Decision, decide as decideRequest, decidingStatements, evaluate } from "../policy/evaluate.js";
import { pathText } from "../policy/errors.js";
import { RequestContext } from "../policy/context.js";
import { parseRequestPrincipal, principalStrength, type RequestPrincipal, Strength } from "../policy/principal.js";
import type { Policy, Statement } from "../policy/policy.js";
import type { AccessRequest } from "../policy/request.js";
import { type AccountEntry, type AccountState, organizationOf, type PolicyDocument, type RoleState } from "../state/account-state.js";
import { actionMatches, GrantIndex, PolicyBook } from "./policies.js";

export type NodeKind = "user" | "role" | "federated" | "service" | "account";

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** The principal as requests name it (a role's session, a user ARN, a provider ARN, a service). */
  principal: string;
  account?: string;
  identityPolicies: Policy[];
  boundary?: Policy;
  scps?: Policy[][];
  /** A session's session policy (AssumeRole's Policy/PolicyArns), where one was passed. */
  sessionPolicy?: Policy;
  /** Principal-derived request context (aws:PrincipalArn, aws:PrincipalTag/…, the OIDC sub). */
  context: Record<string, string | string[]>;
  role?: RoleState;
}

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
}

/** The `requires` of edges and decisions that need nothing from the caller, shared (never changed). */
const NOTHING_REQUIRED: Readonly<Record<string, string>> = Object.freeze({});

/** Which principals a trust naming a whole account, or everyone, is tried against. */
interface CallerFilter {
  ofAccount: (account: AccountEntry) => string[];
  everyone: () => string[];
}

const NO_POLICIES: readonly Policy[] = [];

/** Keys a caller chooses when it calls STS: an edge that needs them is kept, labelled. */
const CALLER_KEYS = ["sts:externalid", "sts:rolesessionname", "sts:sourceidentity", "aws:sourcearn", "aws:sourceaccount"];

/** Callers of a trust naming whole accounts or everyone, when only the nodes it names are wanted. */
const NAMED_ONLY: CallerFilter = { ofAccount: () => [], everyone: () => [] };

export class AccessGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly book: PolicyBook;
  /** Edges into each role whose trust has been decided (see incomingOf). */
  private readonly into = new Map<string, readonly Edge[]>();
  /** The whole graph's edges by caller and by role, once complete() has run. */
  private readonly byCaller = new Map<string, Edge[]>();
  private readonly byRole = new Map<string, Edge[]>();
  private completed = false;
  /** Request principals of the nodes, parsed once each (a Map: the graph keeps its nodes anyway, and a large WeakMap slows every garbage collection). */
  private readonly parsed = new Map<GraphNode, RequestPrincipal>();
  private readonly statementNames = new Map<Statement, string>();
  /** Each caller's own context keys, indexed once (see outcome). */
  private readonly contexts = new Map<GraphNode, RequestContext>();
  /** Per node, its identity policies that can allow sts:AssumeRole at all; per account, the principals with any. */
  private readonly assumers = new Map<GraphNode, readonly Policy[]>();
  private readonly capable = new Map<AccountEntry, string[]>();
  /**
   * The nodes' identity-side grants (by node id) and each node's place in `nodes`; brought up to
   * date with `nodes` when asked (nodes are only ever added, at the end).
   */
  private readonly index = { grants: new GrantIndex<string>(), order: new Map<string, number>(), services: [] as string[] };

  constructor(
    readonly state: AccountState,
    private readonly supplied: Record<string, string> = {},
  ) {
    this.book = new PolicyBook(state);
    this.anything = this.book.policy(
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      "identity",
      "whatever the account's administrators allow",
    );
    for (const account of state.accounts.values()) this.addAccountNodes(account);
    // Every node exists from the start (those trusts name outside the inventory too); edges are
    // decided when first needed: who-can walks the trusts of few roles, so it decides few of them.
    for (const account of state.accounts.values()) {
      for (const role of account.roles.values()) {
        if (!this.namesOnlyManaged(role.trustPolicy))
          for (const statement of this.trustOf(role).statements)
            if (statement.effect === "Allow") this.callersNamedBy(statement, account, NAMED_ONLY);
      }
    }
  }

  /**
   * Whether every principal a trust document's Allow statements name is an IAM principal (or the
   * root) of a managed account of the state, so its callers already have nodes. Read from the
   * document as it is, without compiling it (most trusts are only compiled if an edge is asked).
   */
  private namesOnlyManaged(document: PolicyDocument): boolean {
    // Anything unexpected (a lone statement object, a value that is not a string) is left to the compiler.
    if (!Array.isArray(document.Statement)) return false;
    for (const statement of document.Statement) {
      if (statement.Effect !== "Allow") continue;
      const principal = statement.Principal;
      if (principal === undefined || principal === "*" || statement.NotPrincipal !== undefined) return false;
      for (const [kind, value] of Object.entries(principal)) {
        if (kind !== "AWS") return false;
        for (const name of typeof value === "string" ? [value] : Array.isArray(value) ? value : [undefined]) {
          if (typeof name !== "string") return false;
          const id = isAccountId(name) ? name : iamAccountId(name);
          if (id === undefined || this.state.accounts.get(id)?.managed !== true) return false;
        }
      }
    }
    return true;
  }

  /** Every edge, by the caller's node id (decides every trust on first use). */
  get edges(): ReadonlyMap<string, Edge[]> {
    this.complete();
    return this.byCaller;
  }

  /** Every edge, by the role assumed (decides every trust on first use). */
  get incoming(): ReadonlyMap<string, Edge[]> {
    this.complete();
    return this.byRole;
  }

  /** The edges into one role (none for other nodes), its trust decided on first use. */
  incomingOf(id: string): readonly Edge[] {
    let list = this.into.get(id);
    if (!list) {
      const node = this.nodes.get(id);
      const account = node?.role && node.account !== undefined ? this.state.accounts.get(node.account) : undefined;
      list = node?.role && account ? this.edgesInto(node.role, account) : [];
      this.into.set(id, list);
    }
    return list;
  }

  /** Decides every trust, in the state's order (so the maps' order does not depend on what was asked before). */
  private complete(): void {
    if (this.completed) return;
    this.completed = true;
    for (const account of this.state.accounts.values()) {
      for (const role of account.roles.values()) {
        const list = this.incomingOf(role.arn);
        if (list.length) this.byRole.set(role.arn, list as Edge[]);
        for (const edge of list) {
          const out = this.byCaller.get(edge.from);
          if (out) out.push(edge);
          else this.byCaller.set(edge.from, [edge]);
        }
      }
    }
  }

  private trustOf(role: RoleState): Policy {
    return this.book.policy(role.trustPolicy, "trust", `${role.arn} trust policy`);
  }

  private orgId(account: string | undefined): string | undefined {
    return account ? organizationOf(this.state, account) : undefined;
  }

  private addAccountNodes(account: AccountEntry): void {
    const scps = this.book.scps(account.id);
    for (const role of account.roles.values()) {
      const session = assumedRoleArn(account.partition, account.id, role.name, "xacct");
      const boundary = this.book.boundary(account, role.permissionsBoundaryArn);
      this.nodes.set(role.arn, {
        id: role.arn,
        kind: "role",
        principal: session,
        account: account.id,
        identityPolicies: this.identityOf(account, role),
        ...(boundary ? { boundary } : {}),
        ...(scps ? { scps } : {}),
        context: this.principalContext(role.arn, account.id, "AssumedRole", role.tags),
        role,
      });
    }
    for (const user of account.users.values()) {
      const boundary = this.book.boundary(account, user.permissionsBoundaryArn);
      this.nodes.set(user.arn, {
        id: user.arn,
        kind: "user",
        principal: user.arn,
        account: account.id,
        identityPolicies: this.identityOf(account, user),
        ...(boundary ? { boundary } : {}),
        ...(scps ? { scps } : {}),
        context: { ...this.principalContext(user.arn, account.id, "User", user.tags), "aws:username": user.name },
      });
    }
  }

  private principalContext(
    arn: string,
    account: string,
    type: string,
    tags: ReadonlyMap<string, string>,
  ): Record<string, string | string[]> {
    return {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": account,
      "aws:PrincipalType": type,
      ...this.orgContext(account),
      ...Object.fromEntries([...tags].map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
      ...(tags.size ? { "aws:PrincipalTagKeys": [...tags.keys()] } : {}),
    };
  }

  /**
   * The callers a trust statement names (creating nodes for those the inventory does not hold).
   * Of a whole account's principals, and of everyone, only those `filter` says may call.
   */
  private callersNamedBy(statement: Statement, account: AccountEntry, filter: CallerFilter): string[] {
    const names = statement.principal?.names ?? new Set<string>();
    const callers: string[] = [];
    for (const tag of names) {
      const name = decodePrincipalTag(tag);
      if (name.kind === "service") callers.push(this.serviceNode(name.name));
      else if (name.kind === "federated") callers.push(...this.federatedNodes(name.name, statement));
      else if (name.kind === "account") {
        const known = this.state.accounts.get(name.account);
        if (known) callers.push(...filter.ofAccount(known));
        // An account outside the inventory, or outside the model's management: any of its principals.
        if (!known?.managed) callers.push(this.externalAccountNode(name.account, account.partition));
      } else if (name.kind === "role") {
        const known = this.state.accounts.get(name.account);
        const found = known?.roles.get(name.name);
        // A role outside the inventory is its own caller (the trust names it, not its whole account);
        // the principal element keeps no path, so its node is named without one.
        if (found) callers.push(found.arn);
        else if (!known?.managed) callers.push(this.outsider(roleArn(name.partition, name.account, name.name)).id);
      } else if (name.kind === "arn") {
        const arn = name.arn;
        if (this.nodes.has(arn)) callers.push(arn);
        else {
          const id = principalAccountId(arn);
          if (id && !this.state.accounts.has(id)) callers.push(this.outsider(arn).id);
        }
      }
    }
    if (statement.principal?.everyone) callers.push(...filter.everyone());
    return callers;
  }

  /**
   * A principal of an account outside the inventory (a consumer's role named by a stream policy):
   * it may do whatever its own administrators allow.
   */
  outsider(arn: string): GraphNode {
    const known = this.nodes.get(arn);
    if (known) return known;
    const named = parseIamArn(arn);
    if (named?.kind !== "role" && named?.kind !== "user")
      return this.nodes.get(
        this.externalAccountNode(principalAccountId(arn) ?? "000000000000", parseArn(arn)?.partition || "aws"),
      ) as GraphNode;
    const { partition, account, kind, name } = named;
    const node: GraphNode = {
      id: arn,
      kind: "account",
      principal: kind === "role" ? assumedRoleArn(partition, account, name, "xacct") : arn,
      account,
      identityPolicies: [this.anything],
      context: { "aws:PrincipalArn": arn, "aws:PrincipalAccount": account, ...this.orgContext(account) },
    };
    this.nodes.set(arn, node);
    return node;
  }

  /**
   * aws:PrincipalOrgID and aws:PrincipalOrgPaths for an account in an organization (the
   * inventory's, even for an account it does not hold, or the model's). AWS includes them "only if
   * the principal is a member of an organization"; the path only where its parents are known.
   */
  orgContext(account: string): Record<string, string | string[]> {
    const org = this.orgId(account);
    if (!org) return {};
    const inventory = this.state.organization;
    const parents =
      inventory?.id === org ? inventory.parents.get(account) : this.state.accounts.get(account)?.organization?.path;
    return {
      "aws:PrincipalOrgID": org,
      ...(parents?.length ? { "aws:PrincipalOrgPaths": [orgPathValue(org, parents)] } : {}),
    };
  }

  private serviceNode(service: string): string {
    if (!this.nodes.has(service))
      this.nodes.set(service, {
        id: service,
        kind: "service",
        principal: service,
        identityPolicies: [],
        context: { "aws:PrincipalIsAWSService": "true" },
      });
    return service;
  }

  /**
   * A principal's identity policies; in an account the model does not manage, its side is up to
   * that account's administrators, so it may do whatever they allow (xacct lists their steps).
   */
  private identityOf(account: AccountEntry, holder: Parameters<PolicyBook["identityPolicies"]>[1]): Policy[] {
    return account.managed ? this.book.identityPolicies(account, holder) : [this.anything];
  }

  private readonly anything: Policy;

  private externalAccountNode(id: string, partition: string): string {
    const arn = rootArn(partition, id);
    if (!this.nodes.has(arn)) {
      // An account outside the inventory: any of its principals, with whatever its admins allow.
      this.nodes.set(arn, {
        id: arn,
        kind: "account",
        principal: assumedRoleArn(partition, id, "any-principal", "xacct"),
        account: id,
        identityPolicies: [this.anything],
        context: { "aws:PrincipalAccount": id, ...this.orgContext(id) },
      });
    }
    return arn;
  }

  /** One node per `sub` the trust names for a provider (a Kubernetes service account), or one for the provider. */
  private federatedNodes(provider: string, statement: Statement): string[] {
    // OIDC keys are prefixed by the issuer (`oidc.eks…/id/X:sub`, `accounts.google.com:aud`); SAML keys by `SAML:`.
    const saml = provider.includes("saml-provider/");
    const issuer = provider.includes("oidc-provider/") ? provider.slice(provider.indexOf("oidc-provider/") + 14) : saml ? "SAML" : provider;
    const valuesOf = (key: string) =>
      statement.condition.filter((t) => t.lowerKey === key.toLowerCase()).flatMap((t) => t.values.map((v) => v.text));
    const subs = valuesOf(`${issuer}:sub`);
    const auds = valuesOf(`${issuer}:aud`);
    const ids: string[] = [];
    for (const sub of subs.length ? subs : [undefined]) {
      const id = sub ? `${provider}#${sub}` : provider;
      if (!this.nodes.has(id)) {
        const context: Record<string, string> = {
          [`${issuer}:aud`]: auds[0] ?? (saml ? "https://signin.aws.amazon.com/saml" : "sts.amazonaws.com"),
        };
        if (sub) context[`${issuer}:sub`] = sub;
        const account = principalAccountId(provider);
        this.nodes.set(id, { id, kind: "federated", principal: provider, ...(account ? { account } : {}), identityPolicies: [], context });
      }
      ids.push(id);
    }
    return ids;
  }

  /** The edges into a role: every caller its trust names (as the engine decides), in node order. */
  private edgesInto(role: RoleState, account: AccountEntry): Edge[] {
    const { grants, order } = this.indexed();
    const trust = this.trustOf(role);
    // The identity policies that could allow sts:AssumeRole on the role, found when first needed.
    let allowing: Set<Policy> | undefined;
    const mayCall = (id: string) => {
      const node = this.nodes.get(id) as GraphNode;
      const assumers = this.assumeRolePolicies(node);
      if (assumers.length > 0) {
        allowing ??= grants.allowing("sts:AssumeRole", role.arn);
        if (assumers.some((p) => (allowing as Set<Policy>).has(p))) return true;
      }
      return node.account === account.id && this.namesDirectly(trust, node);
    };
    const filter: CallerFilter = {
      // In another account only principals whose identity policies can allow sts:AssumeRole may call.
      ofAccount: (known) =>
        (known === account ? [...known.roles.values(), ...known.users.values()].map((p) => p.arn) : this.assumeCapable(known)).filter(
          mayCall,
        ),
      // Everyone: users and roles whose side could allow it, and all of the role's own account (a `*` trust names them directly).
      everyone: () => {
        const ids = new Set([...account.roles.values(), ...account.users.values()].map((p) => p.arn));
        for (const id of grants.candidates("sts:AssumeRole", role.arn)) {
          const kind = this.nodes.get(id)?.kind;
          if (kind === "role" || kind === "user") ids.add(id);
        }
        return [...ids].sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
      },
    };
    const callers = new Set(trust.statements.filter((s) => s.effect === "Allow").flatMap((s) => this.callersNamedBy(s, account, filter)));
    const into: Edge[] = [];
    for (const caller of callers) {
      if (caller === role.arn) continue;
      const edge = this.decideEdge(this.nodes.get(caller) as GraphNode, role, account, trust);
      if (edge) into.push(edge);
    }
    return into;
  }

  /**
   * Whether a resource-based policy (a trust) allows the node itself or its role by name, not only
   * its account, in some statement: in the resource's own account that lets the node in whatever
   * its identity policies say.
   */
  namesDirectly(policy: Policy, node: GraphNode): boolean {
    const principal = this.principalOf(node);
    return policy.statements.some(
      (s) => s.effect === "Allow" && (s.principal === null || principalStrength(s.principal, principal) >= Strength.Role),
    );
  }

  /** A node's identity policies with an Allow statement for sts:AssumeRole (on any resource), found once. */
  private assumeRolePolicies(node: GraphNode): readonly Policy[] {
    let policies = this.assumers.get(node);
    if (!policies) {
      const found = node.identityPolicies.filter((p) =>
        p.statements.some((s) => s.effect === "Allow" && actionMatches(s, "sts:assumerole")),
      );
      policies = found.length ? found : NO_POLICIES;
      if (this.owns(node)) this.assumers.set(node, policies);
    }
    return policies;
  }

  /** The users and roles of an account (in `nodes` order) whose identity policies can allow sts:AssumeRole at all. */
  private assumeCapable(account: AccountEntry): string[] {
    let ids = this.capable.get(account);
    if (!ids) {
      ids = [...account.roles.values(), ...account.users.values()]
        .map((p) => p.arn)
        .filter((id) => this.assumeRolePolicies(this.nodes.get(id) as GraphNode).length > 0);
      this.capable.set(account, ids);
    }
    return ids;
  }

  /**
   * Whether the graph keeps what it works out for `node`: only for its own nodes. A caller made for
   * one request (the sandbox's root user, or a role's session, seen as a node) is worked out anew,
   * so that the graph does not grow with every request.
   */
  private owns(node: GraphNode): boolean {
    return this.nodes.get(node.id) === node;
  }

  /** The request principal a node acts as, parsed once for each node of the graph. */
  principalOf(node: GraphNode): RequestPrincipal {
    let principal = this.parsed.get(node);
    if (!principal) {
      principal = parseRequestPrincipal(node.principal, "principal");
      if (this.owns(node)) this.parsed.set(node, principal);
    }
    return principal;
  }

  /** Ids of the nodes whose identity policies could allow the action on the resource, conditions aside. */
  grantedTo(action: string, resource: string): Set<string> {
    return this.indexed().grants.candidates(action, resource);
  }

  /** Ids of the service principals' nodes. */
  serviceNodes(): readonly string[] {
    return this.indexed().services;
  }

  /** Node ids in the order `nodes` holds them. */
  inNodeOrder(ids: Iterable<string>): string[] {
    const { order } = this.indexed();
    return [...ids].sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
  }

  /** The grant index and node order, with any nodes added since the last call. */
  private indexed() {
    const { grants, order } = this.index;
    if (order.size !== this.nodes.size) {
      for (const node of this.nodes.values()) {
        if (order.has(node.id)) continue;
        order.set(node.id, order.size);
        grants.add(node.id, node.identityPolicies);
        if (node.kind === "service") this.index.services.push(node.id);
      }
    }
    return this.index;
  }

  /** Decides one hop with the engine; keeps it, labelled, when caller-chosen keys settle it. */
  private decideEdge(caller: GraphNode, role: RoleState, account: AccountEntry, trust: Policy): Edge | undefined {
    const action =
      caller.kind === "federated"
        ? caller.principal.includes("saml-provider/")
          ? "sts:AssumeRoleWithSAML"
          : "sts:AssumeRoleWithWebIdentity"
        : "sts:AssumeRole";
    const base: Record<string, string | string[]> = { "aws:ResourceAccount": account.id, ...this.supplied };
    if (caller.kind === "service") base["aws:SourceAccount"] = this.supplied["aws:SourceAccount"] ?? account.id;
    const { result, requires } = this.outcome(caller, action, role.arn, account, trust, base);
    if (result.decision !== "Allow") return undefined;
    const chained = caller.kind === "role" || caller.kind === "account";
    const statement = decidingStatements(result, "resource")[0];
    return {
      from: caller.id,
      to: role.arn,
      action,
      requires,
      maxSessionSeconds: chained ? Math.min(CHAIN_LIMIT_SECONDS, role.maxSessionDuration) : role.maxSessionDuration,
      ...(statement ? { statement: this.statementName(statement) } : {}),
    };
  }

  /**
   * The engine's decision; when it is not Allow and the resource-based policy (a trust) asks for
   * keys the caller chooses, the decision with them supplied, and what they are.
   */
  decide(
    caller: GraphNode,
    action: string,
    resource: string,
    account: AccountEntry | undefined,
    policy: Policy | undefined,
    context: Record<string, string | string[]>,
  ) {
    return this.settle((c) => this.evaluate(caller, action, resource, account, policy, c), policy, context);
  }

  /**
   * As decide, without the explanation (edges and who-can need only the decision and the trust
   * statement), and with the caller's own context keys indexed once for all its requests: `extra`
   * holds the rest.
   */
  outcome(
    caller: GraphNode,
    action: string,
    resource: string,
    account: AccountEntry | undefined,
    policy: Policy | undefined,
    extra: Record<string, string | string[]>,
  ) {
    let base = this.contexts.get(caller);
    if (!base) {
      base = RequestContext.fromJson(caller.context, "context");
      if (this.owns(caller)) this.contexts.set(caller, base);
    }
    const own = base;
    return this.settle(
      (c) => decideRequest(this.request(caller, action, resource, account, policy, RequestContext.over(own, c))),
      policy,
      extra,
    );
  }

  private settle<T extends { decision: Decision }>(
    run: (context: Record<string, string | string[]>) => T,
    policy: Policy | undefined,
    context: Record<string, string | string[]>,
  ): { result: T; requires: Record<string, string> } {
    const result = run(context);
    const requires = result.decision !== "Allow" && policy ? this.callerKeysFor(policy, context) : {};
    if (Object.keys(requires).length === 0) return { result, requires: NOTHING_REQUIRED };
    const settled = run({ ...context, ...requires });
    return settled.decision === "Allow" ? { result: settled, requires } : { result, requires: NOTHING_REQUIRED };
  }

  /** Values a policy's conditions ask for on keys the caller chooses, not already supplied. */
  private callerKeysFor(policy: Policy, given: Record<string, string | string[]>): Record<string, string> {
    const out: Record<string, string> = {};
    const givenKeys = new Set(Object.keys(given).map((k) => k.toLowerCase()));
    for (const s of policy.statements) {
      if (s.effect !== "Allow") continue;
      for (const test of s.condition) {
        if (!CALLER_KEYS.includes(test.lowerKey) || givenKeys.has(test.lowerKey) || test.operator.info === "Null") continue;
        const value = test.values[0]?.text;
        if (value !== undefined) out[test.key] = value;
      }
    }
    return out;
  }

  /** A statement as edges name it (policy, path and Sid), made once: many edges share a trust statement. */
  private statementName(statement: Statement): string {
    let name = this.statementNames.get(statement);
    if (name === undefined) {
      name = statement.sid ? `${pathText(statement.path)} (${statement.sid})` : pathText(statement.path);
      this.statementNames.set(statement, name);
    }
    return name;
  }

  /** The engine's decision for a node acting on a resource, explained. */
  evaluate(
    caller: GraphNode,
    action: string,
    resource: string,
    account: AccountEntry | undefined,
    resourcePolicy: Policy | undefined,
    context: Record<string, string | string[]>,
  ) {
    return evaluate(this.request(caller, action, resource, account, resourcePolicy, context));
  }

  private request(
    caller: GraphNode,
    action: string,
    resource: string,
    account: AccountEntry | undefined,
    resourcePolicy: Policy | undefined,
    context: Record<string, string | string[]> | RequestContext,
  ): AccessRequest {
    return {
      principal: this.principalOf(caller),
      action,
      resource,
      resourceAccount: account?.id,
      context: context instanceof RequestContext ? context : RequestContext.fromJson(context, "context"),
      identityPolicies: caller.identityPolicies,
      resourcePolicy,
      permissionsBoundary: caller.boundary,
      sessionPolicy: caller.sessionPolicy,
      endpointPolicy: undefined,
      scps: caller.scps,
      rcps: account ? this.book.rcps(account.id) : undefined,
    };
  }
}
