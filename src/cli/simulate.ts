import { createReadStream } from "../fs/node-fs.js";
import { statOf } from "../fs/stat.js";
import { availableParallelism } from "node:os";
import type { ExplainLevel } from "../policy/simulate.js";
import { assertReadable, parseJsonFile, readInput, UsageError } from "./json-input.js";
import { helpOf, type SIMULATE_OPTIONS, THREADS_VARIABLE, type Values } from "./usage.js";

/** `xacct simulate`: thin over the policy engine. Returns the exit status. */
export async function run(values: Values<typeof SIMULATE_OPTIONS>): Promise<number> {
  if ((values.request === undefined) === (values.batch === undefined))
    throw new UsageError(`give exactly one of --request or --batch; ${helpOf("simulate")}`);
  const explain = values.explain ?? "full";
  if (explain !== "full" && explain !== "none") throw new UsageError(`--explain takes full or none, got ${JSON.stringify(explain)}`);
  if (values.request !== undefined) {
    const input = parseJsonFile(readInput(values.request), values.request);
    const { simulate } = await import("../policy/simulate.js");
    const result = simulate(input);
    process.stdout.write(`${JSON.stringify(explain === "none" ? { decision: result.decision } : result)}\n`);
    return 0;
  }
  return runBatch(values.batch as string, explain);
}

async function runBatch(file: string, explain: ExplainLevel): Promise<number> {
  // Loaded for a batch only (it brings in worker threads): one request needs none of it.
  const { BLOCK_BYTES, decideBatch, THREADS_FROM_BYTES } = await import("./simulate-batch.js");
  const told = process.env[THREADS_VARIABLE];
  const threads = threadCount(told);
  // Threads when told, for any batch of two blocks or more; else from THREADS_FROM_BYTES, where they pay.
  const threadsFrom = told ? 2 * BLOCK_BYTES : THREADS_FROM_BYTES;
  assertReadable(file);
  // A regular file's size tells at once whether the batch is large enough for threads.
  const size = file === "-" ? undefined : statOf(file).size;
  const input = file === "-" ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const { failed } = await decideBatch(input, explain, threads, write, size || undefined, threadsFrom);
  if (failed === 0) return 0;
  // Said where a person sees it when the answers go to a file: which lines, their own output says.
  process.stderr.write(
    `xacct simulate: ${failed} line${failed === 1 ? " was" : "s were"} answered with an error (each says why in its output line)\n`,
  );
  return 1;
}

/** Writes to standard output, waiting while it is full. */
async function write(out: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(out)) await new Promise((resolve) => process.stdout.once("drain", resolve));
}

const MAX_THREADS = 64;

/** How many threads a batch is decided on: XACCT_THREADS, else one per CPU. */
function threadCount(value: string | undefined): number {
  if (value === undefined || value === "") return availableParallelism();
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > MAX_THREADS)
    throw new UsageError(
      `${THREADS_VARIABLE} must be a number of threads from 1 to ${MAX_THREADS} (1: decide on the main thread alone), got ${JSON.stringify(value)}`,
    );
  return Number(value);
}
