import { parseArgs } from "node:util";
import { toDot } from "../report/dot.js";
import { writeAtomically } from "../report/html.js";
import { toMermaid } from "../report/mermaid.js";
import { UsageError } from "./json-input.js";
import { reportDataFrom, REPORT_OPTIONS, writingTo } from "./report.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("graph");

const FORMATS = { mermaid: toMermaid, dot: toDot } as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...REPORT_OPTIONS, format: { type: "string" } } });
  if (values.help) return (process.stdout.write(`${usage}\n`), 0);
  const format = values.format;
  if (format !== "mermaid" && format !== "dot")
    throw new UsageError(`--format must be mermaid or dot${format === undefined ? "" : `, got "${format}"`}\n${usage}`);
  const text = FORMATS[format](reportDataFrom(values, usage));
  const file = values.output;
  if (file === undefined) process.stdout.write(text);
  else writingTo(file, () => writeAtomically(file, text));
  return 0;
}
