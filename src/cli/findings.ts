import { type Finding, findings, SEVERITIES } from "../graph/findings/index.js";
import { loadSource } from "../source/load-source.js";
import { print } from "./graph-input.js";
import { sourceOf } from "./source.js";
import type { FINDINGS_OPTIONS, Values } from "./usage.js";

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

export async function run(values: Values<typeof FINDINGS_OPTIONS>): Promise<number> {
  const { state, chains } = loadSource(sourceOf(values, "findings"));
  const list = findings(state, { chains });
  print({ findings: list }, values.json, () => [...list.map(describe), summary(list)].join("\n\n"));
  return 0;
}
