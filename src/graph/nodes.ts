/**
 * The access graph's nodes, built from an AccountState: every IAM user and role of the state's
 * accounts, and — as trusts name them — federated identities (an OIDC provider with one `sub`, a
 * SAML provider), service principals, and principals or roots of accounts outside the inventory.
 * Each node carries what the engine needs to decide a request as it: its identity policies,
 * boundary, SCP levels and principal context.
 */
import { assumedRoleArn, parseArn, parseIamArn, principalAccountId, rootArn } from "../aws/arn.js";
import { orgPathValue } from "../aws/organizations.js";
import { RequestContext } from "../policy/context.js";
import { parseRequestPrincipal, type RequestPrincipal } from "../policy/principal.js";
import type { Policy, Statement } from "../policy/policy.js";
import { type AccountEntry, type AccountState, organizationOf, type RoleState, type UserState } from "../state/account-state.js";
import { actionMatches, GrantIndex, type PolicyBook } from "./policies.js";

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
  /** Attached managed policies whose documents the state does not hold: they may allow more than identityPolicies do. */
  unknownPolicies?: string[];
}

/** What is worked out about a node for deciding its requests, each part when first needed. */
interface NodeFacts {
  /** Its request principal, parsed. */
  principal?: RequestPrincipal;
  /** Its own context keys, indexed. */
  context?: RequestContext;
  /** Its identity policies with an Allow statement for sts:AssumeRole (on any resource). */
  assumeRolePolicies?: readonly Policy[];
}

const NO_POLICIES: readonly Policy[] = [];

/**
 * The ID of a federated identity's node: its provider's ARN, and the `sub` a trust names after a
 * `#` (no provider ARN holds one: an OIDC issuer is a URL without a fragment).
 */
export function federatedId(provider: string, sub: string | undefined): string {
  return sub ? `${provider}#${sub}` : provider;
}

export class GraphNodes {
  /** Every node by id, in the order built (the graph's order). */
  readonly byId = new Map<string, GraphNode>();
  /** aws:PrincipalOrgID and aws:PrincipalOrgPaths by account (see orgContext). */
  private readonly orgContexts = new Map<string, Record<string, string | string[]>>();
  /** The federated nodes' ids by provider ARN. */
  private readonly byProvider = new Map<string, string[]>();
  /**
   * Per node of the graph, what `facts` has worked out (a Map: the graph keeps its nodes anyway,
   * and a large WeakMap slows every garbage collection).
   */
  private readonly memo = new Map<GraphNode, NodeFacts>();
  /**
   * The nodes' identity-side grants (by node id), each node's place in `byId` and the service
   * nodes; brought up to date with `byId` when asked (nodes are only ever added, at the end).
   */
  private readonly index: { grants: GrantIndex<string>; order: Map<string, number>; services: string[]; unknown: string[] };
  /** The identity side of a principal whose account's administrators decide it: anything. */
  private readonly anything: Policy;

  constructor(
    private readonly state: AccountState,
    private readonly book: PolicyBook,
  ) {
    this.index = { grants: new GrantIndex<string>(book), order: new Map(), services: [], unknown: [] };
    this.anything = book.policy(
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      "identity",
      "whatever the account's administrators allow",
    );
    for (const account of state.accounts.values()) this.addAccount(account);
  }

  private addAccount(account: AccountEntry): void {
    const scps = this.book.scps(account.id);
    // Built field by field, not by spreading: this runs for every role and user of an organization.
    const add = (node: GraphNode, holder: RoleState | UserState) => {
      const boundary = this.book.boundary(account, holder.permissionsBoundaryArn);
      const unknown = account.managed ? this.book.unknownManaged(account, holder) : [];
      if (unknown.length) node.unknownPolicies = unknown;
      if (boundary) node.boundary = boundary;
      if (scps) node.scps = scps;
      this.byId.set(node.id, node);
    };
    for (const role of account.roles.values()) {
      const context = this.principalContext(role.arn, account.id, "AssumedRole", role.tags);
      const principal = assumedRoleArn(account.partition, account.id, role.name, "xacct");
      add(
        { id: role.arn, kind: "role", principal, account: account.id, identityPolicies: this.identityOf(account, role), context, role },
        role,
      );
    }
    for (const user of account.users.values()) {
      const context = this.principalContext(user.arn, account.id, "User", user.tags);
      context["aws:username"] = user.name;
      add(
        { id: user.arn, kind: "user", principal: user.arn, account: account.id, identityPolicies: this.identityOf(account, user), context },
        user,
      );
    }
  }

  private principalContext(
    arn: string,
    account: string,
    type: string,
    tags: ReadonlyMap<string, string>,
  ): Record<string, string | string[]> {
    const context: Record<string, string | string[]> = {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": account,
      "aws:PrincipalType": type,
    };
    const org = this.orgContext(account);
    for (const key in org) context[key] = org[key] as string | string[];
    if (tags.size) {
      // Keys are prefixed, so no tag key (`__proto__` included) can name one of the object's own properties.
      for (const [k, v] of tags) context[`aws:PrincipalTag/${k}`] = v;
      context["aws:PrincipalTagKeys"] = [...tags.keys()];
    }
    return context;
  }

  /**
   * A principal's identity policies; in an account the model does not manage, its side is up to
   * that account's administrators, so it may do whatever they allow (xacct lists their steps).
   */
  private identityOf(account: AccountEntry, holder: Parameters<PolicyBook["identityPolicies"]>[1]): Policy[] {
    return account.managed ? this.book.identityPolicies(account, holder) : [this.anything];
  }

  /** A managed principal's attached policies whose documents are unknown, as a node's field (absent when none). */
  private unknownOf(account: AccountEntry, holder: Parameters<PolicyBook["unknownManaged"]>[1]): { unknownPolicies?: string[] } {
    const unknown = account.managed ? this.book.unknownManaged(account, holder) : [];
    return unknown.length ? { unknownPolicies: unknown } : {};
  }

  /** What a node's unknown policies may allow, stood in for: anything (see decide's `unknown`). */
  get unknownStandIn(): Policy {
    return this.anything;
  }

  /**
   * aws:PrincipalOrgID and aws:PrincipalOrgPaths for an account in an organization (the
   * inventory's, even for an account it does not hold, or the model's). AWS includes them "only if
   * the principal is a member of an organization"; the path only where its parents are known.
   */
  orgContext(account: string): Record<string, string | string[]> {
    // Every principal of an account shares it: worked out once per account (callers only read it).
    let known = this.orgContexts.get(account);
    if (!known) {
      const org = organizationOf(this.state, account);
      const inventory = this.state.organization;
      const parents = !org
        ? undefined
        : inventory?.id === org
          ? inventory.parents.get(account)
          : this.state.accounts.get(account)?.organization?.path;
      known = org
        ? { "aws:PrincipalOrgID": org, ...(parents?.length ? { "aws:PrincipalOrgPaths": [orgPathValue(org, parents)] } : {}) }
        : {};
      this.orgContexts.set(account, known);
    }
    return known;
  }

  /**
   * A principal of an account outside the inventory (a consumer's role named by a stream policy):
   * it may do whatever its own administrators allow.
   */
  outsider(arn: string): GraphNode {
    const known = this.byId.get(arn);
    if (known) return known;
    const named = parseIamArn(arn);
    if (named?.kind !== "role" && named?.kind !== "user")
      return this.byId.get(this.externalAccount(principalAccountId(arn) ?? "000000000000", parseArn(arn)?.partition || "aws")) as GraphNode;
    const { partition, account, kind, name } = named;
    const node: GraphNode = {
      id: arn,
      kind: "account",
      principal: kind === "role" ? assumedRoleArn(partition, account, name, "xacct") : arn,
      account,
      identityPolicies: [this.anything],
      context: { "aws:PrincipalArn": arn, "aws:PrincipalAccount": account, ...this.orgContext(account) },
    };
    this.byId.set(arn, node);
    return node;
  }

  /** The node of an account outside the inventory: any of its principals, with whatever its admins allow. */
  externalAccount(id: string, partition: string): string {
    const arn = rootArn(partition, id);
    if (!this.byId.has(arn)) {
      this.byId.set(arn, {
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

  /** The node of a service principal. */
  service(service: string): string {
    if (!this.byId.has(service))
      this.byId.set(service, {
        id: service,
        kind: "service",
        principal: service,
        identityPolicies: [],
        context: { "aws:PrincipalIsAWSService": "true" },
      });
    return service;
  }

  /** The federated identities of a provider (one per `sub` its trusts name), in the order they were named. */
  identitiesOf(provider: string): GraphNode[] {
    return (this.byProvider.get(provider) ?? []).map((id) => this.byId.get(id) as GraphNode);
  }

  /** One node per `sub` a trust statement names for a provider (a Kubernetes service account), or one for the provider. */
  federated(provider: string, statement: Statement): string[] {
    // OIDC keys are prefixed by the issuer (`oidc.eks…/id/X:sub`, `accounts.google.com:aud`); SAML keys by `SAML:`.
    const { saml, issuer } = keyPrefixOf(provider);
    const valuesOf = (key: string) =>
      statement.condition.filter((t) => t.lowerKey === key.toLowerCase()).flatMap((t) => t.values.map((v) => v.text));
    const subs = valuesOf(`${issuer}:sub`);
    const auds = valuesOf(`${issuer}:aud`);
    const ids: string[] = [];
    for (const sub of subs.length ? subs : [undefined]) {
      const id = federatedId(provider, sub);
      if (!this.byId.has(id)) {
        const context: Record<string, string> = {
          [`${issuer}:aud`]: auds[0] ?? (saml ? "https://signin.aws.amazon.com/saml" : "sts.amazonaws.com"),
        };
        if (sub) context[`${issuer}:sub`] = sub;
        const account = principalAccountId(provider);
        this.byId.set(id, { id, kind: "federated", principal: provider, ...(account ? { account } : {}), identityPolicies: [], context });
        const ofProvider = this.byProvider.get(provider);
        if (ofProvider) ofProvider.push(id);
        else this.byProvider.set(provider, [id]);
      }
      ids.push(id);
    }
    return ids;
  }

  /**
   * Where a federated node stands for every identity its provider vouches for (the trust pins no
   * subject, or only `*`), which: such an edge holds for whoever the provider issues a token or
   * assertion to. Undefined where a subject is pinned (a pattern is then the `sub` a path requires).
   */
  openSubject(node: GraphNode): string | undefined {
    const provider = node.principal;
    const { saml, issuer } = keyPrefixOf(provider);
    const sub = node.context[`${issuer}:sub`];
    if (sub !== undefined && !(typeof sub === "string" && /^\*+$/.test(sub))) return undefined;
    const who = saml ? `a user ${provider} vouches for in a SAML assertion` : `an identity ${issuer} issues a web identity token to`;
    return `${who}: the trust pins no ${issuer}:sub, any subject will do`;
  }

  /**
   * What is known about a node for deciding as it. Kept only for the graph's own nodes: a caller
   * made for one request (the sandbox's root user, or a role's session, seen as a node) is worked
   * out anew, so that the graph does not grow with every request.
   */
  private facts(node: GraphNode): NodeFacts {
    let facts = this.memo.get(node);
    if (!facts) {
      facts = {};
      if (this.byId.get(node.id) === node) this.memo.set(node, facts);
    }
    return facts;
  }

  /** The request principal a node acts as. */
  principalOf(node: GraphNode): RequestPrincipal {
    const facts = this.facts(node);
    return (facts.principal ??= parseRequestPrincipal(node.principal, "principal"));
  }

  /** A node's own context keys, indexed for all its requests. */
  contextOf(node: GraphNode): RequestContext {
    const facts = this.facts(node);
    return (facts.context ??= RequestContext.fromJson(node.context, "context"));
  }

  /** A node's identity policies with an Allow statement for sts:AssumeRole (on any resource). */
  assumeRolePolicies(node: GraphNode): readonly Policy[] {
    const facts = this.facts(node);
    if (!facts.assumeRolePolicies) {
      const found = node.identityPolicies.filter((p) =>
        p.statements.some((s) => s.effect === "Allow" && actionMatches(s, "sts:assumerole")),
      );
      facts.assumeRolePolicies = found.length ? found : NO_POLICIES;
    }
    return facts.assumeRolePolicies;
  }

  /** The grant index of the nodes' identity policies, each node's place, the service nodes and those with unknown policies, with any nodes added since the last call. */
  indexed(): {
    readonly grants: GrantIndex<string>;
    readonly order: ReadonlyMap<string, number>;
    readonly services: readonly string[];
    /** The nodes with attached policies whose documents are unknown. */
    readonly unknown: readonly string[];
  } {
    const { grants, order, services, unknown } = this.index;
    if (order.size !== this.byId.size) {
      for (const node of this.byId.values()) {
        if (order.has(node.id)) continue;
        order.set(node.id, order.size);
        grants.add(node.id, node.identityPolicies);
        if (node.kind === "service") services.push(node.id);
        if (node.unknownPolicies?.length) unknown.push(node.id);
      }
    }
    return this.index;
  }

  /** Node ids in the order `byId` holds them. */
  inOrder(ids: Iterable<string>): string[] {
    const { order } = this.indexed();
    return [...ids].sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
  }
}

/**
 * What a provider's condition keys are prefixed with: OIDC keys by the issuer
 * (`oidc.eks…/id/X:sub`, `accounts.google.com:aud`), SAML keys by `SAML:`.
 */
function keyPrefixOf(provider: string): { saml: boolean; issuer: string } {
  const saml = provider.includes("saml-provider/");
  const oidc = provider.indexOf("oidc-provider/");
  return { saml, issuer: oidc >= 0 ? provider.slice(oidc + "oidc-provider/".length) : saml ? "SAML" : provider };
}
