/**
 * Errors in policy and request input. Each names where the problem is as a JSON path
 * (`identityPolicies[0].Statement[1].Effect`) and what is wrong, and never echoes secrets:
 * policies hold none, and values are quoted only when they are short and structural.
 */
export class PolicyInputError extends Error {
  readonly path: string;
  /** The path as keys (`["identityPolicies", 0, "Statement", 1, "Effect"]`), to locate it in a larger document. */
  readonly keys: readonly (string | number)[];
  constructor(
    path: Path,
    readonly problem: string,
  ) {
    const text = pathText(path);
    super(text ? `${text}: ${problem}` : problem);
    this.path = text;
    this.keys = pathKeys(path);
    this.name = "PolicyInputError";
  }
}

/**
 * A JSON path, kept as steps and turned into text only when an error or an explanation needs it
 * (most input is valid, and building every path eagerly costs more than checking the input).
 */
export type Path = string | PathStep;

interface PathStep {
  readonly parent: Path;
  readonly key: string | number;
  /** The rendered text, once asked for. */
  text?: string;
}

/** Appends an object key or array index to a JSON path. */
export function at(parent: Path, key: string | number): Path {
  return { parent, key };
}

/** The path as keys, from the root: a text root is one key (none when empty). */
export function pathKeys(path: Path): (string | number)[] {
  if (typeof path === "string") return path === "" ? [] : [path];
  return [...pathKeys(path.parent), path.key];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path as text: `identityPolicies[0].Statement[1].Effect`. */
export function pathText(path: Path): string {
  if (typeof path === "string") return path;
  if (path.text !== undefined) return path.text;
  const parent = pathText(path.parent);
  const { key } = path;
  if (typeof key === "number") path.text = `${parent}[${key}]`;
  else if (IDENTIFIER.test(key)) path.text = parent ? `${parent}.${key}` : key;
  else path.text = `${parent}[${JSON.stringify(key)}]`;
  return path.text;
}

/** The path of item `index` of an element given either as a list or as a single value. */
export function itemPath(element: unknown, path: Path, index: number): Path {
  return Array.isArray(element) ? at(path, index) : path;
}

/** A short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

export function fail(path: Path, problem: string): never {
  throw new PolicyInputError(path, problem);
}
