/**
 * `node test/support/loaded-by-cli.mjs OUT ARG…`, run in a fresh process: runs the built CLI
 * (dist/bin/xacct.js, so run `npm run build` first) with ARGs as `xacct ARG…` would, and when the
 * process exits writes to OUT, as one JSON array, the URL of every module it loaded: ES modules as
 * the loader's `load` hook saw them (loaded-modules-hooks.mjs, registered before the CLI), CommonJS
 * ones from the require cache. Node's built-ins are left out. A file of the bundled CLI (dist/bin/)
 * stands for the modules of dist/ esbuild put in it: each follows a `// dist/…` line there. The CLI's own output goes to this
 * process's stdout and stderr, its exit status is this process's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL, URL } from "node:url";

const [out, ...args] = process.argv.slice(2);
if (!out) {
  process.stderr.write("usage: node loaded-by-cli.mjs OUT [ARG…]\n");
  process.exit(2);
}
const main = new URL("../../dist/bin/xacct.js", import.meta.url);
const bundle = new URL("../../dist/bin/", import.meta.url).href;
const dist = new URL("../../dist/", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "xacct-loaded-by-cli-"));
const log = join(dir, "loaded.txt");
writeFileSync(log, "");
register("./loaded-modules-hooks.mjs", import.meta.url, { data: { log } });
process.on("exit", () => {
  const esm = readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url !== "" && !url.startsWith("node:"));
  const cjs = Object.keys(createRequire(import.meta.url).cache).map((file) => pathToFileURL(file).href);
  const modules = [...esm, ...cjs].flatMap((url) => (url.startsWith(bundle) ? bundled(url) : [url]));
  writeFileSync(out, `${JSON.stringify([...new Set(modules)])}\n`);
  rmSync(dir, { recursive: true, force: true });
});
/** The URLs of the modules of dist/ in a file of the bundle, from the path esbuild writes before each. */
function bundled(url) {
  return [...readFileSync(new URL(url), "utf8").matchAll(/^\/\/ dist\/(\S+\.js)$/gm)].map(([, path]) => `${dist}${path}`);
}

// The CLI reads its arguments from process.argv, as when node runs it.
process.argv = [process.argv[0], fileURLToPath(main), ...args];
await import(main.href);
