/**
 * The report page: reads the graph data embedded in the HTML, draws it with Cytoscape.js (see layout.ts), and wires search, filters, the
 * "who can reach this?" / "what can this reach?" modes, the side panel and the findings table.
 * `window.xacctReport` exposes the Cytoscape instance and the page's state to scripts (tests).
 */
import cytoscape, { type Collection, type Core, type SingularElementReturnValue } from "cytoscape";
import dagre from "cytoscape-dagre";
import type { ReportData, ReportEdge, ReportNode } from "../types.js";
import { durationText as duration } from "../../aws/durations.js";
import { byId, h } from "./dom.js";
import { accountNodeId, COLLAPSE_ABOVE, drawnNodeId, elementsOf, initiallyCollapsed, type MergedEdge } from "./elements.js";
import { findingsTable } from "./findings-table.js";
import { graphStyle } from "./graph-style.js";
import { labelOverlay } from "./labels.js";
import { layoutGraph } from "./layout.js";
import { accountPanel, edgePanel, mergedPanel, nodePanel, type PanelContext } from "./panel.js";
import { searchMatches } from "./search.js";

cytoscape.use(dagre);

type Mode = "select" | "who-can-reach" | "what-can-reach";

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
}

declare global {
  interface Window {
    xacctReport?: ReportApi;
  }
}

const data = JSON.parse(byId("xacct-data").textContent ?? "{}") as ReportData;
const nodes = new Map(data.nodes.map((n) => [n.id, n]));
const edges = new Map(data.edges.map((e) => [e.id, e]));
const accounts = new Map(data.accounts.map((a) => [a.id, a]));
const large = data.nodes.length > COLLAPSE_ABOVE;
const collapsed = initiallyCollapsed(data);
let visible: Set<string> | undefined;
let merged = new Map<string, MergedEdge>();
let mode: Mode = "select";
let shown: string | undefined;

const cy = cytoscape({
  container: byId("graph"),
  style: graphStyle(large),
  minZoom: 0.02,
  maxZoom: 4,
  boxSelectionEnabled: false,
  selectionType: "single",
  hideEdgesOnViewport: large,
  textureOnViewport: large,
});
labelOverlay(cy, byId("graph"));
const panel = byId("panel");

const api: ReportApi = {
  cy,
  data,
  highlighted: () => cy.elements(".highlighted").map((e) => e.id()),
  collapsed: () => [...collapsed],
};
window.xacctReport = api;

/** Rebuilds the drawn elements from the data, the collapsed accounts and the filters. */
function draw(): void {
  const built = elementsOf(data, collapsed, visible, !large);
  merged = built.merged;
  cy.batch(() => {
    cy.elements().remove();
    cy.add(built.elements);
  });
  layoutGraph(cy, large);
  // Room at the edges for the names labels.ts draws beyond the nodes.
  cy.fit(undefined, 50);
}

const context: PanelContext = { data, nodes, accounts, go, toggleAccount };

/** Expands an account's group (or collapses it) and shows it. */
function toggleAccount(account: string): void {
  if (collapsed.has(account)) collapsed.delete(account);
  else collapsed.add(account);
  draw();
  const group = cy.getElementById(accountNodeId(account));
  cy.fit(group, 40);
  select(group);
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
  const edge = edges.get(id);
  const ends = edge ? [edge.from, edge.to] : [id];
  if (ends.map(reveal).some(Boolean)) draw();
  const element = cy.getElementById(id);
  if (element.empty()) return;
  cy.center(element);
  select(element);
}

function select(element: SingularElementReturnValue): void {
  cy.elements().unselect();
  element.select();
  show(element.id());
}

/** Highlights what reaches the element (or what it reaches) and dims the rest; the highlighted elements. */
function highlight(lit: Collection): void {
  cy.batch(() => {
    cy.elements().removeClass("highlighted dimmed");
    if (lit.empty()) return;
    const keep = lit.union(lit.nodes().ancestors());
    cy.elements().difference(keep).addClass("dimmed");
    lit.addClass("highlighted");
  });
}

/** Edges by the node they leave and the node they enter, for the reach modes. */
const outgoing = new Map<string, ReportEdge[]>();
const incoming = new Map<string, ReportEdge[]>();
for (const edge of data.edges) {
  outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
  incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), edge]);
}

/** Every node that reaches the seeds (or that they reach) along the report's edges, with the edges of those paths. */
function reachFrom(seeds: readonly string[], upstream: boolean): { nodes: Set<string>; edges: ReportEdge[] } {
  const seen = new Set(seeds);
  const along: ReportEdge[] = [];
  const queue = [...seeds];
  while (queue.length) {
    const id = queue.shift() as string;
    for (const edge of (upstream ? incoming : outgoing).get(id) ?? []) {
      along.push(edge);
      const next = upstream ? edge.from : edge.to;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  for (const seed of seeds) seen.delete(seed);
  return { nodes: seen, edges: along };
}

/** The drawn element standing for a report edge: itself, or the merged edge between collapsed accounts. */
function drawnEdge(edge: ReportEdge): SingularElementReturnValue {
  const direct = cy.getElementById(edge.id);
  if (!direct.empty()) return direct;
  const end = (id: string) => drawnNodeId(nodes.get(id) ?? { id }, collapsed);
  return cy.getElementById(`merged:${end(edge.from)}->${end(edge.to)}`);
}

/** The reach mode's result for a node or an account: highlighted in the graph and listed in the panel. */
function reachSection(id: string): HTMLElement | null {
  if (mode === "select") {
    highlight(cy.collection());
    return null;
  }
  const seeds = id.startsWith("account:") ? data.nodes.filter((n) => n.account === id.slice(8)).map((n) => n.id) : [id];
  const found = reachFrom(seeds, mode === "who-can-reach");
  const others = [...found.nodes].map((n) => nodes.get(n)).filter((n): n is ReportNode => n !== undefined);
  let lit = cy.getElementById(id);
  for (const node of others) lit = lit.union(cy.getElementById(drawnNodeId(node, collapsed)));
  for (const edge of found.edges) lit = lit.union(drawnEdge(edge));
  highlight(lit);
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
  else content = [h("p", {}, "Nothing selected.")];
  panel.replaceChildren(h("button", { type: "button", class: "close", title: "Close", onclick: clear }, "×"), ...content);
  panel.dataset.selected = id;
  if (panel.hidden) {
    panel.hidden = false;
    cy.resize();
  }
}

function clear(): void {
  shown = undefined;
  cy.elements().unselect();
  highlight(cy.collection());
  panel.hidden = true;
  cy.resize();
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
  const lit = ids.reduce((all, id) => all.union(cy.getElementById(id)), cy.collection());
  cy.fit(lit, 60);
  select(cy.getElementById(first));
  highlight(lit.union(lit.connectedNodes()));
}

/** The node IDs the filters keep: an account's or a stage's nodes and their neighbours, a workload's chain. */
function applyFilters(): void {
  const value = (id: string) => byId<HTMLSelectElement>(id).value;
  const [account, stage, workload] = [value("filter-account"), value("filter-stage"), value("filter-workload")];
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
  if (shown && !cy.getElementById(shown).empty()) show(shown);
}

function options(select: HTMLSelectElement, values: [string, string][]): void {
  select.append(...values.map(([value, label]) => h("option", { value }, label)));
}

function setUp(): void {
  byId("summary").textContent =
    `${data.source} · ${data.accounts.length} accounts · ${data.nodes.length} nodes · ${data.edges.length} edges · ${data.findings.length} findings`;
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
    [...new Set(data.nodes.flatMap((n) => n.workloads))].sort().map((w) => [w, w]),
  );
  for (const select of document.querySelectorAll<HTMLSelectElement>("select.filter")) select.addEventListener("change", applyFilters);
  for (const radio of document.querySelectorAll<HTMLInputElement>("input[name=mode]")) {
    radio.addEventListener("change", () => {
      mode = radio.value as Mode;
      if (shown) show(shown);
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
  findingsTable(byId<HTMLTableElement>("findings-table"), data, goFinding);
  cy.on("tap", "node, edge", (event) => {
    const id = (event.target as SingularElementReturnValue).id();
    const account = id.startsWith("account:") ? id.slice(8) : undefined;
    if (account && collapsed.has(account)) toggleAccount(account);
    else show(id);
  });
  cy.on("tap", (event) => {
    if (event.target === cy) clear();
  });
}

setUp();
cy.one("render", () => {
  api.firstPaint = performance.now();
  performance.mark("xacct-graph-painted");
  document.body.dataset.painted = "true";
});
draw();
