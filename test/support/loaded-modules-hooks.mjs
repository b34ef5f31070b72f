/**
 * Module customization hooks (node:module `register`) that append the URL of every module Node
 * loads through the ESM loader to the file named in `initialize`'s data. They run on the loader's
 * own thread; a synchronous append means every line is written before the import that caused it
 * settles. Used by loaded-modules.mjs.
 */
import { appendFileSync } from "node:fs";

let log;

export function initialize(data) {
  log = data.log;
}

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  appendFileSync(log, `${url}\n`);
  return loaded;
}
