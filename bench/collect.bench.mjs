/**
 * `npm run bench:collect`: `xacct collect --all --endpoint-url` reading a synthetic organization
 * (bench/generate-inventory.mjs: BENCH_ACCOUNTS accounts, default 100, each with
 * BENCH_ROLES roles, default 20, customer managed policies and the shared buckets' and queues'
 * resource policies) from the sandbox, beside the floor: the sandbox's own answer rate for the
 * same calls.
 *
 * The sandbox runs in a process of its own (bench/collect-sandbox.mjs), collect in another (the
 * CLI from dist/, as users run it): on a 2-core machine, one core each. Three steps:
 *   1. recording: collect once through a recording proxy, which keeps every signed request as
 *      sent (untimed; it also warms the sandbox up);
 *   2. xacct: collect again straight at the sandbox, timed from spawn to exit, with its calls (as
 *      collect counts them) and its peak RSS (bench/rss-at-exit.mjs, getrusage's ru_maxrss);
 *   3. floor: the recorded requests replayed straight at the sandbox from this process, at the
 *      same concurrency, over keep-alive connections, without collect's work (no signing, no
 *      parsing, no files): what the sandbox answers per second for the same calls. Replays are
 *      accepted because the sandbox, like AWS, takes a signed request again within its 5-minute
 *      signing window; every answer must have the status the recorded one had (a bucket without a
 *      policy answers 404 NoSuchBucketPolicy both times), else the figure is refused.
 * It asserts nothing: it prints figures. Environment: BENCH_ACCOUNTS, BENCH_ROLES,
 * BENCH_CONCURRENCY (default 8; collect's --concurrency and the replay's requests in flight).
 */
import { Buffer } from "node:buffer";
import { spawn, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, URL } from "node:url";
import { generateInventory } from "./generate-inventory.mjs";
import { envNumber, fmtInt, fmtSec, tableLines } from "./util.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const ACCOUNTS = envNumber("BENCH_ACCOUNTS", 100);
const ROLES = envNumber("BENCH_ROLES", 20);
const CONCURRENCY = envNumber("BENCH_CONCURRENCY", 8);
const REGION = "us-east-1";
const log = (line = "") => process.stdout.write(`${line}\n`);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const work = mkdtempSync(join(tmpdir(), "xacct-bench-collect-"));
const inventory = join(work, "organization");
const generated = generateInventory(inventory, { accounts: ACCOUNTS, rolesPerAccount: ROLES });
log(`bench:collect: ${fmtInt(generated.accounts)} accounts, ${fmtInt(generated.roles)} roles, concurrency ${CONCURRENCY}`);

const child = fork(join(root, "bench/collect-sandbox.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
// The sandbox's process ends with this one, whatever happens here.
process.on("exit", () => child.kill());
const ready = await new Promise((resolve, reject) => {
  child.once("message", (m) => (m.type === "ready" ? resolve(m) : reject(new Error(m.message))));
  child.send({ type: "start", inventory });
});

/** The recording proxy: each request kept as sent (method, path, headers, body), then passed on. */
const recorded = [];
const target = new URL(ready.url);
const upstream = new Agent({ keepAlive: true });
const proxy = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const entry = { method: req.method, path: req.url, headers: req.headers, body, status: 0 };
    recorded.push(entry);
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: upstream },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    out.end(body);
  });
});
await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));

/** `xacct collect --all` as a user runs it, with the auditor's keys in its environment. */
function collect(endpoint, out) {
  const rssFile = join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    AWS_ACCESS_KEY_ID: ready.keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ready.keys.secretAccessKey,
    AWS_CONFIG_FILE: join(work, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(work, "none"),
    XACCT_BENCH_RSS_FILE: rssFile,
  };
  const args = ["--import", join(root, "bench/rss-at-exit.mjs"), join(root, "dist/bin/xacct.js"), "collect", "--all"];
  args.push("--endpoint-url", endpoint, "--out", out, "--regions", REGION, "--concurrency", String(CONCURRENCY));
  const started = performance.now();
  const run = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  run.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) =>
    run.on("exit", (code) => {
      const ms = performance.now() - started;
      const summary = stderr.split("\n").find((l) => / accounts complete in /.test(l)) ?? "";
      const calls = Number(/; (\d+) calls/.exec(summary)?.[1] ?? NaN);
      resolve({ code, ms, calls, rss: Number(readFileSync(rssFile, "utf8")), summary, stderr });
    }),
  );
}

const first = await collect(`http://127.0.0.1:${proxy.address().port}`, join(work, "recorded"));
proxy.close();
if (first.code !== 0) throw new Error(`the recording run failed (exit ${first.code}):\n${first.stderr.slice(-2000)}`);
const timed = await collect(ready.url, join(work, "timed"));
if (timed.code !== 0) throw new Error(`collect failed (exit ${timed.code}):\n${timed.stderr.slice(-2000)}`);

/** The floor: the recorded requests, CONCURRENCY in flight, each answer read whole and checked 2xx. */
async function replay() {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let refused = 0;
  const one = (r) =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: r.method, path: r.path, headers: r.headers, agent },
        (answer) => {
          if (answer.statusCode !== r.status) refused++;
          answer.on("data", () => {});
          answer.on("end", resolve);
        },
      );
      out.on("error", reject);
      out.end(r.body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < recorded.length) await one(recorded[next++]);
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return { ms, refused };
}
const floor = await replay();
if (floor.refused)
  throw new Error(
    `${floor.refused} of ${recorded.length} replayed requests were answered otherwise than when recorded: the floor would not be the same calls`,
  );

const rate = (calls, ms) => fmtInt(calls / (ms / 1000));
log(timed.summary);
log();
for (const line of tableLines([
  ["", "time", "calls", "calls/s", "peak RSS"],
  ["xacct collect --all", fmtSec(timed.ms), fmtInt(timed.calls), rate(timed.calls, timed.ms), mib(timed.rss)],
  ["floor: same requests replayed", fmtSec(floor.ms), fmtInt(recorded.length), rate(recorded.length, floor.ms), "-"],
]))
  log(line);
log();
log(`collect's share of the time beyond the sandbox's own: ${fmtSec(timed.ms - floor.ms)} (process start, signing, parsing, writing)`);

child.send({ type: "close" });
await new Promise((resolve) => child.once("exit", resolve));
rmSync(work, { recursive: true, force: true });
