import type { PatternPiece } from "../wildcard.js";

/**
 * One family of condition operators (String*, Numeric*, …). `prepare` turns one policy value into
 * something quick to compare, or returns undefined when the value is not valid for the family;
 * `matches` compares one request value with one prepared policy value. Negation, `…IfExists`,
 * the set qualifiers and absent keys are handled once, in `condition.ts`.
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

/** The comparisons of an ordered value type (numbers, dates), built from its parser. */
export function comparisons(parse: (text: string) => number | undefined, expects: string) {
  const family = (compare: (request: number, policy: number) => boolean): OperatorFamily<number> => ({
    variables: false,
    expects,
    prepare: (value) => parse(joined(value)),
    matches: (request, policy) => {
      const n = parse(request);
      return n !== undefined && compare(n, policy);
    },
  });
  return {
    equals: family((r, p) => r === p),
    lessThan: family((r, p) => r < p),
    lessThanEquals: family((r, p) => r <= p),
    greaterThan: family((r, p) => r > p),
    greaterThanEquals: family((r, p) => r >= p),
  };
}
