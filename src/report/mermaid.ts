/**
 * The report's graph as a Mermaid flowchart, for docs and pull requests: accounts as subgraphs,
 * cross-account edges thick and orange, conditional edges dotted (`-.->`) and labelled with what
 * they need.
 */
import type { DiagramFormat } from "./diagram.js";
import { accountGroups, accountLabel, edgeLabel, type ReportData } from "./types.js";

/**
 * What Mermaid draws, by its documented defaults (mermaid.js.org/config/schema-docs/config.html):
 * `maxTextSize` 50,000 characters ("Maximum text size in diagram exceeded" above it) and `maxEdges`
 * 500 ("Too many edges").
 */
export const MERMAID_MAX_TEXT = 50_000;
export const MERMAID_MAX_EDGES = 500;

/**
 * Every character of a label Mermaid could read as more than text: ASCII but letters, digits and
 * the punctuation a label shows as it is (so `%` of a `%%{init}%%` directive or a `%%` comment, `{`,
 * `}`, the backtick of a Markdown string, `&` of an entity, `$` of KaTeX, quotes, markup, the
 * backslash and every control character), and, beyond ASCII, control and format characters and
 * the line and paragraph separators.
 */
const UNSAFE = /[^A-Za-z0-9 \-_.:/()*,@=+!?'[\]|;~^\u0080-\u{10ffff}]|[\p{C}\u2028\u2029]/gu;

/**
 * Text in a Mermaid label, quoted, each character Mermaid could read as more than text written as
 * its entity code (`#37;` for `%`; Mermaid's documented escape, decoded only once the diagram is
 * parsed): a name an account's administrator chose cannot configure the diagram, end the label
 * or hide a line.
 */
function text(value: string): string {
  return `"${entityCoded(value)}"`;
}

const entityCoded = (value: string) => value.replace(UNSAFE, (c) => `#${c.codePointAt(0)};`);

/** Mermaid flowchart source (`flowchart LR`) of the report's accounts, nodes and edges. */
export function toMermaid(data: ReportData): string {
  const ids = new Map(data.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["flowchart LR"];
  let group = 0;
  for (const { account, nodes } of accountGroups(data)) {
    const indent = account ? "    " : "  ";
    if (account) lines.push(`  subgraph a${group++}[${text(accountLabel(account))}]`);
    for (const node of nodes) lines.push(`${indent}${ids.get(node.id)}[${text(`${node.label} (${node.kind})`)}]`);
    if (account) lines.push("  end");
  }
  for (const edge of data.edges) {
    const arrow = edge.needs.length ? "-.->" : edge.crossAccount ? "==>" : "-->";
    lines.push(`  ${ids.get(edge.from)} ${arrow}|${text(edgeLabel(edge))}| ${ids.get(edge.to)}`);
  }
  const crossing = data.edges.flatMap((edge, i) => (edge.crossAccount ? [i] : []));
  if (crossing.length) lines.push(`  linkStyle ${crossing.join(",")} stroke:#d9480f,stroke-width:3px`);
  return `${lines.join("\n")}\n`;
}

export const MERMAID: DiagramFormat = {
  name: "Mermaid",
  render: toMermaid,
  tooMany: (data) =>
    data.edges.length > MERMAID_MAX_EDGES
      ? `${data.edges.length} edges, over Mermaid's default maxEdges of ${MERMAID_MAX_EDGES}`
      : undefined,
  tooLong: (text) =>
    text.length > MERMAID_MAX_TEXT ? `${text.length} characters, over Mermaid's default maxTextSize of ${MERMAID_MAX_TEXT}` : undefined,
  // Coded as a label is: a comment holding `%%{…}%%` would be read as a directive.
  comment: (line) => `%% ${entityCoded(line)}`,
};
