/**
 * An organization as AWS Organizations describes it, read into organization.json's form
 * (src/state/inventory-writer.ts): DescribeOrganization, the roots (ListRoots) and every OU below
 * them (ListOrganizationalUnitsForParent, level by level), the accounts (ListAccounts) and where
 * each sits (ListAccountsForParent), and the SCPs and RCPs (ListPolicies, DescribePolicy) with
 * their targets (ListTargetsForPolicy). Every ID is checked against Organizations' own pattern
 * before it is used: the answer is input. The actions these calls need are declared once, as
 * ORGANIZATIONS_READ_ACTIONS (src/services/policy-collector.ts).
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListRoots,
  paginateListTargetsForPolicy,
} from "@aws-sdk/client-organizations";
import { isAccountId } from "../aws/arn.js";
import type { PolicyDocument } from "../state/account-state.js";
import { policyDocumentOf } from "../state/inventory.js";
import type { OrganizationFile } from "../state/inventory-writer.js";
import type { CollectClients } from "../services/policy-collector.js";

/** Organizations' ID patterns (API reference: Root.Id, OrganizationalUnit.Id, Organization.Id). */
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;

export interface OrganizationRead {
  organization: OrganizationFile;
  /** The accounts to collect: ACTIVE ones. */
  active: string[];
  /** Accounts listed but not ACTIVE (suspended, pending closure), with their status. */
  inactive: { account: string; status: string }[];
}

function checked(id: string | undefined, pattern: RegExp | ((s: string) => boolean), what: string): string {
  const ok = typeof pattern === "function" ? pattern(id ?? "") : pattern.test(id ?? "");
  if (!id || !ok) throw new Error(`AWS Organizations answered ${JSON.stringify(id ?? null)} where a ${what} ID belongs`);
  return id;
}

export async function readOrganization(clients: CollectClients): Promise<OrganizationRead> {
  const client = clients.make((config) => new OrganizationsClient(config));
  const described = (await client.send(new DescribeOrganizationCommand({}))).Organization;
  const organizationId = checked(described?.Id, ORG_ID, "organization");
  const management = described?.MasterAccountId;

  const parents = new Map<string, { parents: string[] }>();
  // Each level of the tree: the parent's ID and the path from the root down to it (itself included).
  let level: { id: string; path: string[] }[] = [];
  for await (const page of paginateListRoots({ client }, {}))
    for (const root of page.Roots ?? []) {
      const id = checked(root.Id, ROOT_ID, "root");
      level.push({ id, path: [id] });
    }
  while (level.length > 0) {
    const below: { id: string; path: string[] }[] = [];
    for (const parent of level) {
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent.id }))
        for (const account of page.Accounts ?? []) parents.set(checked(account.Id, isAccountId, "account"), { parents: parent.path });
      for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parent.id }))
        for (const ou of page.OrganizationalUnits ?? []) {
          const id = checked(ou.Id, OU_ID, "OU");
          below.push({ id, path: [...parent.path, id] });
        }
    }
    level = below;
  }

  const active: string[] = [];
  const inactive: { account: string; status: string }[] = [];
  for await (const page of paginateListAccounts({ client }, {}))
    for (const account of page.Accounts ?? []) {
      const id = checked(account.Id, isAccountId, "account");
      if (!parents.has(id)) parents.set(id, { parents: [] });
      // Status is deprecated in favour of State; either says whether the account is active.
      const status = account.State ?? account.Status ?? "ACTIVE";
      if (status === "ACTIVE") active.push(id);
      else inactive.push({ account: id, status });
    }

  const attached = async (filter: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY") => {
    const out = new Map<string, PolicyDocument[]>();
    for await (const page of paginateListPolicies({ client }, { Filter: filter }))
      for (const summary of page.Policies ?? []) {
        const policy = (await client.send(new DescribePolicyCommand({ PolicyId: summary.Id }))).Policy;
        const document = policyDocumentOf(policy?.Content ?? "", `${filter} ${summary.Id ?? ""}`);
        for await (const targets of paginateListTargetsForPolicy({ client }, { PolicyId: summary.Id }))
          for (const target of targets.Targets ?? []) {
            const id = checked(target.TargetId, (t) => ROOT_ID.test(t) || OU_ID.test(t) || isAccountId(t), "policy target");
            out.set(id, [...(out.get(id) ?? []), document]);
          }
      }
    return out;
  };
  return {
    organization: {
      organizationId,
      ...(management && isAccountId(management) ? { managementAccount: management } : {}),
      accounts: parents,
      serviceControlPolicies: await attached("SERVICE_CONTROL_POLICY"),
      resourceControlPolicies: await attached("RESOURCE_CONTROL_POLICY"),
    },
    active: active.sort(),
    inactive,
  };
}
