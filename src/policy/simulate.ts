import { decide, type Decision, evaluate, type Evaluation } from "./evaluate.js";
import { PolicyInputError } from "./errors.js";
import { parseRequest } from "./request.js";

/** Decides one request given in the `xacct simulate` JSON format. Throws PolicyInputError on bad input. */
export function simulate(input: unknown): Evaluation {
  return evaluate(parseRequest(input));
}

/** How much of the answer a batch line carries: the whole explanation, or the decision alone. */
export type ExplainLevel = "full" | "none";

export type BatchLine = Evaluation | { decision: Decision } | { error: string };

/**
 * Decides one JSON Lines entry: a malformed line or request becomes `{"error": "line N: …"}`
 * and never stops the batch.
 */
export function simulateLine(line: string, lineNumber: number, explain: ExplainLevel = "full"): BatchLine {
  if (line.trim() === "") return { error: `line ${lineNumber}: empty line (expected one JSON request)` };
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (error) {
    return { error: `line ${lineNumber}: not valid JSON: ${(error as Error).message}` };
  }
  try {
    // The decision alone is worked out without the words of an explanation.
    return explain === "none" ? { decision: decide(parseRequest(input)).decision } : simulate(input);
  } catch (error) {
    if (error instanceof PolicyInputError) return { error: `line ${lineNumber}: ${error.message}` };
    // A fault of xacct's own: report it on this line and keep deciding the others.
    return { error: `line ${lineNumber}: internal error (please report it): ${(error as Error).message}` };
  }
}
