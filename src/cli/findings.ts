import { parseArgs } from "node:util";
import { type Finding, findings, SEVERITIES } from "../graph/findings/index.js";
import { loadSource } from "../source/load-source.js";
import { print } from "./graph-input.js";
import { SOURCE_OPTIONS, sourceOf } from "./source.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("findings");

function describe(f: Finding): string {
  const lines = [
    `${f.severity.toUpperCase().padEnd(8)} ${f.id}  ${f.title}`,
    `         ${f.path ? f.path.join(" -> ") : f.resource}`,
    `         ${f.detail}`,
    `         fix: ${f.fix}`,
  ];
  return lines.join("\n");
}

function summary(list: Finding[]): string {
  if (list.length === 0) return "no findings";
  const counts = SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  return `${list.length} finding${list.length > 1 ? "s" : ""}: ${counts.map(([s, n]) => `${n} ${s}`).join(", ")}`;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...SOURCE_OPTIONS, json: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) return (print(usage, false, () => usage), 0);
  const { state, chains } = loadSource(sourceOf(values, usage));
  const list = findings(state, { chains });
  print({ findings: list }, values.json, () => [...list.map(describe), summary(list)].join("\n\n"));
  return 0;
}
