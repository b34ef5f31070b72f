/**
 * XA014 — a principal can come to act as a cross-account role, or a role a model grants
 * something, without any trust admitting it: by rewriting the role's trust, passing it to a
 * service that runs its code, taking over what runs as it, or granting itself anything first
 * (src/graph/escalation.ts). A cross-account role is one assumed from another account or assuming
 * into one; whoever escalates into it holds that access too, undeclared. Severity by what the role
 * reaches: high when it opens other accounts (by assuming, or by a grant of the model on another
 * account's resources), medium when it is only entered from one or granted its own account's.
 */
import type { Chain } from "../../compile/plan.js";
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

/** The grants of a model each role acts for (the role a chain ends in), by role ARN. */
function grantedRoles(chains: readonly Chain[]): Map<string, Chain[]> {
  const out = new Map<string, Chain[]>();
  for (const chain of chains) {
    const role = chain.hops.at(-1)?.roleArn ?? chain.start.roleArn;
    if (role) out.set(role, [...(out.get(role) ?? []), chain]);
  }
  return out;
}

export const escalationPath: Rule = {
  id: "XA014",
  summary: "a principal can act as a cross-account role by an escalation technique rather than a trust",
  check(input) {
    const graph = input.graph();
    const granted = grantedRoles(input.chains);
    const out: Finding[] = [];
    for (const { account, role } of allRoles(input.state)) {
      if (!account.managed) continue;
      const escalations = graph.escalationsInto(role.arn);
      if (escalations.length === 0) continue;
      const { out: opens, into: entered } = crossings(graph, role.arn, account.id);
      const grants = granted.get(role.arn) ?? [];
      if (opens.size === 0 && entered.size === 0 && grants.length === 0) continue;
      const elsewhere = grants.filter((c) => c.account !== account.id);
      const reach = [
        ...(opens.size ? [`it assumes roles in account${opens.size > 1 ? "s" : ""} ${[...opens].join(", ")}`] : []),
        ...(!opens.size && entered.size
          ? [`account${entered.size > 1 ? "s" : ""} ${[...entered].join(", ")} assume${entered.size > 1 ? "" : "s"} it`]
          : []),
        ...grants.map((c) => `the model grants it: ${c.summary}`),
      ].join("; ");
      for (const edge of escalations)
        out.push({
          id: "XA014",
          severity: opens.size || elsewhere.length ? "high" : "medium",
          title:
            grants.length && !opens.size && !entered.size
              ? "Role of a grant reachable by privilege escalation"
              : "Cross-account role reachable by privilege escalation",
          resource: role.arn,
          path: [edge.from, role.arn],
          detail: `${edge.from} can act as ${role.arn} (${reach}) without its trust admitting it: ${edge.technique} (${(edge.steps ?? []).join(", then ")})${edge.holdsIf ? `, if ${edge.holdsIf}` : ""}.`,
          fix: `Remove what lets ${edge.from} do it (${edge.steps?.[0] ?? edge.action}), scope it with a condition or a permissions boundary, or deny it by SCP; if the access is meant, declare it as a grant so the trust says so.`,
        });
    }
    return out;
  },
};
