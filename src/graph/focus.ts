/**
 * Narrowing `who-can` and `reach` to what a person asks about, as `report --account/--workload/
 * --focus` narrows the picture (src/report/focus.ts): principals in some accounts, on some
 * workloads' chains, or within N steps of one node of the access graph, in either direction.
 */
import { principalAccountId } from "../aws/arn.js";
import type { Chain } from "../compile/plan.js";
import type { AccessGraph } from "./graph.js";
import { federatedId } from "./nodes.js";

export interface AnswerFocus {
  accounts?: readonly string[];
  workloads?: readonly string[];
  around?: { arns: readonly string[]; depth: number };
}

/** A focus naming what the graph does not hold; the message says what it does. */
export class AnswerFocusError extends Error {
  override name = "AnswerFocusError";
}

/**
 * An answer's principal: its ARN, and for a federated identity (named by its provider's ARN, as
 * `can` takes it) the `sub` it must supply, among the keys it requires.
 */
export interface AnswerPrincipal {
  principal: string;
  requires?: Readonly<Record<string, string>>;
}

/** The graph node an answer's principal stands for: an identity provider's, by the `sub` the answer requires. */
function nodeOf(graph: AccessGraph, answer: AnswerPrincipal): string {
  if (graph.identitiesOf(answer.principal).length === 0) return answer.principal;
  const sub = Object.entries(answer.requires ?? {}).find(([key]) => key.endsWith(":sub"))?.[1];
  return federatedId(answer.principal, sub);
}

/** Whether an answer's principal is in the focus; undefined when the focus names nothing. */
export function answerFilter(
  graph: AccessGraph,
  chains: readonly Chain[],
  focus: AnswerFocus,
): ((answer: AnswerPrincipal) => boolean) | undefined {
  const tests: ((answer: AnswerPrincipal) => boolean)[] = [];
  if (focus.accounts?.length) {
    // The accounts the input holds (one without a principal too) and those its principals are in.
    const known = new Set<string>();
    for (const [id, account] of graph.state.accounts) if (account.managed) known.add(id);
    for (const node of graph.nodes.values()) if (node.account !== undefined) known.add(node.account);
    const missing = focus.accounts.filter((id) => !known.has(id));
    if (missing.length)
      throw new AnswerFocusError(
        `no account ${missing.join(", ")} in the model or inventory; it holds ${known.size} account${known.size === 1 ? "" : "s"}${fewOf([...known].sort())}`,
      );
    const wanted = new Set(focus.accounts);
    tests.push(({ principal }) => wanted.has(principalAccountId(principal) ?? ""));
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
    tests.push(({ principal }) => on.has(principal));
  }
  if (focus.around) {
    const near = nodesAround(graph, focus.around.arns, focus.around.depth);
    tests.push((answer) => near.has(nodeOf(graph, answer)));
  }
  return tests.length ? (answer) => tests.every((test) => test(answer)) : undefined;
}

/**
 * The nodes within `depth` steps of one of `arns`, following the graph's edges either way: from
 * each one's node, or, for an identity provider's ARN, from each identity it vouches for that a
 * trust names (one node per `sub`).
 */
export function nodesAround(graph: AccessGraph, arns: readonly string[], depth: number): Set<string> {
  const starts = arns.flatMap((arn) => {
    const nodes = graph.nodes.has(arn) ? [arn] : graph.identitiesOf(arn).map((node) => node.id);
    if (nodes.length === 0)
      throw new AnswerFocusError(
        `no principal ${arn} in the access graph: give the ARN of a role, a user, an account root or an identity provider it holds`,
      );
    return nodes;
  });
  return withinSteps(starts, depth, (id) => [...graph.outgoingOf(id).map((e) => e.to), ...graph.incomingOf(id).map((e) => e.from)]);
}

/** The deepest focus: beyond it, a focus is most of an organization anyway. */
export const MAX_FOCUS_DEPTH = 20;

/** The `starts` and every node within `depth` steps of one of them, breadth first along `neighbours`. */
export function withinSteps(starts: readonly string[], depth: number, neighbours: (id: string) => Iterable<string>): Set<string> {
  const near = new Set(starts);
  let frontier = [...near];
  for (let step = 0; step < depth && frontier.length > 0; step++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const other of neighbours(id))
        if (!near.has(other)) {
          near.add(other);
          next.push(other);
        }
    frontier = next;
  }
  return near;
}

/**
 * An answer's list and unknown list narrowed to the focus (the unknown list left out when empty:
 * never "Unknown: these may too" over nothing), with how many answers the focus left out, so that
 * an empty focused answer is never taken for "nobody". As they are when nothing is focused.
 */
export function narrowed<T, U>(
  list: readonly T[],
  unknown: readonly U[] | undefined,
  keep: ((item: T | U) => boolean) | undefined,
): { list: T[]; unknown?: U[]; outsideFocus?: number } {
  if (!keep) return { list: [...list], ...(unknown?.length ? { unknown: [...unknown] } : {}) };
  const kept = list.filter(keep);
  const keptUnknown = (unknown ?? []).filter(keep);
  const outsideFocus = list.length - kept.length + (unknown?.length ?? 0) - keptUnknown.length;
  return { list: kept, ...(keptUnknown.length ? { unknown: keptUnknown } : {}), outsideFocus };
}

/** A few of `values`, to say what is there: `: a, b, c, … (12 more)` (nothing for none). */
export function fewOf(values: readonly string[]): string {
  if (values.length === 0) return "";
  const shown = values.slice(0, 5);
  return `: ${shown.join(", ")}${values.length > shown.length ? `, … (${values.length - shown.length} more)` : ""}`;
}
