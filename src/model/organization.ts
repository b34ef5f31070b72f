/**
 * Whole organizations and OUs as grantees: the OU paths a grant names, resolved from the
 * accounts' `ou` paths. AWS: "OU IDs and root IDs are unique only within an organization. … We
 * recommend that you always include the organization ID when you specify an OU or root", so a path
 * is always written o-…/r-…/ou-…/ (see aws:PrincipalOrgPaths).
 */
/**
 * The path from the root down to an OU, within `organization`: a path given as r-…/ou-… as is, an
 * OU ID from the `ou` path of an account of that organization that holds it; undefined when no
 * account of that organization does.
 */
export function ouPath(
  accounts: Iterable<{ organization?: unknown; ou?: unknown }>,
  organization: string,
  ou: string,
): string[] | undefined {
  if (ou.startsWith("r-")) return ou.split("/");
  for (const account of accounts) {
    if (account.organization !== organization || !Array.isArray(account.ou)) continue;
    const at = account.ou.indexOf(ou);
    if (at >= 0) return account.ou.slice(0, at + 1).map(String);
  }
  return undefined;
}
