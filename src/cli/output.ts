/**
 * The version of the format of every `--json` output, one for all commands, each output described
 * by its JSON Schema in schema/output/. MAJOR.MINOR, as Terraform's `format_version`: MINOR grows
 * when fields are added (a reader of 1.0 reads 1.1), MAJOR when a field is removed, renamed or
 * changes meaning; the schemas describe every 1.x.
 */
export const SCHEMA_VERSION = "1.0";

/** A command's JSON output: `schemaVersion` first, then the answer's own fields. */
export function versioned<T extends object>(value: T): { schemaVersion: string } & T {
  return { schemaVersion: SCHEMA_VERSION, ...value };
}
