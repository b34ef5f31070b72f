/**
 * XA014 — a principal can come to act as a cross-account role without any trust admitting it: by
 * rewriting the role's trust, passing it to a service that runs its code, or granting itself
 * anything first (src/graph/escalation.ts). A cross-account role is one assumed from another
 * account or assuming into one; whoever escalates into it holds that access too, undeclared.
 * Severity by what the role reaches: high when it opens other accounts, medium when it is only
 * entered from one (its permissions are its own account's).
 */
import type { AccessGraph } from "../graph.js";
import { allRoles } from "./documents.js";
import type { Finding, Rule } from "./types.js";

/** The accounts a role's assumption edges cross to or from. */
function crossings(graph: AccessGraph, arn: string, own: string): { out: Set<string>; into: Set<string> } {
  const out = new Set<string>();
  const into = new Set<string>();
  for (const edge of graph.edges.get(arn) ?? []) {
    const to = graph.nodes.get(edge.to)?.account;
    if (!edge.technique && to !== undefined && to !== own) out.add(to);
  }
  for (const edge of graph.incomingOf(arn)) {
    const from = graph.nodes.get(edge.from)?.account;
    if (!edge.technique && from !== undefined && from !== own) into.add(from);
  }
  return { out, into };
}

export const escalationPath: Rule = {
  id: "XA014",
  summary: "a principal can act as a cross-account role by an escalation technique rather than a trust",
  check(input) {
    const graph = input.graph();
    const out: Finding[] = [];
    for (const { account, role } of allRoles(input.state)) {
      if (!account.managed) continue;
      const escalations = graph.escalationsInto(role.arn);
      if (escalations.length === 0) continue;
      const { out: opens, into: entered } = crossings(graph, role.arn, account.id);
      if (opens.size === 0 && entered.size === 0) continue;
      const reach = opens.size
        ? `it assumes roles in account${opens.size > 1 ? "s" : ""} ${[...opens].join(", ")}`
        : `account${entered.size > 1 ? "s" : ""} ${[...entered].join(", ")} assume${entered.size > 1 ? "" : "s"} it`;
      for (const edge of escalations)
        out.push({
          id: "XA014",
          severity: opens.size ? "high" : "medium",
          title: "Cross-account role reachable by privilege escalation",
          resource: role.arn,
          path: [edge.from, role.arn],
          detail: `${edge.from} can act as ${role.arn} (${reach}) without its trust admitting it: ${edge.technique} (${(edge.steps ?? []).join(", then ")}).`,
          fix: `Remove what lets ${edge.from} do it (${edge.steps?.[0] ?? edge.action}), scope it with a condition or a permissions boundary, or deny it by SCP; if the access is meant, declare it as a grant so the trust says so.`,
        });
    }
    return out;
  },
};
