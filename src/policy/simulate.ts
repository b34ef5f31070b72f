import { decide, type Decision, evaluate, type Evaluation } from "./evaluate.js";
import { PolicyInputError } from "./errors.js";
import { parseRequest } from "./request.js";
import { lineSyntaxError } from "../text/json.js";

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
    return { error: `line ${lineNumber}: not valid JSON: ${lineSyntaxError((error as Error).message)}` };
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

/** A block of JSON Lines results, one per input line, and how many lines were answered with an error. */
export interface Decided {
  text: string;
  failed: number;
}

/**
 * Decides JSON Lines text (`\n` or `\r\n` between lines), numbering its lines from `firstLine`:
 * one JSON result per line, in order, each ending with `\n`. A final line break ends the last line.
 */
export function simulateLines(text: string, firstLine: number, explain: ExplainLevel = "full"): Decided {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let out = "";
  let failed = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const result = simulateLine(line, firstLine + i, explain);
    if ("error" in result) failed++;
    out += `${JSON.stringify(result)}\n`;
  }
  return { text: out, failed };
}
