/**
 * A FIFO xacct is handed (`simulate --batch <(…)`, one placed where a cache entry was, a build's
 * --out) must not change where Node loads modules from afterwards. Node's fs.realpathSync, which
 * `import` uses, reads the mode of the last stat made without `bigint`: after a FIFO was statted
 * it stops following links (nodejs/node#51142), and a package under a node_modules reached through
 * a link (pnpm, `npm link`) loads from the link's path: the AWS SDK loaded twice, STSClient
 * undefined in the second copy (Node 20 and 22; not 24.21). src/fs/stat.ts stats with `bigint`.
 *
 * Each case runs in a Node process of its own (the effect is process-wide): a directory whose
 * node_modules is a link to another holding packages `a` and `b`; `a` is imported (Node caches the
 * real path of the directories on its way), a FIFO is statted, then `b` is imported.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const DIST = pathToFileURL(resolve("dist")).href;
const root = mkdtempSync(join(tmpdir(), "xacct-fifo-links-"));
const real = join(root, "real");
const linked = join(root, "linked");
const fifo = join(root, "fifo");
for (const name of ["a", "b"]) {
  mkdirSync(join(real, "node_modules", name), { recursive: true });
  writeFileSync(join(real, "node_modules", name, "package.json"), JSON.stringify({ name, type: "module", main: "index.js" }));
  writeFileSync(join(real, "node_modules", name, "index.js"), "export const url = import.meta.url;\n");
}
mkdirSync(linked);
symlinkSync(join(real, "node_modules"), join(linked, "node_modules"));
execFileSync("mkfifo", [fifo]);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Where `b` loaded from, after `statFifo` (a module body given the FIFO's path as `fifo`) ran. */
function whereBLoads(statFifo: string): string {
  const script = join(linked, `case-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `const fifo = ${JSON.stringify(fifo)};\nawait import("a");\n${statFifo}\nconst { url } = await import("b");\nprocess.stdout.write(url);\n`,
  );
  const run = spawnSync(process.execPath, [script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return run.stdout;
}

const realB = pathToFileURL(join(real, "node_modules", "b", "index.js")).href;

describe("a FIFO xacct stats does not change where Node loads modules from", () => {
  // Node 24.21 resolves b from its real path here: the fault is shown where it is known (Node 20 and 22).
  it.runIf(Number(process.versions.node.split(".")[0]) <= 22)(
    "the setup shows Node's fault: after a plain lstat of the FIFO, b loads from the link's path (if this fails, Node fixed nodejs/node#51142 and src/fs/stat.ts may go)",
    () => {
      // GIVEN the FIFO statted as Node's fs does by default WHEN b is imported THEN it loads from the link's path
      const url = whereBLoads(`(await import("node:fs")).lstatSync(fifo);`);
      expect(url).toBe(pathToFileURL(join(linked, "node_modules", "b", "index.js")).href);
    },
  );

  it("after readPrivateFile refuses the FIFO (a credential cache entry), b loads from its real path", () => {
    // GIVEN a FIFO where a private file was WHEN xacct reads it (and refuses it)
    const url = whereBLoads(
      `const { readPrivateFile } = await import(${JSON.stringify(`${DIST}/fs/private-files.js`)});\ntry { readPrivateFile(fifo); } catch {}`,
    );
    // THEN the next package imported loads from where its link points
    expect(url).toBe(realB);
  });

  it("after claimDir and privateDir refuse the FIFO (build --out, sandbox --dir, the cache's directory), b loads from its real path", () => {
    // GIVEN a FIFO given as a directory to write to WHEN xacct checks it (and refuses it) THEN b loads from its real path
    const url = whereBLoads(
      [
        `const { claimDir } = await import(${JSON.stringify(`${DIST}/fs/owned-dir.js`)});`,
        `const { privateDir } = await import(${JSON.stringify(`${DIST}/fs/private-files.js`)});`,
        `try { claimDir(fifo, { marker: ".xacct-build", command: "xacct build", option: "--out" }); } catch {}`,
        `try { privateDir(fifo); } catch {}`,
      ].join("\n"),
    );
    expect(url).toBe(realB);
  });

  it("after statOf reads the FIFO's size (simulate --batch <(…)), b loads from its real path", () => {
    // GIVEN a FIFO given as a batch WHEN xacct reads its size THEN b loads from its real path
    const url = whereBLoads(`const { statOf } = await import(${JSON.stringify(`${DIST}/fs/stat.js`)});\nstatOf(fifo);`);
    expect(url).toBe(realB);
  });
});
