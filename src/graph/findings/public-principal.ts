/**
 * XA004 — `Principal: "*"` (or `{"AWS": "*"}`) in an Allow statement of a trust or resource
 * policy with no condition that narrows who the caller is or where it comes from. Without one,
 * every principal of every AWS account is admitted. Conditions that count (under a positive
 * operator; `StringNotEquals`, `…IfExists` and `ForAllValues:` do not require the key):
 * the caller's organization, account or ARN, the source resource or account of a service call,
 * an external ID, the caller's network (VPC, VPC endpoint, IP), and KMS's kms:CallerAccount.
 */
import { ownStatements, requiresAnyKey, statementName } from "./statements.js";
import type { Finding, Rule } from "./types.js";

export const RESTRICTING_KEYS = [
  "aws:PrincipalOrgID",
  "aws:PrincipalOrgPaths",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:userid",
  "aws:username",
  "aws:SourceArn",
  "aws:SourceAccount",
  "aws:SourceOwner",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
  "aws:SourceVpc",
  "aws:SourceVpce",
  "aws:SourceIp",
  "sts:ExternalId",
  "kms:CallerAccount",
] as const;

export const publicPrincipal: Rule = {
  id: "XA004",
  summary: 'Principal "*" in a trust or resource policy without a condition that restricts who may use it',
  check(input) {
    const out: Finding[] = [];
    ownStatements(input, ["trust", "resource"]).forEach(({ doc, statement, compiled, index: i }) => {
      if (compiled.effect !== "Allow" || compiled.principal?.everyone !== true || requiresAnyKey(statement, RESTRICTING_KEYS)) return;
      out.push({
        id: "XA004",
        severity: doc.kind === "trust" ? "critical" : "high",
        title:
          doc.kind === "trust"
            ? 'Role trusts every AWS principal (Principal "*")'
            : 'Resource policy allows every AWS principal (Principal "*")',
        resource: doc.holder,
        detail: `${statementName(statement, i)} of ${doc.where} allows ${JSON.stringify(statement.Action ?? statement.NotAction)} to "*" with no condition on the caller's organization, account, ARN or source: any principal in any AWS account${doc.kind === "trust" ? " can assume the role" : " is allowed"}.`,
        fix: `Name the principals instead of "*", or add a condition that restricts them — for example "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-…"}} or {"aws:PrincipalAccount": "<account>"}.`,
      });
    });
    return out;
  },
};
