/**
 * The one place where an error that ends a command becomes what the user reads: the user's mistakes
 * and the machine's refusals (a full disk, a name too long, a file that cannot be read) as one line
 * each, exit status 2; anything else is xacct's own bug, said as such, with the environment
 * variable that prints its trace, exit status 70 (EX_SOFTWARE).
 */
import { ChainError } from "../credentials/chain.js";
import { OwnedDirError } from "../fs/owned-dir.js";
import { isSystemError, systemErrorText } from "../fs/system-error.js";
import { ModelError } from "../model/load.js";
import { PolicyInputError } from "../policy/errors.js";
import { oneLine } from "../text/escape.js";
import { EXIT } from "./exit-codes.js";
import { UsageError } from "./json-input.js";
import { DEBUG_VARIABLE } from "./usage.js";

export interface ErrorReport {
  /** What to print on stderr, each line starting `xacct: `, ending with a newline. */
  text: string;
  status: number;
}

/** What the user reads, and the exit status, for an error that ended a command. */
export function errorReport(error: unknown, env: NodeJS.ProcessEnv = process.env): ErrorReport {
  const debug = env[DEBUG_VARIABLE] !== undefined && env[DEBUG_VARIABLE] !== "" && env[DEBUG_VARIABLE] !== "0";
  const lines = userLines(error);
  const trace = debug ? `${traceOf(error)}\n` : "";
  return {
    // Each line is one line on the terminal: a control character from the input (a line break, an
    // escape sequence in an argument) is shown as its escape, never written as it is.
    text: `${(lines ?? internalLines(error)).map((l) => `xacct: ${oneLine(l)}`).join("\n")}\n${trace}`,
    status: lines ? EXIT.usage : EXIT.internal,
  };
}

/** What the user reads of an error that is theirs, or the machine's; undefined for xacct's own. */
function userLines(error: unknown): string[] | undefined {
  if (error instanceof ModelError) return error.problems.length > 0 ? error.message.split("\n") : [error.message];
  if (error instanceof UsageError || error instanceof PolicyInputError || error instanceof OwnedDirError || error instanceof ChainError)
    return [error.message];
  if (isSystemError(error)) return [`cannot ${error.syscall}${error.path ? ` ${error.path}` : ""}: ${systemErrorText(error)}`];
  return undefined;
}

function internalLines(error: unknown): string[] {
  const what = error instanceof Error ? `${error.name}: ${firstLine(error.message)}` : firstLine(String(error));
  return [
    `internal error (a bug in xacct, not in your input): ${what}; run again with ${DEBUG_VARIABLE}=1 to print its trace, and report it`,
  ];
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function traceOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(depth === 0 ? String((e as Error)?.stack ?? e) : `caused by: ${String((e as Error)?.stack ?? e)}`);
  }
  return parts.join("\n");
}
