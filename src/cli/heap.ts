/**
 * Bounds on the heap of a command that holds a whole organization in memory, then lets most of it
 * go (`report`: the access graph, then the page). V8 lets its heap grow up to about four times
 * what was alive at the last full collection before collecting again; for such a command that
 * headroom, not what is alive, makes the peak (the 1,000-account report's peak was 2.3 GB for
 * about 1.2 GB alive). Trading a few more collections for a bounded peak is worth it there.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** How far V8 lets the heap grow beyond what was alive at the last full collection, in percent. */
const HEADROOM_PERCENT = 25;

let collector: (() => void) | undefined;

/** From now on, the heap grows only HEADROOM_PERCENT beyond what is alive before it is collected. */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEADROOM_PERCENT}`);
  // V8's `gc` function, which a context made after the flag is set holds.
  setFlagsFromString("--expose-gc");
  collector = runInNewContext("gc") as () => void;
}

/** A full collection now (after boundHeapGrowth): what a finished stage let go is freed before the next one allocates. */
export function collectGarbage(): void {
  collector?.();
}
