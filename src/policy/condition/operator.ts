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
  /**
   * Set for a family whose match is plain equality of canonical forms (`matches(r, p)` is exactly
   * `canonical(r) === p`): a request value is then looked up in a set of the policy's values
   * instead of being compared with each, so many values against many values cost their sum.
   */
  canonical?(requestValue: string): T | undefined;
  /**
   * Whether a request value is of the family's type (a number, a date, an ARN, …); absent for
   * families that take any string. A value that is not satisfies neither the operator nor its
   * negation: AWS's policy simulator answers no match for ArnNotLike on a value that is no ARN.
   */
  accepts?(requestValue: string): boolean;
}

/** A family whose match is equality: `prepare` gives a policy value's canonical form, `canonical` a request value's. */
export function equality<T>(
  spec: Omit<OperatorFamily<T>, "matches" | "canonical"> & { canonical(requestValue: string): T | undefined },
): OperatorFamily<T> {
  const { canonical } = spec;
  return {
    ...spec,
    canonical,
    matches: (request, policy) => canonical(request) === policy,
    accepts: (request) => canonical(request) !== undefined,
  };
}

export function joined(value: readonly PatternPiece[]): string {
  return value.length === 1 ? (value[0] as PatternPiece).text : value.map((p) => p.text).join("");
}

/** The comparisons of an ordered value type (numbers, dates), built from its parser. */
export function comparisons(parse: (text: string) => number | undefined, expects: string) {
  const equals = equality<number>({ variables: false, expects, prepare: (value) => parse(joined(value)), canonical: parse });
  const family = (compare: (request: number, policy: number) => boolean): OperatorFamily<number> => ({
    variables: false,
    expects,
    accepts: (request) => parse(request) !== undefined,
    prepare: (value) => parse(joined(value)),
    matches: (request, policy) => {
      const n = parse(request);
      return n !== undefined && compare(n, policy);
    },
  });
  return {
    equals,
    lessThan: family((r, p) => r < p),
    lessThanEquals: family((r, p) => r <= p),
    greaterThan: family((r, p) => r > p),
    greaterThanEquals: family((r, p) => r >= p),
  };
}
