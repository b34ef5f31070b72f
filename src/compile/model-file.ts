/**
 * A model file, loaded and compiled: the one entry every command that reads `--model` uses, so a
 * problem the compiler finds (a name template without a value, say) is located in the file like
 * any problem the loader finds. `build` goes on to write every format through `then`, whose
 * model problems (a profile without what it needs) are located the same way.
 */
import { loadModelSource, ModelError, ModelPathError } from "../model/load.js";
import { compile, type Compiled } from "./compile.js";

/** The line and column (1-based) in the model file of a JSON path such as `grants[2]` ("" for the whole model). */
export type LocatePath = (path: string) => { line: number; column: number };

export function compileModelFile(file: string): Compiled;
export function compileModelFile<T>(file: string, then: (compiled: Compiled, locate: LocatePath) => T): T;
export function compileModelFile<T>(file: string, then?: (compiled: Compiled, locate: LocatePath) => T): Compiled | T {
  const source = loadModelSource(file);
  try {
    const compiled = compile(source.model);
    return then ? then(compiled, (path) => source.locate(new ModelPathError(path, ""))) : compiled;
  } catch (error) {
    if (error instanceof ModelPathError) throw new ModelError([source.locate(error)]);
    throw error;
  }
}
