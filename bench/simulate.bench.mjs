/**
 * `npm run bench`: how fast `xacct simulate` decides a varied batch, against
 *   1. the floor: reading the JSON Lines file and JSON.parse of every line, nothing else;
 *   2. xacct: the same read, then `simulateLine` (parse, validate, evaluate) for every line;
 *   3. the peer, @cloud-copilot/iam-simulate (a devDependency used only here), deciding the same
 *      requests converted once to its format (conversion not timed);
 *   4. the CLI end to end (process start to last line): `node dist/bin/xacct.js simulate --batch FILE
 *      > /dev/null` as users run it (threads: one per CPU), with `--explain none` (decisions only),
 *      and on two threads (XACCT_THREADS=2) for comparison, their runs alternating with the floor
 *      end to end (bench/floor-process.mjs: a process that starts, reads, parses and writes a line
 *      per request); then the peer end to end (bench/peer-process.mjs, BENCH_PEER_PROCESS_RUNS
 *      times). Targets, judged end to end on both sides: the default at least 20x faster than the
 *      peer, and --explain none within 2x of the floor. Then, once each, a batch BENCH_CLI_LARGE
 *      times as long on the main thread and with the threads.
 * Then bench/adversarial.bench.mjs: single requests built to be slow (a long policy variable, large
 * condition sets), each beside the floor.
 * Targets: xacct within 3x of the floor, and at least 10x faster than the peer (judged on the
 * medians). It asserts nothing: it prints figures.
 *
 * Environment: BENCH_COUNT (requests, default 20000), BENCH_SEED, BENCH_REPS (floor and xacct
 * repetitions, default 7), BENCH_PEER_REPS (default 3; 0 skips the peer), BENCH_CLI_REPS (runs of
 * each CLI variant, default 3), BENCH_PEER_PROCESS_RUNS (default 1; 0 skips it), BENCH_CLI_LARGE
 * (default 4; 0 or 1 skips the long batch).
 * Writes bench/.peer/requests.jsonl (the batch) and disagreements.jsonl (git-ignored), and
 * requests-large.jsonl for the long batch's two runs (removed after them).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { simulateLine } from "../dist/policy/index.js";
import { DEFAULT_SEED } from "./generate-requests.mjs";
import { peerDecision, toPeerSimulation } from "./peer-format.mjs";
import { envNumber, fmtInt, fmtSec, peakRss, tableLines } from "./util.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const outDir = join(here, ".peer");
const batchFile = join(outDir, "requests.jsonl");
const disagreementsFile = join(outDir, "disagreements.jsonl");
const largeFile = join(outDir, "requests-large.jsonl");

const COUNT = envNumber("BENCH_COUNT", 20000);
const SEED = envNumber("BENCH_SEED", DEFAULT_SEED);
const REPS = Math.max(1, envNumber("BENCH_REPS", 7));
const PEER_REPS = Math.max(0, envNumber("BENCH_PEER_REPS", 3));
const CLI_REPS = Math.max(1, envNumber("BENCH_CLI_REPS", 3));
const LARGE = Math.max(0, envNumber("BENCH_CLI_LARGE", 4));
const PEER_PROCESS_RUNS = Math.max(0, envNumber("BENCH_PEER_PROCESS_RUNS", 1));
const FLOOR_TARGET = 3;
const PEER_TARGET = 10;
const CLI_PEER_TARGET = 20;
const CLI_NONE_FLOOR_TARGET = 2;

const fmtMb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const pct = (n, total) => `${((100 * n) / total).toFixed(1)}%`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function log(line = "") {
  process.stdout.write(`${line}\n`);
}

/** One untimed warm-up of each pass, then `reps` rounds running each pass once; times in ms. */
function measureAlternating(reps, passes) {
  const results = passes.map((pass) => ({ times: [], result: pass() }));
  for (let i = 0; i < reps; i++) {
    passes.forEach((pass, p) => {
      const start = performance.now();
      results[p].result = pass();
      results[p].times.push(performance.now() - start);
    });
  }
  return results.map((r) => ({ ...r, best: Math.min(...r.times), median: median(r.times) }));
}

// ---------------------------------------------------------------------------------------------
// The batch, written by the generator in a child process: no request object is alive in this
// process while the passes are timed (a large live heap, or the garbage of generating it, slows
// every pass's garbage collection and blurs the figures), and the peak RSS below is the passes'.

mkdirSync(outDir, { recursive: true });
function writeBatch() {
  const start = performance.now();
  const out = openSync(batchFile, "w");
  const run = spawnSync(process.execPath, [join(here, "generate-requests.mjs"), String(COUNT), String(SEED)], {
    stdio: ["ignore", out, "inherit"],
  });
  closeSync(out);
  if (run.status !== 0) throw new Error(`generating the batch failed (exit status ${run.status})`);
  return performance.now() - start;
}
const generateMs = writeBatch();
const batchBytes = statSync(batchFile).size;
log(
  `xacct simulate benchmark: ${fmtInt(COUNT)} requests (seed ${SEED}), ${fmtMb(batchBytes)} of JSON Lines in ${relative(root, batchFile)}`,
);
log(`generated in ${fmtSec(generateMs)}; Node ${process.version}, ${availableParallelism()} CPUs`);
log();

// ---------------------------------------------------------------------------------------------
// The passes. Floor and xacct read the file and split it the same way; only the per-line work
// differs. Their repetitions alternate, so that drift on the machine affects both alike.

function floorPass() {
  const lines = readFileSync(batchFile, "utf8").split("\n");
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    if (JSON.parse(line) !== null) n++;
  }
  return n;
}

function xacctPass() {
  const lines = readFileSync(batchFile, "utf8").split("\n");
  const tally = { Allow: 0, ImplicitDeny: 0, ExplicitDeny: 0, error: 0 };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    const result = simulateLine(line, i + 1);
    if ("error" in result) tally.error++;
    else tally[result.decision]++;
  }
  return tally;
}

log("Timing (each pass over the whole batch):");
const [floor, xacct] = measureAlternating(REPS, [floorPass, xacctPass]);
log(`  floor (read + JSON.parse), ${REPS} reps: ${floor.times.map(fmtSec).join(" ")}`);
log(`  xacct (read + simulateLine), ${REPS} reps: ${xacct.times.map(fmtSec).join(" ")}`);
const rssAfterXacct = peakRss();

// The requests again, for the peer and the comparison (untimed).
const batchLines = readFileSync(batchFile, "utf8")
  .split("\n")
  .filter((line) => line.length > 0);
const requests = batchLines.map((line) => JSON.parse(line));
const xacctResults = batchLines.map((line, i) => simulateLine(line, i + 1));

// ---------------------------------------------------------------------------------------------
// The peer

let peer;
if (PEER_REPS > 0) {
  let peerModule;
  try {
    peerModule = await import("@cloud-copilot/iam-simulate");
  } catch (error) {
    log(`  peer: @cloud-copilot/iam-simulate not available (${error.message}); run npm install`);
  }
  if (peerModule) peer = await runPeer(peerModule);
}

async function runPeer({ runSimulation }) {
  const simulations = requests.map(toPeerSimulation);
  const pass = async () => {
    const decisions = new Array(simulations.length);
    for (let i = 0; i < simulations.length; i++) decisions[i] = peerDecision(await runSimulation(simulations[i], {}));
    return decisions;
  };
  // The warm-up is a slice of the batch (the peer loads its IAM data lazily); the reps are whole.
  const warm = simulations.slice(0, Math.min(2000, simulations.length));
  process.stdout.write(`  peer (@cloud-copilot/iam-simulate runSimulation, awaited one by one), ${PEER_REPS} reps: warm-up`);
  for (const s of warm) await runSimulation(s, {});
  const times = [];
  let decisions;
  for (let i = 0; i < PEER_REPS; i++) {
    const start = performance.now();
    decisions = await pass();
    times.push(performance.now() - start);
    process.stdout.write(` ${fmtSec(times[i])}`);
  }
  process.stdout.write("\n");
  const detailed = async (i) => runSimulation(simulations[i], {});
  return { times, best: Math.min(...times), median: median(times), decisions, detailed };
}

// ---------------------------------------------------------------------------------------------
// The CLI, end to end: each variant CLI_REPS times, the variants alternating

const runCli = (extra, env = {}, file = batchFile) =>
  runProcess([join(root, "dist/bin/xacct.js"), "simulate", "--batch", file, ...extra], env);
/** `node ARGS > /dev/null`, timed from process start to exit, with its peak RSS where /usr/bin/time is. */
const runProcess = (args, env = {}) => {
  const timeTool = existsSync("/usr/bin/time");
  const devNull = openSync("/dev/null", "w");
  const options = { stdio: ["ignore", devNull, "pipe"], encoding: "utf8", env: { ...process.env, ...env } };
  const start = performance.now();
  const run = timeTool
    ? spawnSync("/usr/bin/time", ["-f", "XACCT_BENCH_RSS_KB=%M", process.execPath, ...args], options)
    : spawnSync(process.execPath, args, options);
  const ms = performance.now() - start;
  closeSync(devNull);
  const rss = /XACCT_BENCH_RSS_KB=(\d+)/.exec(run.stderr ?? "");
  return {
    ms,
    status: run.status,
    rssBytes: rss ? Number(rss[1]) * 1024 : undefined,
    stderr: (run.stderr ?? "").replace(/XACCT_BENCH_RSS_KB=\d+\s*/, "").trim(),
  };
};
const CLI_VARIANTS = [
  { label: "CLI end to end", what: "simulate --batch FILE", extra: [], env: {} },
  { label: "CLI --explain none", what: "simulate --batch FILE --explain none", extra: ["--explain", "none"], env: {} },
  { label: "CLI on two threads", what: "simulate --batch FILE, XACCT_THREADS=2", extra: [], env: { XACCT_THREADS: "2" } },
];
// The floor end to end alternates with them: a process that reads, parses and writes one line per
// request (bench/floor-process.mjs). Process start and a cold JIT are in every end-to-end figure.
const FLOOR_PROCESS = { label: "floor end to end", what: "node bench/floor-process.mjs FILE" };
const cliRuns = CLI_VARIANTS.map(() => []);
const floorRuns = [];
for (let i = 0; i < CLI_REPS; i++) {
  floorRuns.push(runProcess([join(here, "floor-process.mjs"), batchFile]));
  CLI_VARIANTS.forEach((v, k) => cliRuns[k].push(runCli(v.extra, v.env)));
}
// A floor that did not run to its end measures nothing.
const floorFailed = floorRuns.find((r) => r.status !== 0);
if (floorFailed) throw new Error(`the floor process failed (exit status ${floorFailed.status}): ${floorFailed.stderr.slice(0, 500)}`);
const [floorProcess, cli, cliNone, cliTwo] = [FLOOR_PROCESS, ...CLI_VARIANTS].map((v, k) => {
  const runs = k === 0 ? floorRuns : cliRuns[k - 1];
  const times = runs.map((r) => r.ms);
  log(
    `  ${v.label} (${k === 0 ? v.what : `node dist/bin/xacct.js ${v.what}`} > /dev/null), ${CLI_REPS} runs: ${times.map(fmtSec).join(" ")}, exit status ${[...new Set(runs.map((r) => r.status))].join(", ")}`,
  );
  const stderr = runs.find((r) => r.stderr)?.stderr;
  if (stderr) log(`    stderr: ${stderr.slice(0, 500)}`);
  return { ...v, best: Math.min(...times), median: median(times), rssBytes: Math.max(...runs.map((r) => r.rssBytes ?? 0)) || undefined };
});
// The peer end to end (bench/peer-process.mjs): a process that loads it, reads and decides the
// batch and writes a decision per line. Some 11 s a run, so it runs BENCH_PEER_PROCESS_RUNS times.
let peerProcess;
if (peer && PEER_PROCESS_RUNS > 0) {
  const runs = Array.from({ length: PEER_PROCESS_RUNS }, () => runProcess([join(here, "peer-process.mjs"), batchFile]));
  const times = runs.map((r) => r.ms);
  log(
    `  peer end to end (node bench/peer-process.mjs FILE > /dev/null), ${PEER_PROCESS_RUNS} runs: ${times.map(fmtSec).join(" ")}, exit status ${[...new Set(runs.map((r) => r.status))].join(", ")}`,
  );
  const failed = runs.find((r) => r.status !== 0);
  // A run that did not end well is no figure: the targets are then judged against the peer in process.
  if (failed) log(`    the peer's process failed (not used): ${failed.stderr.slice(0, 500)}`);
  else peerProcess = { best: Math.min(...times), median: median(times) };
}
log(
  `  (by default the CLI decides a batch of 32 MiB or more on one worker thread per CPU (${availableParallelism()} here), a smaller one on the main thread)`,
);

// A batch LARGE times as long (the same lines repeated), once on the main thread and once with the
// default threads: where the threads pay for the engine each of them compiles and warms up anew.
let large;
if (LARGE > 1) {
  const text = readFileSync(batchFile, "utf8");
  writeFileSync(largeFile, text.repeat(LARGE));
  const one = runCli([], { XACCT_THREADS: "1" }, largeFile);
  const threads = runCli([], {}, largeFile);
  unlinkSync(largeFile);
  large = { one, threads };
  log(
    `  CLI on a batch ${LARGE}x as long (${fmtInt(COUNT * LARGE)} requests, ${fmtMb(text.length * LARGE)}): ${fmtSec(one.ms)} on the main thread (XACCT_THREADS=1), ${fmtSec(threads.ms)} with the default threads (${availableParallelism()}): ${(one.ms / threads.ms).toFixed(2)}x`,
  );
}
log();

// ---------------------------------------------------------------------------------------------
// Report

const tally = xacct.result;
log(
  `Decision mix (xacct): Allow ${fmtInt(tally.Allow)} (${pct(tally.Allow, COUNT)}), ImplicitDeny ${fmtInt(tally.ImplicitDeny)} (${pct(tally.ImplicitDeny, COUNT)}), ExplicitDeny ${fmtInt(tally.ExplicitDeny)} (${pct(tally.ExplicitDeny, COUNT)}), input errors ${fmtInt(tally.error)}`,
);
if (peer) {
  const mix = new Map();
  for (const d of peer.decisions) mix.set(d, (mix.get(d) ?? 0) + 1);
  log(
    `Decision mix (peer):  ${[...mix]
      .sort((a, b) => b[1] - a[1])
      .map(([d, n]) => `${d} ${fmtInt(n)} (${pct(n, COUNT)})`)
      .join(", ")}`,
  );
}
log();

const rows = [
  ["measure", "best", "median", "per second (best)", "per second (median)", "ratio (medians)", "ratio (bests)", "target (medians)", "met"],
];
const rate = (ms, unit) => `${fmtInt(COUNT / (ms / 1000))} ${unit}`;
/** A row of the table: a run's best and median, its rate in `unit`s, its ratio (`ratio("median")`, `ratio("best")`), and its target. */
const row = (label, run, unit, ratio, target = "", met = undefined) => [
  label,
  fmtSec(run.best),
  fmtSec(run.median),
  rate(run.best, unit),
  rate(run.median, unit),
  ratio("median"),
  ratio("best"),
  target,
  target === "" ? "" : met === undefined ? "n/a" : met ? "yes" : "NO",
];
rows.push(row("floor: read + JSON.parse", floor, "lines", () => "1.00x"));
const floorRatio = xacct.median / floor.median;
rows.push(
  row(
    "xacct: read + simulateLine",
    xacct,
    "decisions",
    (of) => `${(xacct[of] / floor[of]).toFixed(2)}x floor`,
    `<= ${FLOOR_TARGET}x floor`,
    floorRatio <= FLOOR_TARGET,
  ),
);
let speedup;
if (peer) {
  speedup = peer.median / xacct.median;
  rows.push(
    row(
      "peer: iam-simulate runSimulation",
      peer,
      "decisions",
      (of) => `xacct ${(peer[of] / xacct[of]).toFixed(1)}x faster`,
      `xacct >= ${PEER_TARGET}x`,
      speedup >= PEER_TARGET,
    ),
  );
} else {
  rows.push(["peer: iam-simulate runSimulation", "skipped", "", "", "", "", "", `xacct >= ${PEER_TARGET}x`, "n/a"]);
}
// The command as users run it (process start to last line), beside the floor and the peer, each
// also end to end: the targets are judged end to end on both sides.
const peerEnds = peerProcess ?? peer;
const cliPeerMet = peerEnds ? peerEnds.median / cli.median >= CLI_PEER_TARGET : undefined;
const cliNoneMet = cliNone.median / floorProcess.median <= CLI_NONE_FLOOR_TARGET;
rows.push(row("floor end to end (process)", floorProcess, "lines", (of) => `${(floorProcess[of] / floor[of]).toFixed(2)}x floor`));
if (peerProcess)
  rows.push(
    row(
      "peer end to end (process)",
      peerProcess,
      "decisions",
      (of) => `${(peerProcess[of] / floorProcess[of]).toFixed(1)}x floor end to end`,
    ),
  );
const versus = (run) => (of) =>
  `${(run[of] / floorProcess[of]).toFixed(2)}x floor e2e (${(run[of] / floor[of]).toFixed(2)}x floor)${peerEnds ? `, xacct ${(peerEnds[of] / run[of]).toFixed(1)}x faster than the peer` : ""}`;
rows.push(row(cli.label, cli, "lines", versus(cli), `xacct >= ${CLI_PEER_TARGET}x peer`, cliPeerMet));
rows.push(row(cliNone.label, cliNone, "lines", versus(cliNone), `<= ${CLI_NONE_FLOOR_TARGET}x floor e2e`, cliNoneMet));
rows.push(row(cliTwo.label, cliTwo, "lines", versus(cliTwo)));
for (const line of tableLines(rows)) log(line);
log();
log(
  `Peak RSS: ${fmtMb(rssAfterXacct)} after floor and xacct; ${fmtMb(peakRss())} at the end (this process${peer ? ", peer loaded and run" : ""})${cli.rssBytes ? `; CLI process ${fmtMb(cli.rssBytes)}` : ""}`,
);
log(
  `Targets: xacct within ${FLOOR_TARGET}x of the floor: ${floorRatio <= FLOOR_TARGET ? "met" : "NOT met"}; xacct >= ${PEER_TARGET}x the peer: ${speedup === undefined ? "not measured" : speedup >= PEER_TARGET ? "met" : "NOT met"}`,
);
log(
  `End to end (medians, process start to last line): floor ${fmtSec(floorProcess.median)} (in process ${fmtSec(floor.median)}), peer ${peerProcess ? fmtSec(peerProcess.median) : "not run"} (in process ${peer ? fmtSec(peer.median) : "not measured"}), CLI ${fmtSec(cli.median)} (${peerEnds ? `${(peerEnds.median / cli.median).toFixed(1)}x faster than the peer, target ${CLI_PEER_TARGET}x: ${cliPeerMet ? "met" : "NOT met"}` : "peer not measured"}), CLI --explain none ${fmtSec(cliNone.median)} (${(cliNone.median / floorProcess.median).toFixed(2)}x the floor end to end, ${(cliNone.median / floor.median).toFixed(2)}x in process; target ${CLI_NONE_FLOOR_TARGET}x end to end: ${cliNoneMet ? "met" : "NOT met"}), CLI on two threads ${fmtSec(cliTwo.median)}${large ? `; ${LARGE}x the batch: ${fmtSec(large.one.ms)} on one thread, ${fmtSec(large.threads.ms)} with the default threads` : ""}`,
);
if (peerEnds)
  log(
    `  (the peer takes ${(peerEnds.median / floorProcess.median).toFixed(1)}x the floor end to end: a command ${CLI_PEER_TARGET}x faster than the peer would have to take ${((100 * peerEnds.median) / CLI_PEER_TARGET / floorProcess.median).toFixed(0)}% of the time it takes only to start, read and parse the batch)`,
  );

// ---------------------------------------------------------------------------------------------
// Agreement with the peer (informational: the engines differ in places by design)

if (peer) {
  log();
  let agree = 0;
  const kinds = new Map();
  const examples = [];
  const perKindExamples = new Map();
  for (let i = 0; i < COUNT; i++) {
    const ours = "error" in xacctResults[i] ? "error" : xacctResults[i].decision;
    const theirs = peer.decisions[i];
    if (ours === theirs) {
      agree++;
      continue;
    }
    const r = requests[i];
    const kind = `${r.action.split(":")[0].padEnd(3)} ${principalKind(r.principal).padEnd(7)} ${isCross(xacctResults[i]) ? "cross" : "same "}: xacct ${ours} vs peer ${theirs}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const seen = perKindExamples.get(kind) ?? 0;
    if (seen < 3) {
      perKindExamples.set(kind, seen + 1);
      examples.push(i);
    }
  }
  log(`Agreement with the peer: ${fmtInt(agree)} of ${fmtInt(COUNT)} decisions (${pct(agree, COUNT)})`);
  const sorted = [...kinds].sort((a, b) => b[1] - a[1]);
  log(`Disagreements by service, principal, same/cross account and decisions (${sorted.length} kinds, top 20):`);
  for (const [kind, n] of sorted.slice(0, 20)) log(`  ${String(n).padStart(6)}  ${kind}`);
  let out = "";
  for (const i of examples.slice(0, 120)) {
    const response = await peer.detailed(i);
    out += `${JSON.stringify({
      line: i + 1,
      xacct:
        "error" in xacctResults[i]
          ? xacctResults[i]
          : { decision: xacctResults[i].decision, summary: xacctResults[i].explain.summary, deniedBy: xacctResults[i].explain.deniedBy },
      peer: summarizePeer(response),
      request: requests[i],
    })}\n`;
  }
  writeFileSync(disagreementsFile, out);
  log(`${Math.min(examples.length, 120)} examples (up to 3 per kind) written to ${relative(root, disagreementsFile)}`);
}

// ---------------------------------------------------------------------------------------------
// Adversarial single requests

await import("./adversarial.bench.mjs");

function principalKind(principal) {
  if (!principal.startsWith("arn:")) return "service";
  if (principal.includes(":assumed-role/")) return "session";
  if (principal.endsWith(":root")) return "root";
  return "user";
}

function isCross(result) {
  return "error" in result ? false : result.explain.crossAccount;
}

/** The peer's answer, cut down to what a reader needs: the decision and what each layer said. */
function summarizePeer(response) {
  if (response.resultType === "error") return { error: response.errors };
  const analysis = response.resultType === "single" ? response.result.analysis : response.results[0]?.analysis;
  const layer = (a) => a?.result;
  return {
    decision: response.overallResult,
    resultType: response.resultType,
    sameAccount: analysis?.sameAccount,
    layers: {
      identity: layer(analysis?.identityAnalysis),
      resource: layer(analysis?.resourceAnalysis),
      scp: layer(analysis?.scpAnalysis),
      rcp: layer(analysis?.rcpAnalysis),
      boundary: layer(analysis?.permissionBoundaryAnalysis),
      session: layer(analysis?.sessionAnalysis),
    },
    ignoredContextKeys: response.resultType === "single" ? response.result.ignoredContextKeys : response.results[0]?.ignoredContextKeys,
  };
}
