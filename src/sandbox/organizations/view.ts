/**
 * The organizations the sandbox's state holds, as AWS Organizations' read calls show them: each
 * organization's root, OUs, accounts and their parents, and its SCPs and RCPs with their targets.
 *
 * Where it comes from:
 * - `state.organization` (an inventory's organization.json, or a compiled model's): each account's
 *   parents from the root down, the SCPs and RCPs attached per root, OU or account, and the
 *   management account when it names one;
 * - else, and for every account that organization does not list, the account's own
 *   `organization` (a model's `organization:` and `ou:` path of IDs).
 *
 * The management account: `state.organization.managementAccount` when the state names one, else
 * the account of `managementAccounts` (SandboxOptions, `xacct sandbox --management-account`) that
 * is in the organization. Nothing else says which account is the management account, so the
 * sandbox never guesses one: an organization whose management account is unknown has none, and
 * its calls that need one are refused saying so.
 *
 * What the state does not hold, the sandbox makes up and says so here: an OU's name is its ID; a
 * root with no ID in the state is `r-` and the first four characters of the organization ID's
 * suffix; an account's name is the model's name for it, else its ID; SCPs and RCPs are kept as
 * documents per target, so each distinct document is one policy named `scp-…`/`rcp-…` with an ID
 * `p-…` from its text (the same document attached at two targets is one policy with two targets).
 * AWS attaches its FullAWSAccess SCP to every root, OU and account, and a target with no SCP entry
 * in the state has it (src/graph/policies.ts decides so); AWS's RCPFullAWSAccess is attached to
 * every target (src/policy/evaluate.ts).
 */
import { createHash } from "node:crypto";
import { buildArn } from "../../aws/arn.js";
import type { AccountState, PolicyDocument } from "../../state/account-state.js";

export type PolicyType = "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
export const POLICY_TYPES: readonly PolicyType[] = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"];

export interface OrgPolicy {
  id: string;
  type: PolicyType;
  name: string;
  awsManaged: boolean;
  /** The policy's JSON text, as DescribePolicy's Content gives it. */
  content: string;
  /** Roots, OUs and accounts it is attached to, in the order the state lists them. */
  targets: string[];
}

export interface OrganizationView {
  id: string;
  partition: string;
  /** The management account, when the state or the sandbox's options name it. */
  management: string | undefined;
  rootId: string;
  /** Each OU's parent (a root or another OU), in the order they were first seen. */
  ous: Map<string, string>;
  /** Each account's parent (a root or an OU). */
  accounts: Map<string, string>;
  /** The model's name of each account that has one. */
  names: Map<string, string>;
  /** Policies by ID. */
  policies: Map<string, OrgPolicy>;
}

/** AWS's managed policies attached by default (their documents as AWS publishes them). */
const FULL_ACCESS: Record<PolicyType, { id: string; name: string; document: PolicyDocument }> = {
  SERVICE_CONTROL_POLICY: {
    id: "p-FullAWSAccess",
    name: "FullAWSAccess",
    document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  },
  RESOURCE_CONTROL_POLICY: {
    id: "p-RCPFullAWSAccess",
    name: "RCPFullAWSAccess",
    document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] },
  },
};

/** The ARN type segment of a policy type (`service_control_policy`). */
export function policyTypeSegment(type: PolicyType): string {
  return type.toLowerCase();
}

/** Every organization the state holds, by ID. */
export function organizationsOf(state: AccountState, managementAccounts: readonly string[]): Map<string, OrganizationView> {
  const members = new Map<string, { org: string; parents: readonly string[] }>();
  const org = state.organization;
  if (org?.id) {
    for (const [account, parents] of org.parents) members.set(account, { org: org.id, parents });
    if (org.managementAccount !== undefined && !members.has(org.managementAccount))
      members.set(org.managementAccount, { org: org.id, parents: [] });
  }
  for (const account of state.accounts.values())
    if (account.organization && !members.has(account.id))
      members.set(account.id, { org: account.organization.id, parents: account.organization.path });

  const views = new Map<string, OrganizationView>();
  const paths = new Map<OrganizationView, [string, readonly string[]][]>();
  for (const [account, { org: id, parents }] of members) {
    let view = views.get(id);
    if (!view) {
      const management =
        org?.id === id && org.managementAccount !== undefined
          ? org.managementAccount
          : managementAccounts.find((m) => members.get(m)?.org === id);
      const partition = state.accounts.get(management ?? account)?.partition ?? "aws";
      view = { id, partition, management, rootId: "", ous: new Map(), accounts: new Map(), names: new Map(), policies: new Map() };
      views.set(id, view);
      paths.set(view, []);
    }
    if (view.rootId === "" && parents[0]?.startsWith("r-")) view.rootId = parents[0];
    const name = state.accounts.get(account)?.name;
    if (name !== undefined) view.names.set(account, name);
    paths.get(view)?.push([account, parents]);
  }
  for (const view of views.values()) {
    if (view.rootId === "") view.rootId = `r-${view.id.slice(2, 6)}`;
    // Each account's path, root first: its OUs hang from the one before them.
    for (const [account, parents] of paths.get(view) ?? []) {
      // A root is never an OU (a path naming another root than the first one seen hangs from this one).
      const ous = parents.filter((p) => !p.startsWith("r-"));
      let parent = view.rootId;
      for (const ou of ous) {
        if (!view.ous.has(ou)) view.ous.set(ou, parent);
        parent = ou;
      }
      view.accounts.set(account, parent);
    }
    if (org?.id === view.id) {
      addPolicies(view, "SERVICE_CONTROL_POLICY", org.serviceControlPolicies);
      addPolicies(view, "RESOURCE_CONTROL_POLICY", org.resourceControlPolicies);
    } else {
      addPolicies(view, "SERVICE_CONTROL_POLICY", new Map());
      addPolicies(view, "RESOURCE_CONTROL_POLICY", new Map());
    }
  }
  return views;
}

/** Every root, OU and account of an organization, root first. */
export function targetsOf(view: OrganizationView): string[] {
  return [view.rootId, ...view.ous.keys(), ...view.accounts.keys()];
}

function addPolicies(view: OrganizationView, type: PolicyType, attached: ReadonlyMap<string, PolicyDocument[]>): void {
  const full = FULL_ACCESS[type];
  const fullText = JSON.stringify(full.document);
  const fullPolicy: OrgPolicy = { id: full.id, type, name: full.name, awsManaged: true, content: fullText, targets: [] };
  view.policies.set(full.id, fullPolicy);
  const prefix = type === "SERVICE_CONTROL_POLICY" ? "scp" : "rcp";
  for (const target of targetsOf(view)) {
    const docs = attached.get(target);
    // RCPFullAWSAccess is on every target; FullAWSAccess where the state lists no SCP, or lists it.
    if (type === "RESOURCE_CONTROL_POLICY" || docs === undefined) fullPolicy.targets.push(target);
    for (const document of docs ?? []) {
      const content = JSON.stringify(document);
      if (content === fullText) {
        if (!fullPolicy.targets.includes(target)) fullPolicy.targets.push(target);
        continue;
      }
      const hash = createHash("sha256").update(`${type}\n${content}`).digest("hex");
      const id = `p-${hash.slice(0, 16)}`;
      let policy = view.policies.get(id);
      if (!policy)
        view.policies.set(id, (policy = { id, type, name: `${prefix}-${hash.slice(0, 8)}`, awsManaged: false, content, targets: [] }));
      if (!policy.targets.includes(target)) policy.targets.push(target);
    }
  }
}

/** ARNs of an organization's parts, in the formats AWS's service authorization reference gives. */
export function orgArn(
  view: OrganizationView,
  kind: "organization" | "root" | "ou" | "account" | "policy",
  id = "",
  type?: PolicyType,
): string | undefined {
  const awsManaged = kind === "policy" && view.policies.get(id)?.awsManaged === true;
  const owner = awsManaged ? "aws" : view.management;
  if (owner === undefined) return undefined;
  const resource =
    kind === "organization"
      ? `organization/${view.id}`
      : kind === "policy"
        ? awsManaged
          ? `policy/${policyTypeSegment(type as PolicyType)}/${id}`
          : `policy/${view.id}/${policyTypeSegment(type as PolicyType)}/${id}`
        : `${kind}/${view.id}/${id}`;
  return buildArn({ partition: view.partition, service: "organizations", region: "", account: owner, resource });
}
