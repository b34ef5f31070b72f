/**
 * Dependencies point one way (issue 12, docs/architecture.md "The flow"): each folder of `src/`
 * imports only itself and the folders below it in LAYERS, statically or with `import(...)`. A
 * folder not placed in LAYERS fails too, so a new folder is placed before it is used.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** The declared order, bottom first. A folder may import a folder of a LOWER layer, never one beside or above it. */
const LAYERS: readonly (readonly string[])[] = [
  ["cache"], // a bounded cache, the one shape of every process-wide cache: imports nothing
  ["text", "aws"], // escaping per format, AWS's own facts: import nothing of xacct
  ["fs"], // files shared with the user
  ["catalog"], // AWS's service authorization data
  ["policy"], // the IAM policy language and engine
  ["state"], // AccountState and inventories read into it
  ["services"], // one module per AWS service
  ["model"], // xacct.yaml: schema, loading, references, names, stages
  ["compile"], // model → AccountState and chains
  ["source"], // the one loader of a model or an inventory
  ["credentials"], // run-time chains (a model's chain through a dynamic import of compile)
  ["collect"], // xacct collect: live accounts read into an inventory
  ["graph"],
  ["adopt"], // xacct import: an inventory → a model
  ["emit"],
  ["sandbox"],
  ["report"],
  ["cli"],
  ["."], // src/index.ts, the package's entry
];

/**
 * Imports allowed for now, each exactly one file pair with the reason. Remove an entry once the
 * change it waits for is merged: the test fails on an entry no file still needs.
 */
const ALLOWED: readonly { from: string; to: string; why: string }[] = [];

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** The layer index of each folder. */
const LAYER_OF = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)));

/** Every .ts file under dir, as a path relative to src with `/` separators. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path).split(sep).join("/")] : [];
  });
}

/** The src-relative `.ts` files a source imports by a relative specifier, static, re-export or `import(...)`. */
function importsOf(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => posix.join(posix.dirname(file), specifier).replace(/\.js$/, ".ts"));
}

/** The folder a src-relative file belongs to: its first segment, or "." for a file directly in src. */
function folderOf(file: string): string {
  return file.includes("/") ? (file.split("/")[0] as string) : ".";
}

/** Each import of a folder beside or above the importer's, as "from → to". */
function upwardImports(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    const from = folderOf(file);
    for (const target of importsOf(file, text)) {
      const to = folderOf(target);
      if (to === from) continue;
      const below = (LAYER_OF.get(to) ?? Infinity) < (LAYER_OF.get(from) ?? -Infinity);
      if (!below) found.push(`${file} → ${target}`);
    }
  }
  return found;
}

describe("layers", () => {
  const files = new Map(sources(SRC).map((file) => [file, readFileSync(join(SRC, file), "utf8")]));

  it("places every folder of src in the declared order", () => {
    // GIVEN every folder holding a source file
    const folders = new Set([...files.keys()].map(folderOf));
    // WHEN each is looked up in LAYERS
    const unplaced = [...folders].filter((folder) => !LAYER_OF.has(folder));
    // THEN none is missing
    expect(unplaced).toEqual([]);
  });

  it("has no folder importing a folder beside or above it, except the listed pairs", () => {
    // GIVEN every import between folders of src
    // WHEN those not pointing down are collected
    const upward = upwardImports(files);
    const allowed = new Set(ALLOWED.map((pair) => `${pair.from} → ${pair.to}`));
    // THEN only the allowed pairs remain, and every allowed pair is still needed
    expect(upward.filter((edge) => !allowed.has(edge))).toEqual([]);
    expect([...allowed].filter((edge) => !upward.includes(edge))).toEqual([]);
  });

  it("sees static, re-exported, type-only and dynamic imports, not text in strings or comments", () => {
    // GIVEN a model file importing upward in each way a source can, and naming a path only in text
    const text = [
      `import { a } from "../compile/a.js";`,
      `import type { B } from "../state/b.js";`,
      `export { c } from "../emit/c.js";`,
      `const d = await import("../cli/d.js");`,
      `const e = 'import("../graph/e.js")'; // import("../sandbox/f.js")`,
    ].join("\n");
    // WHEN its upward imports are collected
    const upward = upwardImports(new Map([["model/x.ts", text]]));
    // THEN the four imports are found, the text is not, and state (below model) is allowed
    expect(upward).toEqual(["model/x.ts → compile/a.ts", "model/x.ts → emit/c.ts", "model/x.ts → cli/d.ts"]);
  });

  it("refuses an import between two folders of one layer", () => {
    // GIVEN aws importing text, both at the bottom
    const files = new Map([["aws/x.ts", `import { oneLine } from "../text/escape.js";`]]);
    // WHEN its upward imports are collected
    // THEN the import is refused
    expect(upwardImports(files)).toEqual(["aws/x.ts → text/escape.ts"]);
  });
});
