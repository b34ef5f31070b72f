/**
 * Cytoscape elements for what the page shows: open accounts as compound nodes holding their nodes
 * (a large report: frames drawn behind them), or, collapsed, as single nodes whose edges stand for
 * all their members' edges (merged per pair of ends); only the nodes the filters keep.
 */
import type { ElementDefinition } from "cytoscape";
import { accountLabel, edgeLabel, type ReportData, type ReportEdge, type ReportEdgeKind, type ReportNode } from "../types.js";

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

/** The line that stands for the edges between two drawn ends, one at least a collapsed account. */
export const mergedId = (source: string, target: string) => `merged:${source}->${target}`;

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

/** The class of a node's worst finding (a report lists its findings most severe first), or "" for none. */
export function findingClass(data: ReportData, node: ReportNode): string {
  if (node.findings.length === 0) return "";
  // A loop, not Math.min(...findings): a node may have more findings than a call takes arguments.
  let worst = Infinity;
  for (const f of node.findings) if (f < worst) worst = f;
  return `finding-${data.findings[worst]?.severity}`;
}

/** The accounts that start collapsed. */
export function initiallyCollapsed(data: ReportData): Set<string> {
  const sizes = new Map<string, number>();
  for (const node of data.nodes) if (node.account) sizes.set(node.account, (sizes.get(node.account) ?? 0) + 1);
  const big = data.nodes.length > COLLAPSE_ABOVE;
  return new Set([...sizes].filter(([, n]) => n > LARGE_ACCOUNT || big).map(([id]) => id));
}

/**
 * The edges a merged edge stands for: between accounts of which one at least is collapsed. In a
 * large report, an edge between two drawn nodes is a line too, standing for itself alone (`kind`
 * set: drawn in its kind's colour).
 */
export interface MergedEdge {
  id: string;
  source: string;
  target: string;
  edges: ReportEdge[];
  /** Drawn as a cross-account line: one at least of its edges crosses accounts. */
  cross: boolean;
  /** Drawn as a conditional line: every one of its edges needs a key or a condition. */
  conditional: boolean;
  /** The kind of the one edge of a line that stands for an edge between two drawn nodes. */
  kind?: ReportEdgeKind;
}

/**
 * The elements to draw: `visible` holds the node IDs the filters keep (all when undefined).
 *
 * In a `large` report, a collapsed account's edges are drawn to the open accounts only, merged into
 * one line per pair of accounts (`drawnEnds`): none between two collapsed accounts, none to a node
 * in no account; those lines, and the edges between two drawn nodes, are not Cytoscape elements
 * but `merged` alone (account-lines.ts draws them: an opened account's few hundred edges, as
 * Cytoscape edges, took a third of the time to draw it). And an open account is a frame drawn
 * behind its members (class `frame`; the members `member`, with their account in their data), not
 * a compound node: while one compound node is drawn, Cytoscape styles each property of each element
 * by walking its parents and their lines (an account of a hundred roles linked with a thousand
 * accounts took a second to open).
 */
export function elementsOf(
  data: ReportData,
  collapsed: ReadonlySet<string>,
  visible: ReadonlySet<string> | undefined,
  large: boolean,
): { elements: ElementDefinition[]; merged: Map<string, MergedEdge> } {
  const elements: ElementDefinition[] = [];
  const index = indexOf(data);
  const shown = (id: string) => !visible || visible.has(id);
  for (const account of data.accounts) {
    const members = index.members.get(account.id) ?? [];
    const count = visible ? members.filter((node) => visible.has(node.id)).length : members.length;
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
  for (const node of drawnNodes(index, collapsed)) {
    if (!shown(node.id)) continue;
    const worst = findingClass(data, node);
    const member = node.account === undefined ? {} : large ? { account: node.account } : { parent: accountNodeId(node.account) };
    elements.push({
      group: "nodes",
      data: { id: node.id, label: node.label, kind: node.kind, ...member },
      classes: `${node.kind} ${worst}${large && node.account !== undefined ? " member" : ""}`,
    });
  }
  const merged = new Map<string, MergedEdge>();
  const drawnEdges = large ? largeReportEdges(data, index, collapsed) : data.edges;
  const { accountOf } = index;
  const endOf = (id: string, account: string | undefined) => (account === undefined ? { id } : { id, account });
  const folded = (account: string | undefined) => account !== undefined && collapsed.has(account);
  const open = (account: string | undefined) => account !== undefined && !collapsed.has(account);
  for (const edge of drawnEdges) {
    if (!shown(edge.from) || !shown(edge.to)) continue;
    const [fromAccount, toAccount] = [accountOf(edge.from), accountOf(edge.to)];
    // A large report draws a collapsed account's links to open accounts only (not to another
    // collapsed one, nor to the principals in no account: a thousand accounts' lines to "anyone").
    if (large && (folded(fromAccount) || folded(toAccount)) && !open(fromAccount) && !open(toAccount)) continue;
    const [source, target] = drawnEnds(endOf(edge.from, fromAccount), endOf(edge.to, toAccount), collapsed, large);
    if (source === edge.from && target === edge.to) {
      if (large) {
        const [cross, conditional] = [edge.crossAccount, edge.needs.length > 0];
        merged.set(edge.id, { id: edge.id, source, target, edges: [edge], cross, conditional, kind: edge.kind });
        continue;
      }
      const classes = [
        edge.kind,
        edge.crossAccount ? "cross" : "",
        edge.needs.length ? "conditional" : "",
        edge.findings.length ? "has-findings" : "",
      ].join(" ");
      elements.push({ group: "edges", data: { id: edge.id, source, target, label: edgeLabel(edge) }, classes });
      continue;
    }
    if (source === target) continue;
    const id = mergedId(source, target);
    const known = merged.get(id);
    if (known) {
      known.edges.push(edge);
      known.cross ||= edge.crossAccount;
      known.conditional &&= edge.needs.length > 0;
    } else merged.set(id, { id, source, target, edges: [edge], cross: edge.crossAccount, conditional: edge.needs.length > 0 });
  }
  if (large) return { elements, merged };
  for (const m of merged.values()) {
    elements.push({
      group: "edges",
      data: {
        id: m.id,
        source: m.source,
        target: m.target,
        label: `${m.edges.length} edge${m.edges.length > 1 ? "s" : ""}`,
        count: m.edges.length,
      },
      classes: ["merged", m.cross ? "cross" : "", m.conditional ? "conditional" : ""].join(" "),
    });
  }
  return { elements, merged };
}

/**
 * What elementsOf reads of a report's nodes and edges, made once per report: its nodes never
 * change once decoded, and its edges only grow (an account's details are decoded when first
 * needed), so the edges are indexed as far as they are known and the rest when next asked. An
 * account opened in a report of 100,000 nodes and half a million edges is drawn from its own
 * nodes and edges, not from a walk over all of them.
 */
interface ReportIndex {
  /** A node's account by its ID (undefined: in none, or no such node). */
  accountOf: AccountLookup;
  /** Each account's nodes, in the report's order. */
  members: Map<string, ReportNode[]>;
  /** The nodes in no account. */
  loose: ReportNode[];
  /** Per account, the positions in `data.edges` of the edges that enter or leave its nodes. */
  edgesOf: Map<string, number[]>;
  /** The positions of the edges between two nodes in no account. */
  looseEdges: number[];
  /** How many of `data.edges` are indexed. */
  indexed: number;
}

/** Finds a node's account by the node's ID. */
export type AccountLookup = (id: string) => string | undefined;

const indexes = new WeakMap<ReportData, ReportIndex>();

/**
 * Indexes what elementsOf reads of a report as far as its edges are decoded (elementsOf indexes the
 * rest when it next draws): a page indexes the edges it decodes when it decodes them, not when a
 * person opens an account. The first call sets how a node's account is found by its ID: the page's
 * own index of its nodes; by default, a map of every node's, made when an edge is first indexed.
 */
export function indexReport(data: ReportData, accountOf?: AccountLookup): void {
  indexOf(data, accountOf);
}

function indexOf(data: ReportData, lookup?: AccountLookup): ReportIndex {
  let index = indexes.get(data);
  if (!index) {
    const members = new Map<string, ReportNode[]>();
    const loose: ReportNode[] = [];
    for (const node of data.nodes) {
      if (node.account === undefined) loose.push(node);
      else listOf(members, node.account).push(node);
    }
    index = { accountOf: lookup ?? accountsById(data), members, loose, edgesOf: new Map(), looseEdges: [], indexed: 0 };
    indexes.set(data, index);
  }
  const { accountOf } = index;
  for (; index.indexed < data.edges.length; index.indexed++) {
    const edge = data.edges[index.indexed] as ReportEdge;
    const [from, to] = [accountOf(edge.from), accountOf(edge.to)];
    if (from === undefined && to === undefined) index.looseEdges.push(index.indexed);
    if (from !== undefined) listOf(index.edgesOf, from).push(index.indexed);
    if (to !== undefined && to !== from) listOf(index.edgesOf, to).push(index.indexed);
  }
  return index;
}

/** Each node's account by its ID, from a map of them all made when first asked (a hundred thousand IDs). */
function accountsById(data: ReportData): AccountLookup {
  let byId: Map<string, string | undefined> | undefined;
  return (id) => {
    if (!byId) {
      byId = new Map();
      for (const node of data.nodes) byId.set(node.id, node.account);
    }
    return byId.get(id);
  };
}

/** The list under a key, made empty the first time. */
function listOf<T>(lists: Map<string, T[]>, key: string): T[] {
  let list = lists.get(key);
  if (!list) lists.set(key, (list = []));
  return list;
}

/** The nodes drawn as themselves (not in a collapsed account): by account, then those in none. */
function drawnNodes(index: ReportIndex, collapsed: ReadonlySet<string>): ReportNode[] {
  const drawn: ReportNode[] = [];
  for (const [account, members] of index.members) if (!collapsed.has(account)) for (const node of members) drawn.push(node);
  for (const node of index.loose) drawn.push(node);
  return drawn;
}

/**
 * The edges a large report may draw, in the report's order: those of the open accounts and those
 * between nodes in no account (every other edge joins a collapsed account to a collapsed one or to
 * a node in no account, which a large report does not draw).
 */
function largeReportEdges(data: ReportData, index: ReportIndex, collapsed: ReadonlySet<string>): ReportEdge[] {
  const positions = new Set(index.looseEdges);
  for (const [account, list] of index.edgesOf) if (!collapsed.has(account)) for (const at of list) positions.add(at);
  return [...positions].sort((a, b) => a - b).map((at) => data.edges[at] as ReportEdge);
}
