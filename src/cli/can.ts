import { parseArgs } from "node:util";
import { can } from "../graph/query.js";
import { contextOf, GRAPH_OPTIONS, graphFrom, hopsText, print } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { usageOf } from "./usage.js";

export const usage = usageOf("can");

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...GRAPH_OPTIONS,
      principal: { type: "string" },
      action: { type: "string" },
      resource: { type: "string" },
      "resource-account": { type: "string" },
    },
  });
  if (values.help) return (print(usage, false, () => usage), 0);
  if (!values.principal || !values.action || !values.resource) throw new UsageError(`give --principal, --action and --resource\n${usage}`);
  const context = contextOf(values.context);
  const answer = can(graphFrom(values, context, usage), {
    principal: values.principal,
    action: values.action,
    resource: values.resource,
    ...(values["resource-account"] ? { resourceAccount: values["resource-account"] } : {}),
    context,
  });
  print(answer, values.json, () =>
    answer.decision === "Allow"
      ? [
          `Allow: ${values.principal} can ${values.action} on ${values.resource}`,
          ...answer.paths.map(
            (p) =>
              `  via ${p.via.length ? hopsText(p) : "its own permissions"}${Object.keys(p.requires).length ? ` (needs ${JSON.stringify(p.requires)})` : ""}, sessions up to ${p.maxSessionSeconds} s`,
          ),
        ].join("\n")
      : answer.decision === "Unknown"
        ? [
            `Unknown: no chain xacct can see allows ${values.action} on ${values.resource}, but these attached policies' documents are not known, and may allow it:`,
            ...(answer.unknown ?? []).map(
              (u) => `  ${u.via.length ? u.via.join(" -> ") : "its own permissions"}: ${u.policies.join(", ")}`,
            ),
            "  (give an inventory that holds them to decide)",
          ].join("\n")
        : `Deny: ${answer.explain?.summary ?? "no chain allows it"}`,
  );
  return 0;
}
