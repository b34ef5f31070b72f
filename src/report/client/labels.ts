/**
 * Names drawn as HTML over the graph's canvas, at a size a person reads whatever the zoom: every
 * node's name when the page draws up to LABEL_ALL_UP_TO nodes, and beyond that the names of the
 * nodes under the pointer or, zoomed in, large enough on screen; every account's title. Labels that
 * would cover one another, or a node other than their own, are left out (the one under the pointer,
 * the selected one and workloads first), so what is shown can be read. Cytoscape draws no text of
 * its own for nodes. The overlay also rings the highlighted nodes (what a reach mode or a finding
 * lights).
 */
import type { Core, NodeSingular } from "cytoscape";
import { isOpen } from "./layout.js";

/** Up to this many drawn nodes, every one is named. */
export const LABEL_ALL_UP_TO = 100;
/** Beyond that, a node is named when the zoom draws it at least this many pixels wide. */
const NAMED_FROM_PX = 30;
/** Never more labels than this at once (a zoomed-out organization names nothing but its accounts). */
const MAX_LABELS = 300;
/** Pixels between a highlighted node and its ring. */
const RING_GAP = 4;

interface Placed {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const overlaps = (a: Placed, b: Placed) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Pixels on a side of a cell of the grid that finds the boxes near a label. */
const CELL_PX = 64;

/**
 * What covers the graph's area: the labels placed and the nodes drawn (each with the ID of what it
 * is), by the cells of a grid each reaches, so that a label is checked only against those near it
 * (a zoomed-out organization places a thousand titles among a thousand boxes, on every frame).
 */
class Occupied {
  private readonly cells = new Map<number, { box: Placed; id: string | undefined }[]>();

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  /** The cells a box reaches on the area (a box off the area reaches none). */
  private *cellsOf(b: Placed): Generator<number> {
    const columns = Math.ceil(this.width / CELL_PX) + 1;
    const cell = (v: number, size: number) => Math.floor(Math.min(Math.max(v, 0), size) / CELL_PX);
    for (let y = cell(b.y1, this.height); y <= cell(b.y2, this.height); y++)
      for (let x = cell(b.x1, this.width); x <= cell(b.x2, this.width); x++) yield y * columns + x;
  }

  /** Takes `box`: a node's, with its ID, or a label's (no ID). */
  add(box: Placed, id?: string): void {
    if (box.x2 < 0 || box.y2 < 0 || box.x1 > this.width || box.y1 > this.height) return;
    for (const key of this.cellsOf(box)) {
      const list = this.cells.get(key);
      if (list) list.push({ box, id });
      else this.cells.set(key, [{ box, id }]);
    }
  }

  /** Whether the box covers a label or, for a node's name (`ownNode`: that node), any other node. */
  covers(box: Placed, ownNode: string | undefined): boolean {
    for (const key of this.cellsOf(box))
      for (const other of this.cells.get(key) ?? [])
        if ((other.id === undefined || (ownNode !== undefined && other.id !== ownNode)) && overlaps(other.box, box)) return true;
    return false;
  }
}

/** What sizes a label of one class: its font, line height, horizontal padding and widest content. */
interface LabelStyle {
  font: string;
  lineHeight: number;
  padding: number;
  maxWidth: number;
}

/**
 * The size a label takes, measured on a canvas in the font the stylesheet gives its class (read
 * once per class from a probe element): a zoomed-out organization wants a thousand titles to place
 * a hundred, and laying out a thousand elements to measure them took longer than drawing the graph.
 * A width rounds up by a pixel, so a label placed by it never covers another.
 */
function labelSizer(layer: HTMLElement): (className: string, text: string, maxWidth?: number) => [number, number] {
  const context = document.createElement("canvas").getContext("2d");
  const styles = new Map<string, LabelStyle>();
  const styleOf = (className: string): LabelStyle => {
    let style = styles.get(className);
    if (!style) {
      const probe = document.createElement("span");
      probe.className = className;
      layer.append(probe);
      const css = getComputedStyle(probe);
      const size = parseFloat(css.fontSize);
      const lineHeight = parseFloat(css.lineHeight);
      style = {
        font: `${css.fontStyle} ${css.fontWeight} ${css.fontSize} ${css.fontFamily}`,
        lineHeight: Number.isFinite(lineHeight) ? lineHeight : size * 1.25,
        padding: parseFloat(css.paddingLeft) + parseFloat(css.paddingRight),
        maxWidth: parseFloat(css.maxWidth),
      };
      probe.remove();
      styles.set(className, style);
    }
    return style;
  };
  return (className, text, maxWidth) => {
    const style = styleOf(className);
    if (context) context.font = style.font;
    const lines = text.split("\n");
    let widest = 0;
    for (const line of lines) widest = Math.max(widest, context ? context.measureText(line).width : line.length * 8);
    // The stylesheet sizes borders and padding into the width (box-sizing: border-box); an element's own max-width wins.
    const limit = maxWidth ?? (Number.isFinite(style.maxWidth) ? style.maxWidth : Infinity);
    return [Math.ceil(Math.min(widest + 1 + style.padding, limit)), Math.ceil(lines.length * style.lineHeight)];
  };
}

/**
 * A node's box on the screen, its border in, its name out: from where it is and its size (a large
 * report's thousand collapsed accounts, measured by Cytoscape at each update, took a sixth of
 * opening one). Not for an open account, whose size is its members'.
 */
function renderedBox(node: NodeSingular): Placed {
  const p = node.renderedPosition();
  const [halfWidth, halfHeight] = [node.renderedOuterWidth() / 2, node.renderedOuterHeight() / 2];
  return { x1: p.x - halfWidth, y1: p.y - halfHeight, x2: p.x + halfWidth, y2: p.y + halfHeight };
}

/** Keeps the overlay in step with the graph; the overlay element is the container's last child. */
export function labelOverlay(cy: Core, container: HTMLElement): void {
  const layer = document.createElement("div");
  layer.id = "labels";
  layer.setAttribute("aria-hidden", "true");
  container.append(layer);
  const sizeOf = labelSizer(layer);
  let hovered: string | undefined;
  let pending = false;

  const update = () => {
    pending = false;
    const width = container.clientWidth;
    const height = container.clientHeight;
    const leaves = cy
      .nodes()
      .map((n) => n)
      .filter((n) => !isOpen(n));
    const all = leaves.length <= LABEL_ALL_UP_TO;
    const onScreen = (n: NodeSingular) => {
      const p = n.renderedPosition();
      return p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height;
    };
    /** Whether a rendered box reaches onto the graph's area. */
    const onArea = (b: Placed) => b.x2 >= 0 && b.y2 >= 0 && b.x1 <= width && b.y1 <= height;
    const named = leaves.filter(
      (n) => !n.hasClass("account") && onScreen(n) && (all || n.id() === hovered || n.selected() || n.renderedWidth() >= NAMED_FROM_PX),
    );
    const rank = (n: NodeSingular) => (n.id() === hovered ? 0 : n.selected() ? 1 : n.hasClass("workload") ? 2 : 3);
    const ordered = named.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_LABELS);
    /**
     * A label to place: its text, class, node and widest width, the places it may take for its size,
     * best first, and whether it may cover other nodes (an account's title may cover the edge of a
     * neighbour's box: packed collapsed accounts would be left without any).
     */
    const wanted: {
      text: string;
      className: string;
      id: string;
      maxWidth?: number;
      at: (w: number, h: number) => Placed[];
      overNodes?: true;
    }[] = [];
    const boxAt = (x: number, y: number, w: number, h: number): Placed => ({ x1: x, y1: y, x2: x + w, y2: y + h });
    const centredAt = (x: number, y: number, w: number, h: number): Placed => boxAt(x - w / 2, y, w, h);
    // Account titles first: an open account's on the top edge of its box, a collapsed one's under it.
    for (const node of cy.nodes(".account")) {
      // Without its label: Cytoscape would measure a thousand collapsed accounts' names to say so.
      const b = isOpen(node) ? node.renderedBoundingBox({ includeLabels: false }) : renderedBox(node);
      if (!onArea(b)) continue;
      const text = String(node.data("label") ?? "");
      const mid = (b.x1 + b.x2) / 2;
      // An open account's title about as wide as its box (the full name is in the panel and the filter).
      if (isOpen(node))
        wanted.push({
          text: text.split("\n")[0] ?? text,
          className: "label title",
          id: node.id(),
          at: (w, h) => [centredAt(mid, b.y1 + 1 - h, w, h)],
          maxWidth: Math.max(40, Math.floor(Math.max(b.x2 - b.x1, 260))),
          overNodes: true,
        });
      else
        wanted.push({
          text,
          className: "label title collapsed",
          id: node.id(),
          at: (w, h) => [centredAt(mid, b.y2 + 2, w, h)],
          overNodes: true,
        });
    }
    // A name under its node, else beside it (right, then left), else above it; under or above, it
    // may also start at the node's left edge or end at its right one, clear of a neighbour.
    for (const node of ordered) {
      const p = node.renderedPosition();
      const [left, right] = [p.x - node.renderedWidth() / 2, p.x + node.renderedWidth() / 2];
      const halfHeight = node.renderedHeight() / 2;
      const under = p.y + halfHeight + 2;
      wanted.push({
        text: String(node.data("label") ?? ""),
        className: "label",
        id: node.id(),
        at: (w, h) => {
          const above = p.y - halfHeight - 2 - h;
          return [
            centredAt(p.x, under, w, h),
            boxAt(right + 3, p.y - h / 2, w, h),
            boxAt(left - 3 - w, p.y - h / 2, w, h),
            centredAt(p.x, above, w, h),
            boxAt(left, under, w, h),
            boxAt(right - w, under, w, h),
            boxAt(left, above, w, h),
            boxAt(right - w, above, w, h),
          ];
        },
      });
    }
    // Each shown in the first place, on the graph's area, that covers no label already shown and (a
    // node's name) no node but its own; only those are made.
    const occupied = new Occupied(width, height);
    for (const node of leaves) {
      const box = renderedBox(node);
      // Off the graph's area, a node covers no label (each is placed on it).
      if (onArea(box)) occupied.add(box, node.id());
    }
    const shown: HTMLElement[] = [];
    for (const { text, className, id, maxWidth, at, overNodes } of wanted) {
      const [w, h] = sizeOf(className, text, maxWidth);
      // Where the element will stand: at whole pixels.
      const box = at(w, h)
        .map((b) => ({ x1: Math.round(b.x1), y1: Math.round(b.y1), x2: Math.round(b.x1) + w, y2: Math.round(b.y1) + h }))
        .find((b) => b.x1 >= 0 && b.y1 >= 0 && b.x2 <= width && b.y2 <= height && !occupied.covers(b, overNodes ? undefined : id));
      if (!box) continue;
      occupied.add(box);
      const element = document.createElement("span");
      element.className = className;
      element.textContent = text;
      element.dataset.id = id;
      if (maxWidth !== undefined) element.style.maxWidth = `${maxWidth}px`;
      element.style.transform = `translate(${box.x1}px, ${box.y1}px)`;
      shown.push(element);
    }
    layer.replaceChildren(...rings(onArea), ...shown);
    layer.dataset.count = String(shown.length);
  };

  /** A ring around each highlighted node on the graph's area, behind the names. */
  const rings = (onArea: (b: Placed) => boolean): HTMLElement[] =>
    cy
      .nodes(".highlighted")
      .map((node) => node.renderedBoundingBox({ includeLabels: false, includeOverlays: false }))
      .filter(onArea)
      .map((b) => {
        const ring = document.createElement("span");
        ring.className = "ring";
        ring.style.width = `${Math.round(b.w) + 2 * RING_GAP}px`;
        ring.style.height = `${Math.round(b.h) + 2 * RING_GAP}px`;
        ring.style.transform = `translate(${Math.round(b.x1) - RING_GAP}px, ${Math.round(b.y1) - RING_GAP}px)`;
        return ring;
      });

  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(update);
  };
  // Not on every drawing: what moves, sizes, adds, removes, selects or highlights (a class) a node.
  cy.on("viewport resize add remove position data select unselect class", schedule);
  cy.on("mouseover", "node", (event) => {
    hovered = (event.target as NodeSingular).id();
    schedule();
  });
  cy.on("mouseout", "node", () => {
    hovered = undefined;
    schedule();
  });
}
