/**
 * How the report's data is stored in the page (written by page-data.ts, read by client/store.ts):
 * compactly, and in parts the page decodes when it needs them. Every part, the core too, is gzip
 * text in base64, decoded with the browser's DecompressionStream (the page is a third of the size
 * of the JSON text, and the browser parses less HTML before it draws).
 *
 * - The page's core: the accounts, one table of strings (each string once), every node as a few
 *   indexes (its kind, its ID and name as strings of the table), and every edge as the node it
 *   leaves, its kind and its session limit. Edges are ordered by the node they enter, and nodes by
 *   account, so an account's nodes and the edges into them are each one run of indexes. That is
 *   enough to draw the accounts, search, and walk "who can reach this?" over the whole graph.
 * - The details, per account: what each edge allows (its actions, what it needs, the statements
 *   that allow it), the nodes' findings and workloads, the findings themselves. Several accounts'
 *   details form a part, stored as gzip in base64 and decoded (DecompressionStream) when one of its
 *   accounts is opened or shown.
 * - The statements the edges cite, each once however many accounts' edges cite it (an AWS managed
 *   policy's statement is cited from every account), in parts of their own by index; a part is
 *   decoded when an edge citing one of its statements is shown.
 * Nothing is fetched: every part is in the one HTML file.
 */
import type { PolicyStatementRef, ReportAccount, ReportEdgeKind, ReportFinding, ReportNodeKind, ReportSeverity } from "./types.js";

export const PAGE_FORMAT = 3;

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
  /** Per node, how many edges enter it; edges are ordered by the node they enter. */
  into: number[];
  /** Per edge, the node it leaves. */
  from: number[];
  /** Per edge, its kind plus its session limit (see KIND_SPAN). */
  meta: number[];
  /** Session limits in seconds; index 0 stands for none. */
  sessions: number[];
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

/** The page's data as the HTML file holds it: the core (PageData without its parts) as gzip in base64, and the parts. */
export interface PageFile {
  format: typeof PAGE_FORMAT;
  core: string;
  parts: PageData["parts"];
  statementParts: PageData["statementParts"];
}

/** One part, once decoded: the details of its accounts' nodes and of the edges into or out of them (the statements they cite are in the statement parts). */
export interface PagePart {
  /** Node index, detail (or null), workloads, findings (indexes), for the nodes that have any. */
  nodes: [number, string | null, string[], number[]][];
  /** Edge index, actions, technique (or null), needs, allowedBy (or -1), callerSide, workloads, findings. */
  edges: [number, string[], string | null, string[], number, number[], string[], number[]][];
  /** Finding index, the finding (its `nodes` and `edges` as node and edge indexes). */
  findings: [number, PageFinding][];
}

/** A statement part, once decoded: its statements, from its `first` on. */
export type PageStatements = PolicyStatementRef[];

export interface PageFinding extends Omit<ReportFinding, "nodes" | "edges" | "severity"> {
  severity: ReportSeverity;
  nodes: number[];
  edges: number[];
}
