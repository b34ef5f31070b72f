/**
 * Checks a SARIF log as the field checks it: Microsoft's SARIF validator (`Sarif.Multitool
 * validate`, from @microsoft/sarif-multitool, the validator GitHub's "SARIF support for code
 * scanning" page sends producers to) with its GitHub ingestion rules (GH1001–GH1018, off by
 * default) turned on as errors, and ajv against the SARIF 2.1.0 JSON Schema the validator ships.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";

const require = createRequire(import.meta.url);
/** The validator's platform package: its self-contained binary and its schema beside it. */
const TOOL_DIR = dirname(require.resolve(`@microsoft/sarif-multitool-${process.platform}/package.json`));
const MULTITOOL = join(TOOL_DIR, process.platform === "win32" ? "Sarif.Multitool.exe" : "Sarif.Multitool");

/** The validator's binary, made executable by its package's install script (npm ci runs it). */
function multitool(): string {
  try {
    accessSync(MULTITOOL, constants.X_OK);
  } catch {
    throw new Error(
      `${MULTITOOL} is not executable: its install script did not run (npm rebuild @microsoft/sarif-multitool-${process.platform})`,
    );
  }
  return MULTITOOL;
}

/** The SARIF 2.1.0 JSON Schema (draft 2020-12) the validator ships. */
export const SARIF_JSON_SCHEMA = JSON.parse(readFileSync(join(TOOL_DIR, "sarif-2.1.0.json"), "utf8")) as object;

// The schema's formats (uri, uri-reference, date-time, uuid) are checked by the validator; ajv checks the structure.
const validateSchema = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(SARIF_JSON_SCHEMA);

/** What ajv finds wrong in the log against the schema: each problem as `instancePath message`. */
export function schemaProblems(log: unknown): string[] {
  return validateSchema(log) ? [] : (validateSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

/**
 * What the validator reports on the log, as `RULE level: message` lines (its own run failing,
 * a crash of one of its rules included), with the GitHub rules on. `ignore` lists rule IDs to leave out.
 */
export function validatorProblems(log: unknown, ignore: readonly string[] = []): string[] {
  const dir = mkdtempSync(join(tmpdir(), "xacct-sarif-"));
  try {
    const input = join(dir, "input.sarif");
    const output = join(dir, "validation.sarif");
    const config = join(dir, "config.xml");
    writeFileSync(input, JSON.stringify(log, null, 2));
    const exported = spawnSync(multitool(), ["export-validation-config", config], { encoding: "utf8" });
    if (exported.status !== 0) throw new Error(`Sarif.Multitool export-validation-config failed: ${exported.stderr || exported.stdout}`);
    // Every GitHub rule (GH1001…, GHAzDO excepted) from "Default" (off) to "Error".
    const options = readFileSync(config, "utf8").replace(
      /(<Properties Key="GH\d+\.[^"]*">\s*<Property Key="RuleEnabled" Value=")Default"/g,
      '$1Error"',
    );
    if (!options.includes('Value="Error"')) throw new Error("the validator's configuration names no GitHub rule to turn on");
    writeFileSync(config, options);
    const run = spawnSync(
      MULTITOOL,
      ["validate", input, "--output", output, "--log", "ForceOverwrite", "--config", config, "--rule-kind", "Sarif;Ghas"],
      { encoding: "utf8" },
    );
    if (run.error) throw run.error;
    const report = JSON.parse(readFileSync(output, "utf8")) as {
      runs: {
        results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[];
        invocations?: {
          executionSuccessful: boolean;
          toolExecutionNotifications?: { descriptor?: { id?: string }; message: { text?: string } }[];
        }[];
      }[];
    };
    const [first] = report.runs;
    const problems = (first?.results ?? [])
      .filter((r) => !ignore.includes(r.ruleId))
      .map((r) => `${r.ruleId} ${r.level ?? "warning"}: ${r.message.text ?? [r.message.id, ...(r.message.arguments ?? [])].join(" ")}`);
    for (const invocation of first?.invocations ?? []) {
      if (!invocation.executionSuccessful) problems.push(`the validator's run failed (exit ${run.status ?? "?"})`);
      for (const n of invocation.toolExecutionNotifications ?? [])
        problems.push(`${n.descriptor?.id ?? "notification"}: ${n.message.text ?? ""}`);
    }
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
