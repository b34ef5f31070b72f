/**
 * XA012 — long-lived access keys used for cross-account access. An IAM user signs in with access
 * keys that never expire on their own; when those keys open roles in other accounts, one leaked
 * key reaches all of them. Reported for a user with access keys that has an edge to a role of
 * another account, or whose identity policies allow sts:AssumeRole on roles of other accounts
 * (`*` included). (Inventories do not say whether a user has keys, so every user counts.)
 */
import { parseArn } from "../../aws/arn.js";
import { allUsers, permissionDocuments } from "./documents.js";
import { allows, list, statementsOf } from "./statements.js";
import type { Finding, Rule } from "./types.js";

/** Whether a Resource entry of sts:AssumeRole can name a role outside the account. */
function reachesOut(resource: string, own: string): boolean {
  if (resource === "*") return true;
  const arn = parseArn(resource);
  const account = arn?.service === "iam" && arn.region === "" ? arn.account : undefined;
  return account !== undefined && account !== own;
}

export const accessKeysCrossAccount: Rule = {
  id: "XA012",
  summary: "an IAM user with long-lived access keys that assumes roles in other accounts",
  check(input) {
    const graph = input.graph();
    const out: Finding[] = [];
    for (const { account, user } of allUsers(input.state)) {
      if (!user.accessKeys) continue;
      const finding = (path: string[] | undefined, what: string): Finding => ({
        id: "XA012",
        severity: "high",
        title: "Long-lived access keys used for cross-account access",
        resource: user.arn,
        ...(path ? { path } : {}),
        detail: `${user.arn} signs in with long-lived access keys and ${what}: a leaked key opens the other account too, and nothing expires it.`,
        fix: "Give the workload a role instead (an instance profile, IRSA or EKS Pod Identity, an ECS task role, or IAM Roles Anywhere outside AWS) and delete the user's access keys; until then, rotate them and restrict their use with aws:SourceIp or aws:SourceVpc conditions.",
      });
      const targets = (graph.edges.get(user.arn) ?? []).filter((e) => graph.nodes.get(e.to)?.account !== account.id);
      for (const edge of targets)
        out.push(finding([user.arn, edge.to], `can assume ${edge.to} in account ${graph.nodes.get(edge.to)?.account ?? "?"}`));
      if (targets.length) continue;
      const patterns = permissionDocuments(input.policies, account, user).flatMap((d) =>
        statementsOf(d)
          .filter((s) => allows(s.compiled, "sts:AssumeRole"))
          .flatMap((s) => list(s.written.Resource)),
      );
      const outward = [...new Set(patterns.filter((r) => reachesOut(r, account.id)))];
      if (outward.length) out.push(finding(undefined, `may call sts:AssumeRole on ${outward.join(", ")}, outside account ${account.id}`));
    }
    return out;
  },
};
