/**
 * The report page: reads the graph data embedded in the HTML, draws it with Cytoscape.js (see layout.ts), and wires search, filters, the
 * "who can reach this?" / "what can this reach?" modes, the side panel and the findings table.
 * `window.xacctReport` exposes the Cytoscape instance and the page's state to scripts (tests).
 */
import cytoscape, { type Collection, type Core, type NodeSingular, type SingularElementReturnValue } from "cytoscape";
import dagre from "cytoscape-dagre";
import { type PageFile, partElementId, type PartKind } from "../page-format.js";
import { citedStatements, type ReportData, type ReportNode } from "../types.js";
import { durationText as duration } from "../../aws/durations.js";
import { accountLines } from "./account-lines.js";
import { byId, h } from "./dom.js";
import {
  accountNodeId,
  COLLAPSE_ABOVE,
  drawnEnds,
  drawnNodeId,
  elementsOf,
  findingClass,
  indexReport,
  initiallyCollapsed,
  type MergedEdge,
  mergedId,
} from "./elements.js";
import { findingsByAccount, findingsTable } from "./findings-table.js";
import { graphStyle, NAMED } from "./graph-style.js";
import { labelOverlay } from "./labels.js";
import { type Box, fitTo, layoutGraph, OPEN_ACCOUNT, placeOpened, refitFrame } from "./layout.js";
import { accountPanel, edgePanel, mergedPanel, nodePanel, type PanelContext } from "./panel.js";
import { searchMatches } from "./search.js";
import { decodePage, type EdgeShape, type NodeLookup, Store } from "./store.js";

cytoscape.use(dagre);

type Mode = "select" | "who-can-reach" | "what-can-reach";

/** Up to this many nodes, the page decodes every account's details at once; beyond, an account's when it is opened or shown. */
const EAGER_UP_TO = 2000;

/** What the page exposes on `window.xacctReport`. */
export interface ReportApi {
  cy: Core;
  data: ReportData;
  /** Milliseconds from navigation start to the first drawn frame of the graph. */
  firstPaint?: number;
  /** IDs of the elements the reach mode (or a finding) highlights. */
  highlighted(): string[];
  /** The accounts drawn collapsed. */
  collapsed(): string[];
  /** A large report's lines (account-lines.ts: between accounts, and each edge between two drawn nodes), where they are drawn on the screen. */
  accountLines(): { id: string; from: { x: number; y: number }; to: { x: number; y: number } }[];
  /** Resolves once what the last interaction asked for (decoding an account's details, drawing) is done. */
  settled(): Promise<void>;
}

declare global {
  interface Window {
    xacctReport?: ReportApi;
  }
}

/** Resolves once the browser has read the whole page: the parts after this script (it runs as soon as it is reached; the shape is before it). */
const pageRead = new Promise<void>((resolve) => {
  if (document.readyState !== "loading") resolve();
  else document.addEventListener("DOMContentLoaded", () => resolve(), { once: true });
});
const readPart = async (kind: PartKind, k: number) => {
  if (kind !== "shape") await pageRead;
  return byId(partElementId(kind, k)).textContent ?? "";
};
// The page's script is a module: its top-level await decodes the core before anything is drawn.
const store = new Store(await decodePage(JSON.parse(byId("xacct-data").textContent ?? "{}") as PageFile), readPart);
const data: ReportData = store.data;
/** Nodes by ID, through the store's index (made after the first paint, when first asked for). */
const nodes: NodeLookup = { get: (id) => store.node(id) };
// What elementsOf reads finds each node's account through the store's index of the nodes (one index, not two).
indexReport(data, (id) => nodes.get(id)?.account);
const edges = store.edges;
const accounts = new Map(data.accounts.map((a) => [a.id, a]));
const large = data.nodes.length > COLLAPSE_ABOVE;
const lazy = data.nodes.length > EAGER_UP_TO;
/** Interactions that wait for an account's details run in order, one after the other. */
let queue: Promise<void> = Promise.resolve();
const collapsed = initiallyCollapsed(data);
let visible: Set<string> | undefined;
let merged = new Map<string, MergedEdge>();
let mode: Mode = "select";
let shown: string | undefined;

const panel = byId("panel");
// A large report's panel is always there (see nothingSelected), before the graph takes the room
// left; a small report's only while something is selected, its graph the wider.
if (large) {
  panel.replaceChildren(...nothingSelected());
  panel.hidden = false;
}
const cy = cytoscape({
  container: byId("graph"),
  style: graphStyle(large),
  minZoom: 0.02,
  maxZoom: 4,
  boxSelectionEnabled: false,
  selectionType: "single",
  textureOnViewport: large,
});
labelOverlay(cy, byId("graph"));
/** A large report's lines: drawn beside Cytoscape, not by it (account-lines.ts). */
const lines = accountLines(cy, byId("graph"));

const api: ReportApi = {
  cy,
  data,
  highlighted: () => [...cy.elements(".highlighted").map((e) => e.id()), ...lines.lit()],
  collapsed: () => [...collapsed],
  accountLines: () => lines.drawn(),
  // A step may queue another (an edge's panel: its accounts' details, then its statements): until none is left.
  settled: async () => {
    let last: Promise<void>;
    do {
      last = queue;
      await last;
    } while (last !== queue);
  },
};

/** Runs `then` at once when what it needs is `ready`, else after `load()`, in turn with what the page decodes. */
function whenLoaded(ready: boolean, load: () => Promise<void>, then: () => void): void {
  if (ready) then();
  else
    queue = queue
      .then(load)
      .then(then)
      .catch((error: unknown) => console.error(error));
}

/** Runs `then` after every step queued before it, once the task running now is done. */
function queued(then: () => void): void {
  whenLoaded(false, async () => {}, then);
}

/** Runs `then` once the graph's shape is decoded: each edge's ends (a large page's first drawing needs none). */
function withShape(then: () => void): void {
  whenLoaded(store.hasShape(), () => store.loadShape(), then);
}

/** Runs `then` once the details of the accounts are decoded. */
function withDetails(of: Iterable<string | undefined>, then: () => void): void {
  const wanted = [...of];
  whenLoaded(store.has(wanted), () => store.load(wanted), then);
}

/** The accounts of the nodes (undefined for a node in no account). */
const accountsOf = (ids: readonly string[]) => ids.map((id) => nodes.get(id)?.account);
window.xacctReport = api;

/** Rebuilds the drawn elements from the data, the collapsed accounts and the filters. */
function draw(): void {
  const built = elementsOf(data, collapsed, visible, large);
  merged = built.merged;
  cy.batch(() => {
    cy.elements().remove();
    cy.add(built.elements);
  });
  showLines();
  const box = layoutGraph(cy, large, [...merged.values()]);
  // Room at the edges for the names labels.ts draws beyond the nodes.
  if (box) fitTo(cy, box, 50);
  else cy.fit(undefined, 50);
}

/** A large report's lines (between accounts, and its edges between two nodes) are drawn by `lines`; a small one's are Cytoscape edges. */
function showLines(): void {
  lines.show(large ? merged : new Map());
}

/** Where collapsed accounts stood before they were opened, to stand there again when closed. */
const stood = new Map<string, { x: number; y: number }>();

/** The classes the page gives drawn elements itself (layout.ts's, the reach modes'): not the data's, which redraw compares. */
const ADDED_CLASSES: ReadonlySet<string> = new Set([NAMED, "highlighted", "dimmed"]);

/** An element's classes from the data, in one order. */
const classesOf = (classes: string | string[] | undefined) =>
  (Array.isArray(classes) ? classes : (classes ?? "").split(" "))
    .filter((c) => c && !ADDED_CLASSES.has(c))
    .sort()
    .join(" ");

/**
 * Accounts opened or closed: a small report is drawn and laid out anew; in a large one only what
 * changed is removed and added, the accounts opened laid out in the row above the others, those
 * closed put back where they stood, and nothing else moves.
 */
function redraw(): Map<string, Box> | undefined {
  if (!large) {
    draw();
    return undefined;
  }
  const built = elementsOf(data, collapsed, visible, true);
  merged = built.merged;
  const wanted = new Map(built.elements.map((e) => [e.data.id as string, e]));
  const stale = cy.elements().filter((element) => {
    const want = wanted.get(element.id());
    return (
      want === undefined ||
      classesOf(want.classes) !== classesOf(element.classes()) ||
      String(want.data.label ?? "") !== String(element.data("label") ?? "")
    );
  });
  let added = cy.collection();
  cy.batch(() => {
    for (const node of stale.nodes(".collapsed")) stood.set(node.id(), { ...node.position() });
    cy.remove(stale);
    added = cy.add(built.elements.filter((e) => cy.getElementById(e.data.id as string).empty()));
  });
  showLines();
  let bottom = 0;
  for (const node of cy.nodes(".collapsed")) if (!added.contains(node)) bottom = Math.max(bottom, node.position("y"));
  let x = 0;
  for (const node of added.nodes(".collapsed")) {
    const at = stood.get(node.id());
    node.position(at ?? { x: (x += 120), y: bottom + 80 });
  }
  return placeOpened(
    cy,
    added.nodes(OPEN_ACCOUNT).map((n) => n),
    [...merged.values()],
  );
}

const context: PanelContext = { data, nodes, accounts, go, toggleAccount };

/** Expands an account's group (or collapses it) and shows it. */
function toggleAccount(account: string): void {
  withDetails([account], () => {
    if (collapsed.has(account)) collapsed.delete(account);
    else collapsed.add(account);
    const box = redraw()?.get(accountNodeId(account));
    const group = cy.getElementById(accountNodeId(account));
    // Fitted beside the panel (from where it was put when that is known, without measuring it anew).
    select(group);
    if (box) fitTo(cy, box, 40);
    else cy.fit(group, 40);
  });
}

/** Makes a node drawn: opens its account and clears filters that hide it. Whether anything changed. */
function reveal(id: string): boolean {
  let changed = false;
  const account = nodes.get(id)?.account;
  if (account && collapsed.has(account)) {
    collapsed.delete(account);
    changed = true;
  }
  if (visible && !visible.has(id)) {
    visible = undefined;
    for (const select of document.querySelectorAll<HTMLSelectElement>("select.filter")) select.value = "";
    changed = true;
  }
  return changed;
}

/** Selects a node or an edge of the report, drawing it first when it is collapsed or filtered out. */
function go(id: string): void {
  withShape(() => goTo(id));
}

function goTo(id: string): void {
  const edge = store.edgeById(id);
  const ends = edge ? [edge.from, edge.to] : [id];
  withDetails(accountsOf(ends), () => {
    // Filters cleared: everything drawn anew; an account opened: only it.
    const filtered = visible !== undefined;
    if (ends.map(reveal).some(Boolean)) (filtered && visible === undefined ? draw : redraw)();
    // A large report's edge is one of its lines, centred between its ends.
    if (lines.has(id)) {
      cy.center(ends.reduce((both, end) => both.union(cy.getElementById(end)), cy.collection()));
      selectLine(id);
      return;
    }
    const element = cy.getElementById(id);
    if (element.empty()) return;
    cy.center(element);
    select(element);
  });
}

function select(element: SingularElementReturnValue): void {
  cy.elements().unselect();
  lines.select(undefined);
  element.select();
  show(element.id());
}

/** Selects one of a large report's lines (account-lines.ts). */
function selectLine(id: string): void {
  cy.elements().unselect();
  lines.select(id);
  show(id);
}

/** Highlights what reaches the element (or what it reaches), with a large report's lines `litLines`, and dims the rest. */
function highlight(lit: Collection, litLines: readonly string[] = []): void {
  lines.light(litLines);
  cy.batch(() => {
    cy.elements(".highlighted, .dimmed").removeClass("highlighted dimmed");
    if (lit.empty()) return;
    // A large report only marks what is lit: restyling a thousand accounts to dim them takes longer than the answer.
    if (!large) cy.elements().difference(lit.union(lit.nodes().ancestors())).addClass("dimmed");
    lit.addClass("highlighted");
  });
}

/**
 * The drawn line standing for a report edge: itself, or the merged line its drawn ends (elements.ts)
 * stand for, a Cytoscape edge or one of a large report's `lines`; undefined when none is drawn.
 */
function drawnEdge(edge: EdgeShape): string | undefined {
  if (lines.has(edge.id) || !cy.getElementById(edge.id).empty()) return edge.id;
  const [source, target] = drawnEnds(nodes.get(edge.from) ?? { id: edge.from }, nodes.get(edge.to) ?? { id: edge.to }, collapsed, large);
  const id = mergedId(source, target);
  return lines.has(id) || !cy.getElementById(id).empty() ? id : undefined;
}

/** The reach mode's result for a node or an account: highlighted in the graph and listed in the panel. */
function reachSection(id: string): HTMLElement | null {
  if (mode === "select") {
    highlight(cy.collection());
    return null;
  }
  const seeds = id.startsWith("account:") ? data.nodes.filter((n) => n.account === id.slice(8)).map((n) => n.id) : [id];
  const found = store.reach(seeds, mode === "who-can-reach");
  const others = [...found.nodes].map((n) => nodes.get(n)).filter((n): n is ReportNode => n !== undefined);
  // The drawn elements (a node or its collapsed account; an edge or the merged one), each once.
  const ids = new Set([id, ...others.map((node) => drawnNodeId(node, collapsed))]);
  const litLines = new Set<string>();
  for (const edge of found.edges) {
    const drawn = drawnEdge(edge);
    if (drawn !== undefined) (lines.has(drawn) ? litLines : ids).add(drawn);
  }
  const lit = cy.collection();
  for (const drawnId of ids) lit.merge(cy.getElementById(drawnId));
  highlight(lit, [...litLines]);
  const hops = found.edges.map((e) => e.maxSessionSeconds).filter((s): s is number => s !== undefined);
  const title = mode === "who-can-reach" ? `Who can reach this (${others.length})` : `What this can reach (${others.length})`;
  const listed = others.slice(0, 200);
  return h(
    "section",
    { class: "reach", id: "reach-result" },
    h("h3", {}, title),
    listed.length
      ? h(
          "ul",
          {},
          ...listed.map((n) =>
            h(
              "li",
              {},
              h("a", { href: "#", "data-target": n.id, onclick: (e) => (e.preventDefault(), go(n.id)) }, n.label),
              ` (${n.kind})`,
            ),
          ),
        )
      : h("p", {}, "nothing"),
    others.length > listed.length ? h("p", {}, `and ${others.length - listed.length} more`) : null,
    hops.length ? h("p", {}, `Shortest session limit along these paths: ${duration(Math.min(...hops))}`) : null,
  );
}

/** Fills the side panel for a drawn element. */
function show(id: string): void {
  shown = id;
  withShape(() => {
    if (shown === id) showDetails(id);
  });
}

function showDetails(id: string): void {
  // An element's details (its own, its edges', its findings) are decoded before it is shown.
  const edge = store.edgeById(id);
  const wanted = id.startsWith("account:") ? [id.slice(8)] : edge ? accountsOf([edge.from, edge.to]) : accountsOf([id]);
  // An edge's panel shows the statements it cites: only those are decoded, and only for it (read
  // once its details are).
  const cited = () => {
    const decoded = edges.get(id);
    return decoded ? citedStatements(decoded) : [];
  };
  whenLoaded(
    store.has(wanted) && store.hasStatements(cited()),
    async () => {
      await store.load(wanted);
      await store.loadStatements(cited());
    },
    () => {
      if (shown === id) showNow(id);
    },
  );
}

function showNow(id: string): void {
  let content: HTMLElement[];
  const node = nodes.get(id);
  const edge = edges.get(id);
  const group = merged.get(id);
  if (id.startsWith("account:")) {
    const account = id.slice(8);
    const extra = reachSection(id);
    content = [...accountPanel(context, account, collapsed.has(account)), ...(extra ? [extra] : [])];
  } else if (node) content = nodePanel(context, node, reachSection(id));
  else if (edge) {
    highlight(cy.collection());
    content = edgePanel(context, edge);
  } else if (group) content = mergedPanel(context, group);
  else content = nothingSelected();
  panel.replaceChildren(
    h("button", { type: "button", class: "close", title: large ? "Clear the selection" : "Close", onclick: clear }, "×"),
    ...content,
  );
  panel.dataset.selected = id;
  if (panel.hidden) {
    panel.hidden = false;
    cy.resize();
  }
}

/**
 * What a large report's panel says with nothing selected. It is always there: shown and hidden, it
 * resized the graph, whose canvases Cytoscape then made anew (a fifth of opening an account).
 */
function nothingSelected(): HTMLElement[] {
  return [h("p", { class: "muted" }, "Nothing selected: click a node, a line or an account to see what allows it.")];
}

function clear(): void {
  shown = undefined;
  cy.elements().unselect();
  lines.select(undefined);
  highlight(cy.collection());
  if (large) panel.replaceChildren(...nothingSelected());
  else {
    panel.hidden = true;
    cy.resize();
  }
  delete panel.dataset.selected;
}

/** A finding's place in the graph: its nodes and edges drawn, highlighted, and the first shown. */
function goFinding(index: number): void {
  const finding = data.findings[index];
  if (!finding) return;
  const ids = [...finding.edges, ...finding.nodes];
  const ends = [...finding.nodes, ...finding.edges.flatMap((e) => [edges.get(e)?.from ?? "", edges.get(e)?.to ?? ""])];
  if (ends.map(reveal).some(Boolean)) draw();
  const first = ids[0];
  byId("graph").scrollIntoView({ block: "nearest" });
  if (first === undefined) return;
  // A large report's edges are its lines: lit as lines, their ends as nodes.
  const litLines = finding.edges.filter((id) => lines.has(id));
  const lineEnds = litLines.flatMap((id) => [edges.get(id)?.from ?? "", edges.get(id)?.to ?? ""]);
  const lit = [...ids, ...lineEnds].reduce((all, id) => all.union(cy.getElementById(id)), cy.collection());
  cy.fit(lit, 60);
  if (lines.has(first)) selectLine(first);
  else select(cy.getElementById(first));
  highlight(lit.union(lit.connectedNodes()), litLines);
}

/** The node IDs the filters keep: an account's or a stage's nodes and their neighbours, a workload's chain. */
function applyFilters(): void {
  const value = (id: string) => byId<HTMLSelectElement>(id).value;
  const [account, stage, workload] = [value("filter-account"), value("filter-stage"), value("filter-workload")];
  // The edges of the accounts kept (a workload's chain may cross any account: all of them).
  const wanted = workload
    ? [undefined, ...accounts.keys()]
    : account
      ? [account]
      : data.accounts.filter((a) => stage && a.stage === stage).map((a) => a.id);
  withDetails(wanted, () => filter(account, stage, workload));
}

function filter(account: string, stage: string, workload: string): void {
  if (!account && !stage && !workload) visible = undefined;
  else {
    const keep = new Set(
      data.nodes
        .filter(
          (n) =>
            (!account || n.account === account) &&
            (!stage || (n.account !== undefined && accounts.get(n.account)?.stage === stage)) &&
            (!workload || n.workloads.includes(workload)),
        )
        .map((n) => n.id),
    );
    // Their direct neighbours too (not the neighbours' neighbours): where an account's edges come from and go to.
    const base = new Set(keep);
    if (account || stage)
      for (const e of data.edges)
        if (base.has(e.from) !== base.has(e.to) && (!workload || e.workloads.includes(workload)))
          keep.add(base.has(e.from) ? e.to : e.from);
    visible = keep;
  }
  draw();
  // Shown anew when still drawn: a node, an edge, or one of a large report's lines (not Cytoscape's),
  // whose edges the filters may have narrowed.
  if (shown && (lines.has(shown) || !cy.getElementById(shown).empty())) show(shown);
}

function options(select: HTMLSelectElement, values: [string, string][]): void {
  select.append(...values.map(([value, label]) => h("option", { value }, label)));
}

function setUp(): void {
  byId("summary").textContent =
    `${data.source} · ${data.accounts.length} accounts · ${data.nodes.length} nodes · ${store.edgeTotal} edges · ${store.findingTotal} findings`;
  options(
    byId<HTMLSelectElement>("filter-account"),
    data.accounts.map((a) => [a.id, [a.name, a.id].filter(Boolean).join(" · ")]),
  );
  options(
    byId<HTMLSelectElement>("filter-stage"),
    [...new Set(data.accounts.map((a) => a.stage).filter((s): s is string => !!s))].sort().map((s) => [s, s]),
  );
  options(
    byId<HTMLSelectElement>("filter-workload"),
    store.workloads.map((w) => [w, w]),
  );
  for (const select of document.querySelectorAll<HTMLSelectElement>("select.filter")) select.addEventListener("change", applyFilters);
  for (const radio of document.querySelectorAll<HTMLInputElement>("input[name=mode]")) {
    radio.addEventListener("change", () => {
      mode = radio.value as Mode;
      // Shown again in the new mode once this task is done: what is tapped before then is shown instead.
      const again = shown;
      if (again) queued(() => shown === again && show(again));
    });
  }
  const search = byId<HTMLInputElement>("search");
  const results = byId<HTMLUListElement>("search-results");
  const pick = (id: string) => {
    results.replaceChildren();
    go(id);
  };
  search.addEventListener("input", () => {
    const found = searchMatches(data.nodes, search.value, 12);
    results.replaceChildren(
      ...found.map((n) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: "#", "data-target": n.id, onclick: (e) => (e.preventDefault(), pick(n.id)) },
            n.label,
            h("span", { class: "muted" }, ` ${n.arn}`),
          ),
        ),
      ),
    );
  });
  search.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const first = searchMatches(data.nodes, search.value, 1)[0];
    if (first) pick(first.id);
  });
  // A large report lists its findings per account (counts by severity); an account's own are in its panel.
  const openAccount = (account: string) => (collapsed.has(account) ? toggleAccount(account) : go(accountNodeId(account)));
  if (lazy) findingsByAccount(byId<HTMLTableElement>("findings-table"), store, openAccount);
  else findingsTable(byId<HTMLTableElement>("findings-table"), data, goFinding);
  cy.on("tap", "node, edge", (event) => {
    const target = event.target as SingularElementReturnValue;
    const id = target.id();
    const account = id.startsWith("account:") ? id.slice(8) : undefined;
    // An open account's frame is an outline under its lines: a line there is picked first.
    const line = target.hasClass("frame") ? lines.at(event.position) : undefined;
    if (line) return selectLine(line);
    lines.select(undefined);
    if (account && collapsed.has(account)) toggleAccount(account);
    else show(id);
  });
  // On the background: a large report's line, where one is under the tap.
  cy.on("tap", (event) => {
    if (event.target !== cy) return;
    const line = lines.at(event.position);
    if (line) selectLine(line);
    else clear();
  });
  // A large report's open account is a frame behind its members: it follows one dragged.
  cy.on("free", "node.member", (event) => {
    const account = String((event.target as NodeSingular).data("account"));
    const frame = cy.getElementById(accountNodeId(account));
    if (frame.isNode()) refitFrame(frame);
  });
}

/**
 * A lazy report's nodes in no account (services, anyone) are drawn before their details are
 * decoded (their part holds their edges into every account): once it is, they take the colours of
 * their findings, or, where some edge joins two of them, the whole graph is drawn anew where the
 * person is looking (a pan or a zoom made since the first drawing stays).
 */
function outsideDecoded(): void {
  // Their edges into every account indexed now, not when a person first opens one.
  indexReport(data);
  const outside = (id: string) => nodes.get(id)?.account === undefined;
  if (data.edges.some((e) => outside(e.from) && outside(e.to))) {
    const view = { zoom: cy.zoom(), pan: { ...cy.pan() } };
    draw();
    cy.viewport(view);
    return;
  }
  cy.batch(() => {
    for (const node of data.nodes) {
      const worst = node.account === undefined ? findingClass(data, node) : "";
      if (worst) cy.getElementById(node.id).addClass(worst);
    }
  });
}

// A lazy report (over EAGER_UP_TO nodes) draws from the core at once, then decodes the details of
// the nodes in no account (drawn at once), an account's when it is opened and a statement when an
// edge citing it is shown; a small one decodes everything first.
queue = (lazy ? Promise.resolve() : store.loadAll()).then(
  async () => {
    const drawn = new Promise<void>((resolve) =>
      cy.one("render", () => {
        api.firstPaint = performance.now();
        performance.mark("xacct-graph-painted");
        resolve();
      }),
    );
    draw();
    await drawn;
    // The header's filters, the summary and the findings table once the graph is on screen (the next
    // task: its frame is shown first). What is queued after waits for them, the graph's shape too.
    await new Promise((resolve) => setTimeout(resolve, 0));
    setUp();
    // Filling them may move the graph: Cytoscape reads where its container is anew (else a click
    // lands where the graph was, beside what it was meant for).
    cy.resize();
    document.body.dataset.painted = "true";
  },
  (error: unknown) => console.error(error),
);
if (lazy) withDetails([undefined], outsideDecoded);
