/** Reading policy statements as they are written: principals, actions, conditions. */
import { type CatalogAction, findAction, serviceActions } from "../../catalog/catalog.js";
import { isAccountId, parseIamArn } from "../../aws/arn.js";
import { compileGlob, globMatches } from "../../policy/wildcard.js";
import type { PolicyDocument, PolicyStatement } from "../../state/account-state.js";

export function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

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

/** A principal that names a whole account: its root ARN or its bare ID. */
export function isAccountRoot(principal: string): boolean {
  return isAccountId(principal) || parseIamArn(principal)?.kind === "root";
}

/** The role a principal ARN names, as account and name (the path left out), or undefined. */
export function roleOf(principal: string): { account: string; name: string } | undefined {
  const arn = parseIamArn(principal);
  return arn?.kind === "role" ? { account: arn.account, name: arn.name } : undefined;
}

/** Whether the statement's Action (or NotAction) covers an action, as IAM matches them (case-insensitive). */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  const hit = (patterns: string[]) => patterns.some((p) => globMatches(compileGlob(p, true), action));
  if (statement.NotAction !== undefined) return !hit(list(statement.NotAction));
  return hit(list(statement.Action));
}

export function allows(statement: PolicyStatement, action: string): boolean {
  return statement.Effect === "Allow" && coversAction(statement, action);
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
export function catalogActions(pattern: string): CatalogAction[] | "all" {
  if (pattern === "*") return "all";
  const colon = pattern.indexOf(":");
  const service = pattern.slice(0, colon);
  const name = pattern.slice(colon + 1);
  if (!/[*?]/.test(name)) {
    const action = findAction(service, name);
    return action ? [action] : [];
  }
  const glob = compileGlob(name, true);
  return (serviceActions(service) ?? []).filter((a) => globMatches(glob, a.name));
}

/** A document's statements as a list (a policy may hold a single statement object). */
export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  const raw = document.Statement as PolicyStatement[] | PolicyStatement | undefined;
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
}
