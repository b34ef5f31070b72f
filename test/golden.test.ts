/**
 * Golden tests: each example's full `xacct build` output, file by file, against the reviewed copy
 * under test/golden/<example>/. After an intended change, regenerate with `npm run golden:update`
 * and read the diff before committing it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { emitAll } from "../src/emit/index.js";
import { compileExample, EXAMPLES } from "./support/state.js";

const goldenDir = join(import.meta.dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";
const examples = EXAMPLES;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe.each(examples)("golden output of examples/%s", (example) => {
  const files = emitAll(compileExample(example));
  const dir = join(goldenDir, example);

  if (update) {
    rmSync(dir, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
  }

  it("writes exactly the reviewed set of files", () => {
    expect(files.map((f) => f.path).sort()).toEqual(listFiles(dir));
  });

  it.each(files.map((f) => [f.path, f.content] as const))("%s is as reviewed", (path, content) => {
    expect(content).toBe(readFileSync(join(dir, path), "utf8"));
  });
});
