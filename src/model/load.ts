/**
 * Loads xacct.yaml: YAML syntax, the schema, then the references between parts. Every problem is
 * reported at once, each as `FILE:LINE:COLUMN: JSON.path: what is wrong`, and nothing is returned
 * unless the whole model is sound.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { oneLine } from "../emit/escape.js";
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
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ModelError([{ file, line: 1, column: 1, path: "", message: `cannot read the model: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  return loadModel(text, file);
}

/** Checks a model given as YAML text; `file` names it in messages. */
export function loadModel(text: string, file = "xacct.yaml"): Model {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ModelError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, path: "", message: `YAML: ${e.message.split("\n")[0]}` };
      }),
    );
  }
  const locate = locator(doc, lines, file);
  const raw: unknown = doc.toJS();
  const problems: ModelProblem[] = [];
  const parsed = Model.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => fromIssue(issue, locate)));
  // References are checked on whatever parsed, so one run reports both kinds of problem.
  for (const r of checkReferences(raw)) problems.push(locate(r.path, r.message, r.at));
  if (parsed.success) for (const r of checkDerivedNames(parsed.data)) problems.push(locate(r.path, r.message, r.at));
  if (problems.length > 0) throw new ModelError(sortProblems(problems));
  return parsed.data as Model;
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
  if (issue.code === "invalid_type" && issue.input === undefined) return [locate(path, "is required")];
  if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
    const at = path[path.length - 1] === "type" ? path : [...path, "type"];
    return [locate(at, `unknown type (expected one of ${discriminators(issue)})`)];
  }
  return [locate(path, issue.message)];
}

function discriminators(issue: z.core.$ZodIssue): string {
  return "options" in issue && Array.isArray(issue.options) ? issue.options.join(", ") : "the documented types";
}

function sortProblems(problems: ModelProblem[]): ModelProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
