/**
 * XA009 — `*` actions or `*` resources in a cross-account role, a role whose trust admits a
 * principal of another account (or everyone). Whoever crosses in gets whatever the wildcard
 * covers, now and as services add actions. A whole-service or global action wildcard
 * (`s3:*`, `*`) is reported, and `Resource: "*"` for any action that can be given resources —
 * actions that take only `*` (the catalog's wildcard-only ones) are fine there.
 */
import { type CatalogAction } from "../../catalog/catalog.js";
import type { AccountEntry, PolicyStatement, RoleState } from "../../state/account-state.js";
import type { PolicyBook } from "../policies.js";
import { allRoles, permissionDocuments, trustDocument } from "./documents.js";
import { catalogActions, list, namedAccounts, statementName, statementsOf } from "./statements.js";
import type { Finding, Rule } from "./types.js";

/** The other accounts (or "*") a role's trust admits. */
function crossAccountCallers(book: PolicyBook, account: AccountEntry, role: RoleState): string[] {
  const out = new Set<string>();
  for (const s of statementsOf(trustDocument(book, account, role))) {
    if (s.compiled.effect !== "Allow") continue;
    if (s.compiled.principal?.everyone) out.add("*");
    for (const id of namedAccounts(s.compiled)) if (id !== account.id) out.add(id);
  }
  return [...out];
}

function wildcardActions(statement: PolicyStatement): string[] {
  return list(statement.Action).filter((a) => a === "*" || /^[^:]+:\*$/.test(a));
}

/** Actions the statement gives on `Resource: "*"` that could have been given specific resources. */
function resourceWildcard(statement: PolicyStatement): string[] {
  if (!list(statement.Resource).includes("*")) return [];
  return list(statement.Action).filter((pattern) => {
    const actions = catalogActions(pattern);
    return actions === "all" || actions.some((a: CatalogAction) => !a.isWildcardOnly && a.resourceTypes.length > 0);
  });
}

export const crossAccountWildcards: Rule = {
  id: "XA009",
  summary: '"*" actions or "*" resources in a role that another account can assume (actions that take only "*" excepted)',
  check({ state, policies }) {
    const out: Finding[] = [];
    for (const { account, role } of allRoles(state)) {
      const callers = crossAccountCallers(policies, account, role);
      if (callers.length === 0) continue;
      const who = callers.includes("*") ? "every AWS account" : `account${callers.length > 1 ? "s" : ""} ${callers.join(", ")}`;
      for (const doc of permissionDocuments(policies, account, role)) {
        statementsOf(doc).forEach(({ written: statement, compiled }, i) => {
          if (compiled.effect !== "Allow") return;
          const actions = wildcardActions(statement);
          const resources = resourceWildcard(statement);
          if (actions.length === 0 && resources.length === 0) return;
          const both = actions.length > 0 && resources.length > 0;
          out.push({
            id: "XA009",
            severity: both ? "critical" : actions.length ? "high" : "medium",
            title: actions.length ? 'Cross-account role allows "*" actions' : 'Cross-account role allows actions on "*"',
            resource: role.arn,
            detail: `${role.arn} can be assumed from ${who}, and ${statementName(statement, i)} of ${doc.where} allows ${[
              ...(actions.length ? [`every action of ${actions.join(", ")}`] : []),
              ...(resources.length
                ? [
                    `${resources.slice(0, 5).join(", ")}${resources.length > 5 ? ` and ${resources.length - 5} more` : ""} on every resource ("*")`,
                  ]
                : []),
            ].join(" and ")}.`,
            fix: 'Name the actions the callers need (xacct derives them from the service authorization data per grant) and the ARNs of the resources they act on; keep "*" only for actions that take nothing else.',
          });
        });
      }
    }
    return out;
  },
};
