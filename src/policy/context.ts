import { BoundedCache } from "../cache/bounded-cache.js";
import { at, describe, fail, type Path } from "./errors.js";

/**
 * The request context: condition keys and their values. Key names are case-insensitive, as AWS
 * documents for condition keys. Nothing is invented here: a key that was not given is absent.
 */
export class RequestContext {
  /** Keys as given; indexed by lower-cased name on first look-up (many requests never look). */
  private readonly given: Record<string, string | readonly string[]>[] = [];
  private index: Map<string, readonly string[]> | undefined;
  /** The keys (lower-cased) given as a list: multivalued, as AWS's single- vs multivalued keys page has it. */
  private multi: Set<string> | undefined;
  /** Keys this context does not give are looked up here. */
  private parent: RequestContext | undefined;

  /**
   * `top` (a context given alone, without a base of its own) over `base`: both key indexes are
   * built once and shared. The access graph decides many requests of one caller, and many callers
   * of one question: one small object each.
   */
  static over(top: RequestContext, base: RequestContext): RequestContext {
    const context = new RequestContext();
    context.index = top.indexed();
    context.multi = top.multi;
    context.parent = base;
    return context;
  }

  /**
   * A request's own context, as fromJson reads it, where one key given in two spellings is refused:
   * condition keys are case-insensitive, so `aws:SourceIp` and `AWS:SOURCEIP` with their own values
   * are ambiguous (fromJson, layering contexts, lets the later win).
   */
  static fromRequestJson(input: unknown, path: Path): RequestContext {
    if (input !== null && typeof input === "object" && !Array.isArray(input)) {
      const spelt = new Map<string, string>();
      for (const key in input) {
        const first = spelt.get(lowerKey(key));
        if (first !== undefined)
          fail(at(path, key), `repeats the key ${JSON.stringify(first)} (condition keys are case-insensitive): give it once`);
        spelt.set(lowerKey(key), key);
      }
    }
    return RequestContext.fromJson(input, path);
  }

  /** Reads `{ "key": "value" | ["v1", "v2"] }`, naming the path of anything else. */
  static fromJson(input: unknown, path: Path): RequestContext {
    const context = new RequestContext();
    if (input === undefined || input === null) return context;
    if (typeof input !== "object" || Array.isArray(input)) fail(path, `must be an object of condition keys, got ${describe(input)}`);
    const record = input as Record<string, unknown>;
    for (const key in record) {
      const value = record[key];
      if (typeof value === "string") continue;
      if (!Array.isArray(value)) fail(at(path, key), `must be a string or an array of strings, got ${describe(value)}`);
      for (let i = 0; i < value.length; i++) {
        if (typeof value[i] !== "string") fail(at(at(path, key), i), `context values must be strings, got ${describe(value[i])}`);
      }
    }
    context.given.push(record as Record<string, string | string[]>);
    return context;
  }

  /** The values of a key (its name already lower-cased), or undefined when the key is absent. */
  get(lowerKey: string): readonly string[] | undefined {
    return this.indexed().get(lowerKey) ?? this.parent?.get(lowerKey);
  }

  /**
   * Whether a key (lower-cased) was given as a list: a multivalued key, which a condition operator
   * matches only with a set qualifier (ForAnyValue:, ForAllValues:). A string is a single value.
   */
  isMultivalued(lowerKey: string): boolean {
    const own = this.indexed();
    return own.has(lowerKey) ? (this.multi?.has(lowerKey) ?? false) : (this.parent?.isMultivalued(lowerKey) ?? false);
  }

  private indexed(): Map<string, readonly string[]> {
    if (this.index === undefined) {
      // A later key with the same name in any case replaces an earlier one.
      this.index = new Map();
      for (const record of this.given) {
        for (const key in record) {
          const value = record[key] as string | readonly string[];
          const lower = lowerKey(key);
          this.index.set(lower, typeof value === "string" ? [value] : value);
          if (typeof value === "string") this.multi?.delete(lower);
          else (this.multi ??= new Set()).add(lower);
        }
      }
    }
    return this.index;
  }
}

/**
 * Key names lower-cased, each once: the same few keys (aws:PrincipalArn, aws:PrincipalOrgID, …) are
 * given for every principal of a graph. Bounded in count (emptied when full) and in length.
 */
// Longer names (not AWS's keys, nor tag keys, which IAM caps at 128 characters) are lower-cased each time, never kept.
const LOWER_KEYS = new BoundedCache<string, string>(10_000, 200);

function lowerKey(key: string): string {
  let lower = LOWER_KEYS.get(key);
  if (lower === undefined) LOWER_KEYS.set(key, (lower = key.toLowerCase()));
  return lower;
}
