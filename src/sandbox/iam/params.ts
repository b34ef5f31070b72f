/**
 * Reading IAM's query parameters as AWS validates them (required members, name patterns and
 * lengths, lists such as `Tags.member.1.Key`, numbers, pages), and IAM's error codes with AWS's
 * messages.
 */
import { QueryParams, type StringShape } from "../query-params.js";
import { AwsError } from "../xml.js";

/** An IAM error code with its HTTP status, as a maker of errors with a message. */
function iamError(status: number, code: string): (message: string) => AwsError {
  return (message) => new AwsError(status, code, message);
}

export const validationError = iamError(400, "ValidationError");
export const noSuchEntity = iamError(404, "NoSuchEntity");
export const alreadyExists = iamError(409, "EntityAlreadyExists");
export const deleteConflict = iamError(409, "DeleteConflict");
export const limitExceeded = iamError(409, "LimitExceeded");
export const invalidInput = iamError(400, "InvalidInput");

/** IAM's constraints on its members, as its API reference gives them. */
export const NAME: StringShape = { min: 1, max: 64, pattern: "[\\w+=,.@-]+" };
export const POLICY_NAME: StringShape = { min: 1, max: 128, pattern: "[\\w+=,.@-]+" };
export const PATH: StringShape = { min: 1, max: 512, pattern: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" };
export const PATH_PREFIX: StringShape = { min: 1, max: 512, pattern: "\\u002F[\\u0021-\\u007F]*" };
export const ARN: StringShape = { min: 20, max: 2048 };
export const DESCRIPTION: StringShape = { max: 1000, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*" };
export const DOCUMENT: StringShape = { min: 1, max: 131072, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" };
export const VERSION_ID: StringShape = { pattern: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?" };
const TAG_KEY: StringShape = { min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" };
const TAG_VALUE: StringShape = { min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" };
const MAX_TAGS = 50;

/**
 * A request's parameters, read one member at a time with the sandbox's QueryParams and refused
 * at the first member that breaks its constraints.
 */
export class Params {
  private readonly query: QueryParams;

  constructor(private readonly params: URLSearchParams) {
    this.query = new QueryParams(params);
  }

  /** A member that must be present; `member` is its name as AWS's messages spell it (`roleName`). */
  required(name: string, member: string, shape: StringShape = {}): string {
    const value = this.query.string(name, member, { ...shape, required: true });
    this.query.done();
    return value as string;
  }

  optional(name: string, member: string, shape: StringShape = {}): string | undefined {
    const value = this.query.string(name, member, shape);
    this.query.done();
    return value;
  }

  integer(name: string, member: string, min: number, max: number): number | undefined {
    const value = this.query.integer(name, member, { min, max });
    this.query.done();
    return value;
  }

  boolean(name: string, member: string): boolean | undefined {
    const text = this.params.get(name);
    if (text === null) return undefined;
    if (text !== "true" && text !== "false")
      throw validationError(
        `1 validation error detected: Value '${text}' at '${member}' failed to satisfy constraint: Member must be a boolean`,
      );
    return text === "true";
  }

  /** A list member (`Name.member.1`, `Name.member.2`, …), in order. */
  list(name: string, member: string, item: StringShape = {}, max?: number): string[] {
    const values = this.query.list(name, member, { item, ...(max !== undefined ? { max } : {}) });
    this.query.done();
    return values;
  }

  /** `Tags.member.N.Key` / `.Value`: at most 50, keys unique regardless of case, as IAM requires. */
  tags(): Map<string, string> {
    const list = this.query.structures(
      "Tags",
      "tags",
      { Key: { ...TAG_KEY, member: "key", required: true }, Value: { ...TAG_VALUE, member: "value", required: true } },
      MAX_TAGS,
    );
    this.query.done();
    const out = new Map<string, string>();
    const seen = new Set<string>();
    for (const { Key, Value } of list) {
      const key = Key as string;
      if (seen.has(key.toLowerCase())) throw invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
      seen.add(key.toLowerCase());
      out.set(key, Value as string);
    }
    return out;
  }

  /** `TagKeys.member.N`. */
  tagKeys(): string[] {
    return this.list("TagKeys", "tagKeys", TAG_KEY, MAX_TAGS);
  }
}

/** One page of a list, as IAM pages (`Marker`, `MaxItems` 1–1000, default 100; `IsTruncated`). */
export function page<T>(items: T[], params: Params): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = params.integer("MaxItems", "maxItems", 1, 1000) ?? 100;
  const marker = params.optional("Marker", "marker", { min: 1, max: 320 });
  const start = marker === undefined ? 0 : Number.parseInt(Buffer.from(marker, "base64url").toString("utf8"), 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw validationError("Invalid Marker.");
  const end = start + max;
  return end < items.length
    ? { items: items.slice(start, end), IsTruncated: true, Marker: Buffer.from(String(end)).toString("base64url") }
    : { items: items.slice(start), IsTruncated: false };
}
