/**
 * Test helper: an AccountState written as an inventory directory, in the layout loadInventory
 * reads (src/state/inventory.ts): per managed account ACCOUNT_ID/authorization-details.json,
 * resource-policies.json and oidc-providers.json, and organization.json at the top. Accounts
 * outside the model's management are not written (their IAM is not ours to read).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccountState } from "../../src/state/account-state.js";
import { authorizationDetails } from "../../src/state/authorization-details.js";

export function writeInventoryDir(state: AccountState, dir = mkdtempSync(join(tmpdir(), "xacct-inventory-"))): string {
  const write = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value, null, 2));
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    mkdirSync(join(dir, account.id), { recursive: true });
    write(
      join(dir, account.id, "authorization-details.json"),
      authorizationDetails(account, state.awsManagedPolicies ? { awsManagedPolicies: state.awsManagedPolicies } : {}),
    );
    if (account.resourcePolicies.size)
      write(
        join(dir, account.id, "resource-policies.json"),
        Object.fromEntries([...account.resourcePolicies].map(([arn, p]) => [arn, p.policy])),
      );
    if (account.oidcProviders.size)
      write(join(dir, account.id, "oidc-providers.json"), {
        OpenIDConnectProviderList: [...account.oidcProviders.keys()].map((Arn) => ({ Arn })),
      });
  }
  const org = state.organization;
  const organizations = new Map<string, Map<string, string[]>>();
  if (org) organizations.set(org.id, org.parents);
  else
    for (const account of state.accounts.values())
      if (account.managed && account.organization) {
        const parents = organizations.get(account.organization.id) ?? new Map<string, string[]>();
        parents.set(account.id, account.organization.path);
        organizations.set(account.organization.id, parents);
      }
  // The inventory format holds one organization; a state with several keeps the first.
  const [first] = organizations;
  if (first)
    write(join(dir, "organization.json"), {
      organizationId: first[0],
      accounts: Object.fromEntries([...first[1]].map(([id, parents]) => [id, { parents }])),
    });
  return dir;
}
