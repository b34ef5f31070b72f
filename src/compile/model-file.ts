/**
 * A model file, loaded and compiled: the one entry every command that reads `--model` uses, so a
 * problem the compiler finds (a name template without a value, say) is located in the file like
 * any problem the loader finds. `build` goes on to write every format through `then`, whose
 * model problems (a profile without what it needs) are located the same way.
 */
import { loadModelSource, ModelError, ModelPathError } from "../model/load.js";
import { compile, type Compiled } from "./compile.js";

export function compileModelFile(file: string): Compiled;
export function compileModelFile<T>(file: string, then: (compiled: Compiled) => T): T;
export function compileModelFile<T>(file: string, then?: (compiled: Compiled) => T): Compiled | T {
  const source = loadModelSource(file);
  try {
    const compiled = compile(source.model);
    return then ? then(compiled) : compiled;
  } catch (error) {
    if (error instanceof ModelPathError) throw new ModelError([source.locate(error)]);
    throw error;
  }
}
