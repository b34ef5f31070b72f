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
