/**
 * IAM statements read back as a model's service, access verbs and resource names, where they are
 * exactly what a grant would compile to: the candidate is compiled by the one expansion every grant
 * uses (statementsFor/kindStatements) and kept only if its statements equal the ones read. The
 * resource names are read out of the ARNs by each kind's own ARN format, so no service's ARN layout
 * is written twice.
 */
import { arnOf, kindStatements, statementsFor } from "../compile/permissions.js";
import type { ServiceAccess } from "../compile/permissions.js";
import { recipeFor, recipeServices } from "../services/index.js";
import type { Place } from "../services/recipe.js";
import type { PolicyStatement } from "../state/account-state.js";

export interface VerbMatch {
  service: string;
  access: string[];
  resources: Record<string, string | string[]>;
}

/** More verbs than this in one service and the search over their combinations is not tried. */
const MAX_VERBS = 12;
/** Readings of ambiguous ARNs tried at most. */
const MAX_CANDIDATES = 64;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === "string" ? [v] : v);

/** A statement's effect, actions, resources and condition, as a sortable key (the Sid is a label, not access). */
function accessKey(s: PolicyStatement): string {
  return JSON.stringify([
    s.Effect,
    [...list(s.Action)].map((a) => a.toLowerCase()).sort(),
    [...list(s.Resource)].sort(),
    s.Condition ?? null,
    s.NotAction ?? null,
    s.NotResource ?? null,
  ]);
}

/** Statements compared as a set of accessKeys. */
function sameAccess(a: readonly PolicyStatement[], b: readonly PolicyStatement[]): boolean {
  const ka = a.map(accessKey).sort();
  const kb = b.map(accessKey).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** Statements compared exactly (Sids too): what a role's inline policy must be for build to write the same. */
export function sameStatements(a: readonly PolicyStatement[], b: readonly PolicyStatement[]): boolean {
  const key = (s: PolicyStatement) => JSON.stringify([s.Sid ?? null, accessKey(s)]);
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/**
 * The resource names of a service read out of ARNs: each ARN a grant of the service would write
 * (its kinds', and its companions' for each verb), with a marker for each name, matched.
 */
function namesFrom(service: string, arns: readonly string[], place: Place): Map<string, Set<string>>[] {
  const recipe = recipeFor(service);
  if (!recipe) return [];
  const marker = (n: string) => `\uE000${n}\uE001`;
  const markers = Object.fromEntries(recipe.names.map((n) => [n, marker(n)]));
  const formats = new Map<string, { regex: RegExp; names: string[]; literal: number }>();
  const addFormat = (format: string) => {
    if (formats.has(format)) return;
    const names: string[] = [];
    const source = format
      .split(/(\uE000[^\uE001]*\uE001)/)
      .map((part) => {
        const m = /^\uE000([^\uE001]*)\uE001$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(m[1] as string);
        return "(.*?)";
      })
      .join("");
    const literal = format.replace(/\uE000[^\uE001]*\uE001/g, "").length;
    if (names.length) formats.set(format, { regex: new RegExp(`^${source}$`, "s"), names, literal });
  };
  for (const kindName of Object.keys(recipe.kinds)) {
    try {
      addFormat(arnOf(service, kindName, markers, place));
    } catch {
      // A kind whose ARN needs a name in a shape the markers do not fit: its formats come from the verbs below.
    }
  }
  for (const verb of Object.keys(recipe.access)) {
    try {
      for (const { statement } of kindStatements({ service, access: [verb], resources: markers } as ServiceAccess, place))
        for (const r of list(statement.Resource)) addFormat(r);
    } catch {
      // A verb these names do not compile for (a name's own check refused the marker): it matches nothing.
    }
  }
  // Each ARN read by the format that matches it with the most of its text fixed (`bucket/*` is the
  // objects of a bucket with no prefix, not a bucket named `bucket/*`); where formats tie (Athena's
  // results-bucket and data-bucket are both buckets), each reading is a candidate. A name read empty is left out.
  const readings: [string, string][][][] = [];
  for (const arn of arns) {
    let best: [string, string][][] = [];
    let score = -1;
    for (const { regex, names, literal } of formats.values()) {
      const match = regex.exec(arn);
      if (!match) continue;
      const value = literal * 100 + names.length;
      const reading = names.map((n, i): [string, string] => [n, match[i + 1] as string]).filter(([, v]) => v !== "");
      if (value > score) [best, score] = [[reading], value];
      else if (value === score) best.push(reading);
    }
    if (best.length) readings.push(best);
  }
  let candidates: [string, string][][] = [[]];
  for (const options of readings) {
    candidates = candidates.flatMap((c) => options.map((o) => [...c, ...o]));
    if (candidates.length > MAX_CANDIDATES) candidates = candidates.slice(0, MAX_CANDIDATES);
  }
  return candidates.map((pairs) => {
    const found = new Map<string, Set<string>>();
    for (const [n, v] of pairs) found.set(n, (found.get(n) ?? new Set<string>()).add(v));
    return found;
  });
}

/** Permutations of a few items (the verbs' order names the Sids xacct writes: StepsTerminate or TerminateSteps). */
function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (const [i, item] of items.entries())
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [item, ...rest];
}

/** The verbs in the order whose compiled Sids are those read, where one is (a few verbs only); else as given. */
function inSidOrder(
  access: string[],
  compile: (access: string[]) => PolicyStatement[] | undefined,
  statements: readonly PolicyStatement[],
): string[] {
  if (access.length > 5) return access;
  for (const order of permutations(access)) {
    const compiled = compile(order);
    if (compiled && sameStatements(compiled, statements)) return order;
  }
  return access;
}

/** Every subset of `items`, smallest first. */
function* subsets<T>(items: readonly T[]): Generator<T[]> {
  const n = items.length;
  const masks = Array.from({ length: 2 ** n - 1 }, (_, i) => i + 1).sort((a, b) => bitCount(a) - bitCount(b) || a - b);
  for (const mask of masks) yield items.filter((_, i) => mask & (1 << i));
}

function bitCount(n: number): number {
  let c = 0;
  for (let m = n; m; m >>= 1) c += m & 1;
  return c;
}

/** The candidates' resource names: one value per name, or a list where the ARNs name several. */
function resourcesOf(names: Map<string, Set<string>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of names) {
    const sorted = [...values].sort();
    out[name] = sorted.length === 1 ? (sorted[0] as string) : sorted;
  }
  return out;
}

/** Names of a candidate whose value is all the format's wildcard (a kind that names nothing) are left out. */
function withoutWildcards(names: Map<string, Set<string>>): Map<string, Set<string>> {
  return new Map([...names].filter(([, values]) => ![...values].every((v) => v === "*" || v === "")));
}

/**
 * The service, verbs and resource names whose compiled statements are `statements`
 * (`holderOnly`: only the statements a resource policy holds, as a resource-policy grant writes
 * them there): exactly (`rest` empty), or else the most verbs whose statements are each among them,
 * with the statements they leave over in `rest`; undefined when no verb's statements are.
 */
export function matchVerbs(
  statements: readonly PolicyStatement[],
  place: Place,
  options: { service?: string; holderOnly?: boolean } = {},
): (VerbMatch & { rest: PolicyStatement[] }) | undefined {
  const actions = new Set(statements.flatMap((s) => list(s.Action)).map((a) => a.toLowerCase()));
  const arns = [...new Set(statements.flatMap((s) => list(s.Resource)))];
  const keys = new Set(statements.map(accessKey));
  let best: (VerbMatch & { rest: PolicyStatement[] }) | undefined;
  const services = options.service ? [options.service] : recipeServices();
  for (const service of services) {
    const recipe = recipeFor(service);
    if (!recipe || ![...actions].some((a) => a.startsWith(`${service}:`))) continue;
    for (const names of namesFrom(service, arns, place)) {
      const resources = resourcesOf(withoutWildcards(names));
      const compile = (access: string[]): PolicyStatement[] | undefined => {
        const grant: ServiceAccess = { service, access, resources } as ServiceAccess;
        try {
          if (!options.holderOnly) return statementsFor(grant, place);
          return kindStatements(grant, place)
            .filter((k) => recipeFor(k.service)?.policyHolders?.[k.kind])
            .map((k) => k.statement);
        } catch {
          return undefined;
        }
      };
      // A verb is a candidate only if every action it grants is among those read.
      const verbs = Object.keys(recipe.access).filter((verb) => {
        const compiled = compile([verb]);
        return compiled !== undefined && compiled.every((s) => list(s.Action).every((a) => actions.has(a.toLowerCase())));
      });
      if (verbs.length === 0 || verbs.length > MAX_VERBS) continue;
      for (const access of subsets(verbs)) {
        const compiled = compile(access);
        if (!compiled) continue;
        if (sameAccess(compiled, statements)) return { service, access: inSidOrder(access, compile, statements), resources, rest: [] };
        if (compiled.length && compiled.every((s) => keys.has(accessKey(s))) && access.length > (best?.access.length ?? 0)) {
          const used = new Set(compiled.map(accessKey));
          best = { service, access, resources, rest: statements.filter((s) => !used.has(accessKey(s))) };
        }
      }
    }
  }
  return best;
}
