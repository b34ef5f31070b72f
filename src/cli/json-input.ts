import { accessSync, constants, readFileSync } from "node:fs";

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

/**
 * Parses JSON, turning V8's "at position N" into `FILE:LINE:COLUMN` so the user can find the
 * mistake.
 */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? lineColumn(text, Number(position[1])) : "";
    throw new UsageError(`${file === "-" ? "<stdin>" : file}${where}: not valid JSON: ${message}`);
  }
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

/** An error in the command line or its input: printed as is, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
