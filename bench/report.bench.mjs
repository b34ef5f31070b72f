/**
 * `npm run bench:report`: the report of a large organization against issue 18's targets, side by
 * side in one run (1,000 accounts x 100 roles by default):
 *   - graph analysis: `xacct who-can` on the same inventory, end to end (load, graph, the walk);
 *   - beside it, what the report must work out before it draws anything: `xacct findings`, end to
 *     end (every edge of the organization decided, every finding), printed for context only;
 *   - report build: `xacct report`, end to end, with its peak memory (the child's max RSS) and the
 *     file's size; target: within 2x the analysis, under 1.5 GB, under 15 MB;
 *   - first paint in Debian's Chromium, beside a blank page (the floor) and a plain HTML table of
 *     the same nodes (the peer); target: under 2 s;
 *   - expanding a collapsed account and highlighting "who can reach this?" on a role, from the
 *     event to the next drawn frame; target: under 200 ms each.
 * It asserts nothing: it prints figures. The inventory comes from bench/generate-inventory.mjs (in a
 * child process) into a temporary directory deleted at the end. Environment: BENCH_ACCOUNTS
 * (default 1000), BENCH_ROLES_PER_ACCOUNT (default 100, at least 20), BENCH_REPS (default 3; the
 * median is reported).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { launchChromium, openReport } from "../scripts/report-browser.mjs";
import { envNumber, fmtInt, fmtSec, tableLines } from "./util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = envNumber("BENCH_ACCOUNTS", 1000);
const ROLES = envNumber("BENCH_ROLES_PER_ACCOUNT", 100);
const REPS = Math.max(1, envNumber("BENCH_REPS", 3));
const TARGETS = { buildRatio: 2, peakBytes: 1.5e9, fileBytes: 15e6, paintMs: 2_000, interactionMs: 200 };
const CLI = join(here, "..", "dist", "bin", "xacct.js");
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

/** Runs the CLI in a child process: its wall time and peak RSS (GNU time's %M, in KiB); its stdout unless `quiet`. */
function timed(args, quiet = false) {
  const started = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "--max-old-space-size=8192", CLI, ...args], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", quiet ? "ignore" : "pipe", "pipe"],
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`xacct ${args[0]} failed (exit status ${r.status}): ${r.stderr.slice(-2000)}`);
  const kib = Number(r.stderr.trim().split("\n").pop());
  return { ms, peakBytes: kib * 1024, stdout: r.stdout };
}

/**
 * Milliseconds from an interaction in the page to the second frame drawn after what it asked for
 * is done (the page's settled(): an account's details decoded, the graph drawn): a tap on the node
 * `id`, after choosing the "who can reach this?" mode when `reachMode`.
 */
async function interaction(page, id, reachMode) {
  return page.evaluate(
    async ({ id, reachMode }) => {
      const g = globalThis;
      const started = g.performance.now();
      if (reachMode) {
        const radio = g.document.getElementById("mode-who-can-reach");
        radio.checked = true;
        radio.dispatchEvent(new g.Event("change"));
      }
      g.xacctReport.cy.getElementById(id).emit("tap");
      // Until what the tap asked for is done (an account's details decoded, the graph drawn), then two frames.
      await g.xacctReport.settled();
      await new Promise((done) => g.requestAnimationFrame(() => g.requestAnimationFrame(done)));
      return g.performance.now() - started;
    },
    { id, reachMode },
  );
}

async function run() {
  const inventory = join(dir, "inventory");
  const generated = spawnSync(process.execPath, [join(here, "generate-inventory.mjs"), inventory, String(ACCOUNTS), String(ROLES)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (generated.status !== 0) throw new Error(`generating the inventory failed (exit status ${generated.status})`);
  const [target] = JSON.parse(generated.stdout).targets;
  log(
    `xacct report benchmark: ${fmtInt(ACCOUNTS)} accounts x ${fmtInt(ROLES)} roles; Node ${process.version}, ${availableParallelism()} CPUs`,
  );

  const analysis = timed([
    "who-can",
    "--inventory",
    inventory,
    "--action",
    target.action,
    "--resource",
    target.resource,
    "--resource-account",
    target.resourceAccount,
    "--json",
  ]);
  const everything = timed(["findings", "--inventory", inventory, "--json"], true);
  const report = join(dir, "report.html");
  const build = timed(["report", "--inventory", inventory, "-o", report]);
  const fileBytes = statSync(report).size;
  log(build.stdout.trim());

  const blank = join(dir, "blank.html");
  writeFileSync(blank, "<!doctype html><html><head><meta charset=utf-8><title>blank</title></head><body><p>blank</p></body></html>\n");
  const browser = await launchChromium();
  // The report's nodes, as the page decodes them, for the plain table (the peer) and the role to highlight.
  const nodes = await (async () => {
    const { page } = await openReport(browser, report);
    const list = await page.evaluate(() =>
      globalThis.xacctReport.data.nodes.map((n) => ({ id: n.id, label: n.label, kind: n.kind, account: n.account })),
    );
    await page.close();
    return list;
  })();
  const table = join(dir, "table.html");
  const rows = nodes.map((n) => `<tr><td>${escape(n.label)}</td><td>${n.kind}</td><td>${n.account ?? ""}</td></tr>`).join("\n");
  writeFileSync(
    table,
    `<!doctype html><html><head><meta charset=utf-8><title>table</title></head><body><table><thead><tr><th>name</th><th>kind</th><th>account</th></tr></thead><tbody>\n${rows}\n</tbody></table></body></html>\n`,
  );
  const role = nodes.find((n) => n.kind === "role" && n.account === target.resourceAccount) ?? nodes.find((n) => n.kind === "role");

  const times = { blank: [], table: [], report: [], expand: [], highlight: [] };
  try {
    for (let i = 0; i < REPS; i++) {
      times.blank.push(await contentfulPaint(browser, blank));
      times.table.push(await contentfulPaint(browser, table));
      const { page, errors } = await openReport(browser, report);
      times.report.push(await page.evaluate(() => globalThis.xacctReport.firstPaint));
      // Expanding a collapsed account: the tap the page answers by drawing its nodes.
      times.expand.push(await interaction(page, `account:${role.account}`, false));
      // "Who can reach this?" on a role of that account.
      times.highlight.push(await interaction(page, role.id, true));
      if (errors.length) log(`console errors: ${errors.join("; ")}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const [b, t, r, e, h] = [times.blank, times.table, times.report, times.expand, times.highlight].map(median);
  // Decimal units, as the targets are written (1.5 GB = 1.5e9 bytes).
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const gb = (bytes) => `${(bytes / 1e9).toFixed(2)} GB`;
  const verdict = (ok) => (ok ? "met" : "MISSED");
  log();
  log(
    tableLines([
      ["measure", "xacct", "beside it", "target", ""],
      ["graph analysis (who-can, end to end)", fmtSec(analysis.ms), `peak ${gb(analysis.peakBytes)}`, "", ""],
      [
        "every edge and finding (findings, end to end)",
        fmtSec(everything.ms),
        `peak ${gb(everything.peakBytes)}; the report build is ${(build.ms / everything.ms).toFixed(1)}x this`,
        "",
        "",
      ],
      [
        "report build (end to end)",
        fmtSec(build.ms),
        `${(build.ms / analysis.ms).toFixed(1)}x the analysis`,
        `<= ${TARGETS.buildRatio}x`,
        verdict(build.ms <= TARGETS.buildRatio * analysis.ms),
      ],
      ["report build peak memory", gb(build.peakBytes), "", `< ${gb(TARGETS.peakBytes)}`, verdict(build.peakBytes < TARGETS.peakBytes)],
      ["report file", mb(fileBytes), "", `< ${mb(TARGETS.fileBytes)}`, verdict(fileBytes < TARGETS.fileBytes)],
      [
        "first paint",
        fmtSec(r),
        `floor ${fmtSec(b)}, plain table ${fmtSec(t)}`,
        `< ${fmtSec(TARGETS.paintMs)}`,
        verdict(r < TARGETS.paintMs),
      ],
      ["expand an account", fmtSec(e), "", `< ${fmtSec(TARGETS.interactionMs)}`, verdict(e < TARGETS.interactionMs)],
      ["highlight who can reach a role", fmtSec(h), "", `< ${fmtSec(TARGETS.interactionMs)}`, verdict(h < TARGETS.interactionMs)],
    ]).join("\n"),
  );
}
