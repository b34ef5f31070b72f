import { diagramOf, DiagramTooLarge } from "../report/diagram.js";
import { DOT } from "../report/dot.js";
import { writeAtomically } from "../report/html.js";
import { focusText } from "../report/focus.js";
import { MERMAID } from "../report/mermaid.js";
import { focusOf } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { progress } from "./progress.js";
import { reportDataFrom, writingTo } from "./report.js";
import { type GRAPH_COMMAND_OPTIONS, helpOf, type Values } from "./usage.js";

const FORMATS = { mermaid: MERMAID, dot: DOT } as const;

export async function run(values: Values<typeof GRAPH_COMMAND_OPTIONS>): Promise<number> {
  const format = values.format;
  if (format !== "mermaid" && format !== "dot")
    throw new UsageError(`--format must be mermaid or dot${format === undefined ? "" : `, got "${format}"`}; ${helpOf("graph")}`);
  const work = progress(5);
  const data = reportDataFrom(values, "graph", work.stage);
  // A narrowed diagram says so in its text: shared on its own, it is not taken for the whole organization.
  const narrowed = focusText(focusOf(values));
  // Larger than the tool draws: its account-level view, said on stderr (and in the text); or, too large even so, how to narrow it.
  const diagram = work.stage("writing the diagram", () => {
    try {
      return diagramOf(data, FORMATS[format], narrowed);
    } catch (error) {
      if (error instanceof DiagramTooLarge) throw new UsageError(error.message);
      throw error;
    }
  });
  work.end();
  if (diagram.note) process.stderr.write(`xacct graph: ${diagram.note}\n`);
  const text = narrowed === undefined ? diagram.text : `${FORMATS[format].comment(narrowed)}\n${diagram.text}`;
  const file = values.output;
  if (file === undefined || file === "-") process.stdout.write(text);
  else {
    writingTo(file, () => writeAtomically(file, text));
    process.stderr.write(
      `xacct graph: wrote ${file}: ${Buffer.byteLength(text)} bytes of ${format === "dot" ? "Graphviz DOT" : "Mermaid"}, ${diagram.nodes} nodes and ${diagram.edges} edges${diagram.note ? " (the account-level view)" : ""}\n`,
    );
  }
  return 0;
}
