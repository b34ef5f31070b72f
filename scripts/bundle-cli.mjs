/**
 * Bundles the command line (tsc's dist/cli/main.js and the `simulate --batch` worker) with esbuild
 * into dist/bin/, the program package.json's `bin` names. Part of `npm run build`, after tsc.
 *
 * Why: Node resolves, reads and compiles each ES module on its own. The 40 modules `simulate
 * --request` loads cost about 12 ms of a 70 ms run (`npm run bench:startup`); bundled, the same code
 * is a handful of files. Each command still loads only its own code: every `import("./…")` of the
 * CLI becomes a chunk of its own (splitting), so `xacct --help` loads no engine.
 *
 * The npm packages stay outside the bundle (packages: "external"): they load from node_modules as
 * the library's modules load them. Code that finds a file beside its module (the report page's
 * script, the worker, package.json) finds it from dist/bin/ too: see src/report/html.ts and
 * src/cli/simulate-batch.ts. Nothing is minified, so a stack trace of a bug still names functions.
 */
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "bin");

// Chunks are named by their content: the last build's would stay beside this one's.
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { xacct: join(root, "dist/cli/main.js"), "simulate-worker": join(root, "dist/cli/simulate-worker.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external",
  // The chunks sit beside the entry points, so that `new URL("../../package.json", import.meta.url)`
  // and `new URL("./simulate-worker.js", import.meta.url)` mean the same in every chunk.
  chunkNames: "[name]-[hash]",
  legalComments: "none",
  logLevel: "warning",
});
chmodSync(join(outdir, "xacct.js"), 0o755);
