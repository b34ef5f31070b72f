/**
 * A model file, loaded and compiled: the one entry every command that reads `--model` uses, so a
 * problem the compiler finds (a name template without a value, say) is located in the file like
 * any problem the loader finds.
 */
import { loadModelSource, ModelError, ModelPathError } from "../model/load.js";
import { compile, type Compiled } from "./compile.js";

export function compileModelFile(file: string): Compiled {
  const source = loadModelSource(file);
  try {
    return compile(source.model);
  } catch (error) {
    if (error instanceof ModelPathError) throw new ModelError([source.locate(error)]);
    throw error;
  }
}
