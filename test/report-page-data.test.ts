/**
 * The report's data as the page stores it (src/report/page-format.ts) and reads it back
 * (src/report/client/store.ts, run here in Node, which has the same atob, Blob and
 * DecompressionStream as the browser): every node, edge, statement and finding the report holds
 * comes back as it was, whether every account is decoded or only the one asked for; "who can reach
 * this?" walks the whole graph without decoding any account.
 */
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadReportData } from "../src/report/load.js";
import { pageData, pageFile } from "../src/report/page-data.js";
import { type PageData, SHARED_COLUMNS, type StoredPart } from "../src/report/page-format.js";
import { storeOf } from "./support/report-page.js";
import type { ReportData, ReportEdge } from "../src/report/types.js";

const root = join(import.meta.dirname, "..");
const combined = loadReportData({ model: join(root, "examples", "combined", "xacct.yaml") });
const inventory = loadReportData({ inventory: join(root, "test", "inventories", "seed-002-kinesis-api") });

/** An edge as the report means it, whatever its ID: its ends, what it allows, the statements (as written) and findings (by rule and resource). */
function meaning(data: ReportData, edge: ReportEdge) {
  const { findings, allowedBy, callerSide, ...rest } = edge;
  return {
    ...rest,
    id: undefined,
    allowedBy: allowedBy === undefined ? undefined : data.statements[allowedBy],
    callerSide: callerSide.map((i) => data.statements[i]),
    findings: findings.map((i) => [data.findings[i]?.id, data.findings[i]?.resource]),
  };
}

const byEnds = (a: { from: string; to: string; kind: string }, b: { from: string; to: string; kind: string }) =>
  a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind);

describe.each([
  ["the combined example", combined, {} as { partChars?: number }],
  ["seed 002's inventory", inventory, {}],
  // A part closed at every account and every statement: each account's details and each statement in parts of their own.
  ["the combined example, one part per account and per statement", combined, { partChars: 1 }],
])("the page's data of %s", (_name, data, parts) => {
  it("decodes, account by account, into the same accounts, nodes, edges, statements and findings", async () => {
    // GIVEN the report's data written as the page stores it
    const store = storeOf(JSON.parse(JSON.stringify(pageData(data, parts))) as PageData);
    // WHEN the page decodes every account's details
    await store.loadAll();
    const page = store.data;
    // THEN it holds the same report
    expect(page.accounts).toEqual(data.accounts);
    expect([...page.nodes].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...data.nodes]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((n) => ({
          ...n,
          findings: expect.any(Array),
        })),
    );
    expect(page.edges.map((e) => meaning(page, e)).sort(byEnds)).toEqual(data.edges.map((e) => meaning(data, e)).sort(byEnds));
    expect(page.findings.length).toBe(data.findings.length);
    expect(
      page.findings
        .map((f) => ({ ...f, edges: f.edges.length }))
        .sort((a, b) => a.resource.localeCompare(b.resource) || a.id.localeCompare(b.id)),
    ).toEqual(
      data.findings
        .map((f) => ({ ...f, edges: f.edges.length }))
        .sort((a, b) => a.resource.localeCompare(b.resource) || a.id.localeCompare(b.id)),
    );
    expect(store.findingTotal).toBe(data.findings.length);
    expect(store.edgeTotal).toBe(data.edges.length);
  });

  it("decodes one account's details on demand: its nodes' findings and every edge into or out of it", async () => {
    // GIVEN the page's data, nothing decoded
    const store = storeOf(pageData(data, parts));
    const account = data.accounts.find((a) =>
      data.edges.some((e) => e.crossAccount && data.nodes.find((n) => n.id === e.to)?.account === a.id),
    );
    expect(account).toBeDefined();
    const id = account?.id as string;
    expect(store.has([id])).toBe(false);
    // WHEN one account is decoded
    await store.load([id]);
    // THEN every edge with an end in that account is there, and its findings
    const inAccount = new Set(data.nodes.filter((n) => n.account === id).map((n) => n.id));
    const touching = data.edges.filter((e) => inAccount.has(e.from) || inAccount.has(e.to));
    expect(store.has([id])).toBe(true);
    expect(store.data.edges.map((e) => [e.from, e.to, e.kind]).sort()).toEqual(
      expect.arrayContaining(touching.map((e) => [e.from, e.to, e.kind]).sort()),
    );
    const findings = (nodeId: string, d: ReportData) =>
      (d.nodes.find((n) => n.id === nodeId)?.findings ?? []).map((i) => d.findings[i]?.id).sort();
    for (const nodeId of inAccount) expect(findings(nodeId, store.data)).toEqual(findings(nodeId, data));
    // AND every finding its nodes and edges point to is decoded with them
    const pointed = [...store.data.nodes.filter((n) => inAccount.has(n.id)), ...store.data.edges].flatMap((x) => x.findings);
    for (const i of pointed) expect(store.data.findings[i]).toBeDefined();
    // AND the account's findings are counted by severity: those about its nodes (their first node)
    const own = data.findings.filter((f) => f.nodes[0] !== undefined && inAccount.has(f.nodes[0]));
    expect(store.findingCounts(id)).toEqual(["critical", "high", "medium", "low"].map((s) => own.filter((f) => f.severity === s).length));
    const all = [...data.accounts.map((a) => a.id), undefined].flatMap((a) => store.findingCounts(a));
    expect(all.reduce((a, b) => a + b, 0)).toBe(data.findings.length);
  });

  it("decodes an account's details without the statements its edges cite, and an edge's statements when asked", async () => {
    // GIVEN the page's data, nothing decoded, and an edge citing statements (a resource's and the caller's when it has both)
    const store = storeOf(pageData(data, parts));
    const cites = (e: ReportEdge) => [...(e.allowedBy === undefined ? [] : [e.allowedBy]), ...e.callerSide];
    const citing = [...data.edges].sort((a, b) => cites(b).length - cites(a).length)[0] as ReportEdge;
    expect(cites(citing).length).toBeGreaterThan(0);
    const ends = [citing.from, citing.to].map((id) => data.nodes.find((n) => n.id === id)?.account);
    // WHEN the accounts of its ends are decoded (what opening an account waits for)
    await store.load(ends);
    // THEN the edge is there, and no statement yet
    const decoded = store.data.edges.find((e) => e.from === citing.from && e.to === citing.to && e.kind === citing.kind) as ReportEdge;
    expect(decoded).toBeDefined();
    expect(store.has(ends)).toBe(true);
    expect(store.data.statements.filter((s) => s !== undefined)).toEqual([]);
    expect(store.hasStatements(cites(decoded))).toBe(false);
    // WHEN its statements are decoded (what its panel waits for)
    await store.loadStatements(cites(decoded));
    // THEN they are there as written, and they alone but for those stored in the same parts
    expect(store.hasStatements(cites(decoded))).toBe(true);
    expect(cites(decoded).map((i) => store.data.statements[i])).toEqual(cites(citing).map((i) => data.statements[i]));
    if (parts.partChars === 1) expect(store.data.statements.filter((s) => s !== undefined).length).toBe(new Set(cites(decoded)).size);
  });

  it("stores each statement once, however many accounts' edges cite it", () => {
    // GIVEN the page's data, and a statement the edges of two accounts or more cite
    const page = pageData(data, parts);
    const accountsCiting = new Map<number, Set<string | undefined>>();
    const accountOf = new Map(data.nodes.map((n) => [n.id, n.account]));
    for (const e of data.edges)
      for (const s of [...(e.allowedBy === undefined ? [] : [e.allowedBy]), ...e.callerSide])
        for (const end of [e.from, e.to]) accountsCiting.set(s, (accountsCiting.get(s) ?? new Set()).add(accountOf.get(end)));
    expect([...accountsCiting.values()].some((accounts) => accounts.size > 1)).toBe(true);
    // WHEN its parts are read
    const gunzip = (base64: string) => JSON.parse(gunzipSync(Buffer.from(base64, "base64")).toString("utf8")) as unknown[];
    const statements = page.statementParts.flatMap((part) => gunzip(part.gzip));
    const accountParts = page.parts.flatMap((part) => gunzip(part.gzip)) as Record<string, unknown>[];
    // THEN the statement parts hold every statement once, in order, and no account's part repeats one
    expect(statements).toEqual(data.statements);
    for (const part of accountParts) expect(Object.keys(part).sort()).toEqual(["edges", "findings", "nodes", "values"]);
  });

  it("stores each node, edge and finding once per part, by column, however many of the part's accounts share it", () => {
    // GIVEN the page's data
    const page = pageData(data, parts);
    // WHEN its parts are read
    const gunzip = (base64: string) => JSON.parse(gunzipSync(Buffer.from(base64, "base64")).toString("utf8")) as StoredPart;
    const decoded = page.parts.map((part) => gunzip(part.gzip));
    for (const part of decoded)
      for (const rows of [part.nodes, part.edges, part.findings]) {
        // THEN each part's rows are ascending, none twice (every difference after the first above 0), one value per row in every column
        const at = rows.at as number[];
        expect(at.slice(1).every((difference) => difference > 0)).toBe(true);
        for (const column of Object.values(rows)) expect(column).toHaveLength(at.length);
      }
    // AND a part holding every account holds each edge once, one between two of its accounts too
    if (decoded.length === 1) expect(decoded[0]?.edges.at).toHaveLength(data.edges.length);
    else expect(decoded.reduce((n, part) => n + part.edges.at!.length, 0)).toBeGreaterThan(data.edges.length);
  });

  it("stores each value of the repeating columns (a fix, an edge's actions) once per part, the rows naming it by index", () => {
    // GIVEN the page's data
    const page = pageData(data, parts);
    // WHEN its parts are read as stored
    const decoded = page.parts.map((part) => JSON.parse(gunzipSync(Buffer.from(part.gzip, "base64")).toString("utf8")) as StoredPart);
    let cells = 0;
    for (const part of decoded) {
      // THEN no value is twice in a part
      const texts = part.values.map((value) => JSON.stringify(value));
      expect(new Set(texts).size).toBe(texts.length);
      // AND every cell of a repeating column is the index of a value of its part
      for (const kind of ["nodes", "edges", "findings"] as const)
        for (const column of SHARED_COLUMNS[kind])
          for (const cell of part[kind][column] ?? []) {
            cells++;
            expect(Number.isInteger(cell) && (cell as number) >= 0 && (cell as number) < part.values.length).toBe(true);
          }
    }
    // AND the rows repeat values: fewer values are stored than cells name them
    expect(decoded.reduce((n, part) => n + part.values.length, 0)).toBeLessThan(cells);
  });

  it("walks who can reach a node over the whole graph with only its shape decoded, as the report's edges say", async () => {
    // GIVEN the page's data, only the graph's shape decoded (no account's details), and a node some edge enters
    const store = storeOf(pageData(data, parts));
    await store.loadShape();
    const target = data.edges[0]?.to as string;
    // WHEN the page walks upstream from it
    const found = store.reach([target], true);
    // THEN every node with an edge into it is found (and, transitively, into those)
    const expected = new Set<string>();
    const queue = [target];
    while (queue.length) {
      const id = queue.pop() as string;
      for (const e of data.edges)
        if (e.to === id && !expected.has(e.from) && e.from !== target) {
          expected.add(e.from);
          queue.push(e.from);
        }
    }
    expect([...found.nodes].sort()).toEqual([...expected].sort());
    expect(store.data.edges).toEqual([]);
  });
});

describe("the page's core", () => {
  it("holds no edge: the graph's shape is a part of its own, decoded after the first drawing", async () => {
    // GIVEN the combined example's report
    // WHEN its page is written and its core read back
    const { file, texts } = pageFile(combined);
    const core = JSON.parse(gunzipSync(Buffer.from(file.core, "base64")).toString("utf8")) as Record<string, unknown>;
    // THEN the core counts the edges but holds none of their ends, kinds or session limits
    expect(core.edgeTotal).toBe(combined.edges.length);
    for (const key of ["into", "from", "meta", "sessions"]) expect(core).not.toHaveProperty(key);
    // AND the one shape part holds them, one `from` and one `meta` per edge
    expect(texts.shape).toHaveLength(1);
    const shape = JSON.parse(gunzipSync(Buffer.from(texts.shape[0] as string, "base64")).toString("utf8")) as Record<string, unknown[]>;
    expect([shape.from?.length, shape.meta?.length]).toEqual([combined.edges.length, combined.edges.length]);
  });
});

describe("the page's text", () => {
  it("holds no character beyond U+00FF (each written as its \\u escape), and decodes to the same text", async () => {
    // GIVEN the combined example's report, with a finding's detail and a node's name holding characters
    // beyond Latin-1 (an em dash, an arrow, a key emoji: a surrogate pair) and one within it (é)
    const text = "caller — role → 🔑 café";
    const data: ReportData = {
      ...combined,
      nodes: combined.nodes.map((n, i) => (i === 0 ? { ...n, label: text } : n)),
      findings: combined.findings.map((f, i) => (i === 0 ? { ...f, detail: text } : f)),
    };
    // WHEN the page's data is written
    const file = pageFile(data);
    // THEN neither its core nor any of its parts holds a character beyond U+00FF, so its text takes one byte a character
    const texts = [file.file.core, ...file.texts.shape, ...file.texts.part, ...file.texts.statements].map((base64) =>
      gunzipSync(Buffer.from(base64, "base64")).toString("utf8"),
    );
    for (const t of texts) expect(/[\u0100-\uffff]/.test(t)).toBe(false);
    expect(texts.filter((t) => t.includes("\\u2014 role \\u2192 \\ud83d\\udd11 café"))).toHaveLength(2);
    // AND the page reads the finding's detail and the node's name back as they were
    const store = storeOf(JSON.parse(JSON.stringify(pageData(data))) as PageData);
    await store.loadAll();
    expect(store.data.findings.map((f) => f.detail)).toContain(text);
    expect(store.data.nodes.map((n) => n.label)).toContain(text);
  });
});
