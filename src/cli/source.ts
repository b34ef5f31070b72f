/**
 * `--model FILE | --inventory DIR`, the choice every command reading accounts shares: the one check
 * that exactly one is given. The options are declared in usage.ts; the loading is `loadSource`'s.
 */
import type { Source } from "../source/load-source.js";
import { UsageError } from "./json-input.js";
import { helpOf } from "./usage.js";

/** The source the options name: exactly one of --model and --inventory, or a usage error. */
export function sourceOf(values: { model?: string | undefined; inventory?: string | undefined }, command: string): Source {
  if ((values.model === undefined) === (values.inventory === undefined))
    throw new UsageError(`give exactly one of --inventory DIR or --model FILE; ${helpOf(command)}`);
  return values.model !== undefined ? { model: values.model } : { inventory: values.inventory as string };
}
