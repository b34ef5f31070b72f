/**
 * The one shape of every process-wide cache (src/cache/bounded-cache.ts): bounded in entries, and,
 * for text keys taken from input, in the length of what it remembers.
 */
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../src/cache/bounded-cache.js";

describe("BoundedCache", () => {
  it("GIVEN a cache of 2 entries, WHEN a third is set, THEN it is emptied first and keeps the new one", () => {
    // GIVEN
    const cache = new BoundedCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    // WHEN
    cache.set("c", 3);
    // THEN
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, undefined, 3]);
  });

  it("GIVEN a longest key, WHEN a longer text key (100,000 characters) is set, THEN it is not remembered and nothing is evicted", () => {
    // GIVEN
    const cache = new BoundedCache<string, boolean>(2, 8);
    cache.set("__proto__", true);
    cache.set("short", true);
    const long = "x".repeat(100_000);
    // WHEN
    cache.set(long, true);
    // THEN the 9-character and the long key are worked out again each time; the short one stays
    expect(cache.get("__proto__")).toBeUndefined();
    expect(cache.get(long)).toBeUndefined();
    expect(cache.get("short")).toBe(true);
  });
});
