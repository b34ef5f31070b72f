/**
 * The report of a generated 1,000-account inventory (bench/generate-inventory.mjs, 20 roles per
 * account) in Debian's Chromium: it opens with no error and no request but the file, draws the
 * accounts collapsed to single nodes, paints, and opens an account on a click. The time to the
 * first paint is recorded in test-output/report/scale.json for a person to read; the budget is
 * measured by `npm run bench:report`, not asserted here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Core } from "cytoscape";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { generatedReport } from "./support/generated-report.js";
import { clickDrawn, type Doc, drawnAccount, largestCollapsed, pointOnLine } from "./support/report-clicks.js";
import { hasChromium, launchChromium, openReport } from "../scripts/report-browser.mjs";

const root = join(import.meta.dirname, "..");
const out = join(root, "test-output", "report");
const ACCOUNTS = 1000;
type InPage = { xacctReport: { cy: Core; firstPaint?: number; collapsed(): string[]; settled(): Promise<void> } };
type LinesInPage = {
  xacctReport: {
    cy: Core;
    data: { nodes: { id: string; account?: string }[]; edges: { id: string; from: string; to: string }[] };
    accountLines(): { id: string }[];
  };
};
/** Clicks a collapsed account where it is drawn, waits until it is drawn open, and says how it is drawn. */
async function openAccount(page: Page, id: string) {
  await clickDrawn(page, id);
  const drawn = await drawnAccount(page, id);
  return { ...drawn, members: drawn.members.length };
}

describe.skipIf(!hasChromium)("the report of a 1,000-account inventory", () => {
  const dir = mkdtempSync(join(tmpdir(), "xacct-report-scale-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens, shows the accounts collapsed, paints, and expands an account on a click", { timeout: 300_000 }, async () => {
    const { file, generated, built } = generatedReport(dir, ACCOUNTS, 20);
    expect(generated.status).toBe(0);
    expect(built.stderr).toBe("");
    expect(built.status).toBe(0);

    const browser = await launchChromium();
    try {
      const { page, url, requests, errors } = await openReport(browser, file);
      expect(errors).toEqual([]);
      expect(requests.filter((r) => r !== url && !r.startsWith("data:"))).toEqual([]);
      const view = await page.evaluate(() => {
        const api = (globalThis as unknown as InPage).xacctReport;
        return {
          firstPaint: api.firstPaint,
          collapsed: api.collapsed().length,
          drawnNodes: api.cy.nodes().length,
          collapsedNodes: api.cy.nodes(".account.collapsed").map((n) => n.id()),
          groups: api.cy.nodes(".account.group").length,
        };
      });
      const largest = await largestCollapsed(page);
      // Every account, one of a single node too, is drawn as one node: no account is open.
      expect(view.groups).toBe(0);
      expect(view.collapsed).toBeGreaterThanOrEqual(ACCOUNTS);
      expect(view.collapsedNodes.length).toBeGreaterThanOrEqual(ACCOUNTS);
      expect(view.drawnNodes).toBeLessThan(ACCOUNTS + 50);
      expect(view.firstPaint).toBeGreaterThan(0);
      mkdirSync(out, { recursive: true });
      writeFileSync(
        join(out, "scale.json"),
        `${JSON.stringify({ accounts: ACCOUNTS, firstPaintMs: Math.round(view.firstPaint ?? 0), drawnNodes: view.drawnNodes }, null, 2)}\n`,
      );
      await page.screenshot({ path: join(out, "scale-1000-accounts.png") });

      expect(largest?.count).toBeGreaterThan(1);
      const opened = await openAccount(page, largest?.id as string);
      expect(opened.collapsed).toBe(false);
      expect(opened.members).toBe(largest?.count);
      expect(opened.inside).toBe(true);
      expect(opened.titled).toBe(true);
      // AND the page zooms to it: the open account is in view, filling the width or the height
      expect(opened.inView).toBe(true);
      expect(opened.fills).toBe(true);
      await page.screenshot({ path: join(out, "scale-1000-accounts-expanded.png") });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  /**
   * The report of a generated organization of `accounts` accounts of `roles` roles (in a directory
   * named after `name`), opened in Chromium: `then` gets the page and the errors it logs, and the
   * browser is closed after.
   */
  async function withReport(name: string, accounts: number, roles: number, then: (page: Page, errors: string[]) => Promise<void>) {
    const { file, built } = generatedReport(mkdtempSync(join(dir, `${name}-`)), accounts, roles);
    expect(built.status).toBe(0);
    const browser = await launchChromium();
    try {
      const { page, errors } = await openReport(browser, file);
      await then(page, errors);
    } finally {
      await browser.close();
    }
  }

  it("jumps from a findings table row to the edge it names, drawn as one of the lines and lit", { timeout: 300_000 }, async () => {
    // GIVEN the report of 10 accounts of 30 roles each: large (its edges are lines, not Cytoscape's), its findings one per row (it is small enough to decode at once)
    await withReport("finding", 10, 30, async (page, errors) => {
      type Api = LinesInPage["xacctReport"] & {
        data: { findings: { edges: string[] }[] };
        highlighted(): string[];
        settled(): Promise<void>;
      };
      type Rows = { document: { querySelectorAll(s: string): ArrayLike<{ dataset: Record<string, string | undefined> }> } };
      // (the first row whose finding names an edge)
      const index = await page.evaluate(() => {
        const { data } = (globalThis as unknown as { xacctReport: Api }).xacctReport;
        const rows = Array.from((globalThis as unknown as Rows).document.querySelectorAll("#findings-table tbody tr[data-finding]"));
        return rows.map((r) => Number(r.dataset.finding)).find((i) => (data.findings[i]?.edges.length ?? 0) > 0);
      });
      expect(index).toBeDefined();
      // WHEN that row is clicked
      await page.locator(`#findings-table tbody tr[data-finding="${index}"]`).click();
      // THEN its first edge is selected and shown in the panel, drawn as a line (its accounts opened), and lit
      const shown = await page.evaluate(async (i) => {
        const api = (globalThis as unknown as { xacctReport: Api }).xacctReport;
        await api.settled();
        const edge = api.data.findings[i]?.edges[0] as string;
        return {
          selected: (globalThis as unknown as Doc).document.getElementById("panel")?.dataset.selected === edge,
          line: api.accountLines().some((l) => l.id === edge),
          lit: api.highlighted().includes(edge),
          cytoscapeEdge: api.cy.getElementById(edge).nonempty(),
        };
      }, index as number);
      expect(shown).toEqual({ selected: true, line: true, lit: true, cytoscapeEdge: false });
      expect(await page.textContent("#panel h2")).toContain(" → ");
      expect(errors).toEqual([]);
    });
  });

  it(
    "keeps an open account where it was laid out when another opens, and lays out every open account with its lines when drawn anew",
    { timeout: 300_000 },
    async () => {
      // GIVEN the report of 10 accounts of 30 roles each (large: each account opened is laid out by
      // dagre with the lines between its roles), and the two accounts with the most of those lines
      await withReport("two-open", 10, 30, async (page, errors) => {
        type Api = LinesInPage["xacctReport"] & { settled(): Promise<void> };
        const [a, b] = await page.evaluate(() => {
          const { data } = (globalThis as unknown as { xacctReport: Api }).xacctReport;
          const accountOf = new Map(data.nodes.map((n) => [n.id, n.account]));
          const inner = new Map<string, number>();
          for (const e of data.edges) {
            const account = accountOf.get(e.from);
            if (account !== undefined && e.from !== e.to && account === accountOf.get(e.to))
              inner.set(account, (inner.get(account) ?? 0) + 1);
          }
          return [...inner].sort((x, y) => y[1] - x[1]).map(([account]) => account);
        });
        expect(b).toBeDefined();
        /** Each member of the account where it is drawn, and on how many rows. */
        const members = (account: string) =>
          page.evaluate((account) => {
            const { cy } = (globalThis as unknown as { xacctReport: Api }).xacctReport;
            const list = cy
              .nodes()
              .filter((n) => n.data("account") === account && !n.hasClass("account"))
              .nodes()
              .map((n) => [n.id(), n.position("x"), n.position("y")] as const);
            return { at: Object.fromEntries(list.map(([id, x, y]) => [id, [x, y]])), rows: new Set(list.map(([, , y]) => y)).size };
          }, account);
        // WHEN one account is opened, then the other
        await clickDrawn(page, `account:${a}`);
        const first = await members(a as string);
        await clickDrawn(page, `account:${b}`);
        // THEN the first stays where it was laid out, on more than one row (its lines ranked it)
        expect(await members(a as string)).toEqual(first);
        expect(first.rows).toBeGreaterThan(1);
        // WHEN a filter is chosen and cleared: the whole graph is drawn anew with both open
        await page.selectOption("#filter-account", a as string);
        await page.evaluate(() => (globalThis as unknown as { xacctReport: Api }).xacctReport.settled());
        await page.selectOption("#filter-account", "");
        await page.evaluate(() => (globalThis as unknown as { xacctReport: Api }).xacctReport.settled());
        // THEN each is laid out with its own lines (on rows, not all on one), each within its frame
        for (const account of [a, b] as string[]) {
          expect((await members(account)).rows).toBeGreaterThan(1);
          expect((await drawnAccount(page, `account:${account}`)).inside).toBe(true);
        }
        expect(errors).toEqual([]);
      });
    },
  );

  it("opens an account of more than 60 roles as a grid, zoomed to it beside the panel", { timeout: 300_000 }, async () => {
    // GIVEN the report of 20 accounts of 80 roles each (a large report: its accounts start collapsed)
    await withReport("grid", 20, 80, async (page, errors) => {
      const largest = await largestCollapsed(page);
      expect(largest?.count).toBeGreaterThan(60);
      // WHEN it is clicked
      const opened = await openAccount(page, largest?.id as string);
      // THEN it is drawn open with every role, in view beside the panel and filling it
      expect(opened).toEqual({
        collapsed: false,
        members: largest?.count,
        inside: true,
        titled: true,
        inView: true,
        fills: true,
        panel: largest?.id,
      });

      // WHEN a line between two of its roles (an edge of its own: no Cytoscape edge) is clicked where it crosses no node
      const inner = await page.evaluate((account) => {
        const { cy, data, accountLines } = (globalThis as unknown as LinesInPage).xacctReport;
        const accountOf = new Map(data.nodes.map((n) => [n.id, n.account]));
        const own = new Set(
          data.edges.filter((e) => accountOf.get(e.from) === account && accountOf.get(e.to) === account).map((e) => e.id),
        );
        return { edges: cy.edges().length, ids: accountLines().flatMap((l) => (own.has(l.id) ? [l.id] : [])) };
      }, largest?.id.slice("account:".length));
      expect(inner.edges).toBe(0);
      expect(inner.ids.length).toBeGreaterThan(0);
      const clear = await pointOnLine(page, inner.ids);
      const graphBox = await page.locator("#graph").boundingBox();
      expect(clear).toBeDefined();
      await page.mouse.click((graphBox?.x ?? 0) + (clear?.at.x ?? 0), (graphBox?.y ?? 0) + (clear?.at.y ?? 0));
      await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.settled());
      // THEN that edge is chosen (lines are drawn over the account's frame), not the account, and its panel shows it
      expect(await page.getAttribute("#panel", "data-selected")).toBe(clear?.id);
      expect(await page.textContent("#panel h2")).toContain(" → ");

      // WHEN one of its roles (the last, on the grid's lowest row) is dragged below the account's box
      const graph = await page.locator("#graph").boundingBox();
      const role = await page.evaluate((account) => {
        const { cy } = (globalThis as unknown as InPage).xacctReport;
        const lowest = cy
          .nodes()
          .map((n) => n)
          .filter((n) => n.data("account") === account && !n.hasClass("account"))
          .sort((a, b) => b.position("y") - a.position("y"))[0];
        const frame = cy.getElementById(`account:${account}`).renderedBoundingBox({ includeLabels: false });
        return { at: lowest?.renderedPosition() ?? { x: 0, y: 0 }, below: frame.y2 + 60 };
      }, largest?.id.slice("account:".length));
      const [x, y] = [(graph?.x ?? 0) + role.at.x, (graph?.y ?? 0) + role.at.y];
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x, (graph?.y ?? 0) + role.below, { steps: 8 });
      await page.mouse.up();
      // THEN the account's box follows: every role is still drawn within it
      expect((await drawnAccount(page, largest?.id as string)).inside).toBe(true);
      expect(errors).toEqual([]);
    });
  });
});
