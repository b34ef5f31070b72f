import { parseArgs } from "node:util";
import { writeReport } from "../report/html.js";
import { loadReportData } from "../report/load.js";
import type { ReportData } from "../report/types.js";
import { contextOf, edgeKindsOf } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { SOURCE_OPTIONS, sourceOf } from "./source.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("report");

/** The options `xacct report` and `xacct graph` share. */
export const REPORT_OPTIONS = {
  ...SOURCE_OPTIONS,
  context: { type: "string", multiple: true },
  edges: { type: "string" },
  title: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean" },
} as const;

/** The report's data from `--model` or `--inventory` (exactly one), for `report` and `graph`. */
export function reportDataFrom(
  values: { model?: string; inventory?: string; context?: string[]; edges?: string; title?: string },
  commandUsage: string,
): ReportData {
  return loadReportData(sourceOf(values, commandUsage), {
    context: contextOf(values.context),
    edges: edgeKindsOf(values.edges),
    ...(values.title !== undefined ? { title: values.title } : {}),
  });
}

/** Runs `write`; a failure to write the file is a usage error naming it. */
export function writingTo(file: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: REPORT_OPTIONS });
  if (values.help) return (process.stdout.write(`${usage}\n`), 0);
  const data = reportDataFrom(values, usage);
  const file = values.output ?? "report.html";
  writingTo(file, () => writeReport(file, data));
  process.stdout.write(
    `wrote ${file}: ${data.accounts.length} accounts, ${data.nodes.length} nodes, ${data.edges.length} edges, ${data.findings.length} findings\n`,
  );
  return 0;
}
