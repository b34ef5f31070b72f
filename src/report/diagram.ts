/**
 * A diagram tool's text of the report's graph, honest about size: a graph larger than the tool
 * draws becomes its account-level view (account-view.ts), said in the text and to the caller;
 * when even that is too large, no text at all but an error that says how to narrow the graph.
 */
import { accountView } from "./account-view.js";
import type { ReportData } from "./types.js";

/** A diagram format: how to write it, and what its tool draws. */
export interface DiagramFormat {
  /** The tool, as the messages name it. */
  name: string;
  render(data: ReportData): string;
  /** Why the tool will not draw `data`, by its counts alone (known before the text is written), or undefined. */
  tooMany(data: ReportData): string | undefined;
  /** Why the tool will not take `text`, or undefined when it will. */
  tooLong(text: string): string | undefined;
  /** A line of text as a comment of the format. */
  comment(line: string): string;
}

export interface Diagram {
  text: string;
  /** Said when the account-level view was written instead of the whole graph. */
  note?: string;
  /** How many nodes and edges the text draws (the account-level view's when it is written). */
  nodes: number;
  edges: number;
}

/** The graph is too large for the tool even as one node per account. */
export class DiagramTooLarge extends Error {
  override name = "DiagramTooLarge";
}

/** How to see less: the options that narrow, or, for a picture narrowed already (`narrowed`: focus.ts's focusText), how to narrow it further. */
function howToNarrow(narrowed: string | undefined): string {
  if (narrowed === undefined) return "narrow it with --account ID, --workload NAME or --focus ARN --depth N";
  return `narrow it further than it is (${narrowed}): a smaller --depth, fewer accounts or workloads, or another kind of focus as well (the kinds narrow together)`;
}

/**
 * The tool's text of the whole graph, or of its account-level view when the whole is too large.
 * `narrowed` says what the graph was narrowed to already, for the advice on narrowing it.
 */
export function diagramOf(data: ReportData, format: DiagramFormat, narrowed?: string): Diagram {
  const narrow = howToNarrow(narrowed);
  // Counts first: a whole organization's text is not written only to be thrown away.
  const tooMany = format.tooMany(data);
  const text = tooMany === undefined ? format.render(data) : undefined;
  const why = tooMany ?? format.tooLong(text as string);
  if (why === undefined) return { text: text as string, nodes: data.nodes.length, edges: data.edges.length };
  const view = accountView(data);
  const note = `the graph (${data.nodes.length} nodes, ${data.edges.length} edges) is too large for ${format.name}: ${why}; this is its account-level view (${view.nodes.length} nodes, ${view.edges.length} edges between accounts); to see the roles, ${narrow}`;
  const whyNotView = format.tooMany(view);
  const collapsed = whyNotView === undefined ? `${format.comment(note)}\n${format.render(view)}` : "";
  const whyNot = whyNotView ?? format.tooLong(collapsed);
  if (whyNot !== undefined)
    throw new DiagramTooLarge(
      `the graph (${data.nodes.length} nodes, ${data.edges.length} edges) is too large for ${format.name}, even as one node per account (${whyNot}): ${narrow}, or open it with xacct report`,
    );
  return { text: collapsed, note, nodes: view.nodes.length, edges: view.edges.length };
}
