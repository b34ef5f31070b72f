import { joined, type OperatorFamily } from "./operator.js";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

function numeric(compare: (request: number, policy: number) => boolean): OperatorFamily<number> {
  return {
    variables: false,
    expects: "a number",
    prepare: (value) => parseNumber(joined(value)),
    matches: (request, policy) => {
      const n = parseNumber(request);
      return n !== undefined && compare(n, policy);
    },
  };
}

export const numericEquals = numeric((r, p) => r === p);
export const numericLessThan = numeric((r, p) => r < p);
export const numericLessThanEquals = numeric((r, p) => r <= p);
export const numericGreaterThan = numeric((r, p) => r > p);
export const numericGreaterThanEquals = numeric((r, p) => r >= p);
