/**
 * `xacct sandbox --dir DIR` shares the build's ownership of a directory (fs/owned-dir): a run
 * lists the files it wrote in DIR/.xacct-sandbox; the next run there replaces those and keeps
 * everything else the user put in DIR, tokens/ included.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEnvironment } from "../src/sandbox/environment.js";
import { compileExample } from "./support/state.js";

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
    expect(marker.files.sort()).toEqual(["config", "credentials", "sandbox.auth", "tokens/spark-job.jwt"]);
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
});
