/**
 * What `import("xacct/credentials")` loads, seen from a fresh Node process: the run-time library
 * a workload imports must not bring in the model loader, the compiler, the emitters or the access
 * graph (nor the YAML and schema libraries only they use); a chain named by a model's workload
 * loads them when it is first resolved (`xacct/credentials/model`).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runProgram } from "./support/chain-cli.js";

const RECORDER = resolve("test/support/loaded-modules.mjs");
const DIST = `${pathToFileURL(resolve("dist")).href}/`;

/** The URLs of the modules a fresh Node process loads to import `specifier` (needs `npm run build`). */
async function loadedBy(specifier: string): Promise<string[]> {
  const ran = await runProgram(process.execPath, [RECORDER, specifier], { PATH: process.env.PATH ?? "" });
  expect(ran.stderr).toBe("");
  expect(ran.code).toBe(0);
  return JSON.parse(ran.stdout) as string[];
}

/** The modules of `dist/` under `folders`, and of the npm packages `packages`, among `urls`. */
function heavy(urls: string[], folders: string[], packages: string[]): string[] {
  return urls.filter(
    (url) => folders.some((f) => url.startsWith(`${DIST}${f}/`)) || packages.some((p) => url.includes(`/node_modules/${p}/`)),
  );
}

const FOLDERS = ["compile", "model", "emit", "graph"];
const PACKAGES = ["zod", "yaml"];

describe("xacct/credentials loads only the run-time library", () => {
  it("imports without the compiler, the model loader, the emitters, the graph, zod or yaml", async () => {
    // GIVEN a fresh Node process that records every module it loads
    // WHEN it imports the public entry
    const urls = await loadedBy("xacct/credentials");
    // THEN the entry and its provider were loaded (the recorder sees xacct's modules) …
    expect(urls).toContain(`${DIST}credentials/index.js`);
    expect(urls).toContain(`${DIST}credentials/provider.js`);
    // … and nothing of the build-time layers, nor the libraries only they use
    expect(heavy(urls, FOLDERS, PACKAGES)).toEqual([]);
  });

  it("sees those layers when the model entry is imported", async () => {
    // GIVEN the same recorder
    // WHEN a process imports chainFromModel's entry, which reads and compiles a model
    const urls = await loadedBy("xacct/credentials/model");
    // THEN the compiler, the model loader, zod and yaml are among what it loaded: the check above can fail
    const seen = heavy(urls, FOLDERS, PACKAGES);
    for (const part of [`${DIST}compile/`, `${DIST}model/`, "/node_modules/zod/", "/node_modules/yaml/"]) {
      expect(seen.some((url) => url.includes(part))).toBe(true);
    }
  });
});
