/**
 * The report's data in the page (src/report/page-format.ts): the core decoded at once (accounts,
 * every node with its name), the graph's shape (which node each edge leaves and enters) when
 * first needed, after the first drawing, an account's details (what its edges allow, its findings)
 * decoded from its gzip part when the page first needs them, and a statement from its statement
 * part when an edge citing it is shown.
 * `data` is a ReportData holding every node, the edges and findings of the accounts decoded so far
 * and the statements decoded so far.
 */
import {
  EDGE_KINDS,
  KIND_SPAN,
  NODE_KINDS,
  PAGE_FORMAT,
  type PageFile,
  type PageIndex,
  type PagePart,
  type PageShape,
  type PartKind,
  expandPart,
  type StoredPart,
  type PageStatements,
} from "../page-format.js";
import type { ReportData, ReportEdge, ReportNode } from "../types.js";

/** An edge of the graph's shape: its ID, its ends and its session limit, known before its details. */
export interface EdgeShape {
  id: string;
  from: string;
  to: string;
  maxSessionSeconds?: number;
}

/** Finds a node by its ID. */
export type NodeLookup = Pick<ReadonlyMap<string, ReportNode>, "get">;

/** Calls `then` with each row's index (its `at`, from the differences) and its place in the columns. */
function eachRow(columns: { at: readonly number[] }, then: (index: number, k: number) => void): void {
  let index = 0;
  columns.at.forEach((difference, k) => then((index += difference), k));
}

/** Reads part `k`'s gzip text in base64 (in the page, from its element once the browser has read it). */
export type PartReader = (kind: PartKind, k: number) => Promise<string>;

async function gunzip(base64: string): Promise<string> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/** The page's data from its JSON element (its core decoded). */
export async function decodePage(file: PageFile): Promise<PageIndex> {
  if (file.format !== PAGE_FORMAT)
    throw new Error(`this page's data is in format ${String(file.format)}, and its script reads format ${PAGE_FORMAT}`);
  const core = JSON.parse(await gunzip(file.core)) as Omit<PageIndex, "format" | "parts" | "statementParts">;
  return { ...core, format: file.format, parts: file.parts, statementParts: file.statementParts };
}

/** The graph's shape decoded: each edge's ends, and the edges by the node they enter (runs of `to`) and by the node they leave. */
class GraphShape {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly intoStart: Int32Array;
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  readonly meta: readonly number[];
  readonly sessions: readonly number[];

  constructor(shape: PageShape, count: number) {
    this.meta = shape.meta;
    this.sessions = shape.sessions;
    const edgeCount = shape.from.length;
    this.from = new Int32Array(edgeCount);
    this.to = new Int32Array(edgeCount);
    this.intoStart = new Int32Array(count + 1);
    let e = 0;
    shape.into.forEach((k, node) => {
      this.intoStart[node] = e;
      this.to.fill(node, e, e + k);
      // Within the edges into one node, each `from` is the difference from the one before.
      let from = 0;
      for (const end = e + k; e < end; e++) {
        from += shape.from[e] as number;
        this.from[e] = from;
      }
    });
    this.intoStart[count] = e;
    this.outStart = new Int32Array(count + 1);
    for (const f of this.from) (this.outStart[f + 1] as number)++;
    for (let i = 0; i < count; i++) this.outStart[i + 1] = (this.outStart[i + 1] as number) + (this.outStart[i] as number);
    this.outEdges = new Int32Array(edgeCount);
    const next = this.outStart.slice(0, count);
    this.from.forEach((f, i) => (this.outEdges[(next[f] as number)++] = i));
  }
}

export class Store {
  readonly data: ReportData;
  /** How many findings and edges the report holds (all of them, decoded or not). */
  readonly findingTotal: number;
  readonly edgeTotal: number;
  readonly workloads: readonly string[];
  readonly edges = new Map<string, ReportEdge>();
  private readonly page: PageIndex;
  private readonly read: PartReader;
  /** Per node, its group: the index of its account, or `accounts.length` for none. */
  private readonly group: Int32Array;
  /** The graph's shape, once decoded (after the first drawing). */
  private shape: GraphShape | undefined;
  /** Per group, the index of the part that holds its details. */
  private readonly partOf: Int32Array;
  /** Per kind of part, each part decoded: the shape, an account part's details, a statement part's statements. */
  private readonly decoding: Record<PartKind, Map<number, Promise<void>>> = { shape: new Map(), part: new Map(), statements: new Map() };
  private readonly decoded = new Set<number>();
  private readonly accountIndex: Map<string, number>;
  /** Each node's index by its ID, made when first asked for: a hundred thousand IDs hashed after the first paint, not before. */
  private nodeIndex: Map<string, number> | undefined;

  constructor(page: PageIndex, read: PartReader) {
    this.page = page;
    this.read = read;
    const { strings } = page;
    const groups = page.accounts.length + 1;
    this.accountIndex = new Map(page.accounts.map((a, i) => [a.id, i]));
    const count = page.nodes.length / 4;
    this.group = new Int32Array(count).fill(page.accounts.length);
    let n = 0;
    page.accountNodes.forEach((size, g) => this.group.fill(g, n, (n += size)));
    // A hundred thousand nodes before the first paint: read in place, each object made in one go.
    const nodes = new Array<ReportNode>(count);
    const at = page.nodes;
    for (let i = 0; i < count; i++) {
      const id = `${strings[at[4 * i + 1] as number]}${strings[at[4 * i + 2] as number]}`;
      const kind = NODE_KINDS[at[4 * i] as number] ?? "resource";
      const label = strings[at[4 * i + 3] as number] ?? "";
      const account = page.accounts[this.group[i] as number]?.id;
      nodes[i] =
        account !== undefined
          ? { id, kind, label, arn: id, account, workloads: [], findings: [] }
          : { id, kind, label, arn: id, workloads: [], findings: [] };
    }
    for (const [i, arn] of page.arns) {
      const node = nodes[i];
      if (node) node.arn = strings[arn] ?? node.id;
    }
    this.partOf = new Int32Array(groups).fill(-1);
    page.parts.forEach((part, p) => part.accounts.forEach((g) => (this.partOf[g] = p)));
    this.findingTotal = page.findings;
    this.edgeTotal = page.edgeTotal;
    this.workloads = page.workloads;
    this.data = { source: page.source, title: page.title, accounts: page.accounts, nodes, edges: [], statements: [], findings: [] };
  }

  /** The part indexes holding the details of these accounts (undefined: the nodes in no account) not decoded yet. */
  private partsOf(accounts: Iterable<string | undefined>): number[] {
    const parts = new Set<number>();
    for (const account of accounts) {
      const g = account === undefined ? this.page.accounts.length : this.accountIndex.get(account);
      const p = g === undefined ? -1 : (this.partOf[g] ?? -1);
      if (p >= 0 && !this.decoded.has(p)) parts.add(p);
    }
    return [...parts];
  }

  /** Whether the graph's shape is decoded: each edge's ends, for `edgeById`, `reach` and `edgesOf`. */
  hasShape(): boolean {
    return this.shape !== undefined;
  }

  /** Decodes the graph's shape. */
  loadShape(): Promise<void> {
    return this.decodeOnce("shape", 0, (text) => (this.shape = new GraphShape(JSON.parse(text) as PageShape, this.data.nodes.length)));
  }

  /** The graph's shape; decoded first by whoever asks for what needs it. */
  private get shaped(): GraphShape {
    if (!this.shape) throw new Error("the report's edges are asked for before the graph's shape is decoded");
    return this.shape;
  }

  /** Whether the details of these accounts (and the graph's shape) are decoded. */
  has(accounts: Iterable<string | undefined>): boolean {
    return this.hasShape() && this.partsOf(accounts).length === 0;
  }

  /** Decodes the details of these accounts (the nodes in no account for undefined), after the graph's shape: enough to draw them and to show any panel but an edge's statements. */
  async load(accounts: Iterable<string | undefined>): Promise<void> {
    await this.loadShape();
    await Promise.all(this.partsOf(accounts).map((p) => this.details(p)));
  }

  /** Whether these statements are decoded. */
  hasStatements(statements: Iterable<number>): boolean {
    return this.statementPartsOf(statements).size === 0;
  }

  /** Decodes these statements (those an edge's panel shows) from the statement parts holding them. */
  async loadStatements(statements: Iterable<number>): Promise<void> {
    await Promise.all([...this.statementPartsOf(statements)].map((k) => this.statementPart(k)));
  }

  /** Decodes every account's details and every statement. */
  async loadAll(): Promise<void> {
    await this.loadShape();
    await Promise.all([
      ...this.page.parts.map((_, p) => this.details(p)),
      ...this.page.statementParts.map((_, k) => this.statementPart(k)),
    ]);
  }

  /** Decodes part `k` of a kind (its gzip text, then `use`) once, however many ask for it while or after it is decoded. */
  private decodeOnce(kind: PartKind, k: number, use: (text: string) => void): Promise<void> {
    const pending = this.decoding[kind];
    let decoding = pending.get(k);
    if (!decoding) pending.set(k, (decoding = this.read(kind, k).then(gunzip).then(use)));
    return decoding;
  }

  /** A part's details decoded. */
  private details(p: number): Promise<void> {
    return this.decodeOnce("part", p, (text) => {
      this.add(expandPart(JSON.parse(text) as StoredPart));
      this.decoded.add(p);
    });
  }

  /** The statement parts holding those of these statements not decoded yet. */
  private statementPartsOf(statements: Iterable<number>): Set<number> {
    const list = this.page.statementParts;
    const parts = new Set<number>();
    for (const s of statements) {
      if (this.data.statements[s] !== undefined) continue;
      // The last part starting at or before s.
      let [lo, hi] = [0, list.length - 1];
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((list[mid]?.first ?? 0) <= s) lo = mid;
        else hi = mid - 1;
      }
      if (lo >= 0 && lo < list.length) parts.add(lo);
    }
    return parts;
  }

  private statementPart(k: number): Promise<void> {
    const first = this.page.statementParts[k]?.first ?? 0;
    return this.decodeOnce("statements", k, (text) => {
      (JSON.parse(text) as PageStatements).forEach((statement, i) => (this.data.statements[first + i] = statement));
    });
  }

  /** Adds a part's details. */
  private add(part: PagePart): void {
    const { data } = this;
    const { from, to, meta } = this.shaped;
    const { nodes, edges, findings } = part;
    eachRow(nodes, (i, k) => {
      const node = data.nodes[i];
      if (!node) return;
      const detail = nodes.detail[k];
      if (detail !== null && detail !== undefined) node.detail = detail;
      node.workloads = nodes.workloads[k] ?? [];
      node.findings = nodes.findings[k] ?? [];
    });
    eachRow(edges, (i, k) => {
      const id = `e${i}`;
      if (this.edges.has(id)) return;
      const shape = this.edge(i);
      const [a, b] = [data.nodes[from[i] as number]?.account, data.nodes[to[i] as number]?.account];
      const technique = edges.technique[k];
      const allowedBy = edges.allowedBy[k] ?? -1;
      // The optional fields set after, not spread in: an account a thousand others reach has ten thousand edges and more.
      const edge: ReportEdge = {
        id,
        kind: EDGE_KINDS[(meta[i] as number) % KIND_SPAN] ?? "assume-role",
        from: shape.from,
        to: shape.to,
        actions: edges.actions[k] ?? [],
        crossAccount: a !== undefined && b !== undefined && a !== b,
        needs: edges.needs[k] ?? [],
        callerSide: edges.callerSide[k] ?? [],
        workloads: edges.workloads[k] ?? [],
        findings: edges.findings[k] ?? [],
      };
      if (technique !== null && technique !== undefined) edge.technique = technique;
      if (shape.maxSessionSeconds !== undefined) edge.maxSessionSeconds = shape.maxSessionSeconds;
      if (allowedBy >= 0) edge.allowedBy = allowedBy;
      this.edges.set(id, edge);
      data.edges.push(edge);
    });
    eachRow(findings, (f, k) => {
      const [path, accepted] = [findings.path[k], findings.accepted[k]];
      data.findings[f] = {
        id: findings.id[k] ?? "",
        severity: findings.severity[k] ?? "low",
        title: findings.title[k] ?? "",
        resource: findings.resource[k] ?? "",
        ...(path !== null && path !== undefined ? { path } : {}),
        detail: findings.detail[k] ?? "",
        fix: findings.fix[k] ?? "",
        ...(accepted !== null && accepted !== undefined ? { accepted } : {}),
        nodes: (findings.nodes[k] ?? []).map((n) => data.nodes[n]?.id ?? ""),
        edges: (findings.edges[k] ?? []).map((e) => `e${e}`),
      };
    });
  }

  /** An edge's ID, ends and session limit, from the graph's shape. */
  edge(i: number): EdgeShape {
    const { from, to, meta, sessions } = this.shaped;
    const session = sessions[Math.floor((meta[i] as number) / KIND_SPAN)] ?? 0;
    const shape: EdgeShape = {
      id: `e${i}`,
      from: this.data.nodes[from[i] as number]?.id ?? "",
      to: this.data.nodes[to[i] as number]?.id ?? "",
    };
    if (session > 0) shape.maxSessionSeconds = session;
    return shape;
  }

  /** The ends of an edge by its ID (`e12`), decoded or not. */
  edgeById(id: string): EdgeShape | undefined {
    const i = /^e\d+$/.test(id) ? Number(id.slice(1)) : -1;
    return i >= 0 && i < this.edgeTotal ? this.edge(i) : undefined;
  }

  /**
   * Every node that reaches the seeds (`upstream`) or that they reach, along every edge of the
   * report, with the edges of those paths.
   */
  reach(seeds: readonly string[], upstream: boolean): { nodes: Set<string>; edges: EdgeShape[] } {
    const { from, to, intoStart, outStart, outEdges } = this.shaped;
    const start = seeds.map((id) => this.indexOf(id)).filter((i): i is number => i !== undefined);
    const seen = new Uint8Array(this.data.nodes.length);
    for (const s of start) seen[s] = 1;
    const queue = [...start];
    const along: number[] = [];
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q] as number;
      const [lo, hi] = upstream
        ? [intoStart[node] as number, intoStart[node + 1] as number]
        : [outStart[node] as number, outStart[node + 1] as number];
      for (let k = lo; k < hi; k++) {
        const e = upstream ? k : (outEdges[k] as number);
        along.push(e);
        const next = (upstream ? from[e] : to[e]) as number;
        if (!seen[next]) {
          seen[next] = 1;
          queue.push(next);
        }
      }
    }
    const nodes = new Set<string>();
    for (const i of queue) nodes.add(this.data.nodes[i]?.id ?? "");
    for (const seed of seeds) nodes.delete(seed);
    return { nodes, edges: along.map((e) => this.edge(e)) };
  }

  /** A node by its ID. */
  node(id: string): ReportNode | undefined {
    const i = this.indexOf(id);
    return i === undefined ? undefined : this.data.nodes[i];
  }

  private indexOf(id: string): number | undefined {
    if (!this.nodeIndex) {
      const index = new Map<string, number>();
      this.data.nodes.forEach((node, i) => index.set(node.id, i));
      this.nodeIndex = index;
    }
    return this.nodeIndex.get(id);
  }

  /** The edges into or out of a node, decoded or not. */
  edgesOf(id: string): EdgeShape[] {
    const { intoStart, outStart, outEdges } = this.shaped;
    const i = this.indexOf(id);
    if (i === undefined) return [];
    const out: EdgeShape[] = [];
    for (let k = intoStart[i] as number; k < (intoStart[i + 1] as number); k++) out.push(this.edge(k));
    for (let k = outStart[i] as number; k < (outStart[i + 1] as number); k++) out.push(this.edge(outEdges[k] as number));
    return out;
  }

  /** An account's findings by severity (most severe first); undefined: the nodes in no account. */
  findingCounts(account: string | undefined): number[] {
    const g = account === undefined ? this.page.accounts.length : (this.accountIndex.get(account) ?? -1);
    return this.page.findingCounts[g] ?? [0, 0, 0, 0];
  }
}
