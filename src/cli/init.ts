import { existsSync, writeFileSync } from "node:fs";
import { STARTER_MODEL } from "../model/starter.js";
import { UsageError } from "./json-input.js";

export async function run(_values: unknown, [file = "xacct.yaml"]: readonly string[]): Promise<number> {
  if (existsSync(file)) throw new UsageError(`${file} exists already; xacct init never overwrites a model`);
  writeFileSync(file, STARTER_MODEL, { flag: "wx" });
  process.stdout.write(`xacct: wrote ${file}; edit it, then run: xacct build ${file} --out build\n`);
  return 0;
}
