/**
 * The part of a report's graph a person asks about: some accounts (their nodes, and the nodes one
 * step in or out of them), some workloads (the nodes their chains pass through and reach), or the
 * principals and resources within N steps of one node, in both directions. Several kinds of focus
 * narrow together (the nodes every one keeps); several values of one kind add up.
 */
import { fewOf, withinSteps } from "../graph/focus.js";
import type { ReportData, ReportEdge, ReportNode } from "./types.js";

export interface Focus {
  /** Account IDs. */
  accounts?: readonly string[];
  /** The model's workload names. */
  workloads?: readonly string[];
  /** Nodes' ARNs (or their IDs in the report), and how many steps around them. */
  around?: { arns: readonly string[]; depth: number };
}

/** A focus that names what the report does not hold; the message says what it holds. */
export class FocusError extends Error {
  override name = "FocusError";
}

/** Each kind of focus asked for: as its options read (`--account A B`, `--focus ARN --depth 2`), and the nodes it keeps. */
function kindsOf(focus: Focus): { part: string; keep: (data: ReportData) => Set<string> }[] {
  const { accounts, workloads, around: near } = focus;
  return [
    ...(accounts?.length ? [{ part: `--account ${accounts.join(" ")}`, keep: (data: ReportData) => aroundAccounts(data, accounts) }] : []),
    ...(workloads?.length ? [{ part: `--workload ${workloads.join(" ")}`, keep: (data: ReportData) => ofWorkloads(data, workloads) }] : []),
    ...(near
      ? [
          {
            part: `${near.arns.map((arn) => `--focus ${arn}`).join(" ")} --depth ${near.depth}`,
            keep: (data: ReportData) => around(data, near.arns, near.depth),
          },
        ]
      : []),
  ];
}

/** What a narrowed picture says it is narrowed to (undefined when the focus names nothing). */
export function focusText(focus: Focus): string | undefined {
  const kinds = kindsOf(focus);
  return kinds.length ? narrowedTo(kinds) : undefined;
}

const narrowedTo = (kinds: readonly { part: string }[]) => `narrowed to ${kinds.map((k) => k.part).join(", ")}`;

/**
 * The report narrowed to the focus (the report itself when the focus names nothing), its title
 * saying so: a narrowed picture shared on its own is not taken for the whole organization. A focus
 * that keeps nothing is an error that says what each of its parts kept, never an empty picture.
 */
export function focused(data: ReportData, focus: Focus): ReportData {
  const selections = kindsOf(focus).map(({ part, keep }) => ({ part, keep: keep(data) }));
  const [first, ...rest] = selections;
  if (!first) return data;
  const keep = new Set([...first.keep].filter((id) => rest.every((s) => s.keep.has(id))));
  if (keep.size === 0) {
    const several = rest.length > 0;
    const parts = selections.map((s) => `${s.part} keeps ${nodesText(s.keep.size)}`);
    throw new FocusError(
      `the focus keeps nothing to draw: ${parts.join("; ")}${several ? "; and no node is kept by all of them" : ""}: widen or drop ${several ? "one of them" : "it"}`,
    );
  }
  return { ...subgraph(data, keep), title: `${data.title} (${narrowedTo(selections)})` };
}

const nodesText = (n: number) => (n === 0 ? "no node" : `${n} node${n === 1 ? "" : "s"}`);

function aroundAccounts(data: ReportData, accounts: readonly string[]): Set<string> {
  const known = new Set(data.accounts.map((a) => a.id));
  const missing = accounts.filter((id) => !known.has(id));
  if (missing.length)
    throw new FocusError(
      `no account ${missing.join(", ")} in this report; it holds ${known.size} account${known.size === 1 ? "" : "s"}${fewOf([...known])}`,
    );
  const wanted = new Set(accounts);
  const keep = new Set(data.nodes.filter((n) => n.account !== undefined && wanted.has(n.account)).map((n) => n.id));
  const inside = new Set(keep);
  for (const edge of data.edges) {
    if (inside.has(edge.from)) keep.add(edge.to);
    if (inside.has(edge.to)) keep.add(edge.from);
  }
  return keep;
}

function ofWorkloads(data: ReportData, workloads: readonly string[]): Set<string> {
  const known = new Set(data.nodes.flatMap((n) => n.workloads));
  const missing = workloads.filter((w) => !known.has(w));
  if (missing.length)
    throw new FocusError(
      known.size === 0
        ? `no workloads in this report (an inventory has none; a model's are under workloads:), so no ${missing.join(", ")}`
        : `no workload ${missing.join(", ")} in this report; its workloads are${fewOf([...known].sort())}`,
    );
  const wanted = new Set(workloads);
  return new Set(data.nodes.filter((n) => n.workloads.some((w) => wanted.has(w))).map((n) => n.id));
}

function around(data: ReportData, arns: readonly string[], depth: number): Set<string> {
  // Every node of each ARN: an identity provider's stands for one node per `sub` its trusts name.
  const starts = arns.flatMap((arn) => {
    const nodes = data.nodes.filter((n) => n.arn === arn || n.id === arn).map((n) => n.id);
    if (nodes.length === 0)
      throw new FocusError(
        `no principal or resource ${arn} in this report: give the ARN of a role, user or resource it draws${fewOf(data.nodes.map((n) => n.arn))}`,
      );
    return nodes;
  });
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (const edge of data.edges) {
    link(edge.from, edge.to);
    link(edge.to, edge.from);
  }
  return withinSteps(starts, depth, (id) => neighbours.get(id) ?? []);
}

/** The nodes kept, the edges between them, and the statements, findings and accounts they use, renumbered. */
function subgraph(data: ReportData, keep: ReadonlySet<string>): ReportData {
  const nodes = data.nodes.filter((n) => keep.has(n.id));
  const edges = data.edges.filter((e) => keep.has(e.from) && keep.has(e.to));
  const statements = renumbered(data.statements);
  const findings = renumbered(data.findings);
  const keptEdges = new Set(edges.map((e) => e.id));
  const outNodes: ReportNode[] = nodes.map((n) => ({ ...n, findings: n.findings.map(findings.index) }));
  const outEdges: ReportEdge[] = edges.map((e) => ({
    ...e,
    ...(e.allowedBy !== undefined ? { allowedBy: statements.index(e.allowedBy) } : {}),
    callerSide: e.callerSide.map(statements.index),
    findings: e.findings.map(findings.index),
  }));
  const accounts = new Set(nodes.flatMap((n) => (n.account === undefined ? [] : [n.account])));
  return {
    ...data,
    accounts: data.accounts.filter((a) => accounts.has(a.id)),
    nodes: outNodes,
    edges: outEdges,
    statements: statements.table,
    findings: findings.table.map((f) => ({
      ...f,
      nodes: f.nodes.filter((id) => keep.has(id)),
      edges: f.edges.filter((id) => keptEdges.has(id)),
    })),
  };
}

/** A table cut down to the entries used: each old index's new one, given in the order first asked. */
function renumbered<T>(from: readonly T[]): { table: T[]; index: (old: number) => number } {
  const table: T[] = [];
  const seen = new Map<number, number>();
  return {
    table,
    index: (old) => {
      let i = seen.get(old);
      if (i === undefined) {
        i = table.push(from[old] as T) - 1;
        seen.set(old, i);
      }
      return i;
    },
  };
}
