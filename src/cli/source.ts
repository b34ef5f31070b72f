/**
 * `--model FILE | --inventory DIR`, the choice every command reading accounts shares: its options
 * and the one check that exactly one is given. The loading itself is `loadSource`'s.
 */
import type { Source } from "../source/load-source.js";
import { UsageError } from "./json-input.js";

/** parseArgs options naming the source. */
export const SOURCE_OPTIONS = {
  model: { type: "string" },
  inventory: { type: "string" },
} as const;

/** The source the options name: exactly one of --model and --inventory, or a usage error. */
export function sourceOf(values: { model?: string | undefined; inventory?: string | undefined }, usage: string): Source {
  if ((values.model === undefined) === (values.inventory === undefined))
    throw new UsageError(`give exactly one of --inventory DIR or --model FILE\n${usage}`);
  return values.model !== undefined ? { model: values.model } : { inventory: values.inventory as string };
}
