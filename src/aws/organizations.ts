/**
 * AWS Organizations as condition keys see it. aws:PrincipalOrgPaths holds a principal's path
 * "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/", the organization ID first; AWS:
 * "OU IDs and root IDs are unique only within an organization. … We recommend that you always
 * include the organization ID when you specify an OU or root."
 */

/** aws:PrincipalOrgPaths' value for an account whose parents (root first) are `parents`: o-…/r-…/ou-…/. */
export function orgPathValue(organization: string, parents: readonly string[]): string {
  return `${organization}/${parents.map((p) => `${p}/`).join("")}`;
}
