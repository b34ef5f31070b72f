import { parseArgs } from "node:util";
import { credentialVariables } from "../credentials/exec.js";
import { shellWord } from "../text/escape.js";
import { CHAIN_OPTIONS, CHAIN_USAGE, chainCredentials } from "./chain-input.js";
import { UsageError } from "./json-input.js";

export const usage = `xacct env ${CHAIN_USAGE} [--format sh|json]
                                prints the chain's credentials as shell lines for
                                eval "$(xacct env --profile NAME)": unset of the variables that would
                                override them (AWS_PROFILE, web identity, container credentials),
                                export of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
                                AWS_CREDENTIAL_EXPIRATION (and AWS_REGION when unset); json: the
                                variables to set as one object`;

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
