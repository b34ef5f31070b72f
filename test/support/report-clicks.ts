/**
 * A person's clicks on a report open in Chromium (playwright-core): on a drawn element where it is
 * on the screen, then waiting for what the click asked the page to decode and draw.
 */
import type { Core } from "cytoscape";
import type { Page } from "playwright-core";

type InPage = { xacctReport: { cy: Core; settled(): Promise<void> } };

/** Clicks a drawn element where it is on the screen (an edge at its middle), and waits for what the click asked for. */
export async function clickDrawn(page: Page, id: string): Promise<void> {
  const box = await page.locator("#graph").boundingBox();
  const at = await page.evaluate((target) => {
    const element = (globalThis as unknown as InPage).xacctReport.cy.getElementById(target);
    const edge = element.edges();
    return edge.nonempty() ? edge.first().renderedMidpoint() : element.renderedPosition();
  }, id);
  await page.mouse.click((box?.x ?? 0) + at.x, (box?.y ?? 0) + at.y);
  await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.settled());
}

/** The collapsed account drawn for the most nodes, and how many. */
export function largestCollapsed(page: Page): Promise<{ id: string; count: number } | undefined> {
  return page.evaluate(
    () =>
      (globalThis as unknown as InPage).xacctReport.cy
        .nodes(".account.collapsed")
        .map((n) => ({ id: n.id(), count: Number(n.data("count")) }))
        .sort((a, b) => b.count - a.count)[0],
  );
}

/** The page's document, as far as the tests read it (the tests' TypeScript has no DOM types). */
export type Doc = {
  document: {
    querySelectorAll(
      selector: string,
    ): ArrayLike<{ className: string; dataset: Record<string, string | undefined>; getAttribute(name: string): string | null }>;
    getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
  };
};

/**
 * How an account (its drawn ID, `account:…`) is drawn, once the frames after the last interaction
 * are drawn: collapsed or not, its members' names, whether each is within the account's box, its
 * title drawn over it, the box in view and filling the width or the height of the graph, and what
 * the panel shows.
 */
export async function drawnAccount(page: Page, id: string) {
  await page.evaluate(() => {
    const { requestAnimationFrame: frame } = globalThis as unknown as { requestAnimationFrame(then: () => void): void };
    return new Promise<void>((done) => frame(() => frame(done)));
  });
  return page.evaluate((target) => {
    const { cy } = (globalThis as unknown as InPage).xacctReport;
    const { document } = globalThis as unknown as Doc;
    const group = cy.getElementById(target);
    const b = group.renderedBoundingBox({ includeLabels: false });
    const members = cy
      .nodes()
      .filter((n) => n.data("account") === group.data("account") && n.id() !== target)
      .nodes();
    return {
      collapsed: group.hasClass("collapsed"),
      members: members.map((n) => String(n.data("label"))),
      inside: members.map((n) => n.renderedPosition()).every((p) => p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2),
      titled: Array.from(document.querySelectorAll("#labels .title")).some(
        (l) => l.dataset.id === target && !l.className.includes("collapsed"),
      ),
      inView: b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height(),
      fills: (b.x2 - b.x1) / cy.width() > 0.5 || (b.y2 - b.y1) / cy.height() > 0.5,
      panel: document.getElementById("panel")?.dataset.selected,
    };
  }, id);
}

type Point = { x: number; y: number };
type LinesInPage = InPage & { xacctReport: { accountLines(): { id: string; from: Point; to: Point }[] } };

/**
 * A point of one of a large report's lines (one of those `id` names, else any) where a click picks
 * that line: on the graph's area, off every node (an open account's frame aside), and clear of every
 * other line (unless `alone` is false); on the screen (the graph's rendered coordinates). Undefined
 * when there is none.
 */
export function pointOnLine(page: Page, id?: string | readonly string[], alone = true): Promise<{ id: string; at: Point } | undefined> {
  return page.evaluate(
    ({ wanted, alone }) => {
      const { cy, accountLines } = (globalThis as unknown as LinesInPage).xacctReport;
      const lines = accountLines();
      // An open account's frame is an outline under the lines: a click on it picks a line there.
      const boxes = cy
        .nodes()
        .filter((n) => !n.hasClass("frame"))
        .map((n) => n.renderedBoundingBox({ includeLabels: false }));
      const MARGIN = 8;
      const distance = (p: Point, a: Point, b: Point) => {
        const [dx, dy] = [b.x - a.x, b.y - a.y];
        const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
        return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
      };
      for (const line of lines.filter((l) => wanted === undefined || wanted.includes(l.id))) {
        for (let t = 0.1; t <= 0.9; t += 0.02) {
          const at = { x: line.from.x + t * (line.to.x - line.from.x), y: line.from.y + t * (line.to.y - line.from.y) };
          const onArea = at.x > MARGIN && at.y > MARGIN && at.x < cy.width() - MARGIN && at.y < cy.height() - MARGIN;
          const onNode = boxes.some((b) => at.x > b.x1 - MARGIN && at.x < b.x2 + MARGIN && at.y > b.y1 - MARGIN && at.y < b.y2 + MARGIN);
          const nearOther = alone && lines.some((other) => other.id !== line.id && distance(at, other.from, other.to) < MARGIN);
          if (onArea && !onNode && !nearOther) return { id: line.id, at };
        }
      }
      return undefined;
    },
    { wanted: id === undefined ? undefined : typeof id === "string" ? [id] : [...id], alone },
  );
}

/**
 * Whether the canvas of a large report's lines between accounts is painted in about `colour` (red,
 * green, blue) within a few pixels of a point on the screen: a dashed line's gaps are shorter.
 */
export function linePainted(page: Page, at: Point, colour: readonly [number, number, number]): Promise<boolean> {
  return page.evaluate(
    ({ at, colour }) => {
      type Canvas = { getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
      const g = globalThis as unknown as { devicePixelRatio: number; document: { getElementById(id: string): Canvas | null } };
      const canvas = g.document.getElementById("account-lines");
      if (!canvas) return false;
      const ratio = g.devicePixelRatio || 1;
      const side = Math.round(12 * ratio);
      const { data } = canvas
        .getContext("2d")
        .getImageData(Math.round(at.x * ratio) - side / 2, Math.round(at.y * ratio) - side / 2, side, side);
      for (let i = 0; i < data.length; i += 4) {
        const near = [0, 1, 2].every((c) => Math.abs((data[i + c] as number) - (colour[c] as number)) <= 40);
        // Alpha from a quarter up: a line narrower than a pixel on the screen (zoomed out) is drawn in part.
        if (near && (data[i + 3] as number) >= 64) return true;
      }
      return false;
    },
    { at, colour },
  );
}
