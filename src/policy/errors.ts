/**
 * Errors in policy and request input. Each names where the problem is as a JSON path
 * (`identityPolicies[0].Statement[1].Effect`) and what is wrong, and never echoes secrets:
 * policies hold none, and values are quoted only when they are short and structural.
 */
export class PolicyInputError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = "PolicyInputError";
  }
}

/** Appends an object key or array index to a JSON path. */
export function at(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

export function fail(path: string, problem: string): never {
  throw new PolicyInputError(path, problem);
}
