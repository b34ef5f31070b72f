/**
 * The access graph across accounts. Nodes are the principals that can start or continue a chain
 * — IAM users, roles (their sessions), federated identities (an OIDC provider with one `sub`, a
 * SAML provider), service principals and the roots of accounts outside the inventory. An edge
 * says a node may become a role, as the engine decides it with every layer: the caller's identity
 * policies, boundary and SCPs, the role's trust policy and the target account's RCPs.
 *
 * Trust policies are indexed by the principals, accounts and providers they name, so each role is
 * checked only against the callers its trust can admit: cost grows with the edges, not with the
 * square of the principals.
 */
import { evaluate } from "../policy/evaluate.js";
import { RequestContext } from "../policy/context.js";
import { parseRequestPrincipal } from "../policy/principal.js";
import type { Policy, Statement } from "../policy/policy.js";
import type { AccessRequest } from "../policy/request.js";
import type { AccountEntry, AccountState, RoleState } from "../state/account-state.js";
import { PolicyBook } from "./policies.js";

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

/** Keys a caller chooses when it calls STS: an edge that needs them is kept, labelled. */
const CALLER_KEYS = ["sts:externalid", "sts:rolesessionname", "sts:sourceidentity", "aws:sourcearn", "aws:sourceaccount"];
const CHAIN_LIMIT = 3600;

export class AccessGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, Edge[]>();
  readonly incoming = new Map<string, Edge[]>();
  readonly book: PolicyBook;

  constructor(
    readonly state: AccountState,
    private readonly supplied: Record<string, string> = {},
  ) {
    this.book = new PolicyBook(state);
    this.anything = this.book.policy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, "identity", "whatever the account's administrators allow");
    for (const account of state.accounts.values()) this.addAccountNodes(account);
    this.addEdges();
  }

  roleNodeId(arn: string): string {
    return arn;
  }

  private orgId(account: string | undefined): string | undefined {
    const org = this.state.organization;
    return account && org?.parents.has(account) ? org.id : undefined;
  }

  private addAccountNodes(account: AccountEntry): void {
    for (const role of account.roles.values()) {
      const session = `arn:${account.partition}:sts::${account.id}:assumed-role/${role.name}/xacct`;
      this.nodes.set(role.arn, {
        id: role.arn,
        kind: "role",
        principal: session,
        account: account.id,
        identityPolicies: this.identityOf(account, role),
        ...(this.book.boundary(account, role.permissionsBoundaryArn) ? { boundary: this.book.boundary(account, role.permissionsBoundaryArn) as Policy } : {}),
        ...(this.book.scps(account.id) ? { scps: this.book.scps(account.id) as Policy[][] } : {}),
        context: this.principalContext(role.arn, account.id, "AssumedRole", role.tags),
        role,
      });
    }
    for (const user of account.users.values()) {
      this.nodes.set(user.arn, {
        id: user.arn,
        kind: "user",
        principal: user.arn,
        account: account.id,
        identityPolicies: this.identityOf(account, user),
        ...(this.book.boundary(account, user.permissionsBoundaryArn) ? { boundary: this.book.boundary(account, user.permissionsBoundaryArn) as Policy } : {}),
        ...(this.book.scps(account.id) ? { scps: this.book.scps(account.id) as Policy[][] } : {}),
        context: { ...this.principalContext(user.arn, account.id, "User", user.tags), "aws:username": user.name },
      });
    }
  }

  private principalContext(arn: string, account: string, type: string, tags: Record<string, string>): Record<string, string | string[]> {
    const org = this.orgId(account);
    return {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": account,
      "aws:PrincipalType": type,
      ...(org ? { "aws:PrincipalOrgID": org } : {}),
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
      ...(Object.keys(tags).length ? { "aws:PrincipalTagKeys": Object.keys(tags) } : {}),
    };
  }

  /** Nodes for callers named in a trust statement that the inventory does not hold. */
  private callersNamedBy(statement: Statement, account: AccountEntry): string[] {
    const names = statement.principal?.names ?? new Set<string>();
    const callers: string[] = [];
    for (const name of names) {
      if (name.startsWith("service:")) callers.push(this.serviceNode(name.slice(8)));
      else if (name.startsWith("federated:")) callers.push(...this.federatedNodes(name.slice(10), statement));
      else if (name.startsWith("account:")) {
        const id = name.slice(name.lastIndexOf(":") + 1);
        const known = this.state.accounts.get(id);
        if (known) callers.push(...[...known.roles.values()].map((r) => r.arn), ...[...known.users.values()].map((u) => u.arn));
        // An account outside the inventory, or outside the model's management: any of its principals.
        if (!known?.managed) callers.push(this.externalAccountNode(id, account.partition));
      } else if (name.startsWith("role:")) {
        const [, , id, roleName] = name.split(":");
        const found = this.state.accounts.get(id as string)?.roles.get(roleName as string);
        callers.push(found ? found.arn : this.externalAccountNode(id as string, account.partition));
      } else if (name.startsWith("arn:")) {
        const arn = name.slice(4);
        if (this.nodes.has(arn)) callers.push(arn);
        else {
          const id = /::(\d{12}):/.exec(arn)?.[1];
          if (id && !this.state.accounts.has(id)) callers.push(this.externalAccountNode(id, account.partition));
        }
      }
    }
    if (statement.principal?.everyone) callers.push(...[...this.nodes.values()].filter((n) => n.kind === "role" || n.kind === "user").map((n) => n.id));
    return callers;
  }

  /**
   * A principal of an account outside the inventory (a consumer's role named by a stream policy):
   * it may do whatever its own administrators allow.
   */
  outsider(arn: string): GraphNode {
    const known = this.nodes.get(arn);
    if (known) return known;
    const m = /^arn:([^:]+):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) return this.nodes.get(this.externalAccountNode(/::(\d{12}):/.exec(arn)?.[1] ?? "000000000000", "aws")) as GraphNode;
    const [, partition, account, type, name] = m as unknown as [string, string, string, string, string];
    const node: GraphNode = { id: arn, kind: "account", principal: type === "role" ? `arn:${partition}:sts::${account}:assumed-role/${name}/xacct` : arn, account, identityPolicies: [this.anything], context: { "aws:PrincipalArn": arn, "aws:PrincipalAccount": account } };
    this.nodes.set(arn, node);
    return node;
  }

  private serviceNode(service: string): string {
    if (!this.nodes.has(service)) this.nodes.set(service, { id: service, kind: "service", principal: service, identityPolicies: [], context: { "aws:PrincipalIsAWSService": "true" } });
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
    const arn = `arn:${partition}:iam::${id}:root`;
    if (!this.nodes.has(arn)) {
      // An account outside the inventory: any of its principals, with whatever its admins allow.
      this.nodes.set(arn, { id: arn, kind: "account", principal: `arn:${partition}:sts::${id}:assumed-role/any-principal/xacct`, account: id, identityPolicies: [this.anything], context: { "aws:PrincipalAccount": id } });
    }
    return arn;
  }

  /** One node per `sub` the trust names for a provider (a Kubernetes service account), or one for the provider. */
  private federatedNodes(provider: string, statement: Statement): string[] {
    const issuer = provider.includes("oidc-provider/") ? provider.slice(provider.indexOf("oidc-provider/") + 14) : provider;
    const valuesOf = (key: string) => statement.condition.filter((t) => t.lowerKey === key.toLowerCase()).flatMap((t) => t.values.map((v) => v.text));
    const subs = valuesOf(`${issuer}:sub`);
    const auds = valuesOf(`${issuer}:aud`);
    const ids: string[] = [];
    for (const sub of subs.length ? subs : [undefined]) {
      const id = sub ? `${provider}#${sub}` : provider;
      if (!this.nodes.has(id)) {
        const context: Record<string, string> = { [`${issuer}:aud`]: auds[0] ?? "sts.amazonaws.com" };
        if (sub) context[`${issuer}:sub`] = sub;
        const account = /::(\d{12}):/.exec(provider)?.[1];
        this.nodes.set(id, { id, kind: "federated", principal: provider, ...(account ? { account } : {}), identityPolicies: [], context });
      }
      ids.push(id);
    }
    return ids;
  }

  private addEdges(): void {
    for (const account of this.state.accounts.values()) {
      for (const role of account.roles.values()) {
        const trust = this.book.policy(role.trustPolicy, "trust", `${role.arn} trust policy`);
        const callers = new Set(trust.statements.filter((s) => s.effect === "Allow").flatMap((s) => this.callersNamedBy(s, account)));
        for (const caller of callers) {
          if (caller === role.arn) continue;
          const edge = this.decideEdge(this.nodes.get(caller) as GraphNode, role, account, trust);
          if (edge) this.addEdge(edge);
        }
      }
    }
  }

  private addEdge(edge: Edge): void {
    this.edges.set(edge.from, [...(this.edges.get(edge.from) ?? []), edge]);
    this.incoming.set(edge.to, [...(this.incoming.get(edge.to) ?? []), edge]);
  }

  /** Decides one hop with the engine; keeps it, labelled, when caller-chosen keys settle it. */
  private decideEdge(caller: GraphNode, role: RoleState, account: AccountEntry, trust: Policy): Edge | undefined {
    const action = caller.kind === "federated" ? (caller.principal.includes("saml-provider/") ? "sts:AssumeRoleWithSAML" : "sts:AssumeRoleWithWebIdentity") : "sts:AssumeRole";
    const base: Record<string, string | string[]> = { ...caller.context, "aws:ResourceAccount": account.id, ...this.supplied };
    if (caller.kind === "service") base["aws:SourceAccount"] = this.supplied["aws:SourceAccount"] ?? account.id;
    const decide = (context: Record<string, string | string[]>) => this.evaluate(caller, action, role.arn, account, trust, context);
    let result = decide(base);
    let requires: Record<string, string> = {};
    if (result.decision !== "Allow") {
      requires = this.callerKeysFor(trust, base);
      if (Object.keys(requires).length === 0) return undefined;
      result = decide({ ...base, ...requires });
      if (result.decision !== "Allow") return undefined;
    }
    const chained = caller.kind === "role" || caller.kind === "account";
    const statement = result.explain.decidedBy.find((s) => s.layer === "resource");
    return {
      from: caller.id,
      to: role.arn,
      action,
      requires,
      maxSessionSeconds: chained ? Math.min(CHAIN_LIMIT, role.maxSessionDuration) : role.maxSessionDuration,
      ...(statement ? { statement: statement.sid ? `${statement.statement} (${statement.sid})` : statement.statement } : {}),
    };
  }

  /** Values the trust's conditions ask for on keys the caller chooses, not already supplied. */
  private callerKeysFor(trust: Policy, given: Record<string, string | string[]>): Record<string, string> {
    const out: Record<string, string> = {};
    const givenKeys = new Set(Object.keys(given).map((k) => k.toLowerCase()));
    for (const s of trust.statements) {
      if (s.effect !== "Allow") continue;
      for (const test of s.condition) {
        if (!CALLER_KEYS.includes(test.lowerKey) || givenKeys.has(test.lowerKey) || test.operator.info === "Null") continue;
        const value = test.values[0]?.text;
        if (value !== undefined) out[test.key] = value;
      }
    }
    return out;
  }

  /** The engine's decision for a node acting on a resource. */
  evaluate(caller: GraphNode, action: string, resource: string, account: AccountEntry | undefined, resourcePolicy: Policy | undefined, context: Record<string, string | string[]>) {
    const request: AccessRequest = {
      principal: parseRequestPrincipal(caller.principal, "principal"),
      action,
      resource,
      resourceAccount: account?.id,
      context: RequestContext.fromJson(context, "context"),
      identityPolicies: caller.identityPolicies,
      resourcePolicy,
      permissionsBoundary: caller.boundary,
      sessionPolicy: undefined,
      endpointPolicy: undefined,
      scps: caller.scps,
      rcps: account ? this.book.rcps(account.id) : undefined,
    };
    return evaluate(request);
  }
}
