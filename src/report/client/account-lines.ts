/**
 * A large report's lines, drawn on a canvas of their own under the graph's: one line per pair of a
 * collapsed account and an open one, standing for every edge between their members (elements.ts
 * merges them), and one per edge between two drawn nodes. Opening the account a thousand others
 * reach drew a thousand Cytoscape edges, each styled, measured and projected before the first
 * frame: about half a second. Here they are plain strokes, a few milliseconds a frame, drawn after
 * each frame Cytoscape draws (the nodes on its canvas cover the lines' ends; an open account's
 * frame, an outline, is where a line from a collapsed account stops); the lines both ways between
 * two ends side by side. A tap on the graph's background or on an open account's frame picks the
 * line under it, and a reach mode lights the lines of the edges it walked.
 */
import type { Core, NodeSingular } from "cytoscape";
import type { MergedEdge } from "./elements.js";
import { DOTTED_EDGES, EDGE_COLOURS, LINES, mergedWidth } from "./graph-style.js";

/** How far from a line, in pixels on screen, a tap still picks it. */
const PICK_PX = 5;
/** How far, in pixels on screen, each of two lines the opposite ways between the same ends is drawn from their axis (one each side): both seen, each picked. */
const PAIRED_PX = 5;

export interface AccountLines {
  /** Draws these lines (elements.ts's `merged` of the last drawing: between accounts, and edges between two nodes) from now on. */
  show(lines: ReadonlyMap<string, MergedEdge>): void;
  /** Lights these lines (those not drawn are left out), unlighting the others. */
  light(ids: Iterable<string>): void;
  /** The lit lines. */
  lit(): string[];
  /** Whether the line is drawn. */
  has(id: string): boolean;
  /** Draws the line as selected (undefined: none). */
  select(id: string | undefined): void;
  /** The line within a few pixels of a point of the graph (in the graph's coordinates), the nearest; undefined when none is. */
  at(point: Point): string | undefined;
  /** Each line drawn, between its ends' borders, on the screen (the graph's rendered coordinates). */
  drawn(): { id: string; from: Point; to: Point }[];
}

interface Point {
  x: number;
  y: number;
}

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A line drawn: its ends' nodes (each ends at its node's border) and how it is drawn. */
interface Line {
  id: string;
  from: NodeSingular;
  to: NodeSingular;
  colour: string;
  width: number;
  /** Its dashes (empty: a solid line), at zoom 1. */
  dash: readonly number[];
  /** A line the other way between the same ends is drawn too. */
  paired: boolean;
}

/** Puts the canvas first in the graph's container (under Cytoscape's) and keeps it drawn. */
export function accountLines(cy: Core, container: HTMLElement): AccountLines {
  const canvas = document.createElement("canvas");
  canvas.id = "account-lines";
  canvas.setAttribute("aria-hidden", "true");
  container.prepend(canvas);
  const context = canvas.getContext("2d");
  let lines = new Map<string, Line>();
  let lit = new Set<string>();
  let selected: string | undefined;

  let pending = false;
  /** What the lines were last drawn for: a frame of Cytoscape's that changes none of it draws nothing here. */
  let version = 0;
  let drawnFor = "";
  const draw = () => {
    pending = false;
    if (!context) return;
    const ratio = window.devicePixelRatio || 1;
    // Cytoscape's size of the container (read anew on its resize): reading the element's would lay the page out.
    const [width, height] = [cy.width(), cy.height()];
    const zoom = cy.zoom();
    const pan = cy.pan();
    const state = `${version} ${zoom} ${pan.x} ${pan.y} ${width} ${height} ${ratio}`;
    if (state === drawnFor) return;
    drawnFor = state;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      // As large on the screen as Cytoscape's canvases, which keep their size until its resize:
      // stretched to the container at once, the lines would leave the nodes while a window is resized.
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    // Graph coordinates to the canvas's pixels, as Cytoscape draws: widths and dashes scale with the zoom.
    context.setTransform(zoom * ratio, 0, 0, zoom * ratio, pan.x * ratio, pan.y * ratio);
    // Only what is on the graph's area (a line's dashes cost along all its length), in one path per
    // look: a thousand strokes took longer than the frame.
    const margin = LINES.litWidth;
    const view: Box = {
      x1: -pan.x / zoom - margin,
      y1: -pan.y / zoom - margin,
      x2: (width - pan.x) / zoom + margin,
      y2: (height - pan.y) / zoom + margin,
    };
    // Zoomed out, dashes as long on the screen as at zoom 1: a conditional line still looks dashed,
    // and a long line is not cut in thousands of dashes too short to see (Skia's cost is per dash).
    const scaled = (dash: readonly number[]) => (zoom >= 1 ? dash : dash.map((d) => d / zoom));
    const paths = new Map<string, { path: Path2D; colour: string; width: number; dash: readonly number[]; alpha: number }>();
    // The lit and the selected drawn last, over the others.
    const looks = (line: Line) =>
      line.id === selected
        ? { colour: LINES.selected, width: LINES.litWidth, dash: line.dash, alpha: LINES.opacity, order: 2 }
        : lit.has(line.id)
          ? { colour: LINES.lit, width: LINES.litWidth, dash: line.dash, alpha: 1, order: 1 }
          : { colour: line.colour, width: Math.round(line.width * 2) / 2, dash: line.dash, alpha: LINES.opacity, order: 0 };
    for (const line of lines.values()) {
      const ends = endsOf(line, zoom);
      const seen = ends && clipped(ends, view);
      if (!seen) continue;
      const look = looks(line);
      const key = `${look.order} ${look.colour} ${look.width} ${look.dash.join(",")}`;
      let path = paths.get(key);
      if (!path) paths.set(key, (path = { ...look, path: new Path2D() }));
      path.path.moveTo(seen[0].x, seen[0].y);
      path.path.lineTo(seen[1].x, seen[1].y);
    }
    for (const [, look] of [...paths].sort(([a], [b]) => (a < b ? -1 : 1))) {
      context.globalAlpha = look.alpha;
      context.strokeStyle = look.colour;
      context.lineWidth = look.width;
      context.setLineDash(scaled(look.dash));
      context.stroke(look.path);
    }
  };
  // In the frame Cytoscape draws; what changes here alone, in the next frame, once.
  cy.on("render", draw);
  // A node moved or resized (an account dragged, an opened one placed, its frame fitted) may be a line's end.
  cy.on("position data", "node", () => version++);
  const schedule = () => {
    version++;
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => pending && draw());
  };

  return {
    show(merged) {
      lines = new Map();
      const kept: { m: MergedEdge; from: NodeSingular; to: NodeSingular }[] = [];
      for (const m of merged.values()) {
        const [from, to] = [cy.getElementById(m.source), cy.getElementById(m.target)];
        if (from.isNode() && to.isNode()) kept.push({ m, from, to });
      }
      const directions = new Set(kept.map(({ m }) => `${m.source}\n${m.target}`));
      for (const { m, from, to } of kept) {
        // An edge between two nodes (`kind`): its kind's colour, as thin as one edge, dotted as its kind may be.
        const { kind } = m;
        lines.set(m.id, {
          id: m.id,
          from,
          to,
          colour: m.cross ? LINES.cross : ((kind && EDGE_COLOURS.get(kind)) ?? LINES.plain),
          width: kind === undefined ? mergedWidth(m.edges.length) : m.cross ? LINES.crossWidth : LINES.width,
          dash: m.conditional ? LINES.dash : kind && DOTTED_EDGES.has(kind) ? LINES.dot : [],
          paired: directions.has(`${m.target}\n${m.source}`),
        });
      }
      lit = new Set([...lit].filter((id) => lines.has(id)));
      if (selected !== undefined && !lines.has(selected)) selected = undefined;
      schedule();
    },
    light(ids) {
      lit = new Set([...ids].filter((id) => lines.has(id)));
      schedule();
    },
    lit: () => [...lit],
    has: (id) => lines.has(id),
    select(id) {
      selected = id;
      schedule();
    },
    at(point) {
      const reach = PICK_PX / cy.zoom();
      let best: { id: string; distance: number } | undefined;
      for (const line of lines.values()) {
        const ends = endsOf(line, cy.zoom());
        if (!ends) continue;
        const distance = distanceToSegment(point, ends[0], ends[1]) - line.width / 2;
        if (distance <= reach && (!best || distance < best.distance)) best = { id: line.id, distance };
      }
      return best?.id;
    },
    drawn() {
      const [zoom, pan] = [cy.zoom(), cy.pan()];
      const rendered = (p: Point) => ({ x: p.x * zoom + pan.x, y: p.y * zoom + pan.y });
      return [...lines.values()].flatMap((line) => {
        const ends = endsOf(line, zoom);
        return ends ? [{ id: line.id, from: rendered(ends[0]), to: rendered(ends[1]) }] : [];
      });
    },
  };
}

/**
 * Where a line is drawn at a zoom: between its ends' borders, and, paired with a line the other way,
 * beside their axis on its right (the other on its own right: the other side); undefined when its
 * ends overlap.
 */
function endsOf(line: Line, zoom: number): [Point, Point] | undefined {
  const [a, b] = [line.from.position(), line.to.position()];
  const from = border(line.from, a, b);
  const to = border(line.to, b, a);
  if (!from || !to) return undefined;
  if (!line.paired) return [from, to];
  const [dx, dy] = [to.x - from.x, to.y - from.y];
  const length = Math.hypot(dx, dy) || 1;
  // Clear of the axis by its half width at least, lit or selected (wider) too: the two never overlap.
  const away = Math.max(PAIRED_PX / zoom, Math.max(line.width, LINES.litWidth) / 2 + 0.5) / length;
  const [ox, oy] = [-dy * away, dx * away];
  return [
    { x: from.x + ox, y: from.y + oy },
    { x: to.x + ox, y: to.y + oy },
  ];
}

/**
 * Where the segment from a node's centre toward `toward` leaves the node's box (an open account's
 * frame is sized by its data, layout.ts); undefined when `toward` is inside it.
 */
function border(node: NodeSingular, centre: Point, toward: Point): Point | undefined {
  const frame = node.hasClass("frame");
  const halfWidth = (frame ? Number(node.data("w")) : node.width()) / 2;
  const halfHeight = (frame ? Number(node.data("h")) : node.height()) / 2;
  const [dx, dy] = [toward.x - centre.x, toward.y - centre.y];
  const t = Math.min(dx === 0 ? Infinity : halfWidth / Math.abs(dx), dy === 0 ? Infinity : halfHeight / Math.abs(dy));
  if (!(t < 1)) return undefined;
  return { x: centre.x + t * dx, y: centre.y + t * dy };
}

/** The part of a segment within a box (Liang–Barsky), or undefined when none is. */
function clipped([a, b]: [Point, Point], box: Box): [Point, Point] | undefined {
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  let [t0, t1] = [0, 1];
  for (const [p, q] of [
    [-dx, a.x - box.x1],
    [dx, box.x2 - a.x],
    [-dy, a.y - box.y1],
    [dy, box.y2 - a.y],
  ] as const) {
    if (p === 0) {
      if (q < 0) return undefined;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return undefined;
  }
  return [
    { x: a.x + t0 * dx, y: a.y + t0 * dy },
    { x: a.x + t1 * dx, y: a.y + t1 * dy },
  ];
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
