import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type ExplainLevel, simulate, simulateLine } from "../policy/simulate.js";
import { assertReadable, parseJsonFile, readInput, UsageError } from "./json-input.js";
import { helpOf, type SIMULATE_OPTIONS, type Values } from "./usage.js";

/** `xacct simulate`: thin over the policy engine. Returns the exit status. */
export async function run(values: Values<typeof SIMULATE_OPTIONS>): Promise<number> {
  if ((values.request === undefined) === (values.batch === undefined))
    throw new UsageError(`give exactly one of --request or --batch; ${helpOf("simulate")}`);
  const explain = values.explain ?? "full";
  if (explain !== "full" && explain !== "none") throw new UsageError(`--explain takes full or none, got ${JSON.stringify(explain)}`);
  if (values.request !== undefined) {
    const input = parseJsonFile(readInput(values.request), values.request);
    const result = simulate(input);
    process.stdout.write(`${JSON.stringify(explain === "none" ? { decision: result.decision } : result)}\n`);
    return 0;
  }
  return runBatch(values.batch as string, explain);
}

async function runBatch(file: string, explain: ExplainLevel): Promise<number> {
  assertReadable(file);
  const lines = createInterface({ input: file === "-" ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let failed = false;
  let lineNumber = 0;
  let buffer = "";
  for await (const line of lines) {
    lineNumber++;
    const result = simulateLine(line, lineNumber, explain);
    if ("error" in result) failed = true;
    buffer += `${JSON.stringify(result)}\n`;
    if (buffer.length > 1 << 16) {
      if (!process.stdout.write(buffer)) await new Promise((resolve) => process.stdout.once("drain", resolve));
      buffer = "";
    }
  }
  process.stdout.write(buffer);
  return failed ? 1 : 0;
}
