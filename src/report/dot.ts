/**
 * The report's graph in Graphviz DOT: accounts as clusters, cross-account edges bold and coloured,
 * conditional edges dashed and labelled with what they need.
 */
import { accountLabel, edgeLabel, nodesByAccount, type ReportData } from "./types.js";

/** A DOT quoted string. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

const SHAPES: Record<string, string> = { workload: "component", resource: "cylinder", federated: "hexagon", service: "octagon", account: "house", anyone: "doubleoctagon", user: "ellipse", role: "box" };

/** DOT source (`digraph xacct`) of the report's accounts, nodes and edges. */
export function toDot(data: ReportData): string {
  const lines = ["digraph xacct {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  const accounts = new Map(data.accounts.map((a) => [a.id, a]));
  let cluster = 0;
  for (const [account, nodes] of nodesByAccount(data)) {
    if (nodes.length === 0) continue;
    const known = account === undefined ? undefined : accounts.get(account);
    const indent = known ? "    " : "  ";
    if (known) lines.push(`  subgraph cluster_${cluster++} {`, `    label=${quoted(accountLabel(known))};`, `    style=rounded;`);
    for (const node of nodes) lines.push(`${indent}${quoted(node.id)} [label=${quoted(node.label)}, shape=${SHAPES[node.kind] ?? "box"}, tooltip=${quoted(node.arn)}];`);
    if (known) lines.push("  }");
  }
  for (const edge of data.edges) {
    const style = [`label=${quoted(edgeLabel(edge))}`, ...(edge.needs.length ? ["style=dashed"] : []), ...(edge.crossAccount ? ["color=darkorange", "penwidth=2"] : [])];
    lines.push(`  ${quoted(edge.from)} -> ${quoted(edge.to)} [${style.join(", ")}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
