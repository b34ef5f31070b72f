/**
 * XA003 — an account root trusted for more than reading. A trust naming an account (its root ARN or
 * its ID) delegates the role to every principal that account's administrators allow; that is
 * acceptable for read-only access (the consumer accounts of `examples/002-stage-consumers`) but not
 * for a role that may write, manage permissions or tag: the role's permissions are checked against
 * the access levels of the service authorization data (Write, Permissions management, Tagging).
 *
 * Two refinements: execute-api:Invoke is listed as Write, but a statement whose every resource
 * names a GET, HEAD or OPTIONS method (`api/stage/GET/*`) only calls read-only methods; and a trust
 * statement whose aws:PrincipalArn condition names the account's roles or users (by name or name
 * pattern) delegates to those, not to the whole account.
 */
import type { CatalogAction } from "../../catalog/catalog.js";
import type { PolicyStatement } from "../../state/account-state.js";
import { allRoles, permissionDocuments, trustDocument } from "./documents.js";
import { allows, catalogActions, list, namedAccounts, statementsOf } from "./statements.js";
import type { Finding, Rule } from "./types.js";
import { parseArn } from "../../aws/arn.js";

const BEYOND_READ: ReadonlySet<string> = new Set(["Write", "Permissions management", "Tagging"]);

/** Whether an action may do more than read; the data joins some levels (`Permissions management, Write`). */
function beyondRead(action: CatalogAction): boolean {
  return String(action.accessLevel)
    .split(/,\s*/)
    .some((level) => BEYOND_READ.has(level));
}

const READ_METHOD = /^[^/]+\/[^/]+\/(GET|HEAD|OPTIONS)\//;

function readOnlyInvoke(action: CatalogAction, statement: PolicyStatement): boolean {
  if (action.service !== "execute-api" || action.name !== "Invoke") return false;
  const resources = list(statement.Resource);
  // arn:P:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH
  return (
    resources.length > 0 &&
    resources.every((r) => {
      const arn = parseArn(r);
      return arn !== null && arn.partition !== "" && arn.service === "execute-api" && READ_METHOD.test(arn.resource);
    })
  );
}

/** Operators that, on aws:PrincipalArn, admit only the principals their values name (no IfExists: an absent key would pass). */
const NARROWING = new Set(["arnequals", "arnlike", "stringequals", "stringlike"]);

/**
 * Whether a trust statement naming an account admits only named roles or users of it: an
 * aws:PrincipalArn condition whose every value names a role or user by (a pattern of) its name,
 * as AWS recommends for IAM Identity Center's roles, whose suffix is unknown in advance
 * (`…:role/aws-reserved/sso.amazonaws.com/*\/AWSReservedSSO_<set>_*`).
 */
function principalArnNarrowed(statement: PolicyStatement): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (!NARROWING.has(operator.toLowerCase())) continue;
    for (const [key, value] of Object.entries(keys)) {
      if (key.toLowerCase() !== "aws:principalarn") continue;
      const values = [value].flat().map(String);
      const named = (v: string) => {
        const arn = parseArn(v);
        const name = arn?.resource.slice(arn.resource.lastIndexOf("/") + 1) ?? "";
        return arn?.service === "iam" && /^(role|user)\//.test(arn.resource) && name.replace(/[*?]/g, "") !== "";
      };
      if (values.length > 0 && values.every(named)) return true;
    }
  }
  return false;
}

/** Up to a few actions the statement allows beyond reading, or an empty list. */
function writesOf(statement: PolicyStatement): string[] {
  if (statement.Effect !== "Allow") return [];
  if (statement.NotAction !== undefined) return [`every action but ${list(statement.NotAction).join(", ")}`];
  const out: string[] = [];
  for (const pattern of list(statement.Action)) {
    const actions = catalogActions(pattern);
    if (actions === "all") return ["*"];
    const writes = actions.filter((a) => beyondRead(a) && !readOnlyInvoke(a, statement));
    if (writes.length)
      out.push(
        writes.length === actions.length && /[*?]/.test(pattern)
          ? pattern
          : `${writes[0]?.service}:${writes[0]?.name} (${writes[0]?.accessLevel})`,
      );
  }
  return out;
}

export const rootTrustWrite: Rule = {
  id: "XA003",
  summary: "an account root trusted for a role that can do more than read (Write, Permissions management or Tagging actions)",
  check({ state, policies }) {
    const out: Finding[] = [];
    for (const { account, role } of allRoles(state)) {
      const roots = new Set(
        statementsOf(trustDocument(policies, account, role))
          .filter((s) => allows(s.compiled, "sts:AssumeRole") && !principalArnNarrowed(s.written))
          .flatMap((s) => namedAccounts(s.compiled, true)),
      );
      if (roots.size === 0) continue;
      const writes = permissionDocuments(policies, account, role).flatMap((d) =>
        statementsOf(d).flatMap((s) => writesOf(s.written).map((w) => `${w} in ${d.where}`)),
      );
      if (writes.length === 0) continue;
      for (const root of roots) {
        const other = root !== account.id;
        out.push({
          id: "XA003",
          severity: other ? "high" : "low",
          title: "Account root trusted for more than read-only access",
          resource: role.arn,
          detail: `The trust policy of ${role.arn} names the root of account ${root}${other ? "" : " (its own account)"}, so every principal that account's administrators allow may assume it, and the role can ${writes.slice(0, 3).join("; ")}${writes.length > 3 ? `; and ${writes.length - 3} more` : ""}.`,
          fix: `Name the role(s) of account ${root} that need this access in the trust (Principal {"AWS": "arn:…:role/<name>"}) instead of the account, or keep the account and reduce the role's permissions to read-only.`,
        });
      }
    }
    return out;
  },
};
