/**
 * Loading a model expected to be refused: its problems, and where a piece of its text is, to say
 * at which line and column a problem must be reported.
 */
import { expect } from "vitest";
import { loadModel, ModelError, type ModelProblem } from "../../src/model/load.js";

/** The problems loadModel reports for the text, which it must refuse with a ModelError. */
export function problems(text: string): ModelProblem[] {
  try {
    loadModel(text, "xacct.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return (error as ModelError).problems;
  }
  throw new Error("expected the model to be refused");
}

/** Line and column (1-based) of the n-th occurrence of `needle` in `text`. */
export function position(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle} in the text`);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 };
}
