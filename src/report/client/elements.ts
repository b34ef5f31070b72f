/**
 * Cytoscape elements for what the page shows: open accounts as compound nodes holding their nodes
 * (a large report: frames drawn behind them), or, collapsed, as single nodes whose edges stand for
 * all their members' edges (merged per pair of ends); only the nodes the filters keep.
 */
import type { ElementDefinition } from "cytoscape";
import { accountLabel, edgeLabel, type ReportData, type ReportEdge } from "../types.js";

/**
 * Above this many nodes in the report, every account starts collapsed, one of a single node too:
 * with no account open, Cytoscape styles the first drawing's thousands of elements without walking
 * compound nodes for each property of each.
 */
export const COLLAPSE_ABOVE = 250;
/** An account with more nodes than this starts collapsed whatever the report's size. */
export const LARGE_ACCOUNT = 60;

/** The drawn element that stands for a node: the node, or its collapsed account. */
export function drawnNodeId(node: { id: string; account?: string }, collapsed: ReadonlySet<string>): string {
  return node.account !== undefined && collapsed.has(node.account) ? accountNodeId(node.account) : node.id;
}

/** The group node of an account. */
export const accountNodeId = (account: string) => `account:${account}`;

/**
 * The drawn ends of an edge: its own nodes, or the collapsed accounts standing for them. In a large
 * report (`byAccount`), an edge between a collapsed account and a node of an open one is drawn to
 * that node's account: one line per pair of accounts, not one per node of the open account (a
 * thousand accounts' lines into each of its roles would be thousands of lines to draw).
 */
export function drawnEnds(
  from: { id: string; account?: string },
  to: { id: string; account?: string },
  collapsed: ReadonlySet<string>,
  byAccount: boolean,
): [string, string] {
  const source = drawnNodeId(from, collapsed);
  const target = drawnNodeId(to, collapsed);
  if (byAccount && source !== from.id && target === to.id && to.account !== undefined) return [source, accountNodeId(to.account)];
  if (byAccount && target !== to.id && source === from.id && from.account !== undefined) return [accountNodeId(from.account), target];
  return [source, target];
}

/** The accounts that start collapsed. */
export function initiallyCollapsed(data: ReportData): Set<string> {
  const sizes = new Map<string, number>();
  for (const node of data.nodes) if (node.account) sizes.set(node.account, (sizes.get(node.account) ?? 0) + 1);
  const big = data.nodes.length > COLLAPSE_ABOVE;
  return new Set([...sizes].filter(([, n]) => n > LARGE_ACCOUNT || big).map(([id]) => id));
}

/** The edges a merged edge stands for: between accounts of which one at least is collapsed. */
export interface MergedEdge {
  id: string;
  source: string;
  target: string;
  edges: ReportEdge[];
}

/**
 * The elements to draw: `visible` holds the node IDs the filters keep (all when undefined).
 *
 * In a `large` report, a collapsed account's edges are drawn to the open accounts only, merged into
 * one line per pair of accounts (`drawnEnds`): none between two collapsed accounts, none to a node
 * in no account. And an open account is a frame drawn behind its members (class `frame`; the
 * members `member`, with their account in their data), not a compound node: while one compound
 * node is drawn, Cytoscape styles each property of each element by walking its parents and their
 * lines (an account of a hundred roles linked with a thousand accounts took a second to open).
 */
export function elementsOf(
  data: ReportData,
  collapsed: ReadonlySet<string>,
  visible: ReadonlySet<string> | undefined,
  large: boolean,
): { elements: ElementDefinition[]; merged: Map<string, MergedEdge> } {
  const elements: ElementDefinition[] = [];
  const accountOf = new Map<string, string | undefined>();
  const counts = new Map<string, number>();
  for (const node of data.nodes) {
    accountOf.set(node.id, node.account);
    if (visible && !visible.has(node.id)) continue;
    if (node.account) counts.set(node.account, (counts.get(node.account) ?? 0) + 1);
  }
  for (const account of data.accounts) {
    const count = counts.get(account.id);
    if (!count) continue;
    const folded = collapsed.has(account.id);
    const label = folded ? `${accountLabel(account)}\n${count} node${count === 1 ? "" : "s"}` : accountLabel(account);
    const frame = large && !folded;
    elements.push({
      group: "nodes",
      // A frame's size is set where it is laid out (layout.ts).
      data: { id: accountNodeId(account.id), label, account: account.id, count, ...(frame ? { w: 1, h: 1 } : {}) },
      classes: ["account", folded ? "collapsed" : "group", frame ? "frame" : "", account.managed ? "" : "external"].join(" "),
      ...(frame ? { grabbable: false } : {}),
    });
  }
  const shown = (id: string) => !visible || visible.has(id);
  const endOf = (id: string) => {
    const account = accountOf.get(id);
    return account === undefined ? { id } : { id, account };
  };
  const folded = (end: { account?: string }) => end.account !== undefined && collapsed.has(end.account);
  const inOpenAccount = (end: { account?: string }) => end.account !== undefined && !collapsed.has(end.account);
  for (const node of data.nodes) {
    if (!shown(node.id) || (node.account && collapsed.has(node.account))) continue;
    const worst = node.findings.length ? `finding-${data.findings[Math.min(...node.findings)]?.severity}` : "";
    const member = node.account === undefined ? {} : large ? { account: node.account } : { parent: accountNodeId(node.account) };
    elements.push({
      group: "nodes",
      data: { id: node.id, label: node.label, kind: node.kind, ...member },
      classes: `${node.kind} ${worst}${large && node.account !== undefined ? " member" : ""}`,
    });
  }
  const merged = new Map<string, MergedEdge>();
  for (const edge of data.edges) {
    if (!shown(edge.from) || !shown(edge.to)) continue;
    const [from, to] = [endOf(edge.from), endOf(edge.to)];
    // A large report draws a collapsed account's links to open accounts only (not to another
    // collapsed one, nor to the principals in no account: a thousand accounts' lines to "anyone").
    if (large && (folded(from) || folded(to)) && !inOpenAccount(from) && !inOpenAccount(to)) continue;
    const [source, target] = drawnEnds(from, to, collapsed, large);
    const classes = [
      edge.kind,
      edge.crossAccount ? "cross" : "",
      edge.needs.length ? "conditional" : "",
      edge.findings.length ? "has-findings" : "",
    ].join(" ");
    if (source === edge.from && target === edge.to) {
      elements.push({ group: "edges", data: { id: edge.id, source, target, label: edgeLabel(edge) }, classes });
      continue;
    }
    if (source === target) continue;
    const id = `merged:${source}->${target}`;
    const known = merged.get(id);
    if (known) known.edges.push(edge);
    else merged.set(id, { id, source, target, edges: [edge] });
  }
  for (const m of merged.values()) {
    const cross = m.edges.some((e) => e.crossAccount);
    const conditional = m.edges.every((e) => e.needs.length > 0);
    elements.push({
      group: "edges",
      data: {
        id: m.id,
        source: m.source,
        target: m.target,
        label: `${m.edges.length} edge${m.edges.length > 1 ? "s" : ""}`,
        count: m.edges.length,
      },
      classes: ["merged", cross ? "cross" : "", conditional ? "conditional" : ""].join(" "),
    });
  }
  return { elements, merged };
}
