/**
 * The query protocol's request parameters (`Name=value`, lists as `Name.member.N`, lists of
 * structures as `Name.member.N.Field`), read with the constraints of the service's API shapes and
 * refused as AWS refuses them: one ValidationError listing every constraint that failed, in
 * AWS's words ("2 validation errors detected: Value '…' at 'roleSessionName' failed to satisfy
 * constraint: …; …"). Values of sensitive members (tokens) are never repeated in a message.
 */
import { AwsError } from "./xml.js";

/** A string shape's constraints, as the API reference lists them. */
export interface StringShape {
  min?: number;
  max?: number;
  /** The pattern as AWS prints it, matched against the whole value (Unicode classes allowed). */
  pattern?: string;
  /** Never repeat the value (tokens): AWS prints a placeholder instead. */
  sensitive?: boolean;
}

const REDACTED = "*** Sensitive Data Redacted ***";
const compiled = new Map<string, RegExp>();

function patternOf(text: string): RegExp {
  let regex = compiled.get(text);
  if (!regex) {
    regex = new RegExp(`^(?:${text})$`, "u");
    compiled.set(text, regex);
  }
  return regex;
}

export class QueryParams {
  private readonly errors: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  /** A string parameter, undefined when absent (an error when `required`). */
  string(name: string, member: string, shape: StringShape & { required?: boolean } = {}): string | undefined {
    const value = this.params.get(name);
    if (value === null) {
      if (shape.required) this.fail(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    this.check(value, member, shape);
    return value;
  }

  /** An integer parameter within [min, max], undefined when absent. */
  integer(name: string, member: string, range: { min: number; max: number }): number | undefined {
    const text = this.params.get(name);
    if (text === null) return undefined;
    if (!/^-?\d{1,10}$/.test(text)) {
      this.fail(`Value '${text}' at '${member}' failed to satisfy constraint: Member must be a number`);
      return undefined;
    }
    const value = Number(text);
    if (value < range.min)
      this.fail(
        `Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${range.min}`,
      );
    else if (value > range.max)
      this.fail(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${range.max}`);
    return value;
  }

  /** A list of strings (`Name.member.N`), in N order; empty when absent. */
  list(name: string, member: string, shape: { max?: number; item?: StringShape } = {}): string[] {
    const items = this.members(name)
      .map(([n, rest]) => (rest === "" ? n : undefined))
      .filter((n): n is number => n !== undefined);
    this.checkLength(items.length, member, shape.max);
    return items.map((n) => {
      const value = this.params.get(`${name}.member.${n}`) as string;
      if (shape.item) this.check(value, `${member}.${n}.member`, shape.item);
      return value;
    });
  }

  /**
   * A list of structures (`Name.member.N.Field`), in N order; empty when absent. Each field is
   * read with its shape; a required field that is missing is an error.
   */
  structures<F extends string>(
    name: string,
    member: string,
    fields: Record<F, StringShape & { member: string; required?: boolean }>,
    max?: number,
  ): Partial<Record<F, string>>[] {
    const indexes = [...new Set(this.members(name).map(([n]) => n))];
    this.checkLength(indexes.length, member, max);
    return indexes.map((n) => {
      const item: Partial<Record<F, string>> = {};
      for (const field of Object.keys(fields) as F[]) {
        const shape = fields[field];
        const value = this.string(`${name}.member.${n}.${field}`, `${member}.${n}.member.${shape.member}`, shape);
        if (value !== undefined) item[field] = value;
      }
      return item;
    });
  }

  /** Throws AWS's ValidationError naming every constraint that failed so far. */
  done(): void {
    const n = this.errors.length;
    if (n > 0) throw new AwsError(400, "ValidationError", `${n} validation error${n > 1 ? "s" : ""} detected: ${this.errors.join("; ")}`);
  }

  /** The indexes N (sorted) and what follows `Name.member.N` for each parameter of a list. */
  private members(name: string): [number, string][] {
    const prefix = `${name}.member.`;
    const out: [number, string][] = [];
    for (const key of this.params.keys()) {
      if (!key.startsWith(prefix)) continue;
      const m = /^(\d+)(?:\.(.+))?$/.exec(key.slice(prefix.length));
      if (m) out.push([Number(m[1]), m[2] ?? ""]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  private checkLength(length: number, member: string, max: number | undefined): void {
    if (max !== undefined && length > max)
      this.fail(`Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }

  private check(value: string, member: string, shape: StringShape): void {
    const shown = shape.sensitive ? REDACTED : value;
    const length = [...value].length;
    if (shape.min !== undefined && length < shape.min)
      this.fail(
        `Value '${shown}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
      );
    if (shape.max !== undefined && length > shape.max)
      this.fail(`Value '${shown}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`);
    if (shape.pattern !== undefined && !patternOf(shape.pattern).test(value))
      this.fail(
        `Value '${shown}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`,
      );
  }

  private fail(message: string): void {
    this.errors.push(message);
  }
}
