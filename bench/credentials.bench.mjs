/**
 * `npm run bench:credentials`: how long a workload waits for `import("xacct/credentials")`, each
 * time in a fresh Node process (so nothing is cached in memory), beside the peer: the AWS SDK's
 * own `import("@aws-sdk/credential-providers")` and a `fromTemporaryCredentials` provider, in the
 * same run. Also what a chain named by a model's workload adds (`xacct/credentials/model`, the
 * model loader and compiler that `fromChain({ model, workload })` loads when it is first resolved).
 * Each process times its import (and the making of one provider) with performance.now() and
 * prints it; the table gives the median and the range. It asserts nothing: it prints figures.
 *
 * Environment: BENCH_REPS (fresh processes per row, default 9).
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { envNumber, tableLines } from "./util.mjs";

/** What each row imports and makes, timed inside a fresh process. */
const ROWS = {
  "xacct/credentials: import + fromChain": async () => {
    const { fromChain } = await import("xacct/credentials");
    fromChain({ name: "bench", first: { type: "environment" }, hops: [{ roleArn: "arn:aws:iam::111122223333:role/bench" }] });
  },
  "peer: @aws-sdk/credential-providers: import + fromTemporaryCredentials": async () => {
    const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
    fromTemporaryCredentials({ params: { RoleArn: "arn:aws:iam::111122223333:role/bench" } });
  },
  "xacct/credentials/model: import (what a model workload's chain loads when first resolved)": async () => {
    await import("xacct/credentials/model");
  },
};

const child = process.argv[2];
if (child !== undefined) {
  // In the fresh process: time the row, print milliseconds.
  const started = performance.now();
  await ROWS[child]();
  process.stdout.write(`${performance.now() - started}\n`);
} else {
  const REPS = Math.max(1, envNumber("BENCH_REPS", 9));
  const self = fileURLToPath(import.meta.url);
  const times = new Map(Object.keys(ROWS).map((name) => [name, []]));
  // Interleaved, so that a noisy moment of the machine falls on every row alike.
  for (let rep = 0; rep < REPS; rep++) {
    for (const name of Object.keys(ROWS)) {
      const run = spawnSync(process.execPath, [self, name], {
        encoding: "utf8",
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
      if (run.status !== 0) throw new Error(`${name}: exit ${run.status}\n${run.stderr}`);
      times.get(name).push(Number(run.stdout));
    }
  }
  const ms = (n) => `${n.toFixed(0)} ms`;
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const peer = median(times.get(Object.keys(ROWS)[1]));
  const rows = [["load, fresh process", "median", "min – max", "vs peer"]];
  for (const [name, xs] of times)
    rows.push([name, ms(median(xs)), `${ms(Math.min(...xs))} – ${ms(Math.max(...xs))}`, `${(median(xs) / peer).toFixed(2)}x`]);
  process.stdout.write(
    `Credentials library load time (${REPS} fresh Node ${process.version} processes per row):\n${tableLines(rows).join("\n")}\n`,
  );
}
