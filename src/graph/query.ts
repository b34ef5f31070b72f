/**
 * Questions over the access graph: which roles a principal can become (reach), whether it can do
 * an action through any chain (can), and who, from anywhere, can (who-can).
 */
import { MAX_SESSION_DURATION } from "../aws/limits.js";
import { parseArn, parseAssumedRoleArn } from "../aws/arn.js";
import { PolicyInputError } from "../policy/errors.js";
import type { Evaluation } from "../policy/evaluate.js";
import type { Policy } from "../policy/policy.js";
import { compileGlob, globMatches } from "../policy/wildcard.js";
import type { AccountEntry } from "../state/account-state.js";
import { compareText } from "../text/collate.js";
import type { AccessGraph, Edge, GraphNode, Question } from "./graph.js";
import { federatedId } from "./nodes.js";
import { statementMayAllow } from "./policies.js";
import { ownersOf } from "./resource-owner.js";

export interface Path {
  /** The roles (and users) become, in order; empty when the principal acts directly. */
  via: string[];
  /** How each hop of `via` is made: `assume` through a trust, else an escalation technique (./escalation.ts). */
  techniques: string[];
  /** The requests each hop takes (`sts:AssumeRole`; `iam:PassRole`, `lambda:CreateFunction`, …). */
  steps: string[][];
  /** Keys the caller must supply along the way. */
  requires: Record<string, string>;
  /** What hops of the path hold only if (edges' `holdsIf`: something running as a role, an open web identity subject); absent when none. */
  holdsIf?: string[];
  maxSessionSeconds: number;
}

interface Reached extends Path {
  node: GraphNode;
}

/**
 * Every role the start node can become, at any depth, by its shortest chain. `named`: the question
 * names the start's subject (a web identity's `sub`), so an edge from it that holds for any subject
 * holds for this one, unconditionally.
 */
function walk(graph: AccessGraph, start: GraphNode, named = false): Reached[] {
  const seen = new Set([start.id]);
  const out: Reached[] = [];
  let frontier: Reached[] = [{ node: start, via: [], techniques: [], steps: [], requires: {}, maxSessionSeconds: Infinity }];
  while (frontier.length) {
    const next: Reached[] = [];
    for (const from of frontier) {
      for (const edge of graph.outgoingOf(from.node.id)) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        const reached = {
          node: graph.nodes.get(edge.to) as GraphNode,
          via: [...from.via, edge.to],
          techniques: [...from.techniques, techniqueOf(edge)],
          steps: [...from.steps, edge.steps ?? [edge.action]],
          requires: { ...from.requires, ...edge.requires },
          ...holdsIfAlong(from.holdsIf, named && from.node === start ? { ...edge, holdsIf: undefined } : edge, "after"),
          maxSessionSeconds: Math.min(from.maxSessionSeconds, edge.maxSessionSeconds),
        };
        out.push(reached);
        next.push(reached);
      }
    }
    frontier = next;
  }
  return out;
}

/** The graph node a principal ARN names: a user, a role or one of its sessions, a provider (with its sub), a service. */
export function startNode(graph: AccessGraph, principal: string, context: Record<string, string> = {}): GraphNode {
  const session = parseAssumedRoleArn(principal);
  const role = session ? graph.state.accounts.get(session.account)?.roles.get(session.roleName) : undefined;
  const id = session ? (role && graph.nodes.get(role.arn)?.kind === "role" ? role.arn : undefined) : principal;
  const direct = id ? graph.nodes.get(id) : undefined;
  if (direct) return direct;
  const { subKey, providers, matching } = identitiesOf(graph, principal, context);
  const federated = matching[0];
  if (federated) return federated;
  // A known provider whose tokens carry a `sub` no trust admits: an identity with no edges.
  if (providers.length && subKey)
    return {
      id: federatedId(principal, context[subKey]),
      kind: "federated",
      principal,
      identityPolicies: [],
      context: { [subKey]: context[subKey] as string },
    };
  throw new PolicyInputError(
    "principal",
    `${principal} is not in the graph (a user, role, session, OIDC/SAML provider or service principal that some trust names)`,
  );
}

/**
 * The federated identities of a provider (one per `sub` its trusts name), and those the given
 * context's `sub` matches (all of them when it gives none).
 */
function identitiesOf(graph: AccessGraph, provider: string, context: Record<string, string>) {
  const subKey = Object.keys(context).find((k) => k.endsWith(":sub"));
  const providers = graph.identitiesOf(provider);
  const matching = subKey ? providers.filter((n) => matchesSub(n, subKey, context[subKey] as string)) : providers;
  return { subKey, providers, matching };
}

function matchesSub(node: GraphNode, key: string, sub: string): boolean {
  const pattern = Object.entries(node.context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  return typeof pattern !== "string" || globMatches(compileGlob(pattern), sub);
}

/**
 * The nodes a principal starts from: its own node, or for an OIDC/SAML provider every identity of
 * it that the given `sub` matches — all of them when no `sub` is given, each path then requiring
 * its `sub`.
 */
function startNodes(
  graph: AccessGraph,
  principal: string,
  context: Record<string, string>,
): { node: GraphNode; requires: Record<string, string> }[] {
  const { subKey, matching: identities } = identitiesOf(graph, principal, context);
  if (identities.length === 0) return [{ node: startNode(graph, principal, context), requires: {} }];
  return identities.map((node) => {
    const sub = subKey ? undefined : Object.entries(node.context).find(([k]) => k.endsWith(":sub"));
    return { node, requires: sub ? { [sub[0]]: sub[1] as string } : {} };
  });
}

/** Every role reachable from any of the start nodes, by the shortest chain found. */
function walkAll(graph: AccessGraph, principal: string, context: Record<string, string>): Reached[] {
  const best = new Map<string, Reached>();
  const named = Object.keys(context).some((k) => k.endsWith(":sub"));
  for (const start of startNodes(graph, principal, context)) {
    for (const r of walk(graph, start.node, named)) {
      const known = best.get(r.node.id);
      if (!known || r.via.length < known.via.length) best.set(r.node.id, { ...r, requires: { ...start.requires, ...r.requires } });
    }
  }
  return [...best.values()];
}

export function reach(graph: AccessGraph, principal: string, context: Record<string, string> = {}) {
  const reached = walkAll(graph, principal, context);
  const unknown = unknownReach(graph, principal, context, reached);
  return {
    roles: reached.map((r) => ({
      role: r.node.id,
      via: r.via,
      techniques: r.techniques,
      steps: r.steps,
      requires: r.requires,
      ...(r.holdsIf ? { holdsIf: r.holdsIf } : {}),
      maxSessionSeconds: finite(r.maxSessionSeconds),
    })),
    // Never a silent "no role" where attached policies xacct cannot read may allow more.
    ...(unknown.length ? { unknown } : {}),
  };
}

/**
 * The roles the principal may also become if attached policies whose documents are unknown allow
 * sts:AssumeRole: from the start and every role reached, each edge that holds only then, and on
 * from there along any edge; each with its chain and the policies it depends on.
 */
function unknownReach(graph: AccessGraph, principal: string, context: Record<string, string>, reached: readonly Reached[]) {
  const seen = new Set(reached.map((r) => r.node.id));
  const out: { role: string; via: string[]; policies: string[] }[] = [];
  let frontier: { id: string; via: string[]; policies: string[] }[] = [
    ...startNodes(graph, principal, context).map((s) => ({ id: s.node.id, via: [] as string[], policies: [] as string[] })),
    ...reached.map((r) => ({ id: r.node.id, via: r.via, policies: [] as string[] })),
  ];
  for (const s of frontier) seen.add(s.id);
  while (frontier.length) {
    const next: typeof frontier = [];
    for (const from of frontier) {
      const edges = [...graph.unknownOutgoingOf(from.id), ...(from.policies.length ? graph.outgoingOf(from.id) : [])];
      for (const edge of edges) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        const item = { role: edge.to, via: [...from.via, edge.to], policies: [...new Set([...from.policies, ...(edge.unknown ?? [])])] };
        out.push(item);
        next.push({ id: edge.to, via: item.via, policies: item.policies });
      }
    }
    frontier = next;
  }
  return out;
}

/**
 * The account that owns a resource: given, from the ARN, or for an ARN that names none (S3) the
 * one account the state's policies show owning it (see resource-owner.ts).
 */
export function resourceAccountOf(graph: AccessGraph, resource: string, given?: string): AccountEntry | undefined {
  const id = given ?? parseArn(resource)?.account;
  if (id) return graph.state.accounts.get(id);
  const owners = ownersOf(graph, resource);
  return owners.length === 1 ? graph.state.accounts.get(owners[0] as string) : undefined;
}

/**
 * As resourceAccountOf, for a question about a resource: an ARN that names no account, whose owner
 * the state cannot tell, is an error asking for the account (never a silent Deny or "nobody").
 */
function ownerForQuestion(graph: AccessGraph, resource: string, given: string | undefined): AccountEntry | undefined {
  const account = resourceAccountOf(graph, resource, given);
  if (account || given || parseArn(resource)?.account !== "") return account;
  const owners = ownersOf(graph, resource);
  const why = owners.length ? `the policies of accounts ${owners.join(", ")} all name it` : "no policy names it";
  throw new PolicyInputError(
    "resource",
    `cannot tell which account owns ${resource}: its ARN names none and ${why}; give the owner's account ID with --resource-account`,
  );
}

/**
 * The engine's decision for one node acting on a resource, with the resource's own policy; with,
 * where it is not Allow only for want of them, the node's attached policies whose documents are unknown.
 */
export function decideAs(
  graph: AccessGraph,
  node: GraphNode,
  action: string,
  resource: string,
  account: AccountEntry | undefined,
  context: Record<string, string | string[]>,
): Evaluation & { unknown?: string[] } {
  const { result, unknown } = graph.decide(node, question(graph, action, resource, account, context), { explain: true });
  return unknown ? { ...result, unknown } : result;
}

/** A question about a resource of `account`, with its policy and the given keys over aws:ResourceAccount. */
function question(
  graph: AccessGraph,
  action: string,
  resource: string,
  account: AccountEntry | undefined,
  context: Record<string, string | string[]>,
): Question {
  return {
    action,
    resource,
    account,
    policy: graph.resourcePolicyOf(account, resource),
    context: { ...(account ? { "aws:ResourceAccount": account.id } : {}), ...context },
  };
}

export interface CanQuery {
  principal: string;
  action: string;
  resource: string;
  resourceAccount?: string;
  context?: Record<string, string>;
}

export function can(graph: AccessGraph, q: CanQuery) {
  const context = q.context ?? {};
  const start = startNode(graph, q.principal, context);
  const account = ownerForQuestion(graph, q.resource, q.resourceAccount);
  // Acting directly, a role's session lasts up to its MaxSessionDuration; a user's keys do not expire.
  const own = start.role?.maxSessionDuration ?? Infinity;
  const candidates: Reached[] = [
    ...(start.kind === "federated" ? [] : [{ node: start, via: [], techniques: [], steps: [], requires: {}, maxSessionSeconds: own }]),
    ...walkAll(graph, q.principal, context),
  ];
  const paths: Path[] = [];
  // An Allow is explained by the first path that allows; a Deny by the principal's own attempt.
  let allowed: Evaluation["explain"] | undefined;
  let denied: Evaluation["explain"] | undefined;
  // Where an implicit deny may come from attached policies whose documents the state lacks, xacct cannot say Deny.
  const unknown: { via: string[]; policies: string[] }[] = [];
  for (const c of candidates) {
    const {
      result,
      requires,
      unknown: policies,
    } = graph.decide(c.node, question(graph, q.action, q.resource, account, context), {
      explain: true,
      callerKeys: true,
    });
    if (result.decision === "Allow") {
      paths.push({
        via: c.via,
        techniques: c.techniques,
        steps: c.steps,
        requires: { ...c.requires, ...requires },
        ...(c.holdsIf ? { holdsIf: c.holdsIf } : {}),
        maxSessionSeconds: finite(c.maxSessionSeconds),
      });
      allowed ??= result.explain;
    } else {
      denied ??= result.explain;
      if (policies) unknown.push({ via: c.via, policies });
    }
  }
  if (paths.length) return { decision: "Allow" as const, paths, explain: allowed };
  if (unknown.length) return { decision: "Unknown" as const, paths, explain: denied, unknown };
  return { decision: "Deny" as const, paths, explain: denied };
}

export function whoCan(graph: AccessGraph, q: Omit<CanQuery, "principal">) {
  const context = q.context ?? {};
  const account = ownerForQuestion(graph, q.resource, q.resourceAccount);
  const asked = question(graph, q.action, q.resource, account, context);
  const { policy } = asked;
  const principals = new Map<string, Chain>();
  // Those that may do it, or reach one that may, if attached policies whose documents are unknown allow it.
  const maybe = new Map<string, Chain & { policies: string[] }>();
  // Those that act themselves first (each decided, even one upstream of another: it acts directly),
  // then everyone upstream of them, each by its shortest chain to one of them.
  const acting: Start[] = [];
  const maybeActing: Start[] = [];
  for (const node of candidatesFor(graph, q.action, q.resource, account, policy)) {
    const { result, requires, unknown } = graph.decide(node, asked, { callerKeys: true });
    if (result.decision === "Allow") {
      principals.set(node.id, { principal: node.id, ...DIRECT, requires });
      acting.push({ id: node.id, requires });
    } else if (unknown) {
      maybe.set(node.id, { principal: node.id, ...DIRECT, requires, policies: unknown });
      maybeActing.push({ id: node.id, requires, policies: unknown });
    }
  }
  for (const upstream of upstreamOf(graph, acting, principals)) principals.set(upstream.principal, upstream);
  for (const upstream of upstreamOf(graph, maybeActing, maybe))
    maybe.set(upstream.principal, { ...upstream, policies: upstream.policies ?? [] });
  const sorted = <T extends { principal: string }>(list: T[]) => list.sort((a, b) => compareText(a.principal, b.principal));
  const unknown = [...maybe.values()].filter((p) => !principals.has(p.principal));
  return {
    principals: sorted([...principals.values()].map((p) => asPrincipal(graph, p))),
    // Never a silent "nobody" where attached policies xacct cannot read may allow it.
    ...(unknown.length ? { unknown: sorted(unknown.map((p) => ({ ...asPrincipal(graph, p), policies: p.policies }))) } : {}),
  };
}

/**
 * The nodes (not federated identities) the engine could allow to do the action on the resource,
 * in graph order, so that who-can asks it about those only. Across accounts, both the caller's
 * identity side and the resource's policy must allow (for a service, the resource's policy alone);
 * in the resource's own account, the identity side does, or the policy naming the caller or its
 * role. Conditions are left to the engine.
 */
function candidatesFor(
  graph: AccessGraph,
  action: string,
  resource: string,
  account: AccountEntry | undefined,
  policy: Policy | undefined,
): GraphNode[] {
  const admitted = policy ? admittedBy(policy, action, resource) : undefined;
  const ids = new Set<string>();
  // The identity side of a node with unknown policies may allow anything: it is a candidate wherever the resource's side lets it be.
  for (const id of [...graph.grantedTo(action, resource), ...graph.withUnknownPolicies()]) {
    const node = graph.nodes.get(id) as GraphNode;
    if (node.kind === "federated") continue;
    const sameAccount = account !== undefined && node.account === account.id;
    if (sameAccount || admitted?.everyone || (node.account !== undefined && admitted?.accounts.has(node.account))) ids.add(id);
  }
  if (account && policy) {
    for (const p of [...account.roles.values(), ...account.users.values()]) {
      const node = graph.nodes.get(p.arn);
      if (node && !ids.has(node.id) && graph.namesDirectly(policy, node)) ids.add(node.id);
    }
  }
  if (admitted?.everyone) {
    for (const id of graph.serviceNodes()) ids.add(id);
  } else {
    for (const service of admitted?.services ?? []) if (graph.nodes.get(service)?.kind === "service") ids.add(service);
  }
  return graph.inNodeOrder(ids).map((id) => graph.nodes.get(id) as GraphNode);
}

/**
 * Whom a resource-based policy's Allow statements for the action and resource name: everyone,
 * principals of some accounts (by account ID), services (by name). Conditions aside.
 */
function admittedBy(policy: Policy, action: string, resource: string) {
  const lowerAction = action.toLowerCase();
  const out = { everyone: false, accounts: new Set<string>(), services: new Set<string>() };
  for (const s of policy.statements) {
    if (s.effect !== "Allow" || !statementMayAllow(s, lowerAction, resource)) continue;
    if (!s.principal || s.principal.everyone) out.everyone = true;
    for (const name of s.principal ?? []) {
      if (name.kind === "service" || name.kind === "federated") out.services.add(name.name);
      else if (name.kind === "account" || name.kind === "role") out.accounts.add(name.account);
      else if (name.kind === "arn") {
        const id = parseArn(name.arn)?.account;
        if (id) out.accounts.add(id);
      }
    }
  }
  return out;
}

/** A principal of who-can's answer, with its chain to the one that acts (empty when it acts itself). */
type Chain = { principal: string; requires: Record<string, string> } & Pick<Path, "via" | "techniques" | "steps" | "holdsIf">;

/** The chain of a principal that acts itself. */
const DIRECT = { via: [], techniques: [], steps: [] } as const satisfies Pick<Path, "via" | "techniques" | "steps">;

/** A path's `holdsIf` with the edge's added, before or after the others (absent when none). */
function holdsIfAlong(known: readonly string[] | undefined, edge: Edge, where: "before" | "after"): { holdsIf?: string[] } {
  if (!edge.holdsIf) return known ? { holdsIf: [...known] } : {};
  return { holdsIf: where === "after" ? [...(known ?? []), edge.holdsIf] : [edge.holdsIf, ...(known ?? [])] };
}

/** How an edge is made: its escalation technique, or assumption through a trust. */
function techniqueOf(edge: Edge): string {
  return edge.technique ?? "assume";
}

/** A federated identity is named as `can` takes it: the provider ARN, with the token's `sub` to supply. */
function asPrincipal(graph: AccessGraph, entry: Chain) {
  const node = graph.nodes.get(entry.principal);
  if (node?.kind !== "federated") return entry;
  const sub = Object.entries(node.context).find(([k]) => k.endsWith(":sub"));
  return { ...entry, principal: node.principal, requires: { ...(sub ? { [sub[0]]: sub[1] as string } : {}), ...entry.requires } };
}

/** Where an upstream walk starts: a node that acts itself, the keys it must supply, the unknown policies it rests on. */
interface Start {
  id: string;
  requires: Record<string, string>;
  policies?: string[];
}

/**
 * Every node with a chain to one of `targets`, with its shortest chain (one walk from all of them,
 * so each node is visited once), except those `known` holds: they are listed already, as acting
 * themselves or upstream of one that does.
 */
function upstreamOf(
  graph: AccessGraph,
  targets: readonly Start[],
  known: ReadonlyMap<string, unknown>,
): (Chain & { policies?: string[] })[] {
  const seen = new Set(targets.map((t) => t.id));
  const out: (Chain & { policies?: string[] })[] = [];
  // `via`, `techniques`, `steps`: the hops a caller whose edge lands on this node makes from there on.
  let frontier: ({ id: string; policies?: string[] } & Omit<Chain, "principal">)[] = targets.map((t) => ({
    id: t.id,
    via: [t.id],
    techniques: [],
    steps: [],
    requires: t.requires,
    ...(t.policies ? { policies: t.policies } : {}),
  }));
  while (frontier.length) {
    const next: typeof frontier = [];
    for (const at of frontier) {
      for (const edge of graph.incomingOf(at.id)) {
        if (seen.has(edge.from)) continue;
        seen.add(edge.from);
        if (known.has(edge.from)) continue;
        const node = graph.nodes.get(edge.from) as GraphNode;
        const item = {
          principal: edge.from,
          via: at.via,
          techniques: [techniqueOf(edge), ...at.techniques],
          steps: [edge.steps ?? [edge.action], ...at.steps],
          requires: { ...edge.requires, ...at.requires },
          ...holdsIfAlong(at.holdsIf, edge, "before"),
          ...(at.policies ? { policies: at.policies } : {}),
        };
        out.push(item);
        // A role or user become on the way is a hop of the chains of those upstream of it.
        const hop = node.kind === "role" || node.kind === "user";
        next.push({ ...item, id: edge.from, via: hop ? [edge.from, ...at.via] : at.via });
      }
    }
    frontier = next;
  }
  return out;
}

function finite(seconds: number): number {
  return Number.isFinite(seconds) ? seconds : MAX_SESSION_DURATION.max;
}
