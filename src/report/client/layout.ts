/**
 * Two-level layout, so that account groups never overlap: each open account's nodes are laid out
 * by dagre on their own, then the accounts (open ones as boxes of their size, collapsed ones as
 * nodes) with the nodes outside any account, by dagre on a headless Cytoscape instance of the
 * account-level graph — or, for a large report, in a grid of fixed cells with the open accounts
 * (frames behind their members) in a row above it.
 */
import cytoscape, { type Core, type LayoutOptions, type NodeCollection, type NodeSingular } from "cytoscape";
import type { DagreLayoutOptions } from "cytoscape-dagre";
import { NAMED } from "./graph-style.js";

/** cytoscape-dagre's options (its own type), as Cytoscape's layout() takes them. */
function dagre(options: Omit<DagreLayoutOptions, "name"> = {}): LayoutOptions {
  const full: DagreLayoutOptions = {
    name: "dagre",
    rankDir: "TB",
    nodeSep: 30,
    rankSep: 70,
    edgeSep: 8,
    // Room for the names labels.ts draws under the nodes.
    nodeDimensionsIncludeLabels: true,
    fit: false,
    animate: false,
    ...options,
  };
  return full as unknown as LayoutOptions;
}
const GAP = 60;

export interface Box {
  x1: number;
  y1: number;
  w: number;
  h: number;
}

/** An open account: a compound node (a small report) or a frame behind its members (a large one, elements.ts). */
export const OPEN_ACCOUNT = ":parent, .frame";

/** Whether a node is an open account (OPEN_ACCOUNT). */
export const isOpen = (node: NodeSingular) => node.isParent() || node.hasClass("frame");

/** An open account's members: its children, or those of a frame's account. */
function membersOf(group: NodeSingular): NodeCollection {
  if (!group.hasClass("frame")) return group.children();
  const account: unknown = group.data("account");
  return group
    .cy()
    .nodes(".member")
    .filter((n) => n.data("account") === account);
}

/** The box a top-level node takes: an open account's members' bounds (with its padding), or the node itself. */
function boxOf(node: NodeSingular, members?: Box): Box {
  const open = isOpen(node);
  const b = members ?? (open ? membersOf(node).boundingBox({}) : node.boundingBox({}));
  const pad = open ? 30 : 0;
  return { x1: b.x1 - pad, y1: b.y1 - pad * 1.5, w: b.w + pad * 2, h: b.h + pad * 2.5 };
}

/** Fits a large report's open account's frame to where its members are now (one was dragged), their names' room in. */
export function refitFrame(frame: NodeSingular): void {
  if (!frame.hasClass("frame")) return;
  membersOf(frame).addClass(NAMED);
  const box = boxOf(frame);
  frame.data({ w: box.w, h: box.h }).position({ x: box.x1 + box.w / 2, y: box.y1 + box.h / 2 });
}

/** Moves a top-level node (an open account: its members, and a frame sized to their box) so its box's centre is at `to`. */
function place(node: NodeSingular, box: Box, to: { x: number; y: number }): void {
  const dx = to.x - (box.x1 + box.w / 2);
  const dy = to.y - (box.y1 + box.h / 2);
  if (isOpen(node)) membersOf(node).shift({ x: dx, y: dy });
  if (node.hasClass("frame")) node.data({ w: box.w, h: box.h }).position(to);
  else if (!node.isParent()) node.position({ x: node.position("x") + dx, y: node.position("y") + dy });
}

/** The top-level element a node is drawn in: its account's group, or itself. */
function topOf(node: NodeSingular): NodeSingular {
  const parent = node.parent();
  return parent.empty() ? node : (parent.first() as NodeSingular);
}

/**
 * Places nodes in cells of a fixed size, in their order, about twice as many columns as rows when
 * `wide`, else as many: nothing is measured. Returns the grid's box.
 */
function grid(nodes: NodeCollection, cell: { w: number; h: number }, wide: boolean): Box {
  const columns = Math.max(1, Math.ceil(Math.sqrt(nodes.length * (wide ? 2 : 1))));
  nodes.positions((_node, i) => ({ x: ((i % columns) + 0.5) * cell.w, y: (Math.floor(i / columns) + 0.5) * cell.h }));
  return { x1: 0, y1: 0, w: columns * cell.w, h: Math.ceil(nodes.length / columns) * cell.h };
}

/** Above this many members, an open account is laid out as a grid (by kind, then name): dagre takes seconds there. */
const DAGRE_UP_TO = 60;
/** The room each member of an account laid out as a grid has. */
const MEMBER_CELL = { w: 150, h: 70 };

/**
 * Lays out an open account's members, by dagre (or, for a large account, a grid). Returns the
 * members' box when the layout knows it without measuring them (the grid's).
 */
function layoutMembers(group: NodeSingular, links: Links): Box | undefined {
  const members = membersOf(group);
  if (members.length <= DAGRE_UP_TO) {
    if (group.hasClass("frame")) {
      // A frame's members have no Cytoscape edges: laid out with the lines between them, each as
      // large as it is drawn with the room of its name (which only these nodes are given).
      members.addClass(NAMED);
      const sizes = members.map((n) => ({ id: n.id(), ...n.layoutDimensions({ nodeDimensionsIncludeLabels: true }) }));
      const at = dagrePositions(sizes, links, {});
      members.positions((n) => at.get(n.id()) ?? n.position());
    } else members.union(members.edgesWith(members)).layout(dagre()).run();
    return undefined;
  }
  // By kind, then name.
  const ordered = members
    .nodes()
    .sort(
      (a, b) =>
        String(a.data("kind")).localeCompare(String(b.data("kind"))) || String(a.data("label")).localeCompare(String(b.data("label"))),
    );
  return grid(ordered, MEMBER_CELL, true);
}

/**
 * A large report's accounts just opened: each laid out and placed in the row of open accounts
 * above the grid, right of those already there; nothing else moves. Returns where each laid out
 * as a grid was put (its box known without measuring).
 */
export function placeOpened(cy: Core, opened: readonly NodeSingular[], links: Links): Map<string, Box> {
  const fresh = new Set(opened.map((g) => g.id()));
  let x = 0;
  for (const group of cy.nodes(OPEN_ACCOUNT)) if (!fresh.has(group.id())) x = Math.max(x, boxRight(group) + GAP);
  const placed = new Map<string, Box>();
  for (const group of opened) {
    const members = layoutMembers(group, links);
    const box = boxOf(group, members);
    place(group, box, { x: x + box.w / 2, y: -GAP - box.h / 2 });
    // Only a box the layout knew: one measured right after the members are added misses their names.
    if (members) placed.set(group.id(), { ...box, x1: x, y1: -GAP - box.h });
    x += box.w + GAP;
  }
  return placed;
}

function boxRight(group: NodeSingular): number {
  const box = boxOf(group);
  return box.x1 + box.w;
}

/** A large report's grid: the room each top-level node has. */
const CELL = { w: 120, h: 80 };

/**
 * Lays out everything drawn; `large` uses a grid at the account level (`links`: its edges between
 * two drawn nodes, which are not Cytoscape's). Returns the drawing's box when it is known without
 * measuring (a large report's), for `fitTo`.
 */
export function layoutGraph(cy: Core, large: boolean, links: Links = []): Box | undefined {
  const members = new Map(cy.nodes(OPEN_ACCOUNT).map((group) => [group.id(), layoutMembers(group, links)]));
  const tops = cy
    .nodes()
    .filter((n) => !n.isChild() && !n.hasClass("member"))
    .nodes();
  if (large) {
    // Cells of a fixed size, in the drawing's order: placing a thousand collapsed accounts this
    // way measures none of them (a measuring layout and fit take most of the first drawing).
    const drawn = grid(tops.filter((n) => !isOpen(n)).nodes(), CELL, false);
    let x = 0;
    for (const group of tops.filter(isOpen).nodes()) {
      const box = boxOf(group, members.get(group.id()));
      place(group, box, { x: x + box.w / 2, y: -GAP - box.h / 2 });
      x += box.w + GAP;
      drawn.y1 = Math.min(drawn.y1, -GAP - box.h);
    }
    return { ...drawn, w: Math.max(drawn.w, x), h: drawn.h - drawn.y1 };
  }
  const boxes = new Map(tops.map((n) => [n.id(), boxOf(n, members.get(n.id()))]));
  const levelLinks = cy.edges().map((edge) => ({ source: topOf(edge.source()).id(), target: topOf(edge.target()).id() }));
  const at = dagrePositions(
    tops.map((n) => ({ id: n.id(), ...(boxes.get(n.id()) as Box) })),
    levelLinks,
    { nodeSep: GAP, rankSep: GAP * 1.5 },
  );
  for (const node of tops) place(node, boxes.get(node.id()) as Box, at.get(node.id()) ?? node.position());
  return undefined;
}

/** Edges by their ends' IDs, for a layout (a list: each open account's layout reads it anew). */
export type Links = readonly { source: string; target: string }[];

/**
 * Where dagre puts boxes of these sizes linked by these edges (those between two of them, each pair
 * once), laid out on a headless Cytoscape instance of their own.
 */
function dagrePositions(
  boxes: readonly { id: string; w: number; h: number }[],
  links: Links,
  options: Omit<DagreLayoutOptions, "name">,
): Map<string, { x: number; y: number }> {
  const ids = new Set(boxes.map((b) => b.id));
  const pairs = new Set<string>();
  const edges: cytoscape.ElementDefinition[] = [];
  for (const { source, target } of links) {
    const key = `${source}\n${target}`;
    if (source === target || pairs.has(key) || !ids.has(source) || !ids.has(target)) continue;
    pairs.add(key);
    edges.push({ group: "edges", data: { id: `l${pairs.size}`, source, target } });
  }
  const level = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [{ selector: "node", style: { width: "data(w)", height: "data(h)", shape: "rectangle" } }],
    elements: [...boxes.map(({ id, w, h }) => ({ group: "nodes" as const, data: { id, w, h } })), ...edges],
  });
  level.layout(dagre(options)).run();
  const at = new Map(boxes.map(({ id }) => [id, { ...level.getElementById(id).position() }]));
  level.destroy();
  return at;
}

/** Zooms and pans so that the box fills the view with `padding` pixels around it, as Cytoscape's fit does for elements. */
export function fitTo(cy: Core, box: Box, padding: number): void {
  // Nothing to fit (an empty drawing) or nowhere to fit it (a hidden container): the view stays.
  if (![cy.width(), cy.height(), box.w, box.h].every((v) => Number.isFinite(v) && v > 0)) return;
  const zoom = Math.min(
    cy.maxZoom(),
    Math.max(cy.minZoom(), Math.min((cy.width() - 2 * padding) / box.w, (cy.height() - 2 * padding) / box.h)),
  );
  cy.viewport({ zoom, pan: { x: (cy.width() - zoom * (2 * box.x1 + box.w)) / 2, y: (cy.height() - zoom * (2 * box.y1 + box.h)) / 2 } });
}
