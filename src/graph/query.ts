/**
 * Questions over the access graph: which roles a principal can become (reach), whether it can do
 * an action through any chain (can), and who, from anywhere, can (who-can).
 */
import { parseArn } from "../policy/arn.js";
import { PolicyInputError } from "../policy/errors.js";
import type { Evaluation } from "../policy/evaluate.js";
import type { Policy } from "../policy/policy.js";
import { compileGlob, globMatches } from "../policy/wildcard.js";
import type { AccountEntry } from "../state/account-state.js";
import type { AccessGraph, Edge, GraphNode } from "./graph.js";

export interface Path {
  /** The roles assumed, in order; empty when the principal acts directly. */
  via: string[];
  /** Keys the caller must supply along the way. */
  requires: Record<string, string>;
  maxSessionSeconds: number;
}

interface Reached extends Path {
  node: GraphNode;
}

/** Every role the start node can become, at any depth, by its shortest chain. */
function walk(graph: AccessGraph, start: GraphNode): Reached[] {
  const seen = new Set([start.id]);
  const out: Reached[] = [];
  let frontier: Reached[] = [{ node: start, via: [], requires: {}, maxSessionSeconds: Infinity }];
  while (frontier.length) {
    const next: Reached[] = [];
    for (const from of frontier) {
      for (const edge of graph.edges.get(from.node.id) ?? []) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        const reached = { node: graph.nodes.get(edge.to) as GraphNode, via: [...from.via, edge.to], requires: { ...from.requires, ...edge.requires }, maxSessionSeconds: Math.min(from.maxSessionSeconds, edge.maxSessionSeconds) };
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
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principal);
  const id = session ? [...graph.nodes.values()].find((n) => n.kind === "role" && n.account === session[2] && n.role?.name === session[3])?.id : principal;
  const direct = id ? graph.nodes.get(id) : undefined;
  if (direct) return direct;
  const subKey = Object.keys(context).find((k) => k.endsWith(":sub"));
  const providers = [...graph.nodes.values()].filter((n) => n.kind === "federated" && n.principal === principal);
  const federated = providers.find((n) => !subKey || matchesSub(n, subKey, context[subKey] as string));
  if (federated) return federated;
  // A known provider whose tokens carry a `sub` no trust admits: an identity with no edges.
  if (providers.length && subKey) return { id: `${principal}#${context[subKey]}`, kind: "federated", principal, identityPolicies: [], context: { [subKey]: context[subKey] as string } };
  throw new PolicyInputError("principal", `${principal} is not in the graph (a user, role, session, OIDC/SAML provider or service principal that some trust names)`);
}

function matchesSub(node: GraphNode, key: string, sub: string): boolean {
  const pattern = Object.entries(node.context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  return typeof pattern !== "string" || globMatches(compileGlob(pattern), sub);
}

export function reach(graph: AccessGraph, principal: string, context: Record<string, string> = {}) {
  const start = startNode(graph, principal, context);
  return { roles: walk(graph, start).map((r) => ({ role: r.node.id, via: r.via, requires: r.requires, maxSessionSeconds: finite(r.maxSessionSeconds) })) };
}

/** The account that owns a resource: given, from the ARN, or the one whose resource policies list it. */
function resourceAccountOf(graph: AccessGraph, resource: string, given?: string): AccountEntry | undefined {
  const id = given ?? parseArn(resource)?.account;
  if (id) return graph.state.accounts.get(id);
  return [...graph.state.accounts.values()].find((a) => a.resourcePolicies.has(resource) || a.resourcePolicies.has(holderOf(resource)));
}

/**
 * The ARN whose policy governs a resource: an S3 object's bucket, a CodeArtifact package's
 * repository, an API Gateway method's REST API, or the resource itself.
 */
function holderOf(resource: string): string {
  const s3 = /^(arn:[^:]+:s3:::[^/]+)\//.exec(resource);
  if (s3) return s3[1] as string;
  const pkg = /^(arn:[^:]+:codeartifact:[^:]*:\d{12}:)package\/([^/]+)\/([^/]+)\//.exec(resource);
  if (pkg) return `${pkg[1]}repository/${pkg[2]}/${pkg[3]}`;
  const api = /^(arn:[^:]+:execute-api:[^:]*:\d{12}:[^/]+)\//.exec(resource);
  if (api) return `${api[1]}/*/*/*`;
  return resource;
}

function resourcePolicyFor(graph: AccessGraph, account: AccountEntry | undefined, resource: string): Policy | undefined {
  const role = account && [...account.roles.values()].find((r) => r.arn === resource);
  if (role) return graph.book.policy(role.trustPolicy, "trust", `${role.arn} trust policy`);
  const held = account?.resourcePolicies.get(resource) ?? account?.resourcePolicies.get(holderOf(resource));
  return held ? graph.book.policy(held.policy, "resource", held.arn) : undefined;
}

/** The engine's decision for one node acting on a resource, with the resource's own policy. */
export function decideAs(graph: AccessGraph, node: GraphNode, action: string, resource: string, account: AccountEntry | undefined, context: Record<string, string>): Evaluation {
  const resourcePolicy = resourcePolicyFor(graph, account, resource);
  return graph.evaluate(node, action, resource, account, resourcePolicy, { ...node.context, ...(account ? { "aws:ResourceAccount": account.id } : {}), ...context });
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
  const account = resourceAccountOf(graph, q.resource, q.resourceAccount);
  const candidates: Reached[] = [...(start.kind === "federated" ? [] : [{ node: start, via: [], requires: {}, maxSessionSeconds: Infinity }]), ...walk(graph, start)];
  const paths: Path[] = [];
  // An Allow is explained by the first path that allows; a Deny by the principal's own attempt.
  let allowed: Evaluation["explain"] | undefined;
  let denied: Evaluation["explain"] | undefined;
  for (const c of candidates) {
    const result = decideAs(graph, c.node, q.action, q.resource, account, context);
    if (result.decision === "Allow") {
      paths.push({ via: c.via, requires: c.requires, maxSessionSeconds: finite(c.maxSessionSeconds) });
      allowed ??= result.explain;
    } else denied ??= result.explain;
  }
  return { decision: paths.length ? "Allow" : "Deny", paths, explain: paths.length ? allowed : denied };
}

export function whoCan(graph: AccessGraph, q: Omit<CanQuery, "principal">) {
  const context = q.context ?? {};
  const account = resourceAccountOf(graph, q.resource, q.resourceAccount);
  const principals = new Map<string, { principal: string; via: string[]; requires: Record<string, string> }>();
  for (const node of graph.nodes.values()) {
    if (node.kind === "federated") continue;
    if (decideAs(graph, node, q.action, q.resource, account, context).decision !== "Allow") continue;
    // The node acts itself; everyone upstream reaches it through a chain.
    if (!principals.has(node.id)) principals.set(node.id, { principal: node.id, via: [], requires: {} });
    for (const upstream of upstreamOf(graph, node.id)) {
      if (!principals.has(upstream.principal)) principals.set(upstream.principal, upstream);
    }
  }
  return { principals: [...principals.values()].map((p) => asPrincipal(graph, p)).sort((a, b) => a.principal.localeCompare(b.principal)) };
}

/** A federated identity is named as `can` takes it: the provider ARN, with the token's `sub` to supply. */
function asPrincipal(graph: AccessGraph, entry: { principal: string; via: string[]; requires: Record<string, string> }) {
  const node = graph.nodes.get(entry.principal);
  if (node?.kind !== "federated") return entry;
  const sub = Object.entries(node.context).find(([k]) => k.endsWith(":sub"));
  return { ...entry, principal: node.principal, requires: { ...(sub ? { [sub[0]]: sub[1] as string } : {}), ...entry.requires } };
}

/** Every node with a chain to `target`, with that chain (shortest first). */
function upstreamOf(graph: AccessGraph, target: string): { principal: string; via: string[]; requires: Record<string, string> }[] {
  const seen = new Set([target]);
  const out: { principal: string; via: string[]; requires: Record<string, string> }[] = [];
  // `chain`: the roles a caller whose edge lands on this node assumes from there on.
  let frontier = [{ id: target, chain: [target], requires: {} as Record<string, string> }];
  while (frontier.length) {
    const next: typeof frontier = [];
    for (const at of frontier) {
      for (const edge of graph.incoming.get(at.id) ?? ([] as Edge[])) {
        if (seen.has(edge.from)) continue;
        seen.add(edge.from);
        const node = graph.nodes.get(edge.from) as GraphNode;
        const item = { principal: edge.from, via: at.chain, requires: { ...edge.requires, ...at.requires } };
        out.push(item);
        next.push({ id: edge.from, chain: node.kind === "role" ? [edge.from, ...at.chain] : at.chain, requires: item.requires });
      }
    }
    frontier = next;
  }
  return out;
}

function finite(seconds: number): number {
  return Number.isFinite(seconds) ? seconds : 43200;
}
