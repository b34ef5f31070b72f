import { parseArgs } from "node:util";
import { reach } from "../graph/query.js";
import { contextOf, GRAPH_OPTIONS, graphFrom, hopsText, print } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("reach");

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...GRAPH_OPTIONS, principal: { type: "string" } } });
  if (values.help) return (print(usage, false, () => usage), 0);
  if (!values.principal) throw new UsageError(`give --principal\n${usage}`);
  const context = contextOf(values.context);
  const answer = reach(graphFrom(values, context, usage), values.principal, context);
  print(answer, values.json, () =>
    [
      ...(answer.roles.length
        ? answer.roles.map((r) => `${r.role} via ${hopsText(r)} (sessions up to ${r.maxSessionSeconds} s)`)
        : [answer.unknown ? "no role xacct can see" : "no role"]),
      ...(answer.unknown
        ? [
            "Unknown: it may also become these, if attached policies whose documents are not known allow sts:AssumeRole:",
            ...answer.unknown.map((r) => `  ${r.role} via ${r.via.join(" -> ")}: ${r.policies.join(", ")}`),
            "  (give an inventory that holds them to decide)",
          ]
        : []),
    ].join("\n"),
  );
  return 0;
}
