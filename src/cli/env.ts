import { parseArgs } from "node:util";
import { credentialVariables } from "../credentials/exec.js";
import { shellWord } from "../text/escape.js";
import { CHAIN_OPTIONS, chainCredentials } from "./chain-input.js";
import { UsageError } from "./json-input.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("env");

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...CHAIN_OPTIONS, format: { type: "string" } } });
  if (values.help) return (process.stdout.write(`${usage}\n`), 0);
  const format = values.format ?? "sh";
  if (format !== "sh" && format !== "json") throw new UsageError(`--format is sh or json, got "${format}"`);
  const got = await chainCredentials(values, usage, "env");
  if (!got) return 1;
  const { set, unset } = credentialVariables(got.credentials, got.spec.region);
  if (format === "json") process.stdout.write(`${JSON.stringify(set, null, 2)}\n`);
  else
    process.stdout.write(
      `unset ${unset.join(" ")}\n${Object.entries(set)
        .map(([name, value]) => `export ${name}=${shellWord(value)}`)
        .join("\n")}\n`,
    );
  return 0;
}
