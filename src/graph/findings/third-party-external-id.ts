/**
 * XA002 — a third party trusted without sts:ExternalId. A trust naming a principal of an account
 * that is neither in the inventory or model nor in the organization is a third party's: AWS
 * recommends requiring the external ID it agreed with you, so that the third party cannot be
 * tricked into using your role for another customer (the confused deputy). A statement that
 * requires aws:PrincipalOrgID admits only the organization's members, so it is not a third party's.
 */
import type { AccountState } from "../../state/account-state.js";
import { allRoles } from "./documents.js";
import { accountOf, allows, principalsOf, requiresAnyKey, statementName, statementsOf } from "./statements.js";
import type { Finding, Rule } from "./types.js";

/** Accounts that are not third parties: the state's own and the organization's. */
export function knownAccounts(state: AccountState): Set<string> {
  const org = state.organization;
  return new Set([...state.accounts.keys(), ...(org?.parents.keys() ?? []), ...(org?.managementAccount ? [org.managementAccount] : [])]);
}

export const thirdPartyExternalId: Rule = {
  id: "XA002",
  summary: "a third party (an account outside the inventory, model and organization) trusted without sts:ExternalId",
  check({ state }) {
    const known = knownAccounts(state);
    const out: Finding[] = [];
    for (const { role } of allRoles(state)) {
      statementsOf(role.trustPolicy).forEach((statement, i) => {
        if (!allows(statement, "sts:AssumeRole") || requiresAnyKey(statement, ["sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"])) return;
        const outsiders = [...new Set(principalsOf(statement).aws.map(accountOf).filter((a): a is string => a !== undefined && !known.has(a)))];
        for (const account of outsiders) {
          out.push({
            id: "XA002",
            severity: "high",
            title: "Third-party account trusted without sts:ExternalId",
            resource: role.arn,
            detail: `${statementName(statement, i)} of the trust policy of ${role.arn} lets account ${account}, which is outside the accounts analysed and their organization, assume the role with no sts:ExternalId condition.`,
            fix: `Agree on an external ID with the owner of ${account} and add "Condition": {"StringEquals": {"sts:ExternalId": "<that ID>"}} to the statement (or remove the account if it is not a partner's).`,
          });
        }
      });
    }
    return out;
  },
};
