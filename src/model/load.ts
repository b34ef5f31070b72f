/**
 * Loads xacct.yaml: YAML syntax, the schema, then the references between parts. Every problem is
 * reported at once, each as `FILE:LINE:COLUMN: JSON.path: what is wrong`, and nothing is returned
 * unless the whole model is sound.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import type { z } from "zod";
import { oneLine } from "../text/escape.js";
import { Model } from "./schema.js";
import { checkDerivedNames } from "./derived-names.js";
import { checkReferences } from "./references.js";

export interface ModelProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export class ModelError extends Error {
  constructor(readonly problems: ModelProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ModelError";
  }
}

/**
 * A problem found in a model after it loaded (by the compiler, say), at a JSON path such as
 * `grants[0].resources.job`; `loadModelSource`'s `locate` turns it into a located problem.
 */
export class ModelPathError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "ModelPathError";
  }
}

/** One line per problem, whatever names it quotes from the model (their line breaks shown escaped). */
export function formatProblem(p: ModelProblem): string {
  return oneLine(`${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
}

export type PathKey = string | number;

/** `grants[2].to`, from ["grants", 2, "to"]. */
export function jsonPath(path: readonly PathKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${key}` : key), "");
}

/** Reads and checks a model file. Throws ModelError with every problem found. */
export function loadModelFile(file: string): Model {
  return loadModelSource(file).model;
}

/** A checked model and a way to locate, in its file, a problem found later (see ModelPathError). */
export interface ModelSource {
  model: Model;
  locate(error: ModelPathError): ModelProblem;
}

/** Reads and checks a model file, keeping what locates later problems in it. */
export function loadModelSource(file: string): ModelSource {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ModelError([
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: `cannot read the model: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  return checkModel(text, file);
}

/** Checks a model given as YAML text; `file` names it in messages. */
export function loadModel(text: string, file = "xacct.yaml"): Model {
  return checkModel(text, file).model;
}

function checkModel(text: string, file: string): ModelSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ModelError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          path: "",
          message: `YAML: ${e.code === "RESOURCE_EXHAUSTION" ? "nested too deeply to read (a model needs a few levels): flatten it" : e.message.split("\n")[0]}`,
        };
      }),
    );
  }
  const locate = locator(doc, lines, file);
  const raw = toJS(doc, lines, file);
  const problems: ModelProblem[] = [];
  // reportInput: an issue then carries the value it found, so a wrong type is not taken for a missing one.
  const parsed = Model.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => fromIssue(issue, locate)));
  // References are checked on whatever parsed, so one run reports both kinds of problem.
  for (const r of checkReferences(raw)) problems.push(locate(r.path, r.message, r.at));
  for (const path of prototypeKeys(raw))
    problems.push(locate(path, `"__proto__" cannot be a name or field in xacct.yaml: rename it`, "key"));
  if (parsed.success) for (const r of checkDerivedNames(parsed.data)) problems.push(locate(r.path, r.message, r.at));
  if (problems.length > 0) throw new ModelError(sortProblems(problems));
  return { model: withoutPrototypes(parsed.data as Model), locate: (error) => locate(keysOf(doc, error.path), error.problem) };
}

/**
 * The document as plain data. The yaml library refuses a document whose aliases expand too far (a
 * "billion laughs" bomb) with an unlocated ReferenceError: located here at the first alias.
 */
function toJS(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let at = 0;
    visit(doc, {
      Alias(_, node) {
        at = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const pos = lines.linePos(at);
    throw new ModelError([
      {
        file,
        line: pos.line,
        column: pos.col,
        path: "",
        message:
          "YAML: its aliases expand beyond the limit the YAML reader sets against resource exhaustion: write the repeated parts out, or use fewer aliases",
      },
    ]);
  }
}

/**
 * The keys of a JSON path such as `workloads.etl.v2.identity.role` in this document: names may
 * hold dots, so at each mapping the longest key that the text continues with is taken.
 */
function keysOf(doc: Document, text: string): PathKey[] {
  const keys: PathKey[] = [];
  let node: unknown = doc.contents;
  let rest = text;
  while (rest.length > 0) {
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
      keys.push(Number(index[1]));
      node = (node as { get?: (k: unknown, keepScalar: boolean) => unknown })?.get?.(Number(index[1]), true);
      rest = rest.slice(index[0].length);
      continue;
    }
    if (rest.startsWith(".")) rest = rest.slice(1);
    const ends = (k: string) => rest.startsWith(k) && (rest.length === k.length || rest[k.length] === "." || rest[k.length] === "[");
    const known = isMap(node) ? node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")).filter((k) => k !== "" && ends(k)) : [];
    const key = known.sort((a, b) => b.length - a.length)[0] ?? (/^[^.[]*/.exec(rest)?.[0] as string);
    if (key === "") break;
    keys.push(key);
    node = isMap(node) ? node.get(key, true) : undefined;
    rest = rest.slice(key.length);
  }
  return keys;
}

/**
 * The paths of every `__proto__` key in the parsed YAML. The schema would drop such a key
 * unseen (an object built from it cannot hold it), so it is refused where it is written.
 */
function prototypeKeys(raw: unknown): PathKey[][] {
  const found: PathKey[][] = [];
  const pending: [unknown, PathKey[]][] = [[raw, []]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value !== "object" || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (key === "__proto__" && !Array.isArray(value)) found.push(at);
      pending.push([child, at]);
    }
  }
  return found;
}

/** A name-keyed map of the model as an object with no prototype: looking up `toString` finds only a declared `toString`. */
function dictionary<T>(record: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, record);
}

/** The model with every name-keyed map (accounts, per-stage IDs, clusters, workloads, stage mappings, grant resources) made a dictionary. */
function withoutPrototypes(model: Model): Model {
  const accounts = dictionary(model.accounts);
  for (const account of Object.values(accounts)) if (typeof account.id === "object") account.id = dictionary(account.id);
  const consumers = model.stages?.consumers;
  return {
    ...model,
    accounts,
    ...(model.clusters ? { clusters: dictionary(model.clusters) } : {}),
    workloads: dictionary(model.workloads),
    ...(model.stages && consumers
      ? {
          stages: {
            ...model.stages,
            consumers: dictionary(Object.fromEntries(Object.entries(consumers).map(([k, v]) => [k, dictionary(v)]))),
          },
        }
      : {}),
    grants: model.grants.map((grant) => ({ ...grant, resources: dictionary(grant.resources ?? {}) })),
  };
}

type Locate = (path: readonly PathKey[], message: string, at?: "key" | "value") => ModelProblem;

function locator(doc: Document, lines: LineCounter, file: string): Locate {
  return (path, message, at = "value") => {
    const { node, key } = nearest(doc, path);
    const range = (at === "key" && key ? key.range : node?.range) ?? [0, 0, 0];
    const pos = lines.linePos(range[0]);
    return { file, line: pos.line, column: pos.col, path: jsonPath(path), message };
  };
}

/** The node at the path, or the nearest ancestor that exists; with the key node of the last step. */
function nearest(doc: Document, path: readonly PathKey[]): { node: Node | undefined; key: Node | undefined } {
  let node: Node | undefined = doc.contents ?? undefined;
  let key: Node | undefined;
  for (const step of path) {
    const child = (node as { get?: (k: unknown, keepScalar: boolean) => unknown })?.get?.(step, true) as Node | undefined;
    if (child === undefined) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      key = pair?.key as Node | undefined;
    }
    node = child;
  }
  return { node, key };
}

function fromIssue(issue: z.core.$ZodIssue, locate: Locate): ModelProblem[] {
  const path = issue.path.filter((k): k is PathKey => typeof k === "string" || typeof k === "number");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => locate([...path, k], `unknown field "${k}"`, "key"));
  }
  if (issue.code === "invalid_type")
    return [
      locate(
        path,
        issue.input === undefined ? "is required" : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${typeOf(issue.input)}`,
      ),
    ];
  if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
    const at = path[path.length - 1] === "type" ? path : [...path, "type"];
    return [locate(at, `unknown type (expected one of ${discriminators(issue)})`)];
  }
  return [locate(path, issue.message)];
}

/** A zod type as a YAML user knows it. */
const TYPE_WORDS: Partial<Record<string, string>> = {
  object: "a mapping (key: value lines)",
  record: "a mapping (key: value lines)",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function typeOf(value: unknown): string {
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "a string";
  return `${typeof value} ${String(value)}`;
}

function discriminators(issue: z.core.$ZodIssue): string {
  return "options" in issue && Array.isArray(issue.options) ? issue.options.join(", ") : "the documented types";
}

function sortProblems(problems: ModelProblem[]): ModelProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
