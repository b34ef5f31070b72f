/**
 * Where, in the user's own files, what a finding or a verify failure is about is written: the line
 * of the model that declares it (the grant that makes a role, the workload whose identity it is,
 * the account it is in), or the entry of the inventory file that lists it. SARIF needs a file for
 * every result (GitHub's code scanning refuses a result without one), so each answer names a file;
 * the line and column only where xacct knows them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { arnAccount, isAccountId, parseArn } from "../aws/arn.js";
import type { Compiled } from "../compile/compile.js";
import type { LocatePath } from "../compile/model-file.js";
import { principalOf } from "../compile/identities.js";
import { accountIds } from "../model/stages.js";

/** A file (as a path, relative to the working directory or absolute), and the line and column (1-based) where known. */
export interface Place {
  file: string;
  line?: number;
  column?: number;
}

export interface Places {
  /** Where the analysed accounts hold this ARN: the model that creates it, or the inventory that lists it. */
  ofArn(arn: string): Place;
  /** Where the model writes `grants[index]`. */
  ofGrant(index: number): Place;
}

/**
 * The places of what a command read: an inventory's (with the grants of the model verified against
 * it), or a model's.
 */
export function placesOf(read: { model?: { file: string; compiled: Compiled; locate: LocatePath }; inventory?: string }): Places {
  const model = read.model && modelPlaces(read.model.file, read.model.compiled, read.model.locate);
  if (read.inventory !== undefined) return inventoryPlaces(read.inventory, model);
  if (!model) throw new Error("places need a model or an inventory");
  return model;
}

/**
 * Places in a model file. A role the model's chains assume is located at the grant that makes it
 * (the first, when several do), a workload's own identity at the workload, any other ARN at the
 * account it is in, and what names no account of the model at the model itself.
 */
export function modelPlaces(file: string, compiled: Compiled, locate: LocatePath): Places {
  const paths = new Map<string, string>();
  const add = (arn: string, path: string) => {
    if (!paths.has(arn)) paths.set(arn, path);
  };
  for (const chain of compiled.chains) {
    const partition = compiled.state.accounts.get(chain.start.account)?.partition ?? "aws";
    add(principalOf(chain.start, partition), `workloads.${chain.workload}`);
  }
  for (const chain of [...compiled.chains].sort((a, b) => a.grant - b.grant))
    for (const hop of chain.hops) add(hop.roleArn, `grants[${chain.grant}]`);
  const accounts = new Map<string, string>();
  for (const name of Object.keys(compiled.model.accounts))
    for (const { id } of accountIds(compiled.model, name)) if (!accounts.has(id)) accounts.set(id, `accounts.${name}`);
  const at = (path: string): Place => ({ file, ...locate(path) });
  return {
    ofArn: (arn) => at(paths.get(arn) ?? accounts.get(arnAccount(arn) ?? "") ?? ""),
    ofGrant: (index) => at(`grants[${index}]`),
  };
}

/**
 * Places in an inventory directory: an IAM ARN at its `"Arn"` entry in its account's
 * authorization-details.json, any other resource at its key in the resource-policies.json that
 * holds its policy. What the inventory's files do not name is placed at its account's file, or at
 * the directory, as a whole. Grants are the model's (`model`), when a model is verified against it.
 */
export function inventoryPlaces(dir: string, model?: Places): Places {
  const indexes = new Map<string, Map<string, { line: number; column: number }>>();
  const indexOf = (file: string, pattern: RegExp) => {
    let index = indexes.get(file);
    if (!index) indexes.set(file, (index = existsSync(file) ? stringPositions(readFileSync(file, "utf8"), pattern) : new Map()));
    return index;
  };
  let accounts: string[] | undefined;
  const accountDirs = () =>
    (accounts ??= readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? [e.name] : []))
      .sort());
  return {
    ofArn(arn) {
      // Only a 12-digit account names a directory of the inventory (an ARN's account field is
      // any text: `..` or a slash must not lead outside it; `aws` owns AWS managed policies).
      const field = arnAccount(arn) ?? "";
      const account = isAccountId(field) ? field : "";
      const iam = parseArn(arn)?.service === "iam";
      const name = iam ? "authorization-details.json" : "resource-policies.json";
      const candidates = account ? [account] : iam ? [] : accountDirs();
      for (const id of candidates) {
        const file = join(dir, id, name);
        const position = indexOf(file, iam ? ARN_ENTRY : OBJECT_KEY).get(arn);
        if (position) return { file, ...position };
      }
      const own = join(dir, account, "authorization-details.json");
      return { file: account && existsSync(own) ? own : dir };
    },
    ofGrant(index) {
      if (!model) throw new Error(`grants[${index}] has no place: no model was given`);
      return model.ofGrant(index);
    },
  };
}

/** A JSON string literal (its quotes included), capturing its text. */
const STRING = String.raw`"((?:[^"\\\n]|\\.)*)"`;
/** `"Arn": "<the ARN>"`, capturing the ARN's literal. */
const ARN_ENTRY = new RegExp(String.raw`"Arn"\s*:\s*${STRING}`, "g");
/** A string followed by a colon: an object key, capturing its literal. */
const OBJECT_KEY = new RegExp(String.raw`${STRING}\s*:`, "g");

/**
 * Where each string the pattern captures first appears in the text, as the line and column of its
 * opening quote. The capture is a JSON string's text, decoded as JSON decodes it.
 */
function stringPositions(text: string, pattern: RegExp): Map<string, { line: number; column: number }> {
  const out = new Map<string, { line: number; column: number }>();
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const match of text.matchAll(pattern)) {
    const literal = match[1] as string;
    const quote = (match.index ?? 0) + match[0].lastIndexOf(`"${literal}"`);
    for (; scanned < quote; scanned++)
      if (text.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    let value: unknown;
    try {
      value = JSON.parse(`"${literal}"`);
    } catch {
      continue;
    }
    if (typeof value === "string" && !out.has(value)) out.set(value, { line, column: quote - lineStart + 1 });
  }
  return out;
}
