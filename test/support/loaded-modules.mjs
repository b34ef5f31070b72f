/**
 * `node test/support/loaded-modules.mjs SPECIFIER`, run in a fresh process: imports SPECIFIER
 * (a package name such as `xacct/credentials`, resolved from this repository, or a file URL) and
 * prints, as one JSON array, the URL of every module that import loaded: ES modules as the
 * loader's `load` hook saw them (registered before the import), CommonJS ones from the require
 * cache (which Node 20's ESM hooks do not see). Node's built-ins are left out.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire, register } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const specifier = process.argv[2];
if (!specifier) {
  process.stderr.write("usage: node loaded-modules.mjs SPECIFIER\n");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "xacct-loaded-modules-"));
const log = join(dir, "loaded.txt");
try {
  register("./loaded-modules-hooks.mjs", import.meta.url, { data: { log } });
  await import(specifier);
  const esm = readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url !== "" && !url.startsWith("node:"));
  const cjs = Object.keys(createRequire(import.meta.url).cache).map((file) => pathToFileURL(file).href);
  process.stdout.write(`${JSON.stringify([...new Set([...esm, ...cjs])])}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
