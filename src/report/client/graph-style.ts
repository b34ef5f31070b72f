/** The Cytoscape stylesheet: node kinds by colour and shape, cross-account edges thick and orange, conditional edges dashed. */
import type { StylesheetJson } from "cytoscape";
import type { ReportEdgeKind } from "../types.js";

const KIND_COLOURS: Record<string, string> = {
  workload: "#7048e8",
  role: "#1971c2",
  user: "#0c8599",
  federated: "#5c940d",
  service: "#868e96",
  account: "#e8590c",
  anyone: "#c92a2a",
  resource: "#2b8a3e",
};

const KIND_SHAPES: Record<string, string> = {
  workload: "hexagon",
  resource: "barrel",
  federated: "diamond",
  service: "octagon",
  account: "tag",
  anyone: "star",
  user: "ellipse",
  role: "round-rectangle",
};

/**
 * How a large report draws its lines, shared with account-lines.ts (which draws every line there):
 * grey (an edge between two nodes: the colour of its kind), orange across accounts, dashed when
 * conditional, amber when lit, black when selected; a line between accounts as wide as the edges
 * it stands for are many.
 */
export const LINES = {
  plain: "#adb5bd",
  cross: "#e8590c",
  lit: "#f08c00",
  selected: "#000000",
  opacity: 0.6,
  /** The width of an edge between two nodes, of a cross-account line, of a lit or selected one. */
  width: 1,
  crossWidth: 1.5,
  litWidth: 5,
  dash: [6, 3],
  dot: [1.5, 3],
} as const;

/** The colours of the edge kinds that have one of their own (the others are grey), and those drawn dotted. */
export const EDGE_COLOURS: ReadonlyMap<ReportEdgeKind, string> = new Map<ReportEdgeKind, string>([
  ["resource-policy", "#2b8a3e"],
  ["identity", "#5c7cfa"],
  ["escalation", "#c92a2a"],
  ["starts-as", "#7048e8"],
]);
export const DOTTED_EDGES: ReadonlySet<ReportEdgeKind> = new Set<ReportEdgeKind>(["escalation", "starts-as"]);

/** A line between accounts standing for `count` edges: from 1.5 wide (one edge) to 6 (50 or more). */
const MERGED_WIDTH = { fewest: 1, most: 50, thinnest: 1.5, widest: 6 } as const;
export function mergedWidth(count: number): number {
  const { fewest, most, thinnest, widest } = MERGED_WIDTH;
  const share = Math.min(1, Math.max(0, (count - fewest) / (most - fewest)));
  return thinnest + share * (widest - thinnest);
}

/**
 * A node's name as Cytoscape knows it: invisible (labels.ts draws names over the canvas at a
 * legible size), there only so that the layout leaves each name its room (at zoom 1). Never drawn
 * at any zoom (`min-zoomed-font-size` above what the largest zoom makes of it): at a transparent
 * name's size Cytoscape still renders it into a texture, for each of an opened account's hundred
 * nodes, before it finds there is nothing to show.
 */
const LABEL_STYLE = {
  label: "data(label)",
  "text-opacity": 0,
  "font-size": 12,
  "text-valign": "bottom",
  "text-margin-y": 3,
  "text-wrap": "wrap",
  "text-max-width": "180px",
  color: "#212529",
  "min-zoomed-font-size": 1000,
};

/** The class layout.ts gives a large report's nodes that dagre lays out: only they need a name's room. */
export const NAMED = "named";

/**
 * The stylesheet; `large` has no edges (account-lines.ts draws its lines: a Cytoscape edge is
 * styled, measured and textured before its first frame), and gives only the nodes dagre lays out
 * (class NAMED) a name to make room for: a large report's accounts are collapsed boxes in cells of
 * their own, or frames whose members are laid out by dagre or, above 60, in a grid; styling a
 * name's properties for a thousand accounts took a tenth of the first drawing, and for the hundred
 * roles of an account opened, a tenth of opening it.
 */
export function graphStyle(large: boolean): StylesheetJson {
  return [
    { selector: "node", style: { width: 22, height: 22 } },
    { selector: large ? `node.${NAMED}` : "node", style: LABEL_STYLE },
    ...Object.entries(KIND_COLOURS).map(([kind, colour]) => ({
      selector: `node.${kind}`,
      style: { "background-color": colour, shape: KIND_SHAPES[kind] } as Record<string, string>,
    })),
    {
      selector: "node.account.group",
      style: {
        shape: "round-rectangle",
        "background-color": "#f1f3f5",
        // A large report's frame is an outline: its lines, drawn under Cytoscape's canvas (account-lines.ts), show through.
        "background-opacity": large ? 0 : 0.6,
        "border-width": 1.5,
        "border-color": "#adb5bd",
        padding: "18px",
        // An account's title, where it has a name (a small report's).
        ...(large
          ? {}
          : { "text-valign": "top", "text-halign": "center", "text-max-width": "400px", "font-weight": "bold", "text-margin-y": -4 }),
      },
    },
    {
      selector: "node.account.collapsed",
      style: {
        shape: "round-rectangle",
        "background-color": "#d0ebff",
        "border-width": 1.5,
        "border-color": "#1c7ed6",
        width: 46,
        height: 30,
        ...(large ? {} : { "font-size": 9 }),
      },
    },
    { selector: "node.account.external", style: { "border-style": "dashed", "background-color": "#fff4e6" } },
    { selector: "node.finding-critical, node.finding-high", style: { "border-width": 3, "border-color": "#e03131" } },
    { selector: "node.finding-medium, node.finding-low", style: { "border-width": 3, "border-color": "#f59f00" } },
    {
      selector: "edge",
      style: {
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        width: 1.5,
        "line-color": "#868e96",
        "target-arrow-color": "#868e96",
        label: "data(label)",
        "font-size": 8,
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": "1px",
        "min-zoomed-font-size": 7,
        "arrow-scale": 0.9,
      },
    },
    ...[...EDGE_COLOURS].map(([kind, colour]) => ({
      selector: `edge.${kind}`,
      style: { "line-color": colour, "target-arrow-color": colour, ...(DOTTED_EDGES.has(kind) ? { "line-style": "dotted" } : {}) },
    })),
    {
      selector: "edge.cross",
      style: { "line-color": LINES.cross, "target-arrow-color": LINES.cross, width: 3.5 },
    },
    { selector: "edge.conditional", style: { "line-style": "dashed", "line-dash-pattern": [...LINES.dash] } },
    {
      selector: "edge.merged",
      style: { width: `mapData(count, ${MERGED_WIDTH.fewest}, ${MERGED_WIDTH.most}, ${MERGED_WIDTH.thinnest}, ${MERGED_WIDTH.widest})` },
    },
    { selector: ".dimmed", style: { opacity: 0.12 } },
    // A highlighted node has no style of its own: labels.ts rings it. Cytoscape recomputes every line
    // of a node whose style changes, and a collapsed account of a large report has hundreds.
    {
      selector: "edge.highlighted",
      style: { "line-color": LINES.lit, "target-arrow-color": LINES.lit, width: LINES.litWidth, opacity: 1 },
    },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#000000" } },
    { selector: "edge:selected", style: { "line-color": LINES.selected, "target-arrow-color": LINES.selected, width: LINES.litWidth } },
    ...(large
      ? [
          // An open account is a frame (elements.ts) sized by layout.ts, drawn behind its members; the
          // lines of collapsed accounts end at its border.
          { selector: "node", style: { "z-index-compare": "manual", "z-index": 1 } },
          { selector: "node.frame", style: { width: "data(w)", height: "data(h)", padding: "0px", "z-index": 0 } },
        ]
      : []),
  ] as StylesheetJson;
}
