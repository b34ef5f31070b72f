/**
 * The report's data as the page stores it (page-format.ts): a compact core, per group of accounts
 * a gzip part of details, and the statements the edges cite in gzip parts of their own. Each
 * account's part is written as JSON text and compressed as soon as a part is full, so no text of
 * the whole organization is held at once.
 */
import { gzipSync } from "node:zlib";
import {
  EDGE_KINDS,
  KIND_SPAN,
  NODE_KINDS,
  PAGE_FORMAT,
  type PageData,
  type PageFile,
  type PageFinding,
  type PagePart,
} from "./page-format.js";
import { REPORT_SEVERITIES, type ReportData, type ReportEdge, type ReportNode } from "./types.js";

/** gzip text in base64, as every part of the page is stored. */
const gzipBase64 = (text: string) => gzipSync(text).toString("base64");

/** By default, a part is closed once its JSON reaches this many characters (gzip finds more repeats in a larger part). */
const PART_CHARS = 512 * 1024;

/** JSON texts gathered into parts of about `size` characters, each closed as gzip in base64 as soon as it is full. */
class Parts<K> {
  readonly closed: { keys: K[]; gzip: string }[] = [];
  private keys: K[] = [];
  private texts: string[] = [];
  private chars = 0;
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  add(key: K, text: string): void {
    this.keys.push(key);
    this.texts.push(text);
    this.chars += text.length;
    if (this.chars >= this.size) this.close();
  }

  close(): this {
    if (this.keys.length === 0) return this;
    this.closed.push({ keys: this.keys, gzip: gzipBase64(`[${this.texts.join(",")}]`) });
    this.keys = [];
    this.texts = [];
    this.chars = 0;
    return this;
  }
}

/** Where an ID splits into a shared prefix (an ARN up to its resource: `arn:aws:iam::111111111111:`) and the rest. */
function splitId(id: string): [string, string] {
  if (!id.startsWith("arn:")) return ["", id];
  let at = -1;
  for (let i = 0; i < 5; i++) {
    at = id.indexOf(":", at + 1);
    if (at < 0) return ["", id];
  }
  return [id.slice(0, at + 1), id.slice(at + 1)];
}

/** The page's data as the HTML file holds it: its core compressed too. */
export function pageFile(data: ReportData): PageFile {
  const { format, parts, statementParts, ...core } = pageData(data);
  return { format, core: gzipBase64(JSON.stringify(core)), parts, statementParts };
}

/** The page's data for the report's data; its parts closed at `partChars` characters of JSON. */
export function pageData(data: ReportData, { partChars = PART_CHARS } = {}): PageData {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const str = (text: string) => {
    let i = stringIndex.get(text);
    if (i === undefined) stringIndex.set(text, (i = strings.push(text) - 1));
    return i;
  };
  const accountIndex = new Map(data.accounts.map((a, i) => [a.id, i]));
  const outside = data.accounts.length;
  // Nodes by account, in the order of the accounts; then those in no account.
  const byAccount: ReportNode[][] = Array.from({ length: outside + 1 }, () => []);
  for (const node of data.nodes) byAccount[node.account !== undefined ? (accountIndex.get(node.account) ?? outside) : outside]?.push(node);
  const ordered = byAccount.flat();
  const nodeIndex = new Map(ordered.map((n, i) => [n.id, i]));
  const groupOf = new Int32Array(ordered.length);
  {
    let i = 0;
    byAccount.forEach((group, g) => group.forEach(() => (groupOf[i++] = g)));
  }
  const nodes: number[] = [];
  const arns: [number, number][] = [];
  ordered.forEach((node, i) => {
    const [prefix, rest] = splitId(node.id);
    nodes.push(NODE_KINDS.indexOf(node.kind), str(prefix), str(rest), str(node.label));
    if (node.arn !== node.id) arns.push([i, str(node.arn)]);
  });
  // Edges by the node they enter, then the node they leave.
  const at = (id: string) => nodeIndex.get(id) as number;
  const edges = data.edges.map((edge) => ({ edge, from: at(edge.from), to: at(edge.to) })).sort((a, b) => a.to - b.to || a.from - b.from);
  const edgeIndex = new Map<string, number>(edges.map((e, i) => [e.edge.id, i]));
  const into = new Array<number>(ordered.length).fill(0);
  const sessions = [0];
  const sessionIndex = new Map<number, number>();
  const from: number[] = [];
  const meta: number[] = [];
  for (const { edge, from: f, to } of edges) {
    into[to] = (into[to] as number) + 1;
    from.push(f);
    let s = 0;
    if (edge.maxSessionSeconds !== undefined) {
      s = sessionIndex.get(edge.maxSessionSeconds) ?? sessions.push(edge.maxSessionSeconds) - 1;
      sessionIndex.set(edge.maxSessionSeconds, s);
    }
    meta.push(EDGE_KINDS.indexOf(edge.kind) + s * KIND_SPAN);
  }
  // Each account's edges: into its nodes, and out of them into another account's.
  const edgesOf: number[][] = Array.from({ length: outside + 1 }, () => []);
  edges.forEach(({ from: f, to }, i) => {
    const [a, b] = [groupOf[f] as number, groupOf[to] as number];
    edgesOf[b]?.push(i);
    if (a !== b) edgesOf[a]?.push(i);
  });
  // Each finding belongs to the account of its first node (its resource, else its path's start).
  const findingsOf: number[][] = Array.from({ length: outside + 1 }, () => []);
  const findingCounts = Array.from({ length: outside + 1 }, () => REPORT_SEVERITIES.map(() => 0));
  data.findings.forEach((finding, i) => {
    const head = finding.nodes[0];
    const group = head !== undefined ? (groupOf[nodeIndex.get(head) ?? -1] ?? outside) : outside;
    findingsOf[group]?.push(i);
    const counts = findingCounts[group] as number[];
    const s = REPORT_SEVERITIES.indexOf(finding.severity);
    counts[s] = (counts[s] as number) + 1;
  });

  const parts = new Parts<number>(partChars);
  let first = 0;
  byAccount.forEach((group, g) => {
    const part = accountPart(data, group, first, edgesOf[g] as number[], edges, findingsOf[g] as number[], nodeIndex, edgeIndex);
    first += group.length;
    if (group.length === 0 && part.findings.length === 0) return;
    parts.add(g, JSON.stringify(part));
  });
  const statementParts = new Parts<number>(partChars);
  data.statements.forEach((statement, s) => statementParts.add(s, JSON.stringify(statement)));
  return {
    format: PAGE_FORMAT,
    source: data.source,
    title: data.title,
    accounts: data.accounts,
    strings,
    accountNodes: byAccount.slice(0, outside).map((g) => g.length),
    nodes,
    arns,
    into,
    from,
    meta,
    sessions,
    findingCounts,
    findings: data.findings.length,
    workloads: [...new Set(data.nodes.flatMap((n) => n.workloads))].sort(),
    parts: parts.close().closed.map(({ keys, gzip }) => ({ accounts: keys, gzip })),
    statementParts: statementParts.close().closed.map(({ keys, gzip }) => ({ first: keys[0] as number, gzip })),
  };
}

/** One account's details: its nodes' (numbered from `first`), its edges', its findings. */
function accountPart(
  data: ReportData,
  group: readonly ReportNode[],
  first: number,
  edgeIndexes: readonly number[],
  edges: readonly { edge: ReportEdge }[],
  findingIndexes: readonly number[],
  nodeIndex: ReadonlyMap<string, number>,
  edgeIndex: ReadonlyMap<string, number>,
): PagePart {
  const part: PagePart = { nodes: [], edges: [], findings: [] };
  group.forEach((node, i) => {
    if (node.detail !== undefined || node.workloads.length || node.findings.length)
      part.nodes.push([first + i, node.detail ?? null, node.workloads, node.findings]);
  });
  for (const i of edgeIndexes) {
    const { edge } = edges[i] as { edge: ReportEdge };
    part.edges.push([
      i,
      edge.actions,
      edge.technique ?? null,
      edge.needs,
      edge.allowedBy ?? -1,
      edge.callerSide,
      edge.workloads,
      edge.findings,
    ]);
  }
  // The account's own findings, and every other one its nodes and edges show (a finding about a path across accounts).
  const shown = new Set(findingIndexes);
  for (const node of group) for (const f of node.findings) shown.add(f);
  for (const [, , , , , , , findings] of part.edges) for (const f of findings) shown.add(f);
  for (const f of [...shown].sort((a, b) => a - b)) {
    const finding = data.findings[f];
    if (!finding) continue;
    const page: PageFinding = {
      ...finding,
      nodes: finding.nodes.map((id) => nodeIndex.get(id) as number),
      edges: finding.edges.map((id) => edgeIndex.get(id) as number),
    };
    part.findings.push([f, page]);
  }
  return part;
}
