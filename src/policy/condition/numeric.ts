import { comparisons } from "./operator.js";

// Each digit read one way only: `\d+\.?\d*` would try every split of a long run of digits (quadratic).
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

/** NumericEquals, NumericLessThan, … (NumericNotEquals is the negation of NumericEquals). */
export const numeric = comparisons(parseNumber, "a number");
