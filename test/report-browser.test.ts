/**
 * The report in a real browser: Debian's Chromium through playwright-core opens the report of each
 * example model. The page makes no request but for the file itself and logs no error; the
 * accounts and workloads the model declares are drawn; a search selects the node it names;
 * clicking seed 004's cross-account edge shows the trust statement admitting the caller; the
 * "who can reach this?" mode highlights seed 004's chain; the findings table jumps to its finding.
 * Screenshots of every example's report are written to test-output/report/.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "cytoscape";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hasChromium, launchChromium, openReport } from "../scripts/report-browser.mjs";
import type { ReportData } from "../src/report/types.js";
import { EXAMPLES } from "./support/state.js";
import { CLI } from "./support/xacct-cli.js";

/** What the report page exposes to scripts (src/report/client/main.ts). */
type InPage = { xacctReport: { cy: Core; data: ReportData; highlighted(): string[]; settled(): Promise<void> } };

const root = join(import.meta.dirname, "..");
const out = join(root, "test-output", "report");
const WORKLOAD = "workload:spark-job";
const JOB_ROLE = "arn:aws:iam::111111111111:role/job-execution-role-1";
const CLIENT_ROLE = "arn:aws:iam::222222222222:role/client-role-2";

/** The account IDs and workload names an example model declares. */
function declared(name: string): { accounts: string[]; workloads: string[] } {
  const model = parse(readFileSync(join(root, "examples", name, "xacct.yaml"), "utf8")) as {
    accounts: Record<string, { id: string | Record<string, string> }>;
    workloads: Record<string, { identity: { type: string } }>;
  };
  const accounts = Object.values(model.accounts).flatMap((a) => (typeof a.id === "string" ? [a.id] : Object.values(a.id)));
  // A workload whose identity the model leaves to another account's administrators (type external) starts from no identity of its own.
  return {
    accounts,
    workloads: Object.entries(model.workloads)
      .filter(([, w]) => w.identity.type !== "external")
      .map(([name]) => name),
  };
}

function report(name: string): string {
  const file = join(out, `${name}.html`);
  const r = spawnSync(process.execPath, [CLI, "report", "--model", join(root, "examples", name, "xacct.yaml"), "-o", file], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return file;
}

/** Where on the page an element of the graph is drawn (its centre, or an edge's midpoint). */
async function pointOf(page: Page, id: string): Promise<{ x: number; y: number }> {
  const box = await page.locator("#graph").boundingBox();
  const at = await page.evaluate((target) => {
    const element = (globalThis as unknown as InPage).xacctReport.cy.getElementById(target);
    if (element.empty()) throw new Error(`${target} is not drawn`);
    const drawn = element as unknown as {
      isEdge(): boolean;
      renderedMidpoint(): { x: number; y: number };
      renderedPosition(): { x: number; y: number };
    };
    return drawn.isEdge() ? drawn.renderedMidpoint() : drawn.renderedPosition();
  }, id);
  return { x: (box?.x ?? 0) + at.x, y: (box?.y ?? 0) + at.y };
}

describe.skipIf(!hasChromium)("the report in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(out, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const name of EXAMPLES) {
    it(`${name}: loads with no request but the file and no console error, and draws the model's accounts and workloads`, async () => {
      const { page, url, requests, errors } = await openReport(browser, report(name));
      try {
        expect(errors).toEqual([]);
        expect(requests.filter((r) => r !== url && !r.startsWith("data:"))).toEqual([]);
        const drawn = await page.evaluate(() => {
          const cy = (globalThis as unknown as InPage).xacctReport.cy;
          return {
            accounts: cy?.nodes(".account").map((n) => n.data("account") as string) ?? [],
            workloads: cy?.nodes(".workload").map((n) => n.data("label") as string) ?? [],
          };
        });
        const model = declared(name);
        expect(drawn.accounts).toEqual(expect.arrayContaining(model.accounts));
        expect(drawn.workloads).toEqual(expect.arrayContaining(model.workloads));
        await page.screenshot({ path: join(out, `${name}.png`) });
      } finally {
        await page.close();
      }
    });
  }

  describe("seed 004", () => {
    let page: Page;
    beforeAll(async () => {
      ({ page } = await openReport(browser, report("004-emr-eks-chain")));
    });
    afterAll(async () => {
      await page?.close();
    });

    it("a search for client-role-2 selects that role and shows it in the side panel", async () => {
      await page.fill("#search", "client-role-2");
      await page.press("#search", "Enter");
      expect(await page.getAttribute("#panel", "data-selected")).toBe(CLIENT_ROLE);
      expect(await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.cy.$(":selected").map((e) => e.id()))).toEqual([
        CLIENT_ROLE,
      ]);
      expect(await page.textContent("#panel h2")).toBe("client-role-2");
      await page.screenshot({ path: join(out, "004-search.png") });
    });

    it("clicking the cross-account edge job-execution-role-1 → client-role-2 shows the trust statement that admits the caller", async () => {
      const edgeId = await page.evaluate(
        ([from, to]) =>
          (globalThis as unknown as InPage).xacctReport.cy
            .edges()
            .filter((e) => e.source().id() === from && e.target().id() === to)
            .first()
            .id(),
        [JOB_ROLE, CLIENT_ROLE],
      );
      const { x, y } = await pointOf(page, edgeId as string);
      await page.mouse.click(x, y);
      expect(await page.getAttribute("#panel", "data-selected")).toBe(edgeId);
      const panel = await page.textContent("#panel");
      expect(panel).toContain("Trust statement");
      expect(panel).toContain(`${CLIENT_ROLE} trust policy`);
      const trust = JSON.parse((await page.locator("#panel .statement pre").first().textContent()) ?? "{}");
      expect(trust.Effect).toBe("Allow");
      expect([trust.Principal.AWS].flat()).toContain(JOB_ROLE);
      expect(panel).toContain("Caller's identity statement");
      expect(panel).toContain("sts:AssumeRole");
      expect(panel).toContain("1 h");
      await page.screenshot({ path: join(out, "004-edge.png") });
    });

    it('"who can reach this?" on client-role-2 highlights the chain spark-job → job-execution-role-1 → client-role-2 and nothing else of account-a', async () => {
      await page.check("#mode-who-can-reach");
      const { x, y } = await pointOf(page, CLIENT_ROLE);
      await page.mouse.click(x, y);
      const lit = (await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.highlighted())) ?? [];
      expect(lit).toEqual(expect.arrayContaining([WORKLOAD, JOB_ROLE, CLIENT_ROLE]));
      expect(lit).not.toContain("arn:aws:s3:::emr-on-eks-test-111111111111-us-east-1");
      const chainEdges = await page.evaluate(
        ([a, b, c]) =>
          (globalThis as unknown as InPage).xacctReport.cy
            .edges()
            .filter((e) => (e.source().id() === a && e.target().id() === b) || (e.source().id() === b && e.target().id() === c))
            .map((e) => e.id()),
        [WORKLOAD, JOB_ROLE, CLIENT_ROLE],
      );
      expect(chainEdges).toHaveLength(2);
      expect(lit).toEqual(expect.arrayContaining(chainEdges ?? []));
      const listed = await page.locator("#reach-result li a").evaluateAll((links) => links.map((l) => l.getAttribute("data-target")));
      expect(listed).toEqual(expect.arrayContaining([WORKLOAD, JOB_ROLE]));
      // AND each lit node on the graph's area is ringed over the canvas, around the node as drawn
      const ringed = () =>
        page.evaluate(() => {
          type Box = { left: number; top: number; right: number; bottom: number };
          const g = globalThis as unknown as InPage & {
            document: {
              querySelector(s: string): { getBoundingClientRect(): Box };
              querySelectorAll(s: string): Iterable<{ getBoundingClientRect(): Box }>;
            };
          };
          const layer = g.document.querySelector("#labels").getBoundingClientRect();
          const rings = [...g.document.querySelectorAll("#labels .ring")].map((r) => r.getBoundingClientRect());
          const shown = g.xacctReport.cy
            .nodes(".highlighted")
            .map((node) => ({ id: node.id(), b: node.renderedBoundingBox({ includeLabels: false }) }))
            .filter(({ b }) => b.x2 >= 0 && b.y2 >= 0 && b.x1 <= layer.right - layer.left && b.y1 <= layer.bottom - layer.top);
          const around = (r: Box, b: { x1: number; y1: number; x2: number; y2: number }) =>
            r.left - layer.left <= b.x1 && r.top - layer.top <= b.y1 && r.right - layer.left >= b.x2 && r.bottom - layer.top >= b.y2;
          return {
            rings: rings.length,
            shown: shown.length,
            unringed: shown.filter(({ b }) => !rings.some((r) => around(r, b))).map((n) => n.id),
          };
        });
      await expect.poll(async () => (await ringed()).rings).toBeGreaterThan(0);
      const rings = await ringed();
      expect(rings.unringed).toEqual([]);
      expect(rings.rings).toBe(rings.shown);
      await page.screenshot({ path: join(out, "004-who-can-reach.png") });
      await page.check("input[name=mode][value=select]");
    });

    it("choosing a reach mode while a node is shown lights its reach, unless another node is tapped before the page is idle", async () => {
      // GIVEN client-role-2 shown in select mode
      const lit = (mode: string, tapped?: string) =>
        page.evaluate(
          async ({ mode, tapped }) => {
            const g = globalThis as unknown as InPage & {
              document: { getElementById(id: string): { checked: boolean; dispatchEvent(e: unknown): void } };
              Event: new (type: string) => unknown;
            };
            const radio = g.document.getElementById(mode);
            radio.checked = true;
            radio.dispatchEvent(new g.Event("change"));
            if (tapped) g.xacctReport.cy.getElementById(tapped).emit("tap");
            await g.xacctReport.settled();
            return g.xacctReport.highlighted();
          },
          { mode, tapped },
        );
      await page.evaluate((id) => {
        (globalThis as unknown as InPage).xacctReport.cy.getElementById(id).emit("tap");
      }, CLIENT_ROLE);
      // WHEN "who can reach this?" is chosen
      // THEN what reaches client-role-2 is lit: the job's role and the workload
      expect(await lit("mode-who-can-reach")).toEqual(expect.arrayContaining([WORKLOAD, JOB_ROLE, CLIENT_ROLE]));
      // WHEN "what can this reach?" is chosen and, in the same task, the job's role tapped
      // THEN what the job's role reaches is lit (client-role-2) and its panel shown; the workload, which reaches it, is not lit
      const reached = await lit("mode-what-can-reach", JOB_ROLE);
      expect(reached).toEqual(expect.arrayContaining([JOB_ROLE, CLIENT_ROLE]));
      expect(reached).not.toContain(WORKLOAD);
      expect(await page.getAttribute("#panel", "data-selected")).toBe(JOB_ROLE);
      await page.check("input[name=mode][value=select]");
    });

    it("a findings table row jumps to its place in the graph", async () => {
      const row = page.locator("#findings-table tbody tr[data-finding]").first();
      expect(await row.locator("td").nth(1).textContent()).toBe("XA013");
      await row.click();
      const selected = await page.getAttribute("#panel", "data-selected");
      const finding = await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.data.findings.find((f) => f.id === "XA013"));
      expect([...(finding?.edges ?? []), ...(finding?.nodes ?? [])]).toContain(selected);
      expect(await page.textContent("#panel")).toContain("Fix:");
    });

    it("the account filter keeps account-b's nodes and the role that reaches them, and hides the workload", async () => {
      await page.selectOption("#filter-account", "222222222222");
      const drawn = await page.evaluate(() => (globalThis as unknown as InPage).xacctReport.cy.nodes().map((n) => n.id()) ?? []);
      expect(drawn).toEqual(expect.arrayContaining([CLIENT_ROLE, JOB_ROLE]));
      expect(drawn).not.toContain(WORKLOAD);
      await page.selectOption("#filter-account", "");
    });
  });

  it("the findings table sorts by severity, both ways", async () => {
    const { page } = await openReport(browser, report("combined"));
    const ranks = async () =>
      (
        await page
          .locator("#findings-table tbody tr[data-severity]")
          .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-severity")))
      ).map((s) => ["critical", "high", "medium", "low"].indexOf(s ?? ""));
    const first = await ranks();
    expect(first).toEqual([...first].sort((a, b) => a - b));
    await page.click("#sort-severity");
    const second = await ranks();
    expect(second).toEqual([...second].sort((a, b) => b - a));
    await page.close();
  });
});
