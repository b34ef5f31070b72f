import { parseArgs } from "node:util";
import { modelJsonSchema } from "../model/schema.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("schema");

export async function run(args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  process.stdout.write(`${JSON.stringify(modelJsonSchema(), null, 2)}\n`);
  return 0;
}
