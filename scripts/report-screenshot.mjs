/**
 * `npm run report:screenshot`: the README's picture of the report, docs/report.png — the combined
 * example's report in Debian's Chromium, with seed 004's cross-account edge clicked so the side
 * panel shows its trust statement.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeReport } from "../dist/report/html.js";
import { loadReportData } from "../dist/report/load.js";
import { launchChromium, openReport } from "./report-browser.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "docs", "report.png");
const dir = mkdtempSync(join(tmpdir(), "xacct-report-screenshot-"));
const browser = await launchChromium();
try {
  const file = join(dir, "report.html");
  writeReport(file, loadReportData({ model: join(root, "examples", "combined", "xacct.yaml") }));
  const { page, errors } = await openReport(browser, file, { width: 1500, height: 1000 });
  if (errors.length) throw new Error(`the page logged errors: ${errors.join("; ")}`);
  // The chain's cross-account hop in the combined model (seed 004's accounts A and B).
  const at = await page.evaluate(() => {
    const { cy } = globalThis.xacctReport;
    const edge = cy
      .edges()
      .filter((e) => e.source().data("label") === "job-execution-role-1" && e.target().data("label") === "client-role-2")
      .first();
    return edge.renderedMidpoint();
  });
  const box = await page.locator("#graph").boundingBox();
  await page.mouse.click(box.x + at.x, box.y + at.y);
  mkdirSync(dirname(target), { recursive: true });
  await page.screenshot({ path: target });
  process.stdout.write(`wrote ${target}\n`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
