import { comparisons } from "./operator.js";

/** ISO 8601 dates and date-times (with `Z` or an offset), as AWS's Date operators take them. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^\d+$/;

/** Milliseconds since the epoch, from an ISO 8601 string or from epoch seconds. */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH.test(trimmed)) return Number(trimmed) * 1000;
  if (!ISO.test(trimmed)) return undefined;
  // A date-time without a zone is UTC, as in AWS's request context.
  const zoned = trimmed.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? `${trimmed}Z` : trimmed;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

/** DateEquals, DateLessThan, … (DateNotEquals is the negation of DateEquals). */
export const date = comparisons(parseDate, "an ISO 8601 date or epoch seconds");
