import { parseArgs } from "node:util";
import { whoCan } from "../graph/query.js";
import { contextOf, GRAPH_OPTIONS, graphFrom, hopsText, print } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("who-can");

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...GRAPH_OPTIONS, action: { type: "string" }, resource: { type: "string" }, "resource-account": { type: "string" } },
  });
  if (values.help) return (print(usage, false, () => usage), 0);
  if (!values.action || !values.resource) throw new UsageError(`give --action and --resource\n${usage}`);
  const context = contextOf(values.context);
  const answer = whoCan(graphFrom(values, context, usage), {
    action: values.action,
    resource: values.resource,
    ...(values["resource-account"] ? { resourceAccount: values["resource-account"] } : {}),
    context,
  });
  const line = (p: { principal: string; via: string[]; techniques: string[]; holdsIf?: string[] }) =>
    `${p.principal}${p.via.length ? ` via ${hopsText(p)}` : ""}`;
  print(answer, values.json, () =>
    [
      ...(answer.principals.length ? answer.principals.map(line) : [answer.unknown ? "nobody xacct can see" : "nobody"]),
      ...(answer.unknown
        ? [
            "Unknown: these may too, if attached policies whose documents are not known allow it:",
            ...answer.unknown.map((p) => `  ${line(p)}: ${p.policies.join(", ")}`),
            "  (give an inventory that holds them to decide)",
          ]
        : []),
    ].join("\n"),
  );
  return 0;
}
