import { SEVERITIES, type Severity } from "../graph/findings/types.js";
import { AccessGraph, EDGE_KINDS, type EdgeKinds } from "../graph/graph.js";
import { loadSource } from "../source/load-source.js";
import { UsageError } from "./json-input.js";
import { jsonText } from "./output.js";
import { sourceOf } from "./source.js";

/** `--context KEY=VALUE`, repeated. */
export function contextOf(pairs: string[] | undefined): Record<string, string> {
  // No prototype: any key given (`__proto__` too) is a key of the context.
  const out = Object.create(null) as Record<string, string>;
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--context takes KEY=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** `--edges all|assume`: every technique (the default), or role assumption through trusts only. */
export function edgeKindsOf(value: string | undefined): EdgeKinds {
  if (value === undefined) return "all";
  if ((EDGE_KINDS as readonly string[]).includes(value)) return value as EdgeKinds;
  throw new UsageError(`--edges takes ${EDGE_KINDS.join(" or ")}, got "${value}"`);
}

/** `--fail-on SEVERITY`: the least severe finding that fails the command. */
export function failOnOf(value: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new UsageError(`--fail-on takes one of ${SEVERITIES.join(", ")}, got "${value}"`);
}

/** The graph of an inventory directory or of what a model would create. */
export function graphFrom(
  values: { inventory?: string; model?: string; edges?: string },
  context: Record<string, string>,
  command: string,
): AccessGraph {
  const edges = edgeKindsOf(values.edges);
  return new AccessGraph(loadSource(sourceOf(values, command)).state, context, { edges });
}

/** A chain as a line: each hop, with its technique where it is not a trust's assumption, and what it holds only if. */
export function hopsText(path: { via: readonly string[]; techniques: readonly string[]; holdsIf?: readonly string[] }): string {
  const hops = path.via
    .map((to, i) => (path.techniques[i] && path.techniques[i] !== "assume" ? `${to} [${path.techniques[i]}]` : to))
    .join(" -> ");
  return path.holdsIf?.length ? `${hops} (holds only if ${path.holdsIf.join("; and if ")})` : hops;
}

/** The answer as text, or with --json as one JSON object, its format's schemaVersion first (schema/output/). */
export function print(value: object, json: boolean | undefined, text: () => string): void {
  process.stdout.write(json ? jsonText(value) : `${text()}\n`);
}
