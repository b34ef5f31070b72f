/**
 * The one writer of an inventory directory (the layout src/state/inventory.ts reads), used by
 * `xacct collect`: one account at a time, each account's files and the updated
 * `collect-report.json` moved in together (staged in a temporary directory inside DIR, then
 * renamed: a reader sees an account's old files or its new ones, never half). DIR is shared with
 * the user (src/fs/owned-dir.ts): xacct writes into a new or empty directory, or one it wrote
 * before (its `.xacct-collect` marker lists what it wrote), and never replaces or deletes a file it
 * did not write.
 *
 * What is written is policy data only: the writer takes typed IAM details, provider ARNs and
 * policy documents, never credentials, so no secret can reach a file through it.
 */
import { isAccountId } from "../aws/arn.js";
import { type Owner, type OwnedFile, updateOwnedFiles } from "../fs/owned-dir.js";
import type { PolicyDocument } from "./account-state.js";
import { COLLECT_REPORT, type CollectReport, reportText } from "./collect-report.js";

export const COLLECT_OWNER: Owner = { marker: ".xacct-collect", command: "xacct collect", option: "--out" };

/** GetAccountAuthorizationDetails, every page merged, in the AWS CLI's format (documents as JSON objects). */
export interface AuthorizationDetailsFile {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: unknown[];
}

/** A resource's policy with its owner (the account collected) and region ("" for a resource of none). */
export interface CollectedResourcePolicy {
  arn: string;
  account: string;
  region: string;
  policy: PolicyDocument;
}

/** What collect read in one account. */
export interface AccountInventory {
  account: string;
  authorizationDetails: AuthorizationDetailsFile;
  oidcProviders: readonly string[];
  samlProviders: readonly string[];
  resourcePolicies: readonly CollectedResourcePolicy[];
  /** The functions and instances running as the account's roles (compute.json), where collect read them all. */
  compute?: ComputeFile;
}

/** compute.json: each Lambda function and EC2 instance of the account with the role it runs as. */
export interface ComputeFile {
  functions: readonly { arn: string; role: string }[];
  instances: readonly { arn: string; role: string }[];
}

/** organization.json, as loadOrganization (src/state/inventory.ts) reads it. */
export interface OrganizationFile {
  organizationId: string;
  managementAccount?: string;
  /** Per account ID: its parents from the root down (`r-…`, `ou-…`). */
  accounts: Map<string, { parents: string[] }>;
  /** Per target (root, OU or account ID): the policies attached to it. */
  serviceControlPolicies: Map<string, PolicyDocument[]>;
  resourceControlPolicies: Map<string, PolicyDocument[]>;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** An account's files and the report, together. */
export function writeAccountInventory(dir: string, inventory: AccountInventory, report: CollectReport): void {
  const id = inventory.account;
  if (!isAccountId(id)) throw new Error(`cannot write an inventory for "${id}": not a 12-digit account ID`);
  const files: OwnedFile[] = [
    { path: `${id}/authorization-details.json`, content: json(inventory.authorizationDetails) },
    { path: `${id}/oidc-providers.json`, content: json({ OpenIDConnectProviderList: inventory.oidcProviders.map((Arn) => ({ Arn })) }) },
    { path: `${id}/saml-providers.json`, content: json({ SAMLProviderList: inventory.samlProviders.map((Arn) => ({ Arn })) }) },
    { path: `${id}/resource-policies.json`, content: json({ resources: inventory.resourcePolicies }) },
    ...(inventory.compute ? [{ path: `${id}/compute.json`, content: json(inventory.compute) }] : []),
    { path: COLLECT_REPORT, content: reportText(report) },
  ];
  updateOwnedFiles(dir, COLLECT_OWNER, files, (path) => path.startsWith(`${id}/`) || path === COLLECT_REPORT);
}

/** organization.json and the report, together. */
export function writeOrganization(dir: string, organization: OrganizationFile, report: CollectReport): void {
  const text = json({
    organizationId: organization.organizationId,
    ...(organization.managementAccount ? { managementAccount: organization.managementAccount } : {}),
    accounts: Object.fromEntries(organization.accounts),
    serviceControlPolicies: Object.fromEntries(organization.serviceControlPolicies),
    resourceControlPolicies: Object.fromEntries(organization.resourceControlPolicies),
  });
  const files = [
    { path: "organization.json", content: text },
    { path: COLLECT_REPORT, content: reportText(report) },
  ];
  updateOwnedFiles(dir, COLLECT_OWNER, files, (path) => path === "organization.json" || path === COLLECT_REPORT);
}

/** The report alone (an account that could not be read: its earlier files, if any, stay). */
export function writeCollectReport(dir: string, report: CollectReport): void {
  updateOwnedFiles(dir, COLLECT_OWNER, [{ path: COLLECT_REPORT, content: reportText(report) }], (path) => path === COLLECT_REPORT);
}
