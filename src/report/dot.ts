/**
 * The report's graph in Graphviz DOT: accounts as clusters, cross-account edges bold and coloured,
 * conditional edges dashed and labelled with what they need.
 */
import { oneLine } from "../text/escape.js";
import type { DiagramFormat } from "./diagram.js";
import { accountGroups, accountLabel, edgeLabel, type ReportData } from "./types.js";

/**
 * Where Graphviz's `dot` layout stops being practical for this graph's shape (accounts as clusters):
 * measured with Debian 12's Graphviz 2.43 on two cores, `dot -Tsvg` took 0.3 s at 251 nodes and 808
 * edges, 4.6 s at 488 and 1,629, 17 s at 729 and 2,533, 55 s at 963 and 3,386.
 */
export const DOT_MAX_NODES = 500;
export const DOT_MAX_EDGES = 1_700;

/**
 * A DOT quoted string, shown as written: the backslash and the quote escaped, a line break as `\n`,
 * `&` as `&amp;` (Graphviz decodes entities in labels), and every other control character as its
 * Unicode control picture (`␛` for ESC): Graphviz refuses a NUL, and writes the others into SVG that
 * no XML reader takes.
 */
function quoted(value: string): string {
  const shown = value
    .replace(/[\\"]/g, "\\$&")
    .replace(/\n/g, "\\n")
    .replace(/&/g, "&amp;")
    .replace(/[\p{Cc}]/gu, (c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
    });
  return `"${shown}"`;
}

/**
 * A tooltip as a DOT quoted string. Graphviz reads a tooltip as an escString, where `\N` is the
 * node's name even after an escaped backslash: there is no way to write a backslash there, so one
 * is shown as ⧵ (U+29F5, REVERSE SOLIDUS OPERATOR), which looks the same. (IDs keep quoted's
 * escapes, which tell every ID apart; SVG's `<title>` then shows a backslash doubled.)
 */
function tooltipQuoted(value: string): string {
  return quoted(value.replaceAll("\\", "\u29f5"));
}

const SHAPES: Record<string, string> = {
  workload: "component",
  resource: "cylinder",
  federated: "hexagon",
  service: "octagon",
  account: "house",
  anyone: "doubleoctagon",
  user: "ellipse",
  role: "box",
};

/** DOT source (`digraph xacct`) of the report's accounts, nodes and edges. */
export function toDot(data: ReportData): string {
  const lines = [
    "digraph xacct {",
    "  rankdir=LR;",
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  let cluster = 0;
  for (const { account, nodes } of accountGroups(data)) {
    const indent = account ? "    " : "  ";
    if (account) lines.push(`  subgraph cluster_${cluster++} {`, `    label=${quoted(accountLabel(account))};`, `    style=rounded;`);
    for (const node of nodes)
      lines.push(
        `${indent}${quoted(node.id)} [label=${quoted(node.label)}, shape=${SHAPES[node.kind] ?? "box"}, tooltip=${tooltipQuoted(node.arn)}];`,
      );
    if (account) lines.push("  }");
  }
  for (const edge of data.edges) {
    const style = [
      `label=${quoted(edgeLabel(edge))}`,
      ...(edge.needs.length ? ["style=dashed"] : []),
      ...(edge.crossAccount ? ["color=darkorange", "penwidth=2"] : []),
    ];
    lines.push(`  ${quoted(edge.from)} -> ${quoted(edge.to)} [${style.join(", ")}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

export const DOT: DiagramFormat = {
  name: "Graphviz dot",
  render: toDot,
  tooLong: () => undefined,
  tooMany: (data) =>
    data.nodes.length > DOT_MAX_NODES
      ? `${data.nodes.length} nodes, over the ${DOT_MAX_NODES} its layout draws in seconds`
      : data.edges.length > DOT_MAX_EDGES
        ? `${data.edges.length} edges, over the ${DOT_MAX_EDGES} its layout draws in seconds`
        : undefined,
  comment: (line) => `// ${oneLine(line)}`,
};
