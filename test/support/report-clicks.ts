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
