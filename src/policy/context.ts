import { at, describe, fail } from "./errors.js";

/**
 * The request context: condition keys and their values. Key names are case-insensitive, as AWS
 * documents for condition keys. Nothing is invented here: a key that was not given is absent.
 */
export class RequestContext {
  private readonly values = new Map<string, readonly string[]>();

  static empty(): RequestContext {
    return new RequestContext();
  }

  /** Reads `{ "key": "value" | ["v1", "v2"] }`, naming the path of anything else. */
  static fromJson(input: unknown, path: string): RequestContext {
    const context = new RequestContext();
    if (input === undefined || input === null) return context;
    if (typeof input !== "object" || Array.isArray(input)) fail(path, `must be an object of condition keys, got ${describe(input)}`);
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      const keyPath = at(path, key);
      if (typeof value === "string") context.set(key, [value]);
      else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (typeof v !== "string") fail(at(keyPath, i), `context values must be strings, got ${describe(v)}`);
        });
        context.set(key, value as string[]);
      } else fail(keyPath, `must be a string or an array of strings, got ${describe(value)}`);
    }
    return context;
  }

  set(key: string, values: readonly string[]): void {
    this.values.set(key.toLowerCase(), values);
  }

  /** The values of a key (its name already lower-cased), or undefined when the key is absent. */
  get(lowerKey: string): readonly string[] | undefined {
    return this.values.get(lowerKey);
  }

  /** A copy with more keys; used by callers that derive keys (never by the engine itself). */
  with(extra: Record<string, readonly string[]>): RequestContext {
    const copy = new RequestContext();
    for (const [k, v] of this.values) copy.values.set(k, v);
    for (const [k, v] of Object.entries(extra)) copy.set(k, v);
    return copy;
  }
}
