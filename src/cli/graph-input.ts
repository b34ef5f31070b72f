import { compileModelFile } from "../compile/model-file.js";
import { AccessGraph } from "../graph/graph.js";
import { loadInventory } from "../state/inventory.js";
import { UsageError } from "./json-input.js";

/** The options every graph command shares. */
export const GRAPH_OPTIONS = {
  inventory: { type: "string" },
  model: { type: "string" },
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
export function graphFrom(values: { inventory?: string; model?: string }, context: Record<string, string>): AccessGraph {
  if ((values.inventory === undefined) === (values.model === undefined)) throw new UsageError("give exactly one of --inventory DIR or --model FILE");
  const state = values.inventory ? loadInventory(values.inventory) : compileModelFile(values.model as string).state;
  return new AccessGraph(state, context);
}

export function print(value: unknown, json: boolean | undefined, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}
