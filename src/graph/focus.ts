/**
 * Narrowing `who-can` and `reach` to what a person asks about, as `report --account/--workload/
 * --focus` narrows the picture (src/report/focus.ts): principals in some accounts, on some
 * workloads' chains, or within N steps of one node of the access graph, in either direction.
 */
import { principalAccountId } from "../aws/arn.js";
import type { Chain } from "../compile/plan.js";
import type { AccessGraph } from "./graph.js";

export interface AnswerFocus {
  accounts?: readonly string[];
  workloads?: readonly string[];
  around?: { arn: string; depth: number };
}

/** A focus naming what the graph does not hold; the message says what it does. */
export class AnswerFocusError extends Error {
  override name = "AnswerFocusError";
}

/** Whether a principal (an answer's ARN) is in the focus; everything is when the focus names nothing. */
export function answerFilter(graph: AccessGraph, chains: readonly Chain[], focus: AnswerFocus): (principal: string) => boolean {
  const tests: ((principal: string) => boolean)[] = [];
  if (focus.accounts?.length) {
    const wanted = new Set(focus.accounts);
    tests.push((p) => wanted.has(principalAccountId(p) ?? ""));
  }
  if (focus.workloads?.length) {
    const known = new Set(chains.map((c) => c.workload));
    const missing = focus.workloads.filter((w) => !known.has(w));
    if (missing.length)
      throw new AnswerFocusError(
        known.size === 0
          ? `no workloads here (an inventory has none; a model's are under workloads:), so no ${missing.join(", ")}`
          : `no workload ${missing.join(", ")}; the model's workloads are ${[...known].sort().join(", ")}`,
      );
    const wanted = new Set(focus.workloads);
    const on = new Set(
      chains
        .filter((c) => wanted.has(c.workload))
        .flatMap((c) => [c.start.roleArn, c.start.userArn, ...c.hops.map((h) => h.roleArn)].filter((a): a is string => a !== undefined)),
    );
    tests.push((p) => on.has(p));
  }
  if (focus.around) {
    const near = nodesAround(graph, focus.around.arn, focus.around.depth);
    tests.push((p) => near.has(p));
  }
  return (principal) => tests.every((test) => test(principal));
}

/** The nodes within `depth` steps of `arn`, following the graph's edges either way. */
export function nodesAround(graph: AccessGraph, arn: string, depth: number): Set<string> {
  if (!graph.nodes.has(arn))
    throw new AnswerFocusError(`no principal ${arn} in the access graph: give the ARN of a role, a user or an account root it holds`);
  const near = new Set([arn]);
  let frontier = [arn];
  for (let step = 0; step < depth && frontier.length > 0; step++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const other of [...graph.outgoingOf(id).map((e) => e.to), ...graph.incomingOf(id).map((e) => e.from)])
        if (!near.has(other)) {
          near.add(other);
          next.push(other);
        }
    frontier = next;
  }
  return near;
}
