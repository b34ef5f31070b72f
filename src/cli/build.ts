import { compileModelFile } from "../compile/model-file.js";
import { emitAll, writeFiles } from "../emit/index.js";
import { ModelPathError } from "../model/load.js";
import { accountIds } from "../model/stages.js";
import { UsageError } from "./json-input.js";
import { type BUILD_OPTIONS, helpOf, type Values } from "./usage.js";

/** `xacct build`: load, compile, emit; changes nothing unless everything succeeded. */
export async function run(values: Values<typeof BUILD_OPTIONS>, [model]: readonly string[]): Promise<number> {
  if (!model) throw new UsageError(`give one model file; ${helpOf("build")}`);
  if (!values.out) throw new UsageError(`give the output directory with --out DIR; ${helpOf("build")}`);
  const { compiled, files } = compileModelFile(model, (compiled) => {
    try {
      return { compiled, files: emitAll(compiled) };
    } catch (error) {
      if (error instanceof ModelPathError) throw error; // located in the model file
      // Two names whose file names coincide, say: a case the model's checks do not catch yet.
      throw new UsageError(`${model}: cannot build: ${(error as Error).message}`);
    }
  });
  writeFiles(values.out, files);
  const accounts = [...compiled.state.accounts.values()].filter((a) => a.managed).length;
  // A grant to an organization or OUs has no chain: it counts once per account (stage) it grants in.
  const grants =
    compiled.chains.length + compiled.model.grants.reduce((n, g) => n + (g.grantees ? accountIds(compiled.model, g.account).length : 0), 0);
  process.stdout.write(`xacct: wrote ${files.length} files for ${accounts} accounts and ${grants} grants to ${values.out}\n`);
  return 0;
}
