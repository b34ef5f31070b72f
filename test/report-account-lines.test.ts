/**
 * A large report's lines between accounts (src/report/client/account-lines.ts: drawn on a canvas of
 * their own, not as Cytoscape edges) in Debian's Chromium, as a person uses them: the lines both
 * ways between two accounts are drawn apart, each picked by a click; a conditional line is dashed
 * however far the graph is zoomed out; a selected line's panel follows the filters, which may narrow
 * the edges it stands for; and while the window is resized, the lines' canvas is shown at the size
 * it was drawn for, as Cytoscape's (which keep their size until its own resize runs), so the lines
 * stay on the nodes they join.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Core } from "cytoscape";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { drawnAccount, pointOnLine } from "./support/report-clicks.js";
import type { ReportData, ReportEdge, ReportNode } from "../src/report/types.js";
// The built module: the page's script and stylesheet are bundled next to dist/report/html.js by npm run build.
import { writeReport } from "../dist/report/html.js";
import { hasChromium, launchChromium, openReport } from "../scripts/report-browser.mjs";

type InPage = { xacctReport: { cy: Core; settled(): Promise<void> } };
type Rect = { width: number; height: number };
type Doc = { document: { getElementById(id: string): { dataset: Record<string, string | undefined> } | null } };

/**
 * Six accounts of 50 roles (300 nodes: a large report, every account collapsed); ten roles of C may
 * assume A's r0, five of them in workload "w" (each given an external ID, a conditional edge, when
 * `conditional`); and, `back`, A's r1 may assume C's r0.
 */
function sixAccounts({ back = false, conditional = false } = {}): { data: ReportData; a: string; c: string } {
  const accounts = Array.from({ length: 6 }, (_, i) => ({ id: `11112222000${i}`, name: `account-${i}`, managed: true }));
  const [a, c] = [accounts[0]?.id as string, accounts[1]?.id as string];
  const role = (account: string, r: number) => `arn:aws:iam::${account}:role/r${r}`;
  const inW = (account: string, r: number) => (account === a && r === 0) || (account === c && r < 5);
  const nodes: ReportNode[] = accounts.flatMap((account) =>
    Array.from({ length: 50 }, (_, r) => ({
      id: role(account.id, r),
      kind: "role" as const,
      label: `r${r}`,
      arn: role(account.id, r),
      account: account.id,
      workloads: inW(account.id, r) ? ["w"] : [],
      findings: [],
    })),
  );
  const assume = (id: string, from: string, to: string, workloads: string[], needs: string[] = []): ReportEdge => ({
    id,
    kind: "assume-role",
    from,
    to,
    actions: ["sts:AssumeRole"],
    crossAccount: true,
    needs,
    callerSide: [],
    workloads,
    findings: [],
  });
  const needs = conditional ? ["sts:ExternalId"] : [];
  const edges = Array.from({ length: 10 }, (_, r) => assume(`e${r}`, role(c, r), role(a, 0), r < 5 ? ["w"] : [], needs));
  if (back) edges.push(assume("e10", role(a, 1), role(c, 0), []));
  return { data: { source: "test", title: "six accounts", accounts, nodes, edges, statements: [], findings: [] }, a, c };
}

const panelTitle = (page: Page) => page.textContent("#panel h2");
const selected = (page: Page) => page.evaluate(() => (globalThis as unknown as Doc).document.getElementById("panel")?.dataset.selected);

describe.skipIf(!hasChromium)("a large report's lines between accounts", () => {
  const dir = mkdtempSync(join(tmpdir(), "xacct-account-lines-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The report of `sixAccounts` opened with account A open (C collapsed), and a click on a line where it is clear of every other. */
  async function withAOpen(
    options: { back?: boolean; conditional?: boolean },
    then: (page: Page, lines: { fromC: string; toC: string }, click: (line: string) => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const { data, a, c } = sixAccounts(options);
    const file = join(dir, `six-accounts${options.back ? "-both-ways" : ""}${options.conditional ? "-conditional" : ""}.html`);
    writeReport(file, data);
    const browser = await launchChromium();
    try {
      const { page, errors } = await openReport(browser, file);
      const box = await page.locator("#graph").boundingBox();
      await page.evaluate(async (id) => {
        const api = (globalThis as unknown as InPage).xacctReport;
        api.cy.getElementById(id).emit("tap");
        await api.settled();
      }, `account:${a}`);
      await drawnAccount(page, `account:${a}`);
      const click = async (line: string) => {
        const on = await pointOnLine(page, line);
        expect(on, `a point of ${line} clear of every other line`).toBeDefined();
        const at = (on as NonNullable<typeof on>).at;
        await page.mouse.click((box?.x ?? 0) + at.x, (box?.y ?? 0) + at.y);
        await drawnAccount(page, `account:${a}`);
      };
      await then(page, { fromC: `merged:account:${c}->account:${a}`, toC: `merged:account:${a}->account:${c}` }, click);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }

  /** The report opened with account A open, and the line from C to A clicked. */
  const withLineSelected = (then: (page: Page, line: string) => Promise<void>) =>
    withAOpen({}, async (page, { fromC }, click) => {
      await click(fromC);
      expect(await selected(page)).toBe(fromC);
      await then(page, fromC);
    });

  it("draws the lines both ways between two accounts apart, each seen and each picked by a click", { timeout: 120_000 }, async () => {
    await withAOpen({ back: true }, async (page, { fromC, toC }, click) => {
      // GIVEN account A open, C collapsed, and edges both ways between them: two lines
      const drawn = await page.evaluate(() =>
        (globalThis as unknown as { xacctReport: { accountLines(): { id: string }[] } }).xacctReport.accountLines().map((l) => l.id),
      );
      expect(drawn).toEqual(expect.arrayContaining([fromC, toC]));
      // WHEN a person clicks on each where it is clear of the other
      await click(toC);
      // THEN each is selected in turn, its panel listing its own edges
      expect(await selected(page)).toBe(toC);
      expect(await panelTitle(page)).toBe("1 edge");
      await click(fromC);
      expect(await selected(page)).toBe(fromC);
      expect(await panelTitle(page)).toBe("10 edges");
    });
  });

  it("draws a conditional line dashed however far the graph is zoomed out", { timeout: 120_000 }, async () => {
    await withAOpen({ conditional: true }, async (page, { fromC }) => {
      // GIVEN account A open, and the line from C standing for conditional edges alone (each needs an external ID)
      // WHEN the graph is zoomed out to a quarter (where dashes of the graph's own size would be 2 pixels long, 1 apart)
      await page.evaluate(() => {
        const { cy } = (globalThis as unknown as InPage).xacctReport;
        cy.zoom(0.25);
        cy.center();
      });
      await drawnAccount(page, fromC.slice(fromC.indexOf("->") + 2));
      // THEN along the line's middle it is painted in dashes as long as at zoom 1 (6 pixels, 3 apart): some pixels painted, some clear
      const along = await page.evaluate((id) => {
        type Canvas = { getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
        type Api = { accountLines(): { id: string; from: { x: number; y: number }; to: { x: number; y: number } }[] };
        const g = globalThis as unknown as {
          devicePixelRatio: number;
          document: { getElementById(id: string): Canvas | null };
          xacctReport: Api;
        };
        const line = g.xacctReport.accountLines().find((l) => l.id === id);
        const canvas = g.document.getElementById("account-lines");
        if (!line || !canvas) return { length: 0, alphas: [] };
        const ratio = g.devicePixelRatio || 1;
        const [dx, dy] = [line.to.x - line.from.x, line.to.y - line.from.y];
        const length = Math.hypot(dx, dy);
        const context = canvas.getContext("2d");
        // Every pixel along the middle 30 pixels: its most opaque across the line (a pixel each side).
        const alpha = (x: number, y: number) => context.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data[3] as number;
        const alphas = Array.from({ length: 31 }, (_, k) => {
          const t = 0.5 + (k - 15) / (length || 1);
          const [x, y] = [line.from.x + t * dx, line.from.y + t * dy];
          return Math.max(...[-1, 0, 1].map((side) => alpha(x - (side * dy) / length, y + (side * dx) / length)));
        });
        return { length, alphas };
      }, fromC);
      // (the line longer than what is read of it)
      expect(along.length).toBeGreaterThan(40);
      expect(along.alphas.filter((alpha) => alpha > 0).length).toBeGreaterThan(10);
      expect(along.alphas.filter((alpha) => alpha === 0).length).toBeGreaterThan(3);
    });
  });

  it("shows a selected line's edges anew when a filter narrows them", { timeout: 120_000 }, async () => {
    await withLineSelected(async (page, line) => {
      // GIVEN the line from C to A selected: its panel lists the ten edges it stands for
      expect(await panelTitle(page)).toBe("10 edges");
      // WHEN the workload filter keeps only workload "w" (five of those edges)
      await page.selectOption("#filter-workload", "w");
      await drawnAccount(page, line.slice(line.indexOf("->") + 2));
      // THEN the line is still shown, and its panel lists the five edges the filter keeps
      expect(await selected(page)).toBe(line);
      expect(await panelTitle(page)).toBe("5 edges");
    });
  });

  it("keeps the lines' canvas as large on the screen as its drawing while the window is resized", { timeout: 120_000 }, async () => {
    await withLineSelected(async (page) => {
      // The lines' canvas and Cytoscape's node canvas: how large each is on the screen, and the lines' drawing (its pixels over the device's ratio).
      const sizes = () =>
        page.evaluate(() => {
          type Canvas = { width: number; height: number; getBoundingClientRect(): Rect };
          const g = globalThis as unknown as { devicePixelRatio: number; document: { querySelector(selector: string): Canvas | null } };
          const shown = (canvas: Canvas | null) => {
            const r = canvas?.getBoundingClientRect();
            return r ? { width: Math.round(r.width), height: Math.round(r.height) } : undefined;
          };
          const lines = g.document.querySelector("#account-lines");
          const ratio = g.devicePixelRatio || 1;
          return {
            lines: shown(lines),
            drawing: lines ? { width: Math.round(lines.width / ratio), height: Math.round(lines.height / ratio) } : undefined,
            cytoscape: shown(g.document.querySelector('#graph canvas[data-id="layer2-node"]')),
          };
        });
      // GIVEN the lines drawn over the graph, as large on the screen as Cytoscape's canvas
      const before = await sizes();
      expect(before.cytoscape).toBeDefined();
      expect(before.lines).toEqual(before.cytoscape);
      expect(before.lines).toEqual(before.drawing);
      // WHEN the window is made narrower, and two frames are drawn (Cytoscape resizes its canvases,
      // which keep their size until then, once the window has stopped changing for a while)
      await page.setViewportSize({ width: 1000, height: 800 });
      await page.evaluate(() => {
        const { requestAnimationFrame: frame } = globalThis as unknown as { requestAnimationFrame(then: () => void): void };
        return new Promise<void>((done) => frame(() => frame(done)));
      });
      // THEN the lines' canvas is shown at the size it was drawn for: not stretched to the new size
      // while the nodes under them are not
      const during = await sizes();
      expect(during.lines).toEqual(during.drawing);
      // AND, once Cytoscape has resized, the lines are drawn anew at its new size
      await expect
        .poll(
          async () => {
            const now = await sizes();
            return (now.cytoscape?.width ?? Infinity) < (before.cytoscape?.width ?? 0) && now.lines?.width === now.cytoscape?.width;
          },
          { timeout: 10_000 },
        )
        .toBe(true);
      const after = await sizes();
      expect(after.lines).toEqual(after.cytoscape);
      expect(after.lines).toEqual(after.drawing);
    });
  });
});
