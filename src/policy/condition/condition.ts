import type { RequestContext } from "../context.js";
import { at, describe, fail, itemPath, type Path } from "../errors.js";
import { fitted } from "../fitted.js";
import { parseTemplate, piecesLength, resolveTemplate, staticPieces, type Template } from "../variables.js";
import type { OperatorFamily } from "./operator.js";
import { closestOperator, parseOperator, type ParsedOperator } from "./operators.js";
import { spend } from "../work.js";

/** A policy value, compiled, with the text it was written as. */
type PolicyValue = { prepared: unknown; text: string } | { template: Template; text: string };

/** One key under one operator: `"StringEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"]}`. */
export interface ConditionTest {
  operator: ParsedOperator;
  key: string;
  lowerKey: string;
  values: readonly PolicyValue[];
  /** The values without a policy variable, compiled once. */
  prepared: readonly unknown[];
  /** For an operator whose match is equality (StringEquals, NumericEquals, …): `prepared` as a set. */
  exact: ReadonlySet<unknown> | undefined;
  /** The values holding a policy variable, compiled per request. */
  templates: readonly Template[];
  /** For Null: true means "the key must be absent"; one entry per policy value. */
  nullChecks: readonly boolean[];
}

/** Reads a Condition element, naming the path of anything AWS would reject. */
export function compileCondition(input: unknown, path: Path, variables: boolean): ConditionTest[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    fail(path, `must be an object of condition operators, got ${describe(input)}`);
  }
  const tests: ConditionTest[] = [];
  const operators = input as Record<string, unknown>;
  for (const name in operators) {
    const block = operators[name];
    const operator = parseOperator(name);
    if (!operator) {
      const hint = closestOperator(name);
      fail(at(path, name), `unknown condition operator "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}`);
    }
    if (typeof block !== "object" || block === null || Array.isArray(block)) {
      fail(at(path, name), `must be an object of condition keys and values, got ${describe(block)}`);
    }
    const keys = block as Record<string, unknown>;
    for (const key in keys) tests.push(compileTest(operator, key, keys[key], at(at(path, name), key), variables));
  }
  return fitted(tests);
}

function compileTest(operator: ParsedOperator, key: string, raw: unknown, path: Path, variables: boolean): ConditionTest {
  // Tag keys may hold spaces (aws:ResourceTag/Cost Center), so only an empty name is refused.
  if (key.trim() === "") fail(path, "a condition key name must not be empty");
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const valuePath = (i: number) => itemPath(raw, path, i);
  const values: PolicyValue[] = [];
  const nullChecks: boolean[] = [];
  const info = operator.info;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      fail(valuePath(i), `a condition value must be a string, number or boolean, got ${describe(v)}`);
    }
    const text = String(v);
    if (info === "Null") {
      const lower = text.toLowerCase();
      if (lower !== "true" && lower !== "false") fail(valuePath(i), `Null takes "true" or "false", got ${describe(text)}`);
      nullChecks.push(lower === "true");
      continue;
    }
    const template = variables && info.family.variables && text.includes("${") ? parseTemplate(text) : undefined;
    if (template?.dynamic) {
      values.push({ template, text });
      continue;
    }
    const prepared = info.family.prepare(template ? staticPieces(template) : [{ text, literal: false }]);
    if (prepared === undefined) fail(valuePath(i), `${operator.base} takes ${info.family.expects}, got ${describe(text)}`);
    values.push({ prepared, text });
  }
  const prepared: unknown[] = [];
  const templates: Template[] = [];
  for (const value of values) {
    if ("prepared" in value) prepared.push(value.prepared);
    else templates.push(value.template);
  }
  const exact = info !== "Null" && info.family.canonical ? new Set(prepared) : undefined;
  return {
    operator,
    key,
    lowerKey: key.toLowerCase(),
    values: fitted(values),
    prepared: fitted(prepared),
    exact,
    templates: fitted(templates),
    nullChecks: fitted(nullChecks),
  };
}

/**
 * What comparing one request value with one policy value costs, in steps of the decision's budget
 * (work.ts), beside the value's length: a date, a number or an address is parsed anew for each
 * policy value it meets (about half a microsecond for a date).
 */
const PAIR_STEPS = 64;

/** What reading each of the request's values once costs: its length, and a comparison. */
function valuesCost(values: readonly string[]): number {
  let cost = 0;
  for (let i = 0; i < values.length; i++) cost += (values[i] as string).length + PAIR_STEPS;
  return cost;
}

/**
 * Evaluates every test (they are ANDed; a key's several values are ORed). Returns the first test
 * that fails, or null when the whole Condition holds.
 */
export function failingTest(tests: readonly ConditionTest[], context: RequestContext): ConditionTest | null {
  // By index, as the engine's other hot loops (see decide).
  for (let i = 0; i < tests.length; i++) if (!holds(tests[i] as ConditionTest, context)) return tests[i] as ConditionTest;
  return null;
}

function holds(test: ConditionTest, context: RequestContext): boolean {
  const requestValues = context.get(test.lowerKey);
  const { operator } = test;
  if (operator.info === "Null") {
    const absent = requestValues === undefined || requestValues.length === 0;
    return test.nullChecks.some((mustBeAbsent) => mustBeAbsent === absent);
  }
  const { negated } = operator.info;
  if (requestValues === undefined) {
    // ForAllValues is vacuously true for an absent key; ForAnyValue is false unless …IfExists.
    if (operator.qualifier === "ForAllValues") return true;
    return operator.ifExists || (operator.qualifier === undefined && negated);
  }
  // A multivalued key (given as a list) needs a set qualifier: without one, AWS's policy simulator
  // answers no match, whatever the operator ("Multivalued context keys require a condition set operator").
  if (operator.qualifier === undefined && context.isMultivalued(test.lowerKey)) return false;
  const { family } = operator.info;
  const { accepts } = family;
  // Spent from the decision's budget before any work: each request value read once for an equality
  // (a set look-up), else once for each of the policy's values it is compared with.
  spend(valuesCost(requestValues) * (family.canonical && test.exact ? 1 : test.prepared.length + test.templates.length));
  // Equality against the policy's own values (the common case) needs no matcher: a set look-up per
  // request value, nothing made per request (the engine decides hundreds of thousands for the graph).
  const satisfies = test.templates.length === 0 && test.exact && family.canonical ? undefined : matcher(test, family, context);
  // Every value in the request must match (true for an empty set), or at least one; a single value, itself.
  const all = operator.qualifier === "ForAllValues";
  for (let i = 0; i < requestValues.length; i++) {
    const v = requestValues[i] as string;
    // A value not of the operator's type satisfies neither it nor its negation.
    const ok = (accepts === undefined || accepts(v)) && (satisfies ? satisfies(v) : isOneOf(test, family, v)) !== negated;
    if (ok !== all) return ok;
  }
  return all;
}

/** Whether a request value's canonical form is one of the policy's own values (an equality operator's test). */
function isOneOf(test: ConditionTest, family: OperatorFamily, requestValue: string): boolean {
  const c = family.canonical?.(requestValue);
  return c !== undefined && (test.exact?.has(c) ?? false);
}

/**
 * Why a test that does not hold fails, where the request is at odds with it rather than simply
 * different: the key is absent, given as a list to an operator without a set qualifier, or holds
 * a value not of the operator's type. Undefined otherwise (and for a test that holds).
 */
export function oddity(test: ConditionTest, context: RequestContext): "absent" | "list" | "type" | undefined {
  const values = context.get(test.lowerKey);
  if (values === undefined) return "absent";
  const { operator } = test;
  if (operator.info === "Null") return undefined;
  if (operator.qualifier === undefined && context.isMultivalued(test.lowerKey)) return "list";
  const { accepts } = operator.info.family;
  return accepts && values.some((v) => !accepts(v)) ? "type" : undefined;
}

/**
 * A test of one request value against all of the policy's values (before negation), true when it
 * matches at least one. Policy variables are resolved once per request, not once per request
 * value; an equality operator looks the value up in a set, so a set of request values against a
 * set of policy values costs their sum, not their product.
 */
function matcher(test: ConditionTest, family: OperatorFamily, context: RequestContext): (requestValue: string) => boolean {
  const resolved: unknown[] = [];
  for (let i = 0; i < test.templates.length; i++) {
    const pieces = resolveTemplate(test.templates[i] as Template, context);
    // Each value is made of the request's values it names (joined: copied), so its length is spent first.
    if (pieces !== null) spend(piecesLength(pieces));
    const prepared = pieces === null ? undefined : family.prepare(pieces);
    if (prepared !== undefined) resolved.push(prepared);
  }
  const { exact } = test;
  const { canonical } = family;
  if (canonical && exact) {
    const more = new Set(resolved);
    return (v) => {
      const c = canonical(v);
      return c !== undefined && (exact.has(c) || more.has(c));
    };
  }
  const all = resolved.length === 0 ? test.prepared : [...test.prepared, ...resolved];
  return (v) => all.some((p) => family.matches(v, p));
}
