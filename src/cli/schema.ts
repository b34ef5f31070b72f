import { parseArgs } from "node:util";
import { modelJsonSchema } from "../model/schema.js";

export const usage = `xacct schema                     print the JSON Schema of xacct.yaml (for editors)`;

export async function run(args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  process.stdout.write(`${JSON.stringify(modelJsonSchema(), null, 2)}\n`);
  return 0;
}
