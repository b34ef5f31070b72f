/**
 * A process-wide cache of at most `limit` entries, emptied when full: a long-running sandbox serves
 * many requests and graphs, so what is remembered for them (compiled globs, lower-cased key names,
 * AWS managed policies) must not grow without end, and emptying is the cheapest bound to keep.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  /**
   * `limit`: the most entries kept. `longestKey`: for text keys taken from input, the longest kept
   * (a longer one is worked out each time, not remembered), so the memory stays bounded too.
   */
  constructor(
    private readonly limit: number,
    private readonly longestKey = Infinity,
  ) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    if (typeof key === "string" && key.length > this.longestKey) return;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
