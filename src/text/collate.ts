/**
 * The order of String.prototype.localeCompare (the same collator, the default locale and options),
 * made once: localeCompare looks its collator up on every call, which dominates sorting a large
 * list (142,000 findings of a 1,000-account organization).
 */
const COLLATOR = new Intl.Collator();

/** Compares as `a.localeCompare(b)` does. */
export const compareText: (a: string, b: string) => number = COLLATOR.compare;
