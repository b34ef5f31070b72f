/**
 * `npm run bench:startup`: how fast commands start, process start to exit, beside the floor: a
 * bare `node` running an empty module, measured in the same run, the three alternating. It runs the
 * program package.json names, the bundled dist/bin/xacct.js (scripts/bundle-cli.mjs).
 *   - `xacct --help` (the CLI's parser and help, no command's code);
 *   - `xacct simulate --request` on the bundled example (the engine, one request).
 * Target (issue 16): each within 2x of bare node, by medians. Environment: BENCH_STARTUP_RUNS
 * (default 41). It asserts nothing: it prints figures.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { envNumber, tableLines } from "./util.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Math.max(1, envNumber("BENCH_STARTUP_RUNS", 41));
const TARGET = 2;
const main = join(root, "dist", "bin", "xacct.js");
const dir = mkdtempSync(join(tmpdir(), "xacct-bench-startup-"));
try {
  const empty = join(dir, "empty.mjs");
  writeFileSync(empty, "");
  const cases = [
    { label: "floor: bare node, an empty module", args: [empty] },
    { label: "xacct --help", args: [main, "--help"] },
    {
      label: "xacct simulate --request (bundled example)",
      args: [main, "simulate", "--request", join(root, "examples", "simulate", "cross-account-get-object.json")],
    },
  ];
  const times = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    cases.forEach((c, k) => {
      const start = performance.now();
      const run = spawnSync(process.execPath, c.args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
      times[k].push(performance.now() - start);
      if (run.status !== 0) throw new Error(`${c.label} exited ${run.status}: ${run.stderr.slice(0, 500)}`);
    });
  }
  const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  const floor = median(times[0]);
  const rows = [["command (process start to exit)", "median", "best", "vs floor (medians)", "target", "met"]];
  cases.forEach((c, k) => {
    const ratio = median(times[k]) / floor;
    const isFloor = k === 0;
    rows.push([
      c.label,
      fmt(median(times[k])),
      fmt(Math.min(...times[k])),
      `${ratio.toFixed(2)}x`,
      isFloor ? "" : `<= ${TARGET}x`,
      isFloor ? "" : ratio <= TARGET ? "yes" : "NO",
    ]);
  });
  process.stdout.write(`xacct startup benchmark: ${RUNS} runs of each, alternating; Node ${process.version}\n\n`);
  for (const line of tableLines(rows)) process.stdout.write(`${line}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
