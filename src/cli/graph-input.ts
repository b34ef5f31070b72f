import { AccessGraph } from "../graph/graph.js";
import { loadSource } from "../source/load-source.js";
import { UsageError } from "./json-input.js";
import { SOURCE_OPTIONS, sourceOf } from "./source.js";

/** The options every graph command shares. */
export const GRAPH_OPTIONS = {
  ...SOURCE_OPTIONS,
  context: { type: "string", multiple: true },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

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

/** The graph of an inventory directory or of what a model would create. */
export function graphFrom(values: { inventory?: string; model?: string }, context: Record<string, string>, usage: string): AccessGraph {
  return new AccessGraph(loadSource(sourceOf(values, usage)).state, context);
}

export function print(value: unknown, json: boolean | undefined, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}
