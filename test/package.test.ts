/**
 * The package as a user gets it: `npm pack` of this checkout, installed globally into a fresh
 * prefix and as a dependency of a fresh TypeScript project, with the dependencies npm resolves
 * for it (from the npm cache the checkout's own install filled, else the registry). Needs
 * `npm run build` (the tarball is packed from dist/ as it is, without the prepack rebuild).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const INSTALL_TIMEOUT_MS = 600_000;

let work: string;
let tarball: string;
let shipped: string[];

/** npm with the test's own node first on PATH (the one running the suite), quiet, offline when it can be. */
function npm(args: string[], cwd: string): string {
  const nodeDir = resolve(process.execPath, "..");
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PATH: `${nodeDir}:${process.env.PATH ?? ""}`, npm_config_update_notifier: "false" },
    timeout: INSTALL_TIMEOUT_MS,
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "xacct-package-"));
  const [packed] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(work, packed!.filename);
  shipped = packed!.files.map((f) => f.path);
}, INSTALL_TIMEOUT_MS);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm pack", () => {
  it("ships the program, its licence, its README and the JSON Schemas, and nothing that is not for users", () => {
    // GIVEN the tarball npm pack makes of this checkout
    // THEN it holds the entry points package.json names and the MIT licence text …
    expect(shipped).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/bin/xacct.js", "dist/index.js"]));
    // … the command line once: bundled in dist/bin/ (scripts/bundle-cli.mjs), not also as tsc wrote it
    expect(shipped.filter((f) => f.startsWith("dist/cli/"))).toEqual([]);
    expect(shipped).toEqual(expect.arrayContaining(["dist/policy/index.d.ts", "dist/credentials/index.d.ts", "dist/report/client.js"]));
    expect(shipped).toContain("schema/xacct.schema.json");
    // … no source maps (they would point at src/, which is not shipped), no sources, no tests
    expect(shipped.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(shipped.filter((f) => /^(src|test|bench|scripts|examples)\//.test(f))).toEqual([]);
  });
});

describe("npm install -g of the tarball", () => {
  let bin: string;
  beforeAll(() => {
    const prefix = join(work, "global");
    npm(["install", "--global", "--prefix", prefix, tarball], work);
    bin = join(prefix, "bin", "xacct");
  }, INSTALL_TIMEOUT_MS);

  it("puts an xacct on the PATH that says its version", () => {
    // GIVEN the package installed globally into a fresh prefix
    // WHEN its xacct is asked for its version, from a directory outside this checkout
    const ran = spawnSync(bin, ["--version"], { cwd: work, encoding: "utf8" });
    // THEN it prints package.json's version and exits 0
    expect(ran.stderr).toBe("");
    expect(ran.stdout.trim()).toBe(PACKAGE.version);
    expect(ran.status).toBe(0);
  });

  it("builds an example model outside this checkout", () => {
    // GIVEN a model copied into a directory of its own
    const project = join(work, "project");
    mkdirSync(project);
    copyFileSync(join(ROOT, "examples", "001-cats-external", "xacct.yaml"), join(project, "xacct.yaml"));
    // WHEN the installed xacct builds it
    const ran = spawnSync(bin, ["build", "xacct.yaml", "--out", "build"], { cwd: project, encoding: "utf8" });
    // THEN it writes the build, with the list of the files it owns, and exits 0
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
    expect(existsSync(join(project, "build", ".xacct-build"))).toBe(true);
    expect(readFileSync(join(project, "build", ".xacct-build"), "utf8")).toMatch(/\.json/);
  });

  it("writes a report, whose page script the bundled command line finds in the package", () => {
    // GIVEN a model in a directory of its own
    const project = join(work, "report-project");
    mkdirSync(project);
    copyFileSync(join(ROOT, "examples", "001-cats-external", "xacct.yaml"), join(project, "xacct.yaml"));
    // WHEN the installed xacct writes its report
    const ran = spawnSync(bin, ["report", "--model", "xacct.yaml", "-o", "report.html"], { cwd: project, encoding: "utf8" });
    // THEN it exits 0 and the page holds the package's page script (dist/report/client.js), inlined
    expect(ran.status).toBe(0);
    const page = readFileSync(join(project, "report.html"), "utf8");
    const script = readFileSync(join(ROOT, "dist", "report", "client.js"), "utf8");
    expect(page).toContain(script.slice(0, 200));
  });
});

describe("a TypeScript project that depends on the tarball", () => {
  let project: string;
  beforeAll(() => {
    project = join(work, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    npm(["install", tarball, "@types/node@22"], project);
  }, INSTALL_TIMEOUT_MS);

  it("compiles against xacct/credentials and xacct/policy with the types the package ships, and runs", () => {
    // GIVEN a strict NodeNext project importing both public entries, types included
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          types: ["node"],
          outDir: "out",
        },
        files: ["main.ts"],
      }),
    );
    writeFileSync(
      join(project, "main.ts"),
      [
        `import { readFileSync } from "node:fs";`,
        `import { fromChain, type ChainProvider, type ChainSpec } from "xacct/credentials";`,
        `import { simulate, type Evaluation } from "xacct/policy";`,
        `const spec: ChainSpec = { name: "demo", first: { type: "environment" }, hops: [{ roleArn: "arn:aws:iam::222222222222:role/far" }] };`,
        `const provider: ChainProvider | undefined = process.argv[3] === "chain" ? fromChain(spec) : undefined;`,
        `const answer: Evaluation = simulate(JSON.parse(readFileSync(process.argv[2]!, "utf8")) as unknown);`,
        `console.log(answer.decision, provider === undefined);`,
      ].join("\n"),
    );
    // WHEN TypeScript compiles it (a wrong export path or missing .d.ts fails here) and Node runs it
    const compiled = spawnSync(process.execPath, [TSC, "-p", project], { cwd: project, encoding: "utf8" });
    expect(compiled.stdout + compiled.stderr).toBe("");
    expect(compiled.status).toBe(0);
    const ran = spawnSync(
      process.execPath,
      [join(project, "out", "main.js"), join(ROOT, "examples", "simulate", "cross-account-get-object.json")],
      {
        cwd: project,
        encoding: "utf8",
      },
    );
    // THEN the example request (same-organization caller named by the bucket policy, allowed by its
    // identity policy, every SCP allowing) is allowed, as AWS's evaluation logic decides it
    expect(ran.stderr).toBe("");
    expect(ran.stdout.trim()).toBe("Allow true");
  });
});
