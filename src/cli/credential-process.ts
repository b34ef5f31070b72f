import { credentialProcessOutput } from "../credentials/process.js";
import { chainCredentials } from "./chain-input.js";
import type { CHAIN_OPTIONS, Values } from "./usage.js";

export async function run(values: Values<typeof CHAIN_OPTIONS>): Promise<number> {
  const got = await chainCredentials(values, "credential-process");
  if (!got) return 1;
  process.stdout.write(`${JSON.stringify(credentialProcessOutput(got.credentials))}\n`);
  return 0;
}
