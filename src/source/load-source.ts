/**
 * The one loader of what a command reads its accounts from: a model file (what the model would
 * create, compiled) or an inventory directory (what is deployed). Every command that takes
 * `--model FILE` or `--inventory DIR` loads through here, so each locates a problem alike: a
 * model's at FILE:LINE:COLUMN (ModelError), an inventory's at its file and JSON path
 * (PolicyInputError).
 */
import type { Compiled } from "../compile/compile.js";
import { compileModelFile, type LocatePath } from "../compile/model-file.js";
import type { Chain } from "../compile/plan.js";
import type { AccountState } from "../state/account-state.js";
import { loadInventory } from "../state/inventory.js";

/** Exactly one of a model file or an inventory directory. */
export type Source = { model: string; inventory?: undefined } | { inventory: string; model?: undefined };

/** What a source holds: the accounts, the run-time chains (none for an inventory), and the compiled model when it is one. */
export interface Loaded {
  state: AccountState;
  chains: Chain[];
  compiled?: Compiled;
  /** For a model: where each part of it is written. */
  locate?: LocatePath;
}

/** What a model file holds: its compiled model always, and where each part of it is written. */
export interface LoadedModel extends Loaded {
  compiled: Compiled;
  locate: LocatePath;
}

export function loadSource(source: { model: string; inventory?: undefined }): LoadedModel;
export function loadSource(source: Source): Loaded;
export function loadSource(source: Source): Loaded {
  if (source.model !== undefined)
    return compileModelFile(source.model, (compiled, locate) => ({ state: compiled.state, chains: compiled.chains, compiled, locate }));
  return { state: loadInventory(source.inventory), chains: [] };
}
