/**
 * Reading IAM's query parameters as AWS validates them: required members, name patterns and
 * lengths, lists (`Tags.member.1.Key`), numbers; and IAM's error codes with AWS's messages.
 */
import { AwsError } from "../xml.js";

export function validationError(message: string): AwsError {
  return new AwsError(400, "ValidationError", message);
}

export function noSuchEntity(message: string): AwsError {
  return new AwsError(404, "NoSuchEntity", message);
}

export function alreadyExists(message: string): AwsError {
  return new AwsError(409, "EntityAlreadyExists", message);
}

export function deleteConflict(message: string): AwsError {
  return new AwsError(409, "DeleteConflict", message);
}

export function limitExceeded(message: string): AwsError {
  return new AwsError(409, "LimitExceeded", message);
}

export function invalidInput(message: string): AwsError {
  return new AwsError(400, "InvalidInput", message);
}

/** A member's constraints, as IAM's API reference gives them. */
export interface Constraint {
  min?: number;
  max?: number;
  /** Tested against the whole value. */
  pattern?: RegExp;
  /** The pattern as AWS's message prints it. */
  patternText?: string;
}

/** IAM's constraints, by the member name AWS's messages use. */
export const NAME: Constraint = { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" };
export const POLICY_NAME: Constraint = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" };
export const PATH: Constraint = { min: 1, max: 512, pattern: /^(\/|\/[\u0021-\u007E]+\/)$/, patternText: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" };
export const PATH_PREFIX: Constraint = { min: 1, max: 512, pattern: /^\u002F[\u0021-\u007F]*$/, patternText: "\\u002F[\\u0021-\\u007F]*" };
export const ARN: Constraint = { min: 20, max: 2048 };
export const DESCRIPTION: Constraint = { max: 1000, pattern: /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/, patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*" };
export const DOCUMENT: Constraint = { min: 1, max: 131072, pattern: /^[\t\n\r\u0020-\u00FF]+$/, patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" };
export const VERSION_ID: Constraint = { pattern: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, patternText: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?" };
const TAG_KEY: Constraint = { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, patternText: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" };
const TAG_VALUE: Constraint = { min: 0, max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, patternText: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" };

/** The problems of one value, in AWS's words (`Member must have length less than or equal to 64`). */
function problemsOf(value: string, c: Constraint): string[] {
  const out: string[] = [];
  const length = [...value].length;
  if (c.min !== undefined && length < c.min) out.push(`Member must have length greater than or equal to ${c.min}`);
  if (c.max !== undefined && length > c.max) out.push(`Member must have length less than or equal to ${c.max}`);
  if (c.pattern && !c.pattern.test(value)) out.push(`Member must satisfy regular expression pattern: ${c.patternText}`);
  return out;
}

/** Values are echoed in messages as AWS does, except long ones (policy documents). */
function shown(value: string): string {
  return value.length > 128 ? `${value.slice(0, 32)}…` : value;
}

/** A request's parameters, read one member at a time. */
export class Params {
  constructor(private readonly params: URLSearchParams) {}

  /** A member that must be present; `member` is its name as AWS's messages spell it (`roleName`). */
  required(name: string, member: string, c: Constraint = {}): string {
    const value = this.params.get(name);
    if (value === null) throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
    return check(value, member, c);
  }

  optional(name: string, member: string, c: Constraint = {}): string | undefined {
    const value = this.params.get(name);
    return value === null ? undefined : check(value, member, c);
  }

  integer(name: string, member: string, min: number, max: number): number | undefined {
    const text = this.params.get(name);
    if (text === null) return undefined;
    const value = /^-?\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(value)) throw validationError(`1 validation error detected: Value '${shown(text)}' at '${member}' failed to satisfy constraint: Member must be a number`);
    if (value < min) throw validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    if (value > max) throw validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const text = this.params.get(name);
    if (text === null) return undefined;
    if (text !== "true" && text !== "false") throw validationError(`1 validation error detected: Value '${shown(text)}' at '${name[0]?.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must be a boolean`);
    return text === "true";
  }

  /** A list member (`Name.member.1`, `Name.member.2`, …), in order. */
  list(name: string, member: string, c: Constraint = {}, max = Infinity): string[] {
    const out: string[] = [];
    for (let i = 1; this.params.has(`${name}.member.${i}`); i++) out.push(check(this.params.get(`${name}.member.${i}`) as string, `${member}.${i}.member`, c));
    if (out.length > max) throw validationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
    return out;
  }

  /** `Tags.member.N.Key` / `.Value`: at most 50, keys unique regardless of case, as IAM requires. */
  tags(): Record<string, string> {
    const out: Record<string, string> = {};
    const seen = new Set<string>();
    for (let i = 1; this.params.has(`Tags.member.${i}.Key`) || this.params.has(`Tags.member.${i}.Value`); i++) {
      const key = this.required(`Tags.member.${i}.Key`, `tags.${i}.member.key`, TAG_KEY);
      const value = this.required(`Tags.member.${i}.Value`, `tags.${i}.member.value`, TAG_VALUE);
      if (seen.has(key.toLowerCase())) throw invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
      seen.add(key.toLowerCase());
      out[key] = value;
    }
    if (seen.size > 50) throw validationError("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    return out;
  }

  /** `TagKeys.member.N`. */
  tagKeys(): string[] {
    return this.list("TagKeys", "tagKeys", TAG_KEY, 50);
  }
}

function check(value: string, member: string, c: Constraint): string {
  const problems = problemsOf(value, c);
  if (problems.length === 0) return value;
  const count = problems.length;
  throw validationError(`${count} validation error${count > 1 ? "s" : ""} detected: ${problems.map((p) => `Value '${shown(value)}' at '${member}' failed to satisfy constraint: ${p}`).join("; ")}`);
}

/** One page of a list, as IAM pages (`Marker`, `MaxItems` 1–1000, default 100; `IsTruncated`). */
export function page<T>(items: T[], params: Params): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = params.integer("MaxItems", "maxItems", 1, 1000) ?? 100;
  const marker = params.optional("Marker", "marker", { min: 1, max: 320 });
  const start = marker === undefined ? 0 : Number.parseInt(Buffer.from(marker, "base64url").toString("utf8"), 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw validationError("Invalid Marker.");
  const end = start + max;
  return end < items.length ? { items: items.slice(start, end), IsTruncated: true, Marker: Buffer.from(String(end)).toString("base64url") } : { items: items.slice(start), IsTruncated: false };
}
