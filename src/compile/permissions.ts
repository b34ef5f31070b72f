/**
 * Expands a grant's service, access verbs and resource names into IAM statements: the actions
 * come from AWS's service authorization data through the recipe's filters, grouped by the resource
 * type each acts on, with that type's ARN.
 */
import { resourceArn, selectActions } from "../catalog/catalog.js";
import type { PolicyStatement } from "../state/account-state.js";
import { type Place, recipeFor } from "../services/index.js";

export interface ServiceAccess {
  /** None where the grant only attaches managed policies: then it grants no statement of its own. */
  service?: string;
  access: readonly string[];
  /** Resource names; a list gives one ARN per value. */
  resources: Record<string, string | readonly string[]>;
}

/** A statement with the service and resource kind it was made for. */
export interface KindStatement {
  service: string;
  /** The recipe's resource kind, or "*" for actions that take only `*`. */
  kind: string;
  statement: PolicyStatement;
}

/** The statements for one service grant and its companions, one per resource type, Sids from the verbs. */
export function statementsFor(grant: ServiceAccess, place: Place): PolicyStatement[] {
  return mergeStatements(kindStatements(grant, place).map((k) => k.statement));
}

/** As statementsFor, each statement tagged with its service and resource kind (not merged). */
export function kindStatements(grant: ServiceAccess, place: Place): KindStatement[] {
  if (grant.service === undefined) return [];
  const recipe = recipeFor(grant.service);
  if (!recipe) throw new Error(`no recipe for service "${grant.service}"`);
  const combos = expand(grant.resources);
  const byKind = new Map<
    string,
    { kind: string; condition?: PolicyStatement["Condition"]; actions: Set<string>; resources: Set<string>; verbs: Set<string> }
  >();
  for (const verb of grant.access) {
    const entry = Object.hasOwn(recipe.access, verb) ? recipe.access[verb] : undefined;
    if (!entry) throw new Error(`${recipe.title} has no access "${verb}"`);
    for (const rule of entry.rules) {
      const actionService = rule.service ?? recipe.service;
      const actions = selectActions(actionService, rule.filter);
      if (actions.length === 0)
        throw new Error(`the service authorization data has no ${actionService} action for "${verb}" (${JSON.stringify(rule.filter)})`);
      // Actions under a condition (iam:PassRole's iam:PassedToService) get a statement of their own.
      const key = rule.condition ? `${rule.on} ${JSON.stringify(rule.condition)}` : rule.on;
      const group = byKind.get(key) ?? {
        kind: rule.on,
        ...(rule.condition ? { condition: rule.condition } : {}),
        actions: new Set(),
        resources: new Set(),
        verbs: new Set(),
      };
      byKind.set(key, group);
      group.verbs.add(verb);
      for (const a of actions) group.actions.add(`${actionService}:${a.name}`);
      for (const names of combos) group.resources.add(rule.on === "*" ? "*" : arnOf(recipe.service, rule.on, names, place));
    }
  }
  const statements: KindStatement[] = [...byKind.values()].map(({ kind, ...g }) => ({
    service: recipe.service,
    kind,
    statement: {
      Sid: sid(recipe.service, [...g.verbs], kind),
      Effect: "Allow",
      Action: [...g.actions].sort(),
      Resource: [...g.resources].sort(),
      ...(g.condition ? { Condition: g.condition } : {}),
    },
  }));
  for (const names of combos) {
    for (const companion of recipe.companions?.(names) ?? []) statements.push(...kindStatements(companion, place));
  }
  return statements;
}

export function arnOf(service: string, kindName: string, names: Record<string, string>, place: Place): string {
  const recipe = recipeFor(service);
  const kind = recipe?.kinds[kindName];
  if (!recipe || !kind) throw new Error(`${service} has no resource kind "${kindName}"`);
  return resourceArn(kind.arnService ?? service, kind.type, place, kind.parts(names));
}

/** Every combination of the resource names (a list-valued name gives one combination per value). */
function expand(resources: Record<string, string | readonly string[]>): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [name, value] of Object.entries(resources)) {
    const values = typeof value === "string" ? [value] : value;
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return combos;
}

function sid(service: string, verbs: string[], kind: string): string {
  const words = [service, ...verbs, kind === "*" ? "" : kind].join(" ").split(/[^A-Za-z0-9]+/);
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

/** Joins statements with the same Sid (companions may repeat a grant's own). */
function mergeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const bySid = new Map<string, PolicyStatement>();
  for (const s of statements) {
    const key = s.Sid ?? JSON.stringify(s);
    const seen = bySid.get(key);
    if (!seen) bySid.set(key, s);
    else {
      seen.Action = [...new Set([...(seen.Action as string[]), ...(s.Action as string[])])].sort();
      seen.Resource = [...new Set([...(seen.Resource as string[]), ...(s.Resource as string[])])].sort();
    }
  }
  return [...bySid.values()];
}
