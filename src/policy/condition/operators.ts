import { arnLike } from "./arn.js";
import { binaryEquals } from "./binary.js";
import { bool } from "./bool.js";
import { date } from "./date.js";
import { ipAddress } from "./ip.js";
import { numeric } from "./numeric.js";
import type { OperatorFamily } from "./operator.js";
import { stringEquals, stringEqualsIgnoreCase, stringLike } from "./string.js";

export interface OperatorInfo {
  family: OperatorFamily;
  /** Negated operators are true when no policy value matches, and when the key is absent. */
  negated: boolean;
}

/** Every base operator AWS documents, except Null, which is handled on its own. */
export const OPERATORS: ReadonlyMap<string, OperatorInfo> = new Map<string, OperatorInfo>([
  ["StringEquals", { family: stringEquals, negated: false }],
  ["StringNotEquals", { family: stringEquals, negated: true }],
  ["StringEqualsIgnoreCase", { family: stringEqualsIgnoreCase, negated: false }],
  ["StringNotEqualsIgnoreCase", { family: stringEqualsIgnoreCase, negated: true }],
  ["StringLike", { family: stringLike, negated: false }],
  ["StringNotLike", { family: stringLike, negated: true }],
  ["NumericEquals", { family: numeric.equals, negated: false }],
  ["NumericNotEquals", { family: numeric.equals, negated: true }],
  ["NumericLessThan", { family: numeric.lessThan, negated: false }],
  ["NumericLessThanEquals", { family: numeric.lessThanEquals, negated: false }],
  ["NumericGreaterThan", { family: numeric.greaterThan, negated: false }],
  ["NumericGreaterThanEquals", { family: numeric.greaterThanEquals, negated: false }],
  ["DateEquals", { family: date.equals, negated: false }],
  ["DateNotEquals", { family: date.equals, negated: true }],
  ["DateLessThan", { family: date.lessThan, negated: false }],
  ["DateLessThanEquals", { family: date.lessThanEquals, negated: false }],
  ["DateGreaterThan", { family: date.greaterThan, negated: false }],
  ["DateGreaterThanEquals", { family: date.greaterThanEquals, negated: false }],
  ["Bool", { family: bool, negated: false }],
  ["BinaryEquals", { family: binaryEquals, negated: false }],
  ["IpAddress", { family: ipAddress, negated: false }],
  ["NotIpAddress", { family: ipAddress, negated: true }],
  ["ArnEquals", { family: arnLike, negated: false }],
  ["ArnLike", { family: arnLike, negated: false }],
  ["ArnNotEquals", { family: arnLike, negated: true }],
  ["ArnNotLike", { family: arnLike, negated: true }],
]);

export type SetQualifier = "ForAnyValue" | "ForAllValues" | undefined;

export interface ParsedOperator {
  /** The operator as written, for explanations. */
  name: string;
  base: string;
  info: OperatorInfo | "Null";
  ifExists: boolean;
  qualifier: SetQualifier;
}

const parsed = new Map<string, ParsedOperator>();

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined when AWS would not know it. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let operator = parsed.get(name);
  if (operator === undefined) {
    operator = splitOperator(name);
    // Only known operators are kept, so the map stays as small as the operator grammar.
    if (operator !== undefined) parsed.set(name, operator);
  }
  return operator;
}

function splitOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let qualifier: SetQualifier;
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix !== "ForAnyValue" && prefix !== "ForAllValues") return undefined;
    qualifier = prefix;
    rest = rest.slice(colon + 1);
  }
  // A set qualifier on Null changes nothing: AWS's policy simulator decides ForAllValues:Null and
  // ForAnyValue:Null as Null, on whether the key is present.
  if (rest === "Null") return { name, base: rest, info: "Null", ifExists: false, qualifier };
  const ifExists = rest.endsWith("IfExists");
  const base = ifExists ? rest.slice(0, -"IfExists".length) : rest;
  const info = OPERATORS.get(base);
  return info ? { name, base, info, ifExists, qualifier } : undefined;
}

/** The known operator closest to a misspelt one, for "did you mean". */
export function closestOperator(name: string): string | undefined {
  const wanted = name
    .toLowerCase()
    .replace(/^(forallvalues|foranyvalue):/, "")
    .replace(/ifexists$/, "");
  for (const known of [...OPERATORS.keys(), "Null"]) if (known.toLowerCase() === wanted) return known;
  return undefined;
}
