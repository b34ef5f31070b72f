/**
 * JSON text read in, one way for every reader: where the text is not JSON the problem says where
 * (`:LINE:COLUMN` when V8 names the offset) and why; where one object is wanted, an array, null or a
 * scalar is a problem too. Each caller turns a problem into its own error (a usage error, a located
 * policy error, an AWS error code, a refusal).
 */

/** Why text is not what was wanted: not JSON at all, or JSON but not one object. */
export interface JsonProblem {
  kind: "syntax" | "not-object";
  /** V8's description of the syntax error, or what the JSON is instead of an object. */
  message: string;
  /** `:LINE:COLUMN` of a syntax error where V8 names its offset, else "". */
  where: string;
}

export type JsonRead<T> = { value: T; problem?: undefined } | { value?: undefined; problem: JsonProblem };

/** Parses JSON text. */
export function readJson(text: string): JsonRead<unknown> {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    return { problem: { kind: "syntax", message, where: position ? lineColumn(text, Number(position[1])) : "" } };
  }
}

/** Parses JSON text that must be one object. */
export function readJsonObject(text: string): JsonRead<Record<string, unknown>> {
  const read = readJson(text);
  if (read.problem) return read;
  const value = read.value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return { value: value as Record<string, unknown> };
  const instead = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
  return { problem: { kind: "not-object", message: `not a JSON object but ${instead}`, where: "" } };
}

/**
 * V8's syntax error for one line of JSON Lines, its place said as the column of that line ("at
 * column 8"), not as V8 says it ("at position 7 (line 1 column 8)"), which a batch's own line
 * number would contradict.
 */
export function lineSyntaxError(message: string): string {
  return message
    .replace(/ \(line \d+ column \d+\)/, "")
    .replace(/at position (\d+)/, (_, offset: string) => `at column ${Number(offset) + 1}`);
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `:${line}:${offset - start + 1}`;
}
