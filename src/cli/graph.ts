import { toDot } from "../report/dot.js";
import { writeAtomically } from "../report/html.js";
import { toMermaid } from "../report/mermaid.js";
import { UsageError } from "./json-input.js";
import { reportDataFrom, writingTo } from "./report.js";
import { type GRAPH_COMMAND_OPTIONS, helpOf, type Values } from "./usage.js";

const FORMATS = { mermaid: toMermaid, dot: toDot } as const;

export async function run(values: Values<typeof GRAPH_COMMAND_OPTIONS>): Promise<number> {
  const format = values.format;
  if (format !== "mermaid" && format !== "dot")
    throw new UsageError(`--format must be mermaid or dot${format === undefined ? "" : `, got "${format}"`}; ${helpOf("graph")}`);
  const data = reportDataFrom(values, "graph");
  const text = FORMATS[format](data);
  const file = values.output;
  if (file === undefined || file === "-") process.stdout.write(text);
  else {
    writingTo(file, () => writeAtomically(file, text));
    process.stderr.write(
      `xacct graph: wrote ${file}: ${Buffer.byteLength(text)} bytes of ${format === "dot" ? "Graphviz DOT" : "Mermaid"}, ${data.nodes.length} nodes and ${data.edges.length} edges\n`,
    );
  }
  return 0;
}
