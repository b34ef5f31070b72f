/**
 * Machine output. The version of the format of every `--json` output, one for all commands, each
 * output described by its JSON Schema in schema/output/: MAJOR.MINOR, as Terraform's
 * `format_version`: MINOR grows when fields are added (a reader of 1.0 reads 1.1), MAJOR when a
 * field is removed, renamed or changes meaning; the schemas describe every 1.x. And how findings
 * and verify write text, JSON or SARIF, to standard output or to `-o FILE`.
 */
import { writeAtomically } from "../report/html.js";
import type { Compiled } from "../compile/compile.js";
import type { LocatePath } from "../compile/model-file.js";
import { placesOf } from "../report/places.js";
import type { SarifLog, SarifOptions } from "../report/sarif.js";
import { oneLine } from "../text/escape.js";
import { UsageError } from "./json-input.js";
import { version } from "./program.js";

export const SCHEMA_VERSION = "1.0";

/** A command's JSON output: `schemaVersion` first, then the answer's own fields. */
export function versioned<T extends object>(value: T): { schemaVersion: string } & T {
  return { schemaVersion: SCHEMA_VERSION, ...value };
}

/**
 * A command's text output: each line on one line, a name's control characters and line breaks shown
 * as escapes (a role or a tag named by whoever administers a collected account cannot forge a line
 * of the answer, nor send the terminal an escape sequence).
 */
export function textLines(lines: readonly string[]): string {
  return `${lines.map(oneLine).join("\n")}\n`;
}

/** A command's --json output as printed: one line. */
export function jsonText(value: object): string {
  return `${JSON.stringify(versioned(value))}\n`;
}

export type OutputFormat = "text" | "json" | "sarif";
const FORMATS: readonly OutputFormat[] = ["text", "json", "sarif"];

/** `--format text|json|sarif`, or `--json` (the same as `--format json`): text when neither is given. */
export function formatOf(values: { format?: string; json?: boolean }): OutputFormat {
  const format = values.format ?? (values.json ? "json" : "text");
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format takes ${FORMATS.join(", ")}, got "${format}"`);
  if (values.json && format !== "json") throw new UsageError(`--json is --format json: give --format ${format} alone`);
  return format as OutputFormat;
}

/**
 * What the SARIF writer needs of a command's run: xacct's version, and where each result is
 * written in what the command read (`--model FILE`, `--inventory DIR`, or both for verify).
 */
export function sarifOptions(
  read: { model?: string; inventory?: string },
  model: { compiled?: Compiled; locate?: LocatePath },
): SarifOptions {
  const { compiled, locate } = model;
  const places = placesOf({
    ...(read.model !== undefined && compiled && locate ? { model: { file: read.model, compiled, locate } } : {}),
    ...(read.inventory !== undefined ? { inventory: read.inventory } : {}),
  });
  return { tool: { version: version() }, places };
}

/** A SARIF log as the file code scanning uploads. */
export function sarifFile(log: SarifLog): string {
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * The command's output on standard output, or with `-o FILE` in FILE, written whole or not at all
 * (a temporary file renamed), and said on stderr.
 */
export async function writeOutput(command: string, text: string, file: string | undefined, what: string): Promise<void> {
  if (file === undefined || file === "-") {
    process.stdout.write(text);
    return;
  }
  // The report command's writer, loaded only when a file is written.
  const { writingTo } = await import("./report.js");
  writingTo(file, () => writeAtomically(file, text));
  process.stderr.write(`xacct ${command}: wrote ${file}: ${what}\n`);
}
