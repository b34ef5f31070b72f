import { reportHtml, writeReport } from "../report/html.js";
import { loadReportData } from "../report/load.js";
import type { ReportData } from "../report/types.js";
import { focused } from "../report/focus.js";
import { silently, type Stage } from "../source/stage.js";
import { contextOf, edgeKindsOf, focusing, focusOf } from "./graph-input.js";
import { boundHeapGrowth, collectGarbage } from "./heap.js";
import { progress } from "./progress.js";
import { UsageError } from "./json-input.js";
import { sourceOf } from "./source.js";
import type { REPORT_COMMAND_OPTIONS, REPORT_OPTIONS, Values } from "./usage.js";

/** The report's data from `--model` or `--inventory` (exactly one), for `report` and `graph`. */
export function reportDataFrom(values: Values<typeof REPORT_OPTIONS>, command: string, stage: Stage = silently): ReportData {
  const focus = focusOf(values);
  return loadReportData(sourceOf(values, command), {
    context: contextOf(values.context),
    edges: edgeKindsOf(values.edges),
    ...(values.title !== undefined ? { title: values.title } : {}),
    stage,
    narrow: (data) => focusing(() => focused(data, focus)),
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

export async function run(values: Values<typeof REPORT_COMMAND_OPTIONS>): Promise<number> {
  const work = progress(5);
  boundHeapGrowth();
  const data = reportDataFrom(values, "report", work.stage);
  // The access graph is let go: freed before the page is written.
  collectGarbage();
  const file = values.output ?? "report.html";
  const counts = `${data.accounts.length} accounts, ${data.nodes.length} nodes, ${data.edges.length} edges, ${data.findings.length} findings`;
  // -o -: the page on standard output, and what it holds on stderr.
  if (file === "-") {
    const html = work.stage("writing the page", () => reportHtml(data));
    work.end();
    process.stdout.write(html);
    process.stderr.write(`xacct report: wrote the report to standard output: ${counts}\n`);
    return 0;
  }
  work.stage("writing the page", () => writingTo(file, () => writeReport(file, data)));
  work.end();
  process.stdout.write(`wrote ${file}: ${counts}\n`);
  return 0;
}
