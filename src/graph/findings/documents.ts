/**
 * The policy documents of an AccountState, each with what holds it: role trust policies, inline
 * policies of roles, users and groups, customer managed policies (once, not once per attachment)
 * and resource-based policies.
 */
import { parseIamArn } from "../../aws/arn.js";
import { PolicyInputError } from "../../policy/errors.js";
import type { Policy } from "../../policy/policy.js";
import type { AccountEntry, AccountState, PolicyDocument, RoleState, UserState } from "../../state/account-state.js";
import type { PolicyBook } from "../policies.js";

export type DocumentKind = "trust" | "identity" | "resource";

export interface PlacedDocument {
  kind: DocumentKind;
  /** The ARN of the role, user, group, managed policy or resource that holds the document. */
  holder: string;
  /** Where the document is, in words (`inline policy s3 of arn:…:role/x`). */
  where: string;
  account: AccountEntry;
  /** The document as written (findings quote it) and as the engine compiled it (findings match it). */
  document: PolicyDocument;
  /**
   * Undefined when the engine refuses the document (one AWS would refuse too): rules that match skip
   * it, rules that read the text (XA008, XA011) still report it.
   */
  policy: Policy | undefined;
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

export function trustDocument(book: PolicyBook, account: AccountEntry, role: RoleState): PlacedDocument {
  return placed(book, "trust", role.arn, `the trust policy of ${role.arn}`, account, role.trustPolicy, `${role.arn} trust policy`);
}

/**
 * A document with what holds it, compiled by the book; `source` names it in the engine's errors as
 * the graph does (the book compiles each document once, whoever asks first).
 */
function placed(
  book: PolicyBook,
  kind: DocumentKind,
  holder: string,
  where: string,
  account: AccountEntry,
  document: PolicyDocument,
  source: string,
): PlacedDocument {
  return { kind, holder, where, account, document, policy: compiled(book, document, kind, source) };
}

function compiled(book: PolicyBook, document: PolicyDocument, kind: DocumentKind, source: string): Policy | undefined {
  try {
    return book.policy(document, kind, source);
  } catch (error) {
    if (error instanceof PolicyInputError) return undefined;
    throw error;
  }
}

/** The inline policies of a role, user or group. */
function inlineDocuments(
  book: PolicyBook,
  account: AccountEntry,
  holder: { arn: string; policies: ReadonlyMap<string, PolicyDocument> },
): PlacedDocument[] {
  return [...holder.policies].map(([name, document]) =>
    placed(
      book,
      "identity",
      holder.arn,
      `inline policy ${name} of ${holder.arn}`,
      account,
      document,
      `${holder.arn} inline policy ${name}`,
    ),
  );
}

/** The documents the accounts themselves hold and can change; AWS managed policies are left out. */
export function ownDocuments(state: AccountState, book: PolicyBook): PlacedDocument[] {
  const out: PlacedDocument[] = [];
  for (const account of state.accounts.values()) {
    for (const role of account.roles.values()) out.push(trustDocument(book, account, role), ...inlineDocuments(book, account, role));
    for (const user of account.users.values()) out.push(...inlineDocuments(book, account, user));
    for (const group of account.groups.values()) out.push(...inlineDocuments(book, account, group));
    for (const [arn, document] of account.managedPolicies)
      out.push(placed(book, "identity", arn, `managed policy ${arn}`, account, document, arn));
    for (const held of account.resourcePolicies.values())
      out.push(placed(book, "resource", held.arn, `the resource policy of ${held.arn}`, account, held.policy, held.arn));
  }
  return out;
}

/**
 * The documents that give a role or user its permissions: inline, attached (customer managed, and
 * AWS managed as the engine reads them: the state's text, else AWS's latest from the package, see
 * PolicyBook.managed) and, for a user, its groups'.
 */
export function permissionDocuments(book: PolicyBook, account: AccountEntry, holder: RoleState | UserState): PlacedDocument[] {
  const out: PlacedDocument[] = [];
  const add = (owner: { arn: string; policies: ReadonlyMap<string, PolicyDocument>; managedPolicyArns: string[] }) => {
    out.push(...inlineDocuments(book, account, owner));
    for (const arn of owner.managedPolicyArns) {
      const document = book.managed(account, arn);
      if (!document) continue;
      if (account.managedPolicies.has(arn)) out.push(placed(book, "identity", arn, `managed policy ${arn}`, account, document, arn));
      else out.push({ ...placed(book, "identity", arn, `AWS managed policy ${arn}`, account, document, arn), awsManaged: true });
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
