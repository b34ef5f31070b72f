/**
 * `xacct sandbox --dir DIR` shares the build's ownership of a directory (fs/owned-dir): a run
 * lists the files it wrote in DIR/.xacct-sandbox; the next run there replaces those and keeps
 * everything else the user put in DIR, tokens/ included.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { startEnvironment } from "../src/sandbox/environment.js";
import { compileExample, examplesDir } from "./support/state.js";

const scratch = mkdtempSync(join(tmpdir(), "xacct-sandbox-dir-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("sandbox --dir", () => {
  it("lists what it wrote in its marker, and a second run keeps the user's files, in tokens/ too", async () => {
    // GIVEN a first run in DIR on seed 004 (an IRSA workload: a token file), stopped
    const compiled = compileExample("004-emr-eks-chain");
    const dir = join(scratch, "env");
    const first = await startEnvironment({ compiled, state: compiled.state, dir });
    await first.close();
    const marker = JSON.parse(readFileSync(join(dir, ".xacct-sandbox"), "utf8")) as { files: string[] };
    expect(marker.files.filter((f) => !f.startsWith("botocore/")).sort()).toEqual([
      "config",
      "credentials",
      "sandbox.auth",
      "tokens/spark-job.jwt",
    ]);
    // (and botocore's endpoint rules, one per service: every file the run left in DIR is listed)
    const written = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== ".xacct-sandbox")
      .map((e) => relative(dir, join(e.parentPath, e.name)));
    expect(written.sort()).toEqual(marker.files.sort());
    expect(written.filter((f) => /^botocore\/[a-z0-9-]+\/\d{4}-\d\d-\d\d\/endpoint-rule-set-1\.json$/.test(f)).length).toBeGreaterThan(0);
    // AND the user's files beside them
    writeFileSync(join(dir, "notes.md"), "mine\n");
    writeFileSync(join(dir, "tokens", "other.jwt"), "a token of mine\n");
    // WHEN it runs again there
    const second = await startEnvironment({ compiled, state: compiled.state, dir });
    await second.close();
    // THEN its files are rewritten and the user's kept
    expect(readFileSync(join(dir, "notes.md"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(dir, "tokens", "other.jwt"), "utf8")).toBe("a token of mine\n");
    expect(readFileSync(join(dir, "tokens", "spark-job.jwt"), "utf8")).toMatch(/^ey/);
  });

  it("gives a workload whose name is longer than a file name may be a token file of its own", async () => {
    // GIVEN seed 004 with its IRSA workload renamed to 300 characters (a valid model name: the
    // model puts no limit on it, Linux allows 255 bytes per file name)
    const file = join(examplesDir, "004-emr-eks-chain", "xacct.yaml");
    const long = `spark-${"x".repeat(294)}`;
    const text = readFileSync(file, "utf8")
      .replaceAll("spark-job", long)
      // (its first grant names its role: a role named after the workload would be refused as too long)
      .replace("    profile: irsa-role-1", "    role: { name: spark-own }\n    profile: irsa-role-1");
    const compiled = compile(loadModel(text, file));
    // WHEN the sandbox writes its directory
    const dir = join(scratch, "long");
    const environment = await startEnvironment({ compiled, state: compiled.state, dir });
    await environment.close();
    // THEN the workload has one token file, named within the limit and after the workload
    const tokens = readdirSync(join(dir, "tokens")).filter((f) => f.endsWith(".jwt"));
    expect(tokens).toHaveLength(1);
    expect(Buffer.byteLength(tokens[0] as string)).toBeLessThanOrEqual(255);
    expect(tokens[0]).toMatch(/^spark-x+-[0-9a-f]{8}\.jwt$/);
  });
});
