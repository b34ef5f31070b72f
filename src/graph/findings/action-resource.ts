/**
 * XA008 — actions the service authorization data does not know, and actions that cannot apply to
 * any Resource of their statement. Either way the statement does not do what it says: an unknown
 * action (a typo, a made-up name) allows or denies nothing, and an action whose resource types no
 * Resource can name (s3:ListBucket on `bucket/*`, s3:GetObject on the bucket) is never allowed
 * there.
 *
 * Wildcard actions are checked only for matching something; statements with `Resource: "*"`
 * (or NotResource) are not checked against resource types. AWS managed policies are left out.
 */
import { type CatalogAction, findAction, serviceActions } from "../../catalog/catalog.js";
import { type PolicyStatement } from "../../state/account-state.js";
import { ownDocuments, type PlacedDocument } from "./documents.js";
import { canName } from "./resource-types.js";
import { catalogActions, list, statementName } from "./statements.js";
import type { Finding, Rule } from "./types.js";

function unknownActions(statement: PolicyStatement): string[] {
  return [...list(statement.Action), ...list(statement.NotAction)].filter((pattern) => {
    if (pattern === "*") return false;
    const catalog = catalogActions(pattern);
    return catalog !== "all" && catalog.length === 0;
  });
}

/**
 * Whether any Resource entry can name a resource the action acts on. Actions the data lists
 * with no resource type are not judged: services authorize some of them against ARNs anyway
 * (CloudWatch Logs' DescribeLogGroups against a log group), so a specific ARN is not proof.
 */
function fits(action: CatalogAction, resources: string[]): boolean {
  if (action.resourceTypes.length === 0) return true;
  return action.resourceTypes.some((type) => resources.some((r) => canName(action.service, type.name, r) ?? true));
}

function misfits(statement: PolicyStatement): CatalogAction[] {
  const resources = list(statement.Resource);
  if (resources.length === 0 || resources.includes("*")) return [];
  return list(statement.Action)
    .filter((a) => a !== "*" && !/[*?]/.test(a))
    .map((a) => findAction(a.slice(0, a.indexOf(":")), a.slice(a.indexOf(":") + 1)))
    .filter((a): a is CatalogAction => a !== undefined && !fits(a, resources));
}

function describeMisfit(a: CatalogAction): string {
  return `${a.service}:${a.name} (acts on ${a.resourceTypes.map((t) => t.name).join(", ")})`;
}

function check(doc: PlacedDocument): Finding[] {
  const out: Finding[] = [];
  doc.document.Statement.forEach((statement, i) => {
    const unknown = unknownActions(statement);
    if (unknown.length) {
      const services = unknown.map((u) => u.slice(0, u.indexOf(":"))).filter((s) => serviceActions(s) === undefined);
      out.push({
        id: "XA008",
        severity: "medium",
        title: "Action unknown to the service authorization data",
        resource: doc.holder,
        detail: `${statementName(statement, i)} of ${doc.where} names ${unknown.join(", ")}, which ${unknown.length > 1 ? "are" : "is"} not in AWS's service authorization data${services.length ? ` (no service "${[...new Set(services)].join('", "')}")` : ""}: the statement ${statement.Effect === "Allow" ? "allows" : "denies"} nothing by ${unknown.length > 1 ? "them" : "it"}.`,
        fix: "Correct the action names (see the Service Authorization Reference for the service), or remove them.",
      });
    }
    const wrong = misfits(statement);
    if (wrong.length) {
      out.push({
        id: "XA008",
        severity: "medium",
        title: "Action cannot apply to any Resource of its statement",
        resource: doc.holder,
        detail: `${statementName(statement, i)} of ${doc.where} names ${wrong.map(describeMisfit).join("; ")}, but none of its resources (${list(statement.Resource).join(", ")}) is of such a type: the statement never ${statement.Effect === "Allow" ? "allows" : "denies"} ${wrong.length > 1 ? "these actions" : "this action"}.`,
        fix: `Give each action the ARN of the resource type it acts on (for example s3:ListBucket on arn:aws:s3:::bucket, s3:GetObject on arn:aws:s3:::bucket/*), in a statement of its own if needed.`,
      });
    }
  });
  return out;
}

export const actionResource: Rule = {
  id: "XA008",
  summary: "unknown actions, and actions whose resource types no Resource of the statement can name (service authorization data)",
  check: ({ state, policies }) => ownDocuments(state, policies).flatMap(check),
};
