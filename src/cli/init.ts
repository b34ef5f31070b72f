import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { STARTER_MODEL } from "../model/starter.js";
import { UsageError } from "./json-input.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("init");

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { help: { type: "boolean" } } });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const file = positionals[0] ?? "xacct.yaml";
  if (existsSync(file)) throw new UsageError(`${file} exists already; xacct init never overwrites a model`);
  writeFileSync(file, STARTER_MODEL, { flag: "wx" });
  process.stdout.write(`xacct: wrote ${file}; edit it, then run: xacct build ${file} --out build\n`);
  return 0;
}
