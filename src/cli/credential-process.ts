import { parseArgs } from "node:util";
import { credentialProcessOutput } from "../credentials/process.js";
import { CHAIN_OPTIONS, chainCredentials } from "./chain-input.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("credential-process");

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: CHAIN_OPTIONS });
  if (values.help) return (process.stdout.write(`${usage}\n`), 0);
  const got = await chainCredentials(values, usage, "credential-process");
  if (!got) return 1;
  process.stdout.write(`${JSON.stringify(credentialProcessOutput(got.credentials))}\n`);
  return 0;
}
