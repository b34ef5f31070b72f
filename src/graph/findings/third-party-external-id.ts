/**
 * XA002 — a third party trusted without sts:ExternalId. A trust naming a principal of an account
 * that is neither managed by the analysis (an account of the inventory, or of the model and not
 * `external`) nor in the organization of one that is, is a third party's: AWS recommends requiring
 * the external ID it agreed with you, so that the third party cannot be tricked into using your
 * role for another customer (the confused deputy). A statement that requires aws:PrincipalOrgID
 * admits only the organization's members, so it is not a third party's.
 */
import { type AccountState, organizationOf } from "../../state/account-state.js";
import { allRoles, trustDocument } from "./documents.js";
import { allows, namedAccounts, requiresAnyKey, statementName, statementsOf } from "./statements.js";
import type { Finding, Rule } from "./types.js";

/**
 * Whether an account is a third party: not one the state manages (a model's `external` accounts
 * are declared, not managed), and not in the organization of one that is.
 */
export function thirdPartyOf(state: AccountState): (account: string) => boolean {
  const managed = [...state.accounts.values()].filter((a) => a.managed).map((a) => a.id);
  const organizations = new Set([
    ...(state.organization ? [state.organization.id] : []),
    ...managed.map((id) => organizationOf(state, id)),
  ]);
  const ours = new Set(managed);
  return (account) => {
    if (ours.has(account)) return false;
    const org = organizationOf(state, account);
    return org === undefined || !organizations.has(org);
  };
}

export const thirdPartyExternalId: Rule = {
  id: "XA002",
  summary:
    "a third party (an account neither managed, as the inventory's or the model's own, nor in their organization) trusted without sts:ExternalId",
  check({ state, policies }) {
    const thirdParty = thirdPartyOf(state);
    const out: Finding[] = [];
    for (const { account: holder, role } of allRoles(state)) {
      statementsOf(trustDocument(policies, holder, role)).forEach(({ written: statement, compiled }, i) => {
        if (
          !allows(compiled, "sts:AssumeRole") ||
          requiresAnyKey(statement, ["sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"])
        )
          return;
        const outsiders = [...new Set(namedAccounts(compiled).filter(thirdParty))];
        for (const account of outsiders) {
          out.push({
            id: "XA002",
            severity: "high",
            title: "Third-party account trusted without sts:ExternalId",
            resource: role.arn,
            detail: `${statementName(statement, i)} of the trust policy of ${role.arn} lets account ${account}, which is neither managed here nor in the organization, assume the role with no sts:ExternalId condition.`,
            fix: `Agree on an external ID with the owner of ${account} and add "Condition": {"StringEquals": {"sts:ExternalId": "<that ID>"}} to the statement (in a model: externalId on the grant's role or the external workload's identity), or remove the account if it is not a partner's.`,
          });
        }
      });
    }
    return out;
  },
};
