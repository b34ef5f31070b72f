import { reach } from "../graph/query.js";
import { answerFilter, narrowed } from "../graph/focus.js";
import { contextOf, focusing, focusOf, graphAndChainsFrom, hopsText, print } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { progress } from "./progress.js";
import { helpOf, type REACH_OPTIONS, type Values } from "./usage.js";

export async function run(values: Values<typeof REACH_OPTIONS>): Promise<number> {
  if (!values.principal) throw new UsageError(`give --principal; ${helpOf("reach")}`);
  const context = contextOf(values.context);
  const focus = focusOf(values);
  const work = progress(3);
  const { graph, chains } = graphAndChainsFrom(values, context, "reach", work.stage);
  const inFocus = focusing(() => answerFilter(graph, chains, focus));
  const principal = values.principal;
  const all = work.stage("answering", () => reach(graph, principal, context));
  work.end();
  const { list, ...rest } = narrowed(all.roles, all.unknown, inFocus && ((a: { role: string }) => inFocus({ principal: a.role })));
  const answer = { roles: list, ...rest };
  // What the focus left out, said: a focused empty answer is not "no role".
  const outside = answer.outsideFocus
    ? [`(${answer.outsideFocus} more outside the focus: drop --account, --workload or --focus to see them)`]
    : [];
  print(answer, values.json, () => [
    ...(answer.roles.length
      ? answer.roles.map((r) => `${r.role} via ${hopsText(r)} (sessions up to ${r.maxSessionSeconds} s)`)
      : [`${answer.unknown ? "no role xacct can see" : "no role"}${answer.outsideFocus ? " in the focus" : ""}`]),
    ...(answer.unknown
      ? [
          "Unknown: it may also become these, if attached policies whose documents are not known allow sts:AssumeRole:",
          ...answer.unknown.map((r) => `  ${r.role} via ${r.via.join(" -> ")}: ${r.policies.join(", ")}`),
          "  (give an inventory that holds them to decide)",
        ]
      : []),
    ...outside,
  ]);
  return 0;
}
