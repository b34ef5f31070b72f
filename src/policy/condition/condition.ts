import type { RequestContext } from "../context.js";
import { at, describe, fail } from "../errors.js";
import { literalTemplate, parseTemplate, resolveTemplate, staticPieces, type Template } from "../variables.js";
import { closestOperator, parseOperator, type ParsedOperator } from "./operators.js";

type PolicyValue = { prepared: unknown } | { template: Template };

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
export function compileCondition(input: unknown, path: string, variables: boolean): ConditionTest[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    fail(path, `must be an object of condition operators, got ${describe(input)}`);
  }
  const tests: ConditionTest[] = [];
  for (const [name, block] of Object.entries(input as Record<string, unknown>)) {
    const opPath = at(path, name);
    const operator = parseOperator(name);
    if (!operator) {
      const hint = closestOperator(name);
      fail(opPath, `unknown condition operator "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}`);
    }
    if (typeof block !== "object" || block === null || Array.isArray(block)) {
      fail(opPath, `must be an object of condition keys and values, got ${describe(block)}`);
    }
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      tests.push(compileTest(operator, key, raw, at(opPath, key), variables));
    }
  }
  return tests;
}

function compileTest(operator: ParsedOperator, key: string, raw: unknown, path: string, variables: boolean): ConditionTest {
  if (!/^[^\s]+$/.test(key)) fail(path, "a condition key name must not be empty or contain spaces");
  const list = Array.isArray(raw) ? raw : [raw];
  const texts = list.map((v, i) => {
    const valuePath = Array.isArray(raw) ? at(path, i) : path;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return fail(valuePath, `a condition value must be a string, number or boolean, got ${describe(v)}`);
  });
  const test: ConditionTest = { operator, key, lowerKey: key.toLowerCase(), values: [], nullChecks: [] };
  if (operator.info === "Null") {
    const checks = texts.map((t, i) => {
      const lower = t.toLowerCase();
      if (lower !== "true" && lower !== "false") fail(Array.isArray(raw) ? at(path, i) : path, `Null takes "true" or "false", got ${describe(t)}`);
      return lower === "true";
    });
    return { ...test, nullChecks: checks };
  }
  const family = operator.info.family;
  const values = texts.map((text, i): PolicyValue => {
    const template = variables && family.variables ? parseTemplate(text) : literalTemplate(text);
    if (template.dynamic) return { template };
    const prepared = family.prepare(staticPieces(template));
    if (prepared === undefined) {
      fail(Array.isArray(raw) ? at(path, i) : path, `${operator.base} takes ${family.expects}, got ${describe(text)}`);
    }
    return { prepared };
  });
  return { ...test, values };
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
  const info = test.operator.info;
  if (info === "Null") return false;
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
