import { evaluate, type Evaluation } from "./evaluate.js";
import { PolicyInputError } from "./errors.js";
import { parseRequest } from "./request.js";

/** Decides one request given in the `xacct simulate` JSON format. Throws PolicyInputError on bad input. */
export function simulate(input: unknown): Evaluation {
  return evaluate(parseRequest(input));
}

export type BatchLine = Evaluation | { error: string };

/**
 * Decides one JSON Lines entry: a malformed line or request becomes `{"error": "line N: …"}`
 * and never stops the batch.
 */
export function simulateLine(line: string, lineNumber: number): BatchLine {
  if (line.trim() === "") return { error: `line ${lineNumber}: empty line (expected one JSON request)` };
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (error) {
    return { error: `line ${lineNumber}: not valid JSON: ${(error as Error).message}` };
  }
  try {
    return simulate(input);
  } catch (error) {
    if (error instanceof PolicyInputError) return { error: `line ${lineNumber}: ${error.message}` };
    // A fault of xacct's own: report it on this line and keep deciding the others.
    return { error: `line ${lineNumber}: internal error (please report it): ${(error as Error).message}` };
  }
}
