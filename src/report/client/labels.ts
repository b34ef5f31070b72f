/**
 * Names drawn as HTML over the graph's canvas, at a size a person reads whatever the zoom: every
 * node's name when the page draws up to LABEL_ALL_UP_TO nodes, and beyond that the names of the
 * nodes under the pointer or, zoomed in, large enough on screen; every account's title. Labels that
 * would cover one another are left out (the one under the pointer, the selected one and workloads
 * first), so what is shown can be read. Cytoscape draws no text of its own for nodes.
 */
import type { Core, NodeSingular } from "cytoscape";
import { isOpen } from "./layout.js";

/** Up to this many drawn nodes, every one is named. */
export const LABEL_ALL_UP_TO = 100;
/** Beyond that, a node is named when the zoom draws it at least this many pixels wide. */
const NAMED_FROM_PX = 30;
/** Never more labels than this at once (a zoomed-out organization names nothing but its accounts). */
const MAX_LABELS = 300;

interface Placed {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const overlaps = (a: Placed, b: Placed) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Keeps the overlay in step with the graph; the overlay element is the container's last child. */
export function labelOverlay(cy: Core, container: HTMLElement): void {
  const layer = document.createElement("div");
  layer.id = "labels";
  layer.setAttribute("aria-hidden", "true");
  container.append(layer);
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
    const named = leaves.filter(
      (n) => !n.hasClass("account") && onScreen(n) && (all || n.id() === hovered || n.selected() || n.renderedWidth() >= NAMED_FROM_PX),
    );
    const rank = (n: NodeSingular) => (n.id() === hovered ? 0 : n.selected() ? 1 : n.hasClass("workload") ? 2 : 3);
    const ordered = named.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_LABELS);
    const titles = cy
      .nodes(".account")
      .map((n) => n)
      .filter((n) => {
        // Without its label: Cytoscape would measure a thousand collapsed accounts' names to say so.
        const b = n.renderedBoundingBox({ includeLabels: false });
        return b.x2 >= 0 && b.y2 >= 0 && b.x1 <= width && b.y1 <= height;
      });
    /** A label to place: its element, and the places it may take for its size, best first. */
    const wanted: { element: HTMLElement; at: (w: number, h: number) => Placed[] }[] = [];
    const want = (text: string, className: string, id: string, at: (w: number, h: number) => Placed[], maxWidth?: number) => {
      const element = document.createElement("span");
      element.className = className;
      element.textContent = text;
      element.dataset.id = id;
      if (maxWidth !== undefined) element.style.maxWidth = `${Math.max(40, Math.floor(maxWidth))}px`;
      wanted.push({ element, at });
    };
    const centredAt = (x: number, y: number, w: number, h: number): Placed => ({ x1: x - w / 2, y1: y, x2: x + w / 2, y2: y + h });
    // Account titles first: an open account's on the top edge of its box, a collapsed one's under it.
    for (const node of titles) {
      const b = node.renderedBoundingBox({ includeLabels: false });
      const text = String(node.data("label") ?? "");
      const mid = (b.x1 + b.x2) / 2;
      // An open account's title about as wide as its box (the full name is in the panel and the filter).
      if (isOpen(node))
        want(
          text.split("\n")[0] ?? text,
          "label title",
          node.id(),
          (w, h) => [centredAt(mid, b.y1 + 1 - h, w, h)],
          Math.max(b.x2 - b.x1, 260),
        );
      else want(text, "label title collapsed", node.id(), (w, h) => [centredAt(mid, b.y2 + 2, w, h)]);
    }
    // A name under its node, else beside it (right, then left), else above it.
    for (const node of ordered) {
      const p = node.renderedPosition();
      const half = node.renderedWidth() / 2 + 3;
      const halfHeight = node.renderedHeight() / 2;
      want(String(node.data("label") ?? ""), "label", node.id(), (w, h) => [
        centredAt(p.x, p.y + halfHeight + 2, w, h),
        { x1: p.x + half, y1: p.y - h / 2, x2: p.x + half + w, y2: p.y + h / 2 },
        { x1: p.x - half - w, y1: p.y - h / 2, x2: p.x - half, y2: p.y + h / 2 },
        centredAt(p.x, p.y - halfHeight - 2 - h, w, h),
      ]);
    }
    // All in the page at once, then all measured (one layout), then each shown in the first place,
    // on the graph's area, that covers no label already shown.
    layer.replaceChildren(...wanted.map((w) => w.element));
    const sizes = wanted.map(({ element }) => [element.offsetWidth, element.offsetHeight] as const);
    const placed: Placed[] = [];
    const fresh: HTMLElement[] = [];
    wanted.forEach(({ element, at }, i) => {
      const [w, h] = sizes[i] as readonly [number, number];
      const box = at(w, h).find((b) => b.x1 >= 0 && b.y1 >= 0 && b.x2 <= width && b.y2 <= height && !placed.some((p) => overlaps(p, b)));
      if (!box) return element.remove();
      placed.push(box);
      element.style.transform = `translate(${Math.round(box.x1)}px, ${Math.round(box.y1)}px)`;
      fresh.push(element);
    });
    layer.dataset.count = String(fresh.length);
  };

  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(update);
  };
  cy.on("render viewport resize add remove position", schedule);
  cy.on("mouseover", "node", (event) => {
    hovered = (event.target as NodeSingular).id();
    schedule();
  });
  cy.on("mouseout", "node", () => {
    hovered = undefined;
    schedule();
  });
}
