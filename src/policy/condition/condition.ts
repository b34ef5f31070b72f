import type { RequestContext } from "../context.js";
import { at, describe, fail, itemPath, type Path } from "../errors.js";
import { parseTemplate, resolveTemplate, staticPieces, type Template } from "../variables.js";
import { closestOperator, parseOperator, type ParsedOperator } from "./operators.js";

/** A policy value, compiled, with the text it was written as. */
type PolicyValue = { prepared: unknown; text: string } | { template: Template; text: string };

/** One key under one operator: `"StringEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"]}`. */
export interface ConditionTest {
  operator: ParsedOperator;
  key: string;
  lowerKey: string;
  values: readonly PolicyValue[];
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
  return tests;
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
  return { operator, key, lowerKey: key.toLowerCase(), values, nullChecks };
}

/**
 * Evaluates every test (they are ANDed; a key's several values are ORed). Returns the first test
 * that fails, or null when the whole Condition holds.
 */
export function failingTest(tests: readonly ConditionTest[], context: RequestContext): ConditionTest | null {
  for (const test of tests) if (!holds(test, context)) return test;
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
  const absent = requestValues === undefined;
  if (operator.qualifier === "ForAllValues") {
    // Every value in the request must match; vacuously true for an absent key or an empty set.
    return absent || requestValues.every((v) => valueSatisfies(test, v, context) !== negated);
  }
  if (operator.qualifier === "ForAnyValue") {
    if (absent || requestValues.length === 0) return operator.ifExists && absent;
    return requestValues.some((v) => valueSatisfies(test, v, context) !== negated);
  }
  if (absent) return operator.ifExists || negated;
  const anyMatch = requestValues.some((v) => valueSatisfies(test, v, context));
  return anyMatch !== negated;
}

/** True when the request value matches at least one of the policy's values (before negation). */
function valueSatisfies(test: ConditionTest, requestValue: string, context: RequestContext): boolean {
  const info = test.operator.info as Exclude<ConditionTest["operator"]["info"], "Null">;
  for (const value of test.values) {
    let prepared: unknown;
    if ("prepared" in value) prepared = value.prepared;
    else {
      const pieces = resolveTemplate(value.template, context);
      if (pieces === null) continue;
      prepared = info.family.prepare(pieces);
      if (prepared === undefined) continue;
    }
    if (info.family.matches(requestValue, prepared)) return true;
  }
  return false;
}
