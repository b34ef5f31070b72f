/**
 * How the report's data is stored in the page (written by page-data.ts, read by client/store.ts):
 * compactly, and in parts the page decodes when it needs them. Every part, the core too, is gzip
 * text in base64, decoded with the browser's DecompressionStream (the page is a third of the size
 * of the JSON text, and the browser parses less HTML before it draws).
 *
 * - The page's core: the accounts, one table of strings (each string once), and every node as a few
 *   indexes (its kind, its ID and name as strings of the table): enough to draw the accounts and
 *   search. The graph's shape, a part of its own decoded after the first drawing: every edge as
 *   the node it leaves, its kind and its session limit. Edges are ordered by the node they enter,
 *   and nodes by account, so an account's nodes and the edges into them are each one run of
 *   indexes. That is enough to walk "who can reach this?" over the whole graph.
 * - The details, per account: what each edge allows (its actions, what it needs, the statements
 *   that allow it), the nodes' findings and workloads, the findings themselves. Several accounts'
 *   details form a part, stored as gzip in base64 and decoded (DecompressionStream) when one of its
 *   accounts is opened or shown. A part stores its rows by column, each row once however many of
 *   its accounts share it (an edge between two of them), with indexes as differences. Columns
 *   whose values repeat from row to row (a finding's fix, an edge's actions) hold indexes into the
 *   part's `values`, which holds each such value once.
 * - The statements the edges cite, each once however many accounts' edges cite it (an AWS managed
 *   policy's statement is cited from every account), in parts of their own by index. A large
 *   page decodes a part when an edge citing one of its statements is shown; a small one (up to
 *   2,000 nodes) decodes every part at once.
 * Nothing is fetched: every part is in the one HTML file. The core and the parts' keys are in one
 * JSON element, and the shape in an element of its own, before the page's script; each other
 * part's gzip text is in an element of its own after it (partElementId), so the page draws from
 * the core while the browser still reads the parts.
 */
import type { PolicyStatementRef, ReportAccount, ReportEdgeKind, ReportNodeKind, ReportSeverity } from "./types.js";

export const PAGE_FORMAT = 7;

/** Node kinds and edge kinds by their index in the page. */
export const NODE_KINDS: readonly ReportNodeKind[] = ["user", "role", "federated", "service", "account", "workload", "resource", "anyone"];
export const EDGE_KINDS: readonly ReportEdgeKind[] = ["assume-role", "escalation", "resource-policy", "identity", "starts-as"];
/** An edge's `meta`: its kind's index plus its session limit's index (in `sessions`) times this. */
export const KIND_SPAN = 8;

export interface PageData {
  format: typeof PAGE_FORMAT;
  source: string;
  title: string;
  accounts: ReportAccount[];
  strings: string[];
  /** How many nodes each account holds, in the order of `accounts`; the nodes after them are in no account. */
  accountNodes: number[];
  /** Per node, four numbers: its kind, and the strings its ID is made of (a prefix and the rest), and its label. */
  nodes: number[];
  /** The nodes whose ARN (or principal) is not their ID: node index, string index. */
  arns: [number, number][];
  /** How many edges the report holds. */
  edgeTotal: number;
  /** The graph's shape (PageShape) as gzip text in base64: decoded after the first drawing, which draws no edge of a large report. */
  shape: string;
  /** Per account (and last, the nodes in no account), its findings by severity, most severe first. */
  findingCounts: number[][];
  /** Total findings. */
  findings: number;
  /** The model's workloads (their names), for the workload filter. */
  workloads: string[];
  /** The parts: the accounts each holds (indexes into `accounts`; `accounts.length` for the nodes in no account) and its gzip text in base64. */
  parts: { accounts: number[]; gzip: string }[];
  /** The statement parts: the index of the first statement each holds (the next part's first ends it), and its gzip text in base64. */
  statementParts: { first: number; gzip: string }[];
}

/** Which node each edge leaves and enters, its kind and its session limit. */
export interface PageShape {
  /** Per node, how many edges enter it; edges are ordered by the node they enter. */
  into: number[];
  /** Per edge, the node it leaves: within the edges entering one node (ordered by the node they leave), its difference from the edge before (the first's from 0). */
  from: number[];
  /** Per edge, its kind plus its session limit (see KIND_SPAN). */
  meta: number[];
  /** Session limits in seconds; index 0 stands for none. */
  sessions: number[];
}

/** The page's data as its JSON element holds it: the core (PageData without its shape and parts) as gzip in base64, and the parts' keys. */
export interface PageFile {
  format: typeof PAGE_FORMAT;
  core: string;
  parts: { accounts: number[] }[];
  statementParts: { first: number }[];
}

/** What the page reads before its parts: the core decoded, and the parts' keys. */
export type PageIndex = Omit<PageData, "shape" | "parts" | "statementParts"> & Pick<PageFile, "parts" | "statementParts">;

/** The graph's shape (one part, `shape`, before the page's script), an account part (`part`) or a statement part (`statements`). */
export type PartKind = "shape" | "part" | "statements";

/** The ID of the element holding part `k`'s gzip text in base64. */
export const partElementId = (kind: PartKind, k: number) => `xacct-${kind}-${k}`;

/**
 * Rows stored by column (gzip finds the repeats of a column next to each other): `at` holds the
 * rows' indexes (of the report's nodes, edges or findings), ascending, each as its difference from
 * the one before (the first from 0); each other column holds its values in the same order.
 */
export type PageColumns<Row> = { at: number[] } & { [K in keyof Row]: Row[K][] };

/** A node's details, for the nodes that have any. */
export interface PageNodeRow {
  detail: string | null;
  workloads: string[];
  findings: number[];
}

/** An edge's details: `allowedBy` -1 for none; the statements by their index. */
export interface PageEdgeRow {
  actions: readonly string[];
  technique: string | null;
  needs: readonly string[];
  allowedBy: number;
  callerSide: readonly number[];
  workloads: readonly string[];
  findings: readonly number[];
}

/** A finding, its nodes and edges as their indexes, null for what it lacks. */
export interface PageFindingRow {
  id: string;
  severity: ReportSeverity;
  title: string;
  resource: string;
  path: string[] | null;
  detail: string;
  fix: string;
  accepted: string | null;
  nodes: number[];
  edges: number[];
}

/** The columns of each kind of row, in the order a part holds them. */
export const NODE_COLUMNS = ["detail", "workloads", "findings"] as const satisfies readonly (keyof PageNodeRow)[];
export const EDGE_COLUMNS = [
  "actions",
  "technique",
  "needs",
  "allowedBy",
  "callerSide",
  "workloads",
  "findings",
] as const satisfies readonly (keyof PageEdgeRow)[];
export const FINDING_COLUMNS = [
  "id",
  "severity",
  "title",
  "resource",
  "path",
  "detail",
  "fix",
  "accepted",
  "nodes",
  "edges",
] as const satisfies readonly (keyof PageFindingRow)[];

/**
 * The columns whose values repeat from row to row (of 142,000 findings, 5,800 fixes): a part stores
 * their cells as indexes into its `values`, where each value is once.
 */
export const SHARED_COLUMNS = {
  nodes: ["workloads"],
  edges: ["actions", "technique", "needs", "workloads"],
  findings: ["id", "severity", "title", "fix", "accepted"],
} as const satisfies {
  nodes: readonly (keyof PageNodeRow)[];
  edges: readonly (keyof PageEdgeRow)[];
  findings: readonly (keyof PageFindingRow)[];
};

/**
 * One part, once decoded: the details of its accounts' nodes, of the edges into or out of them
 * and of the findings they show, each once however many of the part's accounts share it (the
 * statements they cite are in the statement parts).
 */
export interface PagePart {
  nodes: PageColumns<PageNodeRow>;
  edges: PageColumns<PageEdgeRow>;
  findings: PageColumns<PageFindingRow>;
}

/** A part as the page stores it: PagePart with the cells of its SHARED_COLUMNS as indexes into `values`. */
export interface StoredPart {
  nodes: Record<string, unknown[]>;
  edges: Record<string, unknown[]>;
  findings: Record<string, unknown[]>;
  values: unknown[];
}

/**
 * A stored part with its shared columns' indexes replaced by their values: one object for each
 * value, however many rows share it, frozen (changing one row's would change them all).
 */
export function expandPart(stored: StoredPart): PagePart {
  for (const value of stored.values) Object.freeze(value);
  for (const kind of ["nodes", "edges", "findings"] as const)
    for (const column of SHARED_COLUMNS[kind]) {
      const cells = stored[kind][column] ?? [];
      for (let k = 0; k < cells.length; k++) cells[k] = stored.values[cells[k] as number];
    }
  const { nodes, edges, findings } = stored;
  return { nodes, edges, findings } as unknown as PagePart;
}

/** A statement part, once decoded: its statements, from its `first` on. */
export type PageStatements = PolicyStatementRef[];
