/**
 * The policy documents of an AccountState, each with what holds it: role trust policies, inline
 * policies of roles, users and groups, customer managed policies (once, not once per attachment)
 * and resource-based policies.
 */
import { parseIamArn } from "../../aws/arn.js";
import type { AccountEntry, AccountState, PolicyDocument, RoleState, UserState } from "../../state/account-state.js";

export type DocumentKind = "trust" | "identity" | "resource";

export interface PlacedDocument {
  kind: DocumentKind;
  /** The ARN of the role, user, group, managed policy or resource that holds the document. */
  holder: string;
  /** Where the document is, in words (`inline policy s3 of arn:…:role/x`). */
  where: string;
  account: AccountEntry;
  document: PolicyDocument;
  /** An AWS managed policy: nobody but AWS can change it, only attach or detach it. */
  awsManaged?: boolean;
}

/** Every role of every account, with its account. */
export function allRoles(state: AccountState): { account: AccountEntry; role: RoleState }[] {
  return [...state.accounts.values()].flatMap((account) => [...account.roles.values()].map((role) => ({ account, role })));
}

/** Every user of every account, with its account. */
export function allUsers(state: AccountState): { account: AccountEntry; user: UserState }[] {
  return [...state.accounts.values()].flatMap((account) => [...account.users.values()].map((user) => ({ account, user })));
}

export function trustDocument(account: AccountEntry, role: RoleState): PlacedDocument {
  return { kind: "trust", holder: role.arn, where: `the trust policy of ${role.arn}`, account, document: role.trustPolicy };
}

/** The documents the accounts themselves hold and can change; AWS managed policies are left out. */
export function ownDocuments(state: AccountState): PlacedDocument[] {
  const out: PlacedDocument[] = [];
  for (const account of state.accounts.values()) {
    const inline = (holder: { arn: string; policies: ReadonlyMap<string, PolicyDocument> }) => {
      for (const [name, document] of holder.policies)
        out.push({ kind: "identity", holder: holder.arn, where: `inline policy ${name} of ${holder.arn}`, account, document });
    };
    for (const role of account.roles.values()) {
      out.push(trustDocument(account, role));
      inline(role);
    }
    for (const user of account.users.values()) inline(user);
    for (const group of account.groups.values()) inline(group);
    for (const [arn, document] of account.managedPolicies)
      out.push({ kind: "identity", holder: arn, where: `managed policy ${arn}`, account, document });
    for (const held of account.resourcePolicies.values())
      out.push({ kind: "resource", holder: held.arn, where: `the resource policy of ${held.arn}`, account, document: held.policy });
  }
  return out;
}

/**
 * The documents that give a role or user its permissions: inline, attached (customer managed, and
 * AWS managed when the state holds their text) and, for a user, its groups'.
 */
export function permissionDocuments(state: AccountState, account: AccountEntry, holder: RoleState | UserState): PlacedDocument[] {
  const out: PlacedDocument[] = [];
  const add = (owner: { arn: string; policies: ReadonlyMap<string, PolicyDocument>; managedPolicyArns: string[] }) => {
    for (const [name, document] of owner.policies)
      out.push({ kind: "identity", holder: owner.arn, where: `inline policy ${name} of ${owner.arn}`, account, document });
    for (const arn of owner.managedPolicyArns) {
      const own = account.managedPolicies.get(arn);
      const aws = state.awsManagedPolicies?.get(arn);
      if (own) out.push({ kind: "identity", holder: arn, where: `managed policy ${arn}`, account, document: own });
      else if (aws)
        out.push({ kind: "identity", holder: arn, where: `AWS managed policy ${arn}`, account, document: aws, awsManaged: true });
    }
  };
  add(holder);
  for (const name of "groups" in holder ? (holder.groups ?? []) : []) {
    const group = account.groups.get(name);
    if (group) add(group);
  }
  return out;
}

/** The role or user a principal ARN names, when the state holds it. */
export function findPrincipal(state: AccountState, arn: string): { account: AccountEntry; role?: RoleState; user?: UserState } | undefined {
  const named = parseIamArn(arn);
  const account = named ? state.accounts.get(named.account) : undefined;
  if (!named || !account) return undefined;
  const role = named.kind === "role" ? account.roles.get(named.name) : undefined;
  const user = named.kind === "user" ? account.users.get(named.name) : undefined;
  return role ? { account, role } : user ? { account, user } : undefined;
}
