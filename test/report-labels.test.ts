/**
 * The report readable at first sight, in Debian's Chromium: the names of roles, workloads and
 * resources and the accounts' titles are drawn as text a person can read at the default zoom
 * (read back from the page's label layer: their text, their size on screen, that none covers
 * another), and a name left out for want of room appears when the pointer is on its node.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Core } from "cytoscape";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium, openReport } from "../scripts/report-browser.mjs";
import { CLI } from "./support/xacct-cli.js";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "xacct-report-labels-"));
/** The smallest text we call legible on a screen (CSS pixels). */
const LEGIBLE_PX = 12;

type InPage = { xacctReport: { cy: Core } };
interface Label {
  id: string;
  text: string;
  title: boolean;
  fontPx: number;
  box: { x: number; y: number; width: number; height: number };
}

/** What the label layer's script sees of the page (the test's TypeScript has no DOM library). */
type LabelElement = {
  dataset: { id?: string };
  textContent: string | null;
  classList: { contains(name: string): boolean };
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
};
type PageGlobals = {
  requestAnimationFrame(callback: () => void): void;
  getComputedStyle(element: LabelElement): { fontSize: string };
  document: { querySelectorAll(selector: string): Iterable<LabelElement> };
};

/** Every label the page shows over the graph, with its size and place on screen (after the next frames). */
async function labels(page: Page): Promise<Label[]> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    await new Promise<void>((done) => g.requestAnimationFrame(() => g.requestAnimationFrame(done)));
    return [...g.document.querySelectorAll("#labels .label")].map((e) => {
      const r = e.getBoundingClientRect();
      return {
        id: e.dataset.id ?? "",
        text: e.textContent ?? "",
        title: e.classList.contains("title"),
        fontPx: Number.parseFloat(g.getComputedStyle(e).fontSize),
        box: { x: r.x, y: r.y, width: r.width, height: r.height },
      };
    });
  });
}

const cover = (a: Label["box"], b: Label["box"]) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function noneCovers(shown: Label[]): void {
  for (let i = 0; i < shown.length; i++)
    for (let j = i + 1; j < shown.length; j++)
      expect(cover(shown[i]!.box, shown[j]!.box), `${shown[i]!.text} / ${shown[j]!.text}`).toBe(false);
}

async function open(browser: Browser, model: string): Promise<Page> {
  const file = join(dir, `${model}.html`);
  const built = spawnSync(process.execPath, [CLI, "report", "--model", join(root, "examples", model, "xacct.yaml"), "-o", file], {
    encoding: "utf8",
  });
  expect(built.status, built.stderr).toBe(0);
  const { page, errors } = await openReport(browser, file, { width: 1500, height: 1000 });
  expect(errors).toEqual([]);
  return page;
}

describe.skipIf(!hasChromium)("names and titles on the report", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names every node of a small report and titles both accounts, legibly and without overlap", async () => {
    // GIVEN seed 004's report (two accounts, a handful of nodes) at the default zoom
    const page = await open(browser, "004-emr-eks-chain");
    // WHEN the label layer is read back
    const shown = await labels(page);
    const drawn = await page.evaluate(() =>
      (globalThis as unknown as InPage).xacctReport.cy
        .nodes()
        .filter((n) => !n.isParent())
        .map((n) => String(n.data("label"))),
    );
    // THEN every node's name is there, and both account titles
    const names = shown.filter((l) => !l.title).map((l) => l.text);
    expect(names.sort()).toEqual([...drawn].sort());
    expect(names).toEqual(expect.arrayContaining(["job-execution-role-1", "client-role-2"]));
    const titles = shown.filter((l) => l.title).map((l) => l.text);
    expect(titles).toEqual(expect.arrayContaining(["account-a · 111111111111", "account-b · 222222222222"]));
    // … each at a legible size, on the graph's area, none covering another
    const area = await page.locator("#graph").boundingBox();
    for (const label of shown) {
      expect(label.fontPx).toBeGreaterThanOrEqual(LEGIBLE_PX);
      expect(label.box.x).toBeGreaterThanOrEqual(area!.x - 1);
      expect(label.box.x + label.box.width).toBeLessThanOrEqual(area!.x + area!.width + 1);
    }
    noneCovers(shown);
  });

  it("puts no node's name over another node of the combined example", async () => {
    // GIVEN the combined example's report at the default zoom, its nodes packed in 15 accounts
    const page = await open(browser, "combined");
    // WHEN the names are read back, and where each node is drawn on the page
    const names = (await labels(page)).filter((l) => !l.title);
    const area = await page.locator("#graph").boundingBox();
    const nodes = await page.evaluate(() =>
      (globalThis as unknown as InPage).xacctReport.cy
        .nodes()
        .filter((n) => !n.isParent())
        .map((n) => {
          const b = n.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
          return { id: n.id(), label: String(n.data("label")), box: { x: b.x1, y: b.y1, width: b.w, height: b.h } };
        }),
    );
    // THEN no name covers a node other than its own (a name over a shape hides it and is itself hard to read)
    expect(names.length).toBeGreaterThan(0);
    for (const name of names)
      for (const node of nodes) {
        if (node.id === name.id) continue;
        const box = { ...node.box, x: node.box.x + area!.x, y: node.box.y + area!.y };
        expect(cover(name.box, box), `the name ${name.text} covers the node ${node.label}`).toBe(false);
      }
  });

  it("names most nodes of the combined example at first sight, and the rest under the pointer", async () => {
    // GIVEN the combined example's report (75 nodes in 15 accounts) at the default zoom
    const page = await open(browser, "combined");
    const shown = await labels(page);
    const names = shown.filter((l) => !l.title);
    const total = await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.cy.nodes().filter((n) => !n.isParent()).length);
    // THEN more than half the nodes are named, every label legible, none covering another
    expect(names.length / total).toBeGreaterThan(0.5);
    for (const label of shown) expect(label.fontPx).toBeGreaterThanOrEqual(LEGIBLE_PX);
    noneCovers(shown);
    // WHEN the pointer rests on a node whose name was left out
    const named = new Set(names.map((l) => l.id));
    const hidden = await page.evaluate(
      (ids) => {
        const node = (globalThis as unknown as InPage).xacctReport.cy
          .nodes()
          .filter((n) => !n.isParent() && !ids.includes(n.id()))
          .nodes()
          .first();
        return { id: node.id(), label: String(node.data("label")), at: node.renderedPosition() };
      },
      [...named],
    );
    const area = await page.locator("#graph").boundingBox();
    await page.mouse.move(area!.x + hidden.at.x, area!.y + hidden.at.y);
    // THEN its name is shown
    const after = await labels(page);
    expect(after.find((l) => l.id === hidden.id)?.text).toBe(hidden.label);
  });
});
