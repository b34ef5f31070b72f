/**
 * The matching work one decision may do: xacct's own bound, not AWS's. Within the sizes xacct
 * reads (8 MiB a request), a hostile request can still ask for a product that runs for hours:
 * each of a condition's 300,000 values against each of the request's 300,000, or a wildcard's
 * middle searched through a value of millions of characters by thousands of patterns. A decision
 * starts with a budget of steps; matching spends it (each request value a condition reads, by its
 * length; values made from policy variables; the characters a wildcard search passes), and a
 * decision that would go beyond it is refused with an error: never
 * an answer guessed, never one that waits without end. AWS's own limits (policies of a few KiB,
 * ARNs of at most 2,048 characters) keep real requests far below the bound.
 */
import { PolicyInputError } from "./errors.js";

/**
 * The steps one decision may spend: a step is one character compared by the engine's own loops
 * (a few nanoseconds), so the budget is a second or two of matching. Real requests spend a few
 * thousand.
 */
export const MATCHING_STEPS = 200_000_000;

/** Steps left to the decision under way; Infinity outside one (matching for other ends is not bounded here). */
let left = Infinity;

/** `run(input)` as one decision, with the budget of MATCHING_STEPS; inside a decision already, within that one's. */
export function bounded<I, O>(run: (input: I) => O, input: I): O {
  if (left !== Infinity) return run(input);
  left = MATCHING_STEPS;
  try {
    return run(input);
  } finally {
    left = Infinity;
  }
}

/** A decision refused for the work its matching would take. */
export class MatchingLimitError extends PolicyInputError {}

/** Spends `steps` of the decision's budget; throws when the decision would go beyond it. */
export function spend(steps: number): void {
  left -= steps;
  if (left < 0)
    throw new MatchingLimitError(
      "",
      `deciding this request would take more than ${MATCHING_STEPS.toLocaleString("en-US")} steps of matching ` +
        "(a condition's values against many request values, or wildcards searched through long values): " +
        "xacct refuses it rather than run without bound; AWS's size limits on policies and values keep real requests far below this",
    );
}
