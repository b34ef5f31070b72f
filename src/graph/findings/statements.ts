/**
 * Reading policy statements for findings: each as the engine compiled it (what it matches, through
 * the engine's own wildcard and principal code) beside the text it was written as (what a finding
 * quotes: Sid, principals, conditions).
 */
import { BoundedCache } from "../../cache/bounded-cache.js";
import { type CatalogAction, findAction, serviceActions } from "../../catalog/catalog.js";
import { principalAccountId } from "../../aws/arn.js";
import type { Statement } from "../../policy/policy.js";
import { compileGlob, globMatches } from "../../policy/wildcard.js";
import { type PolicyStatement } from "../../state/account-state.js";
import { actionMatches } from "../policies.js";
import { ownDocuments, type DocumentKind, type PlacedDocument } from "./documents.js";
import type { FindingInput } from "./types.js";

export function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

/** A statement as written and as compiled by the engine. */
export interface ReadStatement {
  written: PolicyStatement;
  compiled: Statement;
}

/** The statements of a placed document, written and compiled, in the order of the document (none when the engine refuses it). */
export function statementsOf(doc: PlacedDocument): ReadStatement[] {
  const written = doc.document.Statement;
  return (doc.policy?.statements ?? []).map((compiled, i) => ({ written: written[i] as PolicyStatement, compiled }));
}

/** Every statement of the documents the accounts hold (AWS managed policies left out) whose document is of one of the kinds. */
export function ownStatements(
  input: FindingInput,
  kinds: readonly DocumentKind[],
): { doc: PlacedDocument; statement: PolicyStatement; compiled: Statement; index: number }[] {
  return ownDocuments(input.state, input.policies)
    .filter((doc) => kinds.includes(doc.kind))
    .flatMap((doc) => statementsOf(doc).map(({ written, compiled }, index) => ({ doc, statement: written, compiled, index })));
}

/** The names a statement's Principal gives, as written (to quote them; the engine's reading is `Statement.principal`). */
export interface Principals {
  /** `"Principal": "*"` or `{"AWS": "*"}`: every principal in every account. */
  everyone: boolean;
  aws: string[];
  service: string[];
  federated: string[];
}

export function principalsOf(statement: PolicyStatement): Principals {
  const p = statement.Principal;
  if (p === undefined) return { everyone: false, aws: [], service: [], federated: [] };
  if (p === "*") return { everyone: true, aws: [], service: [], federated: [] };
  const aws = list(p.AWS);
  return { everyone: aws.includes("*"), aws: aws.filter((a) => a !== "*"), service: list(p.Service), federated: list(p.Federated) };
}

/**
 * The accounts of the AWS principals a statement's Principal names, as the engine read them: with
 * `whole`, only accounts named whole (by root ARN or bare ID); else also those of roles, users and sessions.
 */
export function namedAccounts(statement: Statement, whole = false): string[] {
  const out: string[] = [];
  for (const name of statement.principal ?? []) {
    const id =
      name.kind === "account"
        ? name.account
        : whole
          ? undefined
          : name.kind === "role"
            ? name.account
            : name.kind === "arn"
              ? principalAccountId(name.arn)
              : undefined;
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** Whether the statement allows the action (its Action or NotAction covers it, case-insensitively, as the engine matches). */
export function allows(statement: Statement, action: string): boolean {
  return statement.effect === "Allow" && actionMatches(statement, action.toLowerCase());
}

/**
 * Operators under which a key must be present and match: not negated (`StringNotEquals`), not
 * `…IfExists` and not `ForAllValues:` (both hold when the key is absent), not `Null`.
 */
function requiresKey(operator: string): boolean {
  return !/Not|IfExists$|^ForAllValues:|^Null$/i.test(operator);
}

/** The values the statement requires for a key (case-insensitive), or undefined when nothing requires the key. */
export function requiredValues(statement: PolicyStatement, key: string): string[] | undefined {
  let found: string[] | undefined;
  for (const [operator, tests] of Object.entries(statement.Condition ?? {})) {
    if (!requiresKey(operator)) continue;
    for (const [k, v] of Object.entries(tests)) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      found = [...(found ?? []), ...(Array.isArray(v) ? v : [v]).map(String)];
    }
  }
  return found;
}

/** Whether a condition requires any of the keys (see requiredValues). */
export function requiresAnyKey(statement: PolicyStatement, keys: readonly string[]): boolean {
  return keys.some((k) => requiredValues(statement, k) !== undefined);
}

/** How to name a statement in a finding: its Sid, or its position. */
export function statementName(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement ${statement.Sid}` : `Statement[${index}]`;
}

/**
 * The catalog actions an Action entry names: the one it spells, those its wildcard matches, or
 * "all" for `*`. Empty when the service or action is not in the service authorization data.
 */
export function catalogActions(pattern: string): readonly CatalogAction[] | "all" {
  if (pattern === "*") return "all";
  const colon = pattern.indexOf(":");
  const service = pattern.slice(0, colon);
  const name = pattern.slice(colon + 1);
  if (!/[*?]/.test(name)) {
    const action = findAction(service, name);
    return action ? [action] : [];
  }
  // The same wildcards (`s3:Get*`) recur in statement after statement: each is matched against its service's actions once.
  const key = pattern.toLowerCase();
  let matched = WILDCARD_ACTIONS.get(key);
  if (!matched) {
    const glob = compileGlob(name, true);
    matched = Object.freeze((serviceActions(service) ?? []).filter((a) => globMatches(glob, a.name)));
    WILDCARD_ACTIONS.set(key, matched);
  }
  return matched;
}

/** The catalog actions of wildcard Action entries, by the entry lower-cased (a bounded cache; never changed). */
const WILDCARD_ACTIONS = new BoundedCache<string, readonly CatalogAction[]>(10_000, 256);
