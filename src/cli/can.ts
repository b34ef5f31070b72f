import { can } from "../graph/query.js";
import { contextOf, graphFrom, hopsText, print, warnAboutQuestion } from "./graph-input.js";
import { EXIT } from "./exit-codes.js";
import { UsageError } from "./json-input.js";
import { progress } from "./progress.js";
import { type CAN_OPTIONS, helpOf, type Values } from "./usage.js";

export async function run(values: Values<typeof CAN_OPTIONS>): Promise<number> {
  if (!values.principal || !values.action || !values.resource)
    throw new UsageError(`give --principal, --action and --resource; ${helpOf("can")}`);
  const context = contextOf(values.context);
  const work = progress(3);
  const graph = graphFrom(values, context, "can", work.stage);
  const question = {
    principal: values.principal,
    action: values.action,
    resource: values.resource,
    ...(values["resource-account"] ? { resourceAccount: values["resource-account"] } : {}),
    context,
  };
  const answer = work.stage("answering", () => can(graph, question));
  work.end();
  warnAboutQuestion(graph, values.action, values.resource, values["resource-account"]);
  print(answer, values.json, () =>
    answer.decision === "Allow"
      ? [
          `Allow: ${values.principal} can ${values.action} on ${values.resource}`,
          ...answer.paths.map(
            (p) =>
              `  via ${p.via.length ? hopsText(p) : "its own permissions"}${Object.keys(p.requires).length ? ` (needs ${JSON.stringify(p.requires)})` : ""}, sessions up to ${p.maxSessionSeconds} s`,
          ),
        ]
      : answer.decision === "Unknown"
        ? [
            `Unknown: no chain xacct can see allows ${values.action} on ${values.resource}, but these attached policies' documents are not known, and may allow it:`,
            ...(answer.unknown ?? []).map(
              (u) => `  ${u.via.length ? u.via.join(" -> ") : "its own permissions"}: ${u.policies.join(", ")}`,
            ),
            "  (give an inventory that holds them to decide)",
          ]
        : [`Deny: ${answer.explain?.summary ?? "no chain allows it"}`],
  );
  return answer.decision === "Allow" ? EXIT.ok : answer.decision === "Unknown" ? EXIT.undecided : EXIT.negative;
}
