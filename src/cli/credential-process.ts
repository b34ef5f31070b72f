import { parseArgs } from "node:util";
import { credentialProcessOutput } from "../credentials/process.js";
import { CHAIN_OPTIONS, CHAIN_USAGE, chainCredentials } from "./chain-input.js";

export const usage = `xacct credential-process ${CHAIN_USAGE}
                                prints the chain's credentials as a credential_process's JSON, for
                                \`credential_process = xacct credential-process --profile NAME\` in
                                another profile; cached (0600) under $XDG_CACHE_HOME/xacct or
                                ~/.cache/xacct until 15 minutes before they expire`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: CHAIN_OPTIONS });
  if (values.help) return (process.stdout.write(`${usage}\n`), 0);
  const got = await chainCredentials(values, usage, "credential-process");
  if (!got) return 1;
  process.stdout.write(`${JSON.stringify(credentialProcessOutput(got.credentials))}\n`);
  return 0;
}
