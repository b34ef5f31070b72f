/**
 * A large report (a generated 200-account inventory, bench/generate-inventory.mjs, 20 roles per
 * account) in Debian's Chromium, as a person uses it: it opens and paints with every account
 * collapsed and its findings counted per account; a click opens an account (its details decoded
 * from the page itself, never fetched); "who can reach this?" on the account's ReadOnly role names
 * the security account's auditors, whom the generator gives sts:AssumeRole on every ReadOnly role
 * that trusts the security account. No console error and no request but the file, throughout. And
 * a node in no account takes the colour of its worst finding once its details are decoded, and a pan
 * made before then is kept when decoding them draws the graph anew. An account's panel writes out
 * its 50 most severe findings and counts the rest.
 * The times are measured by `npm run bench:report`, not asserted here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Core } from "cytoscape";
import { afterAll, describe, expect, it } from "vitest";
import { generatedReport } from "./support/generated-report.js";
import { clickDrawn, type Doc, drawnAccount, linePainted, pointOnLine } from "./support/report-clicks.js";
import { citedStatements, type ReportData, type ReportEdge, type ReportNode } from "../src/report/types.js";
// The built modules: the page's script and stylesheet are bundled next to dist/report/html.js by npm run build.
import { writeReport } from "../dist/report/html.js";
import { loadReportData } from "../dist/report/load.js";
import { hasChromium, launchChromium, openReport } from "../scripts/report-browser.mjs";

const ACCOUNTS = 200;
type InPage = {
  xacctReport: {
    cy: Core;
    data: ReportData;
    collapsed(): string[];
    highlighted(): string[];
    accountLines(): { id: string; from: { x: number; y: number }; to: { x: number; y: number } }[];
    settled(): Promise<void>;
  };
};
/** The colours account-lines.ts draws a line between accounts in: across accounts, selected, lit (graph-style.ts's LINES). */
const ORANGE = [232, 89, 12] as const;
const BLACK = [0, 0, 0] as const;
const AMBER = [240, 140, 0] as const;

describe.skipIf(!hasChromium)("a large report (200 accounts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "xacct-report-large-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "opens, paints, expands an account and highlights who can reach its role, with no error and no request",
    { timeout: 300_000 },
    async () => {
      // GIVEN the report of a generated 200-account organization
      const { file, generated, built } = generatedReport(dir, ACCOUNTS, 20);
      expect(generated.status).toBe(0);
      expect(built.status).toBe(0);

      const browser = await launchChromium();
      try {
        // WHEN it is opened
        const { page, url, requests, errors } = await openReport(browser, file);
        // THEN it paints with every account collapsed, and lists findings per account
        const opened = await page.evaluate(() => {
          const api = (globalThis as unknown as InPage).xacctReport;
          const panel = (
            globalThis as unknown as { document: { getElementById(id: string): { hidden: boolean; textContent: string } } }
          ).document.getElementById("panel");
          return {
            panel: { hidden: panel.hidden, text: panel.textContent },
            width: api.cy.width(),
            accounts: api.data.accounts.length,
            collapsed: api.cy.nodes(".account.collapsed").length,
            findingRows: (globalThis as unknown as Doc).document.querySelectorAll("#findings-table tr[data-account]").length,
            auditor: api.data.nodes.find((n) => n.label === "auditor-1"),
            management: api.data.accounts[0]?.id,
          };
        });
        expect(opened.collapsed).toBeGreaterThanOrEqual(ACCOUNTS);
        // (and its side panel is there, nothing selected, so that opening it never resizes the graph)
        expect(opened.panel).toEqual({ hidden: false, text: expect.stringContaining("Nothing selected") });
        expect(opened.findingRows).toBeGreaterThan(0);
        expect(opened.auditor?.account).toBeDefined();
        const security = opened.auditor?.account as string;
        const account = await page.evaluate(
          (skip) =>
            (globalThis as unknown as InPage).xacctReport.data.nodes.find((n) => n.label === "ReadOnly" && !skip.includes(n.account ?? ""))
              ?.account,
          [security, opened.management ?? ""],
        );
        expect(account).toBeDefined();

        // WHEN a person clicks a collapsed account
        await clickDrawn(page, `account:${account}`);
        // THEN it is drawn open with its roles, and the panel shows it
        const expanded = await drawnAccount(page, `account:${account}`);
        expect(expanded.collapsed).toBe(false);
        // (each drawn within the account's box)
        expect(expanded.inside).toBe(true);
        expect(expanded.members).toContain("ReadOnly");
        expect(expanded.members).toContain("OrganizationAccountAccessRole");
        expect(expanded.panel).toBe(`account:${account}`);
        expect(await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.cy.width())).toBe(opened.width);

        // WHEN "who can reach this?" is chosen and the account's ReadOnly role clicked
        await page.check("#mode-who-can-reach");
        const readOnly = await page.evaluate(
          (id) => (globalThis as unknown as InPage).xacctReport.data.nodes.find((n) => n.account === id && n.label === "ReadOnly")?.id,
          account as string,
        );
        await clickDrawn(page, readOnly as string);
        // THEN the security account's auditors are among those listed, and their (collapsed) account is lit
        const reach = await page.evaluate(() => ({
          listed: Array.from((globalThis as unknown as Doc).document.querySelectorAll("#reach-result a[data-target]")).map((a) =>
            a.getAttribute("data-target"),
          ),
          lit: (globalThis as unknown as InPage).xacctReport.highlighted(),
          panel: (globalThis as unknown as Doc).document.getElementById("panel")?.dataset.selected,
        }));
        expect(reach.panel).toBe(readOnly);
        expect(reach.listed).toContain(opened.auditor?.id);
        expect(reach.lit).toContain(`account:${security}`);
        expect(reach.lit).toContain(readOnly);

        // AND the panel of the role shows its trust, decoded from the page: the edges that reach it
        const reachedFrom = await page.locator("#panel h3", { hasText: "Reached from" }).count();
        expect(reachedFrom).toBe(1);

        // WHEN, back in select mode, the role's cross-account edge from the security account's auditor is followed from its panel
        await page.check('input[name="mode"][value="select"]');
        const auditorEdge = await page.evaluate(
          ([from, to]) => (globalThis as unknown as InPage).xacctReport.data.edges.find((e) => e.from === from && e.to === to)?.id,
          [opened.auditor?.id as string, readOnly as string],
        );
        expect(auditorEdge).toBeDefined();
        // (its statements not decoded yet)
        const edge = await page.evaluate(
          (id) => (globalThis as unknown as InPage).xacctReport.data.edges.find((e) => e.id === id),
          auditorEdge as string,
        );
        const cited = citedStatements(edge as ReportEdge);
        expect(cited.length).toBeGreaterThan(0);
        const decodedBefore = await page.evaluate(
          (list) => list.filter((i) => (globalThis as unknown as InPage).xacctReport.data.statements[i] !== undefined),
          cited,
        );
        expect(decodedBefore).toEqual([]);
        // (the link followed and the page's settled() awaited at once: it waits for the statements too, a second step)
        const selected = await page.evaluate(async (id) => {
          const { document } = globalThis as unknown as { document: { querySelector(s: string): { click(): void } | null } };
          document.querySelector(`#panel a[data-target="${id}"]`)?.click();
          await (globalThis as unknown as InPage).xacctReport.settled();
          return (globalThis as unknown as Doc).document.getElementById("panel")?.dataset.selected;
        }, auditorEdge as string);
        // THEN the edge's panel shows the statements it cites, decoded only now: ReadOnly's trust statement naming the caller
        expect(selected).toBe(auditorEdge);
        expect(await page.textContent("#panel")).toContain("Trust statement");
        const trust = JSON.parse((await page.locator("#panel .statement pre").first().textContent()) ?? "{}");
        expect(trust.Effect).toBe("Allow");
        expect(JSON.stringify(trust.Principal)).toContain(security);
        expect(errors).toEqual([]);
        expect(requests.filter((r) => r !== url && !r.startsWith("data:"))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
  /** Adds a low finding on the node to the data (the last of the report's findings, which go most severe first). */
  const addFinding = (data: ReportData, node: ReportNode, title: string) => {
    data.findings.push({
      id: "XA000",
      severity: "low",
      title,
      resource: node.id,
      detail: "added by the test",
      fix: "none",
      nodes: [node.id],
      edges: [],
    });
    node.findings.push(data.findings.length - 1);
  };

  /** The generated organization's report data, loaded in this process, for a test to change and write. */
  let inventory: string | undefined;
  const changeableData = (): ReportData => {
    if (inventory === undefined) {
      const made = generatedReport(join(dir, "outside"), ACCOUNTS, 20);
      expect(made.generated.status).toBe(0);
      inventory = made.inventory;
    }
    return loadReportData({ inventory });
  };

  it("colours a node in no account by its worst finding once that node's details are decoded", { timeout: 300_000 }, async () => {
    // GIVEN the report of the generated organization with a finding on the node standing for anyone
    // (no rule of an inventory's report puts one on a node in no account: it is added to the data)
    const data = changeableData();
    const anyone = data.nodes.find((n) => n.kind === "anyone");
    expect(anyone?.account).toBeUndefined();
    addFinding(data, anyone as ReportNode, "a finding on anyone");
    const file = join(dir, "outside", "with-finding.html");
    writeReport(file, data);
    const browser = await launchChromium();
    try {
      // WHEN it is opened and the page is idle (the details of the nodes in no account decoded after the first paint)
      const { page, errors } = await openReport(browser, file);
      const drawn = await page.evaluate(async (id) => {
        const api = (globalThis as unknown as InPage).xacctReport;
        await api.settled();
        return api.data.nodes
          .filter((n) => n.account === undefined)
          .map((n) => ({
            id: n.id,
            classes: api.cy
              .getElementById(n.id)
              .classes()
              .filter((c) => c.startsWith("finding-")),
            anyone: n.id === id,
          }));
      }, anyone?.id as string);
      // THEN anyone is drawn with the colour of its finding, and the other nodes in no account (no findings) plain
      expect(drawn.find((n) => n.anyone)?.classes).toEqual(["finding-low"]);
      for (const node of drawn.filter((n) => !n.anyone)) expect(node.classes).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
  it(
    "keeps a pan made before the nodes in no account are decoded, when decoding them draws the graph anew",
    { timeout: 300_000 },
    async () => {
      // GIVEN the generated organization's report with an edge between two nodes in no account (a
      // service and anyone; added to the data): decoding their details draws the whole graph anew
      const data = changeableData();
      const [service, anyone] = [data.nodes.find((n) => n.kind === "service"), data.nodes.find((n) => n.kind === "anyone")];
      expect([service?.account, anyone?.account]).toEqual([undefined, undefined]);
      const added = `e${data.edges.length}`;
      data.edges.push({
        id: added,
        kind: "resource-policy",
        from: service?.id as string,
        to: anyone?.id as string,
        actions: ["sts:AssumeRole"],
        crossAccount: false,
        needs: [],
        callerSide: [],
        workloads: [],
        findings: [],
      });
      const file = join(dir, "outside", "with-outside-edge.html");
      writeReport(file, data);
      const browser = await launchChromium();
      try {
        // WHEN the graph is panned as soon as it is first drawn, before those details are decoded
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        await page.addInitScript(() => {
          type Marks = { mark(name: string, options?: unknown): unknown };
          const g = globalThis as unknown as InPage & { performance: Marks; pannedTo?: { x: number; y: number } };
          const mark = g.performance.mark.bind(g.performance);
          g.performance.mark = (name, options) => {
            const entry = mark(name, options);
            if (name === "xacct-graph-painted") {
              g.xacctReport.cy.panBy({ x: 137, y: -59 });
              g.pannedTo = { ...g.xacctReport.cy.pan() };
            }
            return entry;
          };
        });
        await page.goto(pathToFileURL(file).href);
        await page.waitForFunction(
          () =>
            (globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> } } }).document.body.dataset
              .painted === "true",
        );
        const after = await page.evaluate(async (id) => {
          const g = globalThis as unknown as InPage & { pannedTo?: { x: number; y: number } };
          await g.xacctReport.settled();
          // (a large report's edge is one of its lines)
          return { pannedTo: g.pannedTo, pan: g.xacctReport.cy.pan(), redrawn: g.xacctReport.accountLines().some((l) => l.id === id) };
        }, added);
        // THEN the graph was drawn anew (the added edge is drawn), and the view is where the pan left it
        expect(after.redrawn).toBe(true);
        expect(after.pannedTo).toBeDefined();
        expect(after.pan).toEqual(after.pannedTo);
      } finally {
        await browser.close();
      }
    },
  );
  it(
    "draws an open account's lines to the collapsed accounts on a canvas of their own, which a click selects and a reach mode lights",
    { timeout: 300_000 },
    async () => {
      // GIVEN the generated organization's report, and an account whose ReadOnly role the security account's auditors reach
      const data = changeableData();
      const security = data.nodes.find((n) => n.label === "auditor-1")?.account as string;
      const readOnly = data.nodes.find(
        (n) => n.label === "ReadOnly" && n.account !== security && n.account !== data.accounts[0]?.id,
      ) as ReportNode;
      const account = readOnly.account as string;
      const fromSecurity = `merged:account:${security}->account:${account}`;
      const file = join(dir, "outside", "account-lines.html");
      writeReport(file, data);
      const browser = await launchChromium();
      try {
        const { page, url, requests, errors } = await openReport(browser, file);
        const box = await page.locator("#graph").boundingBox();
        // WHEN the account is opened
        await clickDrawn(page, `account:${account}`);
        await drawnAccount(page, `account:${account}`);
        // THEN its links to collapsed accounts are lines of their own, not Cytoscape edges, one from the security account among them
        const drawn = await page.evaluate(() => {
          const api = (globalThis as unknown as InPage).xacctReport;
          return { edges: api.cy.edges(".merged").length, lines: api.accountLines().map((l) => l.id) };
        });
        expect(drawn.edges).toBe(0);
        expect(drawn.lines).toContain(fromSecurity);
        // AND a line between accounts clear of the nodes and of the other lines is painted, orange (its edges cross accounts)
        const picked = await pointOnLine(
          page,
          drawn.lines.filter((l) => l.startsWith("merged:")),
        );
        expect(picked).toBeDefined();
        const { id, at } = picked as NonNullable<typeof picked>;
        expect(await linePainted(page, at, ORANGE)).toBe(true);

        // WHEN a person clicks on that line
        await page.mouse.click((box?.x ?? 0) + at.x, (box?.y ?? 0) + at.y);
        await drawnAccount(page, `account:${account}`);
        // THEN the panel lists the edges it stands for, and the line is drawn selected (black)
        expect(await page.evaluate(() => (globalThis as unknown as Doc).document.getElementById("panel")?.dataset.selected)).toBe(id);
        expect(await page.textContent("#panel h2")).toMatch(/^\d+ edges?$/);
        expect(await linePainted(page, at, BLACK)).toBe(true);
        // AND, the graph panned across the line, the line is drawn where it went, and no more where it was
        const shift = await page.evaluate((id) => {
          const line = (globalThis as unknown as InPage).xacctReport.accountLines().find((l) => l.id === id);
          const [dx, dy] = line ? [line.to.x - line.from.x, line.to.y - line.from.y] : [0, 0];
          const length = Math.hypot(dx, dy) || 1;
          const by = { x: Math.round((-dy / length) * 30), y: Math.round((dx / length) * 30) };
          (globalThis as unknown as InPage).xacctReport.cy.panBy(by);
          return by;
        }, id);
        await drawnAccount(page, `account:${account}`);
        expect(await linePainted(page, { x: at.x + shift.x, y: at.y + shift.y }, BLACK)).toBe(true);
        expect(await linePainted(page, at, BLACK)).toBe(false);

        // WHEN "who can reach this?" is asked of the ReadOnly role, and the view centred on the security account
        await page.check("#mode-who-can-reach");
        await clickDrawn(page, readOnly.id);
        await page.evaluate((id) => {
          const { cy } = (globalThis as unknown as InPage).xacctReport;
          cy.center(cy.getElementById(id));
        }, `account:${security}`);
        await drawnAccount(page, `account:${account}`);
        // THEN the line from the security account is lit (amber), and no line is selected any more
        expect(await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.highlighted())).toContain(fromSecurity);
        const onLit = await pointOnLine(page, fromSecurity, false);
        expect(onLit).toBeDefined();
        expect(await linePainted(page, (onLit as NonNullable<typeof onLit>).at, AMBER)).toBe(true);
        expect(errors).toEqual([]);
        expect(requests.filter((r) => r !== url && !r.startsWith("data:"))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
  it("writes out the 50 most severe of an account's findings in its panel and counts the rest", { timeout: 300_000 }, async () => {
    // GIVEN the generated organization's report with 60 more findings (low, added to the data) on a role of one account
    const data = changeableData();
    const role = data.nodes.find((n) => n.kind === "role" && n.account !== undefined && n.account !== data.accounts[0]?.id);
    const account = role?.account as string;
    for (let i = 0; i < 60; i++) addFinding(data, role as ReportNode, `added finding ${i}`);
    const total = new Set(data.nodes.filter((n) => n.account === account).flatMap((n) => n.findings)).size;
    const file = join(dir, "outside", "many-findings.html");
    writeReport(file, data);
    const browser = await launchChromium();
    try {
      // WHEN the account is opened
      const { page, errors } = await openReport(browser, file);
      await clickDrawn(page, `account:${account}`);
      // THEN its panel counts every finding, writes out 50, the most severe first, and says how many more the table lists
      const panel = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: {
            querySelectorAll(s: string): ArrayLike<{ textContent: string | null }>;
            getElementById(id: string): { textContent: string | null };
          };
        };
        return {
          heading: Array.from(g.document.querySelectorAll("#panel .findings h3")).map((e) => e.textContent),
          written: Array.from(g.document.querySelectorAll("#panel .findings .finding-title")).map((e) => e.textContent ?? ""),
          text: g.document.getElementById("panel").textContent ?? "",
        };
      });
      expect(total).toBeGreaterThan(50);
      expect(panel.heading).toEqual([`Findings (${total})`]);
      expect(panel.written).toHaveLength(50);
      // (the account's own findings, all more severe than or as severe as the added ones, come first)
      const own = total - 60;
      expect(own).toBeLessThan(50);
      expect(panel.written.filter((t) => t.includes("added finding"))).toHaveLength(50 - own);
      expect(panel.text).toContain(`and ${total - 50} more, less severe: the findings table lists them all`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
