import type { PatternPiece } from "../wildcard.js";

/**
 * One family of condition operators (String*, Numeric*, …). `prepare` turns one policy value into
 * something quick to compare, or returns undefined when the value is not valid for the family;
 * `matches` compares one request value with one prepared policy value. Negation, `…IfExists`,
 * the set qualifiers and absent keys are handled once, in `evaluate-condition.ts`.
 */
export interface OperatorFamily<T = unknown> {
  /** Whether policy variables are replaced in this family's values (string and ARN operators). */
  readonly variables: boolean;
  /** What a valid value looks like, for error messages. */
  readonly expects: string;
  prepare(value: readonly PatternPiece[]): T | undefined;
  matches(requestValue: string, policyValue: T): boolean;
}

export function joined(value: readonly PatternPiece[]): string {
  return value.length === 1 ? (value[0] as PatternPiece).text : value.map((p) => p.text).join("");
}
