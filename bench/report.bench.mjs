/**
 * `npm run bench:report`: how soon the report of a large organization paints in Debian's Chromium,
 * side by side with, in the same run and browser:
 *   1. the floor: a blank HTML page (its first contentful paint);
 *   2. the peer: a plain HTML table of the same nodes (name, kind, account), no script;
 *   3. the report: from navigation start to the first frame Cytoscape draws of the graph.
 * Budget: the report's first paint within 10 s at 1,000 accounts on this 2-core machine (a 70 MB
 * file: parsing its HTML and JSON is most of it); the ratio to the plain table, which paints its
 * first rows before the rest has arrived, is printed for comparison. It asserts nothing: it prints
 * figures. Also printed:
 * the time to build the report (graph, findings, view model, HTML) and the file's size.
 *
 * The inventory comes from bench/generate-inventory.mjs (in a child process) into a temporary
 * directory deleted at the end. Environment: BENCH_ACCOUNTS (default 1000), BENCH_ROLES_PER_ACCOUNT
 * (default 20, at least 20), BENCH_REPS (default 3; the median is reported).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { writeReport } from "../dist/report/html.js";
import { loadReportData } from "../dist/report/load.js";
import { launchChromium, openReport } from "../scripts/report-browser.mjs";
import { envNumber, fmtInt, fmtSec } from "./util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = envNumber("BENCH_ACCOUNTS", 1000);
const ROLES = envNumber("BENCH_ROLES_PER_ACCOUNT", 20);
const REPS = Math.max(1, envNumber("BENCH_REPS", 3));
const BUDGET_MS = 10_000;
const log = (line = "") => process.stdout.write(`${line}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const escape = (text) => String(text).replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);

const dir = mkdtempSync(join(tmpdir(), "xacct-bench-report-"));
try {
  await run();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Milliseconds from navigation start to the page's first contentful paint. */
async function contentfulPaint(browser, file) {
  const { page } = await openPlain(browser, file);
  const ms = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const found = performance.getEntriesByName("first-contentful-paint")[0];
        if (found) return resolve(found.startTime);
        new globalThis.PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({ type: "paint", buffered: true });
      }),
  );
  await page.close();
  return ms;
}

async function openPlain(browser, file) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`file://${file}`);
  return { page };
}

async function run() {
  const inventory = join(dir, "inventory");
  const generated = spawnSync(process.execPath, [join(here, "generate-inventory.mjs"), inventory, String(ACCOUNTS), String(ROLES)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (generated.status !== 0) throw new Error(`generating the inventory failed (exit status ${generated.status})`);
  const started = performance.now();
  const data = loadReportData({ inventory });
  const report = join(dir, "report.html");
  writeReport(report, data);
  const buildMs = performance.now() - started;
  log(
    `xacct report benchmark: ${fmtInt(data.accounts.length)} accounts, ${fmtInt(data.nodes.length)} nodes, ${fmtInt(data.edges.length)} edges, ${fmtInt(data.findings.length)} findings`,
  );
  log(
    `report built in ${fmtSec(buildMs)}, ${(statSync(report).size / 1048576).toFixed(1)} MB; Node ${process.version}, ${availableParallelism()} CPUs, Chromium /usr/bin/chromium, ${REPS} runs each (median)`,
  );

  const blank = join(dir, "blank.html");
  writeFileSync(blank, "<!doctype html><html><head><meta charset=utf-8><title>blank</title></head><body><p>blank</p></body></html>\n");
  const table = join(dir, "table.html");
  const rows = data.nodes.map((n) => `<tr><td>${escape(n.label)}</td><td>${n.kind}</td><td>${n.account ?? ""}</td></tr>`).join("\n");
  writeFileSync(
    table,
    `<!doctype html><html><head><meta charset=utf-8><title>table</title></head><body><table><thead><tr><th>name</th><th>kind</th><th>account</th></tr></thead><tbody>\n${rows}\n</tbody></table></body></html>\n`,
  );

  const browser = await launchChromium();
  const times = { blank: [], table: [], report: [] };
  try {
    for (let i = 0; i < REPS; i++) {
      times.blank.push(await contentfulPaint(browser, blank));
      times.table.push(await contentfulPaint(browser, table));
      const { page, errors } = await openReport(browser, report);
      times.report.push(await page.evaluate(() => globalThis.xacctReport.firstPaint));
      if (errors.length) log(`console errors: ${errors.join("; ")}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const [b, t, r] = [median(times.blank), median(times.table), median(times.report)];
  log();
  log(`${"".padEnd(44)}first paint`);
  log(`${"1. floor: blank page".padEnd(44)}${fmtSec(b)}`);
  log(`${`2. peer: plain table of the ${fmtInt(data.nodes.length)} nodes`.padEnd(44)}${fmtSec(t)}`);
  log(`${"3. report (graph drawn)".padEnd(44)}${fmtSec(r)}   ${(r / t).toFixed(1)}x the table`);
  log();
  log(`budget: report first paint within ${fmtSec(BUDGET_MS)} -> ${r <= BUDGET_MS ? "met" : "MISSED"}`);
}
