/**
 * The report's data as the page stores it (page-format.ts): a compact core, per group of accounts
 * a gzip part of details stored by column (each repeated value once a part), and the statements
 * the edges cite in gzip parts of their own. Each row is written as JSON text when its account is
 * reached and a part compressed as soon as it is full, so no text of the whole organization is
 * held at once.
 */
import { gzipSync } from "node:zlib";
import {
  EDGE_COLUMNS,
  EDGE_KINDS,
  FINDING_COLUMNS,
  KIND_SPAN,
  NODE_COLUMNS,
  NODE_KINDS,
  PAGE_FORMAT,
  SHARED_COLUMNS,
  type PageData,
  type PageEdgeRow,
  type PageFile,
  type PartKind,
  type PageFindingRow,
  type PageNodeRow,
  type PageShape,
} from "./page-format.js";
import { unicodeEscape } from "../text/escape.js";
import { REPORT_SEVERITIES, type ReportData, type ReportEdge, type ReportNode } from "./types.js";

/** gzip text in base64, as every part of the page is stored. */
const gzipBase64 = (text: string) => gzipSync(text).toString("base64");

const WIDE = /[\u0100-\uffff]/;
const EVERY_WIDE = /[\u0100-\uffff]/g;

/**
 * JSON text of characters up to U+00FF only, each other one written as its `\uXXXX` escape (the
 * page's JSON.parse reads the same value). A finding's "—" would otherwise make the whole text of a
 * part two bytes a character: twice the memory, and five times as long to encode for gzip.
 */
function narrowJson(value: unknown): string {
  const text = JSON.stringify(value);
  return WIDE.test(text) ? text.replace(EVERY_WIDE, unicodeEscape) : text;
}

/**
 * A row's cell as JSON text (narrowJson's): a number or null written as it is, and a frozen list
 * (the report shares one among thousands of edges: their actions, the empty list) made once.
 */
function cellJson(value: unknown, frozen: WeakMap<object, string>): string {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (value === null) return "null";
  if (typeof value !== "object" || !Object.isFrozen(value)) return narrowJson(value);
  let text = frozen.get(value);
  if (text === undefined) frozen.set(value, (text = narrowJson(value)));
  return text;
}

/** By default, a part is closed once its JSON reaches this many characters (gzip finds more repeats in a larger part). */
const PART_CHARS = 512 * 1024;

/** Parts of about `size` characters of JSON, each closed as gzip in base64 as soon as it is full: its keys, and the text `take` gives. */
class Parts<K> {
  readonly closed: { keys: K[]; gzip: string }[] = [];
  private keys: K[] = [];
  private chars = 0;
  private readonly size: number;
  private readonly take: () => string;

  constructor(size: number, take: () => string) {
    this.size = size;
    this.take = take;
  }

  /** `key` is in the part being filled, with `chars` more characters. */
  add(key: K, chars: number): void {
    this.keys.push(key);
    this.chars += chars;
    if (this.chars >= this.size) this.close();
  }

  close(): this {
    if (this.keys.length === 0) return this;
    this.closed.push({ keys: this.keys, gzip: gzipBase64(this.take()) });
    this.keys = [];
    this.chars = 0;
    return this;
  }
}

/** The values of the shared columns (page-format.ts's SHARED_COLUMNS) in the part being filled, each once, as JSON texts. */
class Values {
  private readonly index = new Map<string, number>();
  /** The index of each string value met in the part (thousands of findings share a fix, a title): its JSON text made once. */
  private readonly strings = new Map<string, number>();
  private texts: string[] = [];

  /** The index of a row's value in the part, and the characters it adds there (see `of`). */
  ofValue(value: unknown, frozen: WeakMap<object, string>): [number, number] {
    if (typeof value !== "string") return this.of(cellJson(value, frozen));
    const known = this.strings.get(value);
    if (known !== undefined) return [known, 0];
    const found = this.of(narrowJson(value));
    this.strings.set(value, found[0]);
    return found;
  }

  /** The index of a value's JSON text in the part, and the characters it adds there (none when it is there already). */
  of(text: string): [number, number] {
    const known = this.index.get(text);
    if (known !== undefined) return [known, 0];
    this.index.set(text, this.texts.length);
    this.texts.push(text);
    return [this.texts.length - 1, text.length + 1];
  }

  /** The values as a JSON array; the part starts empty again. */
  take(): string {
    const text = `[${this.texts.join(",")}]`;
    this.index.clear();
    this.strings.clear();
    this.texts = [];
    return text;
  }
}

/** The rows of one kind in the part being filled, each once, as the JSON texts of its columns (a shared column's, an index into `values`). */
class Rows<Row> {
  private readonly rows = new Map<number, string[]>();
  private readonly columns: readonly (keyof Row & string)[];
  private readonly shared: ReadonlySet<string>;
  private readonly values: Values;
  /** The texts of the frozen lists met so far (cellJson). */
  private readonly frozen = new WeakMap<object, string>();

  constructor(columns: readonly (keyof Row & string)[], shared: readonly (keyof Row & string)[], values: Values) {
    this.columns = columns;
    this.shared = new Set(shared);
    this.values = values;
  }

  /** Adds row `index` unless the part holds it already; returns the characters it adds. */
  add(index: number, row: Row): number {
    if (this.rows.has(index)) return 0;
    let chars = 0;
    const texts = this.columns.map((column) => {
      if (!this.shared.has(column)) {
        const text = cellJson(row[column], this.frozen);
        chars += text.length + 1;
        return text;
      }
      const [at, added] = this.values.ofValue(row[column], this.frozen);
      const cell = String(at);
      chars += cell.length + 1 + added;
      return cell;
    });
    this.rows.set(index, texts);
    return chars;
  }

  /** The rows as columns (page-format.ts's PageColumns) in JSON; the part starts empty again. */
  take(): string {
    const indexes = [...this.rows.keys()].sort((a, b) => a - b);
    const at = indexes.map((i, k) => i - (k > 0 ? (indexes[k - 1] as number) : 0));
    const rows = indexes.map((i) => this.rows.get(i) as string[]);
    const columns = this.columns.map((column, k) => `${JSON.stringify(column)}:[${rows.map((texts) => texts[k]).join(",")}]`);
    this.rows.clear();
    return `{"at":[${at.join(",")}],${columns.join(",")}}`;
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

/** The page's data as the HTML file holds it: its core compressed too, and each part's gzip text apart from its keys. */
export function pageFile(data: ReportData): { file: PageFile; texts: Record<PartKind, string[]> } {
  const { format, shape, parts, statementParts, ...core } = pageData(data);
  return {
    file: {
      format,
      core: gzipBase64(narrowJson(core)),
      parts: parts.map(({ accounts }) => ({ accounts })),
      statementParts: statementParts.map(({ first }) => ({ first })),
    },
    texts: partTexts({ shape, parts, statementParts }),
  };
}

/** Each part's gzip text in base64, by kind and index, as the page reads them. */
export function partTexts(page: Pick<PageData, "shape" | "parts" | "statementParts">): Record<PartKind, string[]> {
  return { shape: [page.shape], part: page.parts.map((p) => p.gzip), statements: page.statementParts.map((p) => p.gzip) };
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
  edges.forEach(({ edge, from: f, to }, i) => {
    into[to] = (into[to] as number) + 1;
    // Within the edges into one node, the difference from the one before.
    const before = edges[i - 1];
    from.push(before?.to === to ? f - before.from : f);
    let s = 0;
    if (edge.maxSessionSeconds !== undefined) {
      s = sessionIndex.get(edge.maxSessionSeconds) ?? sessions.push(edge.maxSessionSeconds) - 1;
      sessionIndex.set(edge.maxSessionSeconds, s);
    }
    meta.push(EDGE_KINDS.indexOf(edge.kind) + s * KIND_SPAN);
  });
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

  const values = new Values();
  const rows = {
    nodes: new Rows<PageNodeRow>(NODE_COLUMNS, SHARED_COLUMNS.nodes, values),
    edges: new Rows<PageEdgeRow>(EDGE_COLUMNS, SHARED_COLUMNS.edges, values),
    findings: new Rows<PageFindingRow>(FINDING_COLUMNS, SHARED_COLUMNS.findings, values),
  };
  // The values last: the rows' texts name them.
  const parts = new Parts<number>(
    partChars,
    () => `{"nodes":${rows.nodes.take()},"edges":${rows.edges.take()},"findings":${rows.findings.take()},"values":${values.take()}}`,
  );
  let first = 0;
  byAccount.forEach((group, g) => {
    const account = { group, first, edges: edgesOf[g] as number[], findings: findingsOf[g] as number[] };
    first += group.length;
    if (group.length === 0 && account.findings.length === 0) return;
    parts.add(g, addAccount(rows, data, account, edges, nodeIndex, edgeIndex));
  });
  const statementTexts: string[] = [];
  const statementParts = new Parts<number>(partChars, () => `[${statementTexts.splice(0).join(",")}]`);
  data.statements.forEach((statement, s) => {
    const text = narrowJson(statement);
    statementTexts.push(text);
    statementParts.add(s, text.length + 1);
  });
  return {
    format: PAGE_FORMAT,
    source: data.source,
    title: data.title,
    accounts: data.accounts,
    strings,
    accountNodes: byAccount.slice(0, outside).map((g) => g.length),
    nodes,
    arns,
    edgeTotal: edges.length,
    shape: gzipBase64(narrowJson({ into, from, meta, sessions } satisfies PageShape)),
    findingCounts,
    findings: data.findings.length,
    workloads: [...new Set(data.nodes.flatMap((n) => n.workloads))].sort(),
    parts: parts.close().closed.map(({ keys, gzip }) => ({ accounts: keys, gzip })),
    statementParts: statementParts.close().closed.map(({ keys, gzip }) => ({ first: keys[0] as number, gzip })),
  };
}

/**
 * Adds one account's details to the part being filled: its nodes' (numbered from `first`), the
 * edges into or out of them, its findings and every other one they show (a finding about a path
 * across accounts). Returns the characters added.
 */
function addAccount(
  rows: { nodes: Rows<PageNodeRow>; edges: Rows<PageEdgeRow>; findings: Rows<PageFindingRow> },
  data: ReportData,
  account: { group: readonly ReportNode[]; first: number; edges: readonly number[]; findings: readonly number[] },
  edges: readonly { edge: ReportEdge }[],
  nodeIndex: ReadonlyMap<string, number>,
  edgeIndex: ReadonlyMap<string, number>,
): number {
  let chars = 0;
  const shown = new Set(account.findings);
  account.group.forEach((node, i) => {
    if (node.detail === undefined && !node.workloads.length && !node.findings.length) return;
    chars += rows.nodes.add(account.first + i, { detail: node.detail ?? null, workloads: node.workloads, findings: node.findings });
    for (const f of node.findings) shown.add(f);
  });
  for (const i of account.edges) {
    const { edge } = edges[i] as { edge: ReportEdge };
    chars += rows.edges.add(i, {
      actions: edge.actions,
      technique: edge.technique ?? null,
      needs: edge.needs,
      allowedBy: edge.allowedBy ?? -1,
      callerSide: edge.callerSide,
      workloads: edge.workloads,
      findings: edge.findings,
    });
    for (const f of edge.findings) shown.add(f);
  }
  for (const f of shown) {
    const finding = data.findings[f];
    if (!finding) continue;
    chars += rows.findings.add(f, {
      ...finding,
      path: finding.path ?? null,
      accepted: finding.accepted ?? null,
      nodes: finding.nodes.map((id) => nodeIndex.get(id) as number),
      edges: finding.edges.map((id) => edgeIndex.get(id) as number),
    });
  }
  return chars;
}
