/**
 * The account-level view of a report's graph: one node per account (its principals, workloads and
 * resources counted in its label), one edge per pair of accounts and kind of step between them
 * (how many steps of the full graph it stands for, in its label). What a diagram tool that cannot
 * draw the whole organization still can.
 */
import { parseArn, rootArn } from "../aws/arn.js";
import { accountGroups, accountLabel, type ReportData, type ReportEdge, type ReportNode } from "./types.js";

/** The steps inside one account are left out: the view is about what crosses accounts. */
export function accountView(data: ReportData): ReportData {
  const nodes: ReportNode[] = [];
  /** Each full-graph node's node in the view: its account's, or itself when it is in none. */
  const standsFor = new Map<string, string>();
  for (const { account, nodes: members } of accountGroups(data)) {
    if (!account) {
      for (const node of members) {
        nodes.push({ ...node, findings: [] });
        standsFor.set(node.id, node.id);
      }
      continue;
    }
    const id = `account:${account.id}`;
    nodes.push({
      id,
      kind: "account",
      label: `${accountLabel(account)} (${countText(members)})`,
      // The partition of the account's own nodes (aws, aws-cn, aws-us-gov).
      arn: rootArn(parseArn(members[0]?.arn ?? "")?.partition ?? "aws", account.id),
      account: account.id,
      workloads: [...new Set(members.flatMap((n) => n.workloads))],
      findings: [],
    });
    for (const node of members) standsFor.set(node.id, id);
  }
  const edges = new Map<string, ReportEdge>();
  /** The actions of each account-level edge, gathered. */
  const actionsOf = new Map<ReportEdge, Set<string>>();
  for (const edge of data.edges) {
    const from = standsFor.get(edge.from);
    const to = standsFor.get(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    const key = `${from}\n${to}\n${edge.kind}`;
    const known = edges.get(key);
    if (known) {
      known.count = (known.count ?? 1) + 1;
      for (const action of edge.actions) actionsOf.get(known)?.add(action);
      continue;
    }
    const level: ReportEdge = {
      id: `${from}->${to}:${edge.kind}`,
      kind: edge.kind,
      from,
      to,
      actions: [],
      crossAccount: edge.crossAccount,
      needs: [],
      callerSide: [],
      workloads: [],
      findings: [],
      count: 1,
    };
    edges.set(key, level);
    actionsOf.set(level, new Set(edge.actions));
  }
  for (const [edge, actions] of actionsOf) edge.actions = [...actions].sort();
  return { ...data, nodes, edges: [...edges.values()], statements: [], findings: [] };
}

/** `12 roles, 1 workload` */
function countText(members: readonly ReportNode[]): string {
  const counts = new Map<string, number>();
  for (const node of members) counts.set(node.kind, (counts.get(node.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${n} ${kind}${n === 1 ? "" : "s"}`)
    .join(", ");
}
