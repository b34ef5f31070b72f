import { credentialVariables } from "../credentials/exec.js";
import { shellWord } from "../text/escape.js";
import { chainCredentials } from "./chain-input.js";
import { UsageError } from "./json-input.js";
import type { ENV_OPTIONS, Values } from "./usage.js";

export async function run(values: Values<typeof ENV_OPTIONS>): Promise<number> {
  const format = values.format ?? "sh";
  if (format !== "sh" && format !== "json") throw new UsageError(`--format is sh or json, got "${format}"`);
  const got = await chainCredentials(values, "env");
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
