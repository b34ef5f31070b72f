/**
 * A large report (a generated 200-account inventory, bench/generate-inventory.mjs, 20 roles per
 * account) in Debian's Chromium, as a person uses it: it opens and paints with every account
 * collapsed and its findings counted per account; a click opens an account (its details decoded
 * from the page itself, never fetched); "who can reach this?" on the account's ReadOnly role names
 * the security account's auditors, whom the generator gives sts:AssumeRole on every ReadOnly role
 * that trusts the security account. No console error and no request but the file, throughout.
 * The times are measured by `npm run bench:report`, not asserted here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Core } from "cytoscape";
import { afterAll, describe, expect, it } from "vitest";
import { generatedReport } from "./support/generated-report.js";
import { clickDrawn } from "./support/report-clicks.js";
import type { ReportData } from "../src/report/types.js";
import { hasChromium, launchChromium, openReport } from "../scripts/report-browser.mjs";

const ACCOUNTS = 200;
type InPage = {
  xacctReport: { cy: Core; data: ReportData; collapsed(): string[]; highlighted(): string[]; settled(): Promise<void> };
};

/** The page's document, as far as the test reads it (the tests' TypeScript has no DOM types). */
type Doc = {
  document: {
    querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
    getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
  };
};

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
          return {
            accounts: api.data.accounts.length,
            collapsed: api.cy.nodes(".account.collapsed").length,
            findingRows: (globalThis as unknown as Doc).document.querySelectorAll("#findings-table tr[data-account]").length,
            auditor: api.data.nodes.find((n) => n.label === "auditor-1"),
            management: api.data.accounts[0]?.id,
          };
        });
        expect(opened.collapsed).toBeGreaterThanOrEqual(ACCOUNTS);
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
        const expanded = await page.evaluate((id) => {
          const api = (globalThis as unknown as InPage).xacctReport;
          const group = api.cy.getElementById(`account:${id}`);
          const box = group.boundingBox({ includeLabels: false });
          const members = api.cy
            .nodes()
            .filter((n) => n.data("account") === id && n.id() !== group.id())
            .nodes();
          return {
            collapsed: group.hasClass("collapsed"),
            members: members.map((n) => String(n.data("label"))),
            inside: members.map((n) => n.position()).every((p) => p.x > box.x1 && p.x < box.x2 && p.y > box.y1 && p.y < box.y2),
            panel: (globalThis as unknown as Doc).document.getElementById("panel")?.dataset.selected,
          };
        }, account as string);
        expect(expanded.collapsed).toBe(false);
        // (each drawn within the account's box)
        expect(expanded.inside).toBe(true);
        expect(expanded.members).toContain("ReadOnly");
        expect(expanded.members).toContain("OrganizationAccountAccessRole");
        expect(expanded.panel).toBe(`account:${account}`);

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
        await page.click(`#panel a[data-target="${auditorEdge}"]`);
        await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.settled());
        // THEN the edge's panel shows the statements it cites, decoded only now: ReadOnly's trust statement naming the caller
        expect(await page.getAttribute("#panel", "data-selected")).toBe(auditorEdge);
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
});
