import { readFileSync } from "node:fs";
import { ImportError, importInventory } from "../adopt/import-model.js";
import { isUneditedImport, stamped } from "../adopt/stamp.js";
import { replacePrivateFile } from "../fs/private-files.js";
import { isSystemError } from "../fs/system-error.js";
import { lstatOf } from "../fs/stat.js";
import { loadSource } from "../source/load-source.js";
import { UsageError } from "./json-input.js";
import { helpOf, type IMPORT_OPTIONS, type Values } from "./usage.js";

export async function run(values: Values<typeof IMPORT_OPTIONS>): Promise<number> {
  if (!values.inventory) throw new UsageError(`give the inventory directory with --inventory DIR; ${helpOf("import")}`);
  if (!values.out) throw new UsageError(`give the model file to write with --out FILE; ${helpOf("import")}`);
  const out = values.out;
  refuseForeign(out, values.force === true);
  const { state } = loadSource({ inventory: values.inventory });
  if (![...state.accounts.values()].some((a) => a.managed))
    throw new UsageError(`${values.inventory} holds no account: an inventory has ACCOUNT_ID/authorization-details.json per account`);
  const accounts = values.accounts
    ?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  let imported;
  try {
    imported = importInventory(state, { ...(accounts ? { accounts } : {}), ...(values.name ? { name: values.name } : {}) });
  } catch (error) {
    if (error instanceof ImportError) throw new UsageError(error.message);
    throw error;
  }
  replacePrivateFile(out, stamped(imported.text), 0o644);
  for (const warning of imported.warnings) process.stderr.write(`xacct: warning: ${JSON.stringify(warning).slice(1, -1)}\n`);
  process.stderr.write(
    `xacct: wrote ${out}${imported.warnings.length ? `; ${imported.warnings.length} thing(s) not imported, listed above and at its end` : ""}; check it with: xacct verify --model ${out} --inventory ${values.inventory}\n`,
  );
  return imported.warnings.length ? 1 : 0;
}

/** Refuses an --out that is not a model xacct import wrote (unedited), unless forced; never a directory. */
function refuseForeign(out: string, force: boolean): void {
  let text: string;
  try {
    const stat = lstatOf(out);
    if (stat.isDirectory()) throw new UsageError(`--out ${out} is a directory: give the model file to write`);
    if (force) return;
    if (!stat.isFile())
      throw new UsageError(`--out ${out} is not a regular file; xacct import replaces only a model it wrote (--force to replace it)`);
    text = readFileSync(out, "utf8");
  } catch (error) {
    if (isSystemError(error) && error.code === "ENOENT") return;
    throw error;
  }
  if (!isUneditedImport(text))
    throw new UsageError(
      `--out ${out} exists and is not a model xacct import wrote (or it was edited since): give another file, or --force to replace it`,
    );
}
