import { accessSync, constants, readFileSync } from "../fs/node-fs.js";
import { readJson } from "../text/json.js";

/** Reads a file, or standard input for `-`. */
export function readInput(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${file === "-" ? "standard input" : file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Fails early, with a clear message, when a file to stream cannot be opened. */
export function assertReadable(file: string): void {
  if (file === "-") return;
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Parses JSON, located at `FILE:LINE:COLUMN` where it is not, so the user can find the mistake. */
export function parseJsonFile(text: string, file: string): unknown {
  const { value, problem } = readJson(text);
  if (problem) throw new UsageError(`${file === "-" ? "<stdin>" : file}${problem.where}: not valid JSON: ${problem.message}`);
  return value;
}

/** An error in the command line or its input: printed as is, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
