import { whoCan } from "../graph/query.js";
import { answerFilter, narrowed } from "../graph/focus.js";
import { contextOf, focusing, focusOf, graphAndChainsFrom, hopsText, print, warnAboutQuestion } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { progress } from "./progress.js";
import { helpOf, type Values, type WHO_CAN_OPTIONS } from "./usage.js";

export async function run(values: Values<typeof WHO_CAN_OPTIONS>): Promise<number> {
  if (!values.action || !values.resource) throw new UsageError(`give --action and --resource; ${helpOf("who-can")}`);
  const context = contextOf(values.context);
  const focus = focusOf(values);
  const work = progress(3);
  const { graph, chains } = graphAndChainsFrom(values, context, "who-can", work.stage);
  const inFocus = focusing(() => answerFilter(graph, chains, focus));
  const all = work.stage("answering", () =>
    whoCan(graph, {
      action: values.action as string,
      resource: values.resource as string,
      ...(values["resource-account"] ? { resourceAccount: values["resource-account"] } : {}),
      context,
    }),
  );
  work.end();
  warnAboutQuestion(graph, values.action, values.resource, values["resource-account"]);
  const { list, ...rest } = narrowed(all.principals, all.unknown, inFocus);
  const answer = { principals: list, ...rest };
  // What the focus left out, said: a focused empty answer is not "nobody".
  const outside = answer.outsideFocus
    ? [`(${answer.outsideFocus} more outside the focus: drop --account, --workload or --focus to see them)`]
    : [];
  const line = (p: { principal: string; via: string[]; techniques: string[]; holdsIf?: string[] }) =>
    `${p.principal}${p.via.length ? ` via ${hopsText(p)}` : ""}`;
  print(answer, values.json, () => [
    ...(answer.principals.length
      ? answer.principals.map(line)
      : [`${answer.unknown ? "nobody xacct can see" : "nobody"}${answer.outsideFocus ? " in the focus" : ""}`]),
    ...(answer.unknown
      ? [
          "Unknown: these may too, if attached policies whose documents are not known allow it:",
          ...answer.unknown.map((p) => `  ${line(p)}: ${p.policies.join(", ")}`),
          "  (give an inventory that holds them to decide)",
        ]
      : []),
    ...outside,
  ]);
  return 0;
}
