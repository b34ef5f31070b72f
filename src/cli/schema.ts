import { modelJsonSchema } from "../model/schema.js";

export async function run(): Promise<number> {
  process.stdout.write(`${JSON.stringify(modelJsonSchema(), null, 2)}\n`);
  return 0;
}
