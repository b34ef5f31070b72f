/**
 * Hostile names through every emitter (issue 11, item 2): a name holding line breaks, brackets,
 * quotes, command substitutions, comment characters, Unicode line separators, `__proto__` or
 * 100,000 characters either stops the model at load with a located error, or every generated file
 * parses in its own format as its real reader parses it — the AWS config files through botocore's
 * config loader, Python through CPython's compiler, YAML through the yaml library, shell through
 * `bash -n` (and the Spark entrypoint and the sandbox's export lines run for real), env files as
 * both `set -a; .` and `docker --env-file` read them — and no line of any file is one the name
 * injected, no setting is one it added, and no command it carried ever ran.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { emitAll } from "../src/emit/index.js";
import { loadModel, ModelError } from "../src/model/load.js";
import { exportLines, startEnvironment } from "../src/sandbox/environment.js";
import { FIELDS, hostileModel, hostileName, INJECTED, PWNED } from "./support/hostile-model.js";

const PYTHON = "/usr/bin/python3";
const PARSER = join(import.meta.dirname, "support", "parse-generated.py");
const work = mkdtempSync(join(tmpdir(), "xacct-hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The settings xacct writes in a profile of the AWS config file, and in the credentials file. */
const CONFIG_KEYS = new Set([
  "region",
  "role_arn",
  "source_profile",
  "credential_source",
  "web_identity_token_file",
  "role_session_name",
  "duration_seconds",
  "external_id",
]);
const CREDENTIALS_KEYS = new Set(["aws_access_key_id", "aws_secret_access_key"]);
/** The Kubernetes objects xacct writes, and the top-level fields they have. */
const KINDS = new Set(["ServiceAccount", "ConfigMap", "CronJob", "Job", "Deployment", "SecretStore", "ExternalSecret", "Pod"]);
const TOP_LEVEL = new Set(["apiVersion", "kind", "metadata", "spec", "data"]);
/** A generated line that starts (after indentation, comment or list marks) with what the name carried after a line break. */
const INJECTED_LINE = new RegExp(`^\\W*(profile )?${INJECTED}`);

function field(label: string) {
  const found = FIELDS.find((f) => f.label === label);
  if (!found) throw new Error(`no field ${label}`);
  return found;
}

interface Checks {
  ini: { path: string; credentials?: boolean }[];
  python: { path: string; dag: boolean }[];
  shell: string[];
}

function bash(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(
    "/usr/bin/env",
    [
      "-i",
      `PATH=${process.env.PATH ?? "/usr/bin:/bin"}`,
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      "bash",
      "--norc",
      "--noprofile",
      ...args,
    ],
    { cwd, encoding: "utf8" },
  );
}

/** The files' lines, split where any reader splits them. */
function expectNoInjectedLine(path: string, text: string): void {
  for (const line of text.split(/\r\n|\r|\n/)) expect(line, `${path}: a line the name injected`).not.toMatch(INJECTED_LINE);
}

/** Each format's own reader on one generated file; collects what goes to Python and bash. */
function checkFile(dir: string, path: string, content: string, checks: Checks): void {
  const full = join(dir, path);
  expectNoInjectedLine(path, content);
  if (path.endsWith(".json")) {
    expect(() => JSON.parse(content), path).not.toThrow();
  } else if (path.endsWith(".yaml")) {
    const docs = parseAllDocuments(content);
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      expect(doc.errors, path).toEqual([]);
      const value = doc.toJS() as Record<string, unknown>;
      expect(KINDS.has(String(value.kind)), `${path}: kind ${String(value.kind)}`).toBe(true);
      for (const k of Object.keys(value)) expect(TOP_LEVEL.has(k), `${path}: top-level field ${k}`).toBe(true);
      // The ConfigMap's AWS config is an AWS config file in the pods.
      const config = (value.data as Record<string, unknown> | undefined)?.config;
      if (typeof config === "string") {
        writeFileSync(`${full}.config`, config);
        checks.ini.push({ path: `${full}.config` });
      }
    }
  } else if (path.endsWith("/aws-config")) {
    checks.ini.push({ path: full });
  } else if (path.endsWith(".py")) {
    checks.python.push({ path: full, dag: true });
  } else if (path.endsWith(".sh")) {
    checks.shell.push(full);
  } else if (path.endsWith(".env")) {
    // docker --env-file: NAME=VALUE taken as written; `set -a; .` must set exactly the same.
    const docker = Object.fromEntries(
      content
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const sourced = bash(["-c", 'set -a; . "$0"; set +a; env -u PWD -u SHLVL -u _ -u PATH', full], dir);
    expect(sourced.stderr, path).toBe("");
    const env = Object.fromEntries(
      sourced.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(env, path).toEqual(docker);
  } else if (path.endsWith(".md")) {
    // The fenced blocks: shell is checked by bash, Python by CPython.
    for (const [, , lang, body] of [...content.matchAll(/^(`{3,})(sh|python)\n([\s\S]*?)\n\1$/gm)]) {
      const block = `${full}.${checks.shell.length + checks.python.length}.${lang === "sh" ? "sh" : "py"}`;
      writeFileSync(block, body ?? "");
      if (lang === "sh") checks.shell.push(block);
      else checks.python.push({ path: block, dag: false });
    }
  }
}

async function runChecks(dir: string, checks: Checks): Promise<void> {
  const items = [
    ...checks.ini.map((i) => ({ kind: "ini", path: i.path })),
    ...checks.python.map((p) => ({ kind: "python", path: p.path })),
  ];
  const parsed = spawnSync(PYTHON, [PARSER], { input: JSON.stringify(items), encoding: "utf8" });
  expect(parsed.status, parsed.stderr).toBe(0);
  const results = JSON.parse(parsed.stdout) as {
    path: string;
    error?: string;
    sections?: Record<string, string[]>;
    profiles?: string[];
    statements?: string[];
  }[];
  for (const result of results) {
    expect(result.error, result.path).toBeUndefined();
    const ini = checks.ini.find((i) => i.path === result.path);
    if (ini) {
      for (const [section, keys] of Object.entries(result.sections ?? {})) {
        expect(section, result.path).not.toContain(INJECTED);
        if (!ini.credentials)
          expect(section === "default" || section.startsWith("profile "), `${result.path}: section [${section}]`).toBe(true);
        for (const k of keys)
          expect((ini.credentials ? CREDENTIALS_KEYS : CONFIG_KEYS).has(k), `${result.path}: [${section}] ${k}`).toBe(true);
      }
      // The SDK for JavaScript's own reader of these files sees the same profiles as botocore.
      const js = await loadSharedConfigFiles(
        ini.credentials
          ? { filepath: ini.path, configFilepath: join(dir, "none") }
          : { configFilepath: ini.path, filepath: join(dir, "none") },
      );
      const jsProfiles = Object.keys(ini.credentials ? js.credentialsFile : js.configFile).sort();
      expect(jsProfiles, result.path).toEqual(ini.credentials ? Object.keys(result.sections ?? {}).sort() : result.profiles);
    }
    if (checks.python.find((p) => p.path === result.path)?.dag) {
      // The DAG: its docstring, imports, helper functions and the `with DAG(...)` block; nothing else.
      const [first, ...rest] = result.statements ?? [];
      expect(first, result.path).toBe("Expr");
      for (const s of rest) expect(["ImportFrom", "FunctionDef", "With"], `${result.path}: a top-level ${s}`).toContain(s);
    }
  }
  for (const script of checks.shell) {
    const syntax = bash(["-n", script], dir);
    expect(syntax.stderr, script).toBe("");
    expect(syntax.status, script).toBe(0);
  }
}

/** Loads, builds and checks one model: a located load error, or files that parse with nothing injected. */
async function buildAndCheck(text: string): Promise<void> {
  // GIVEN a model with a hostile name in it
  let model;
  try {
    model = loadModel(text, "xacct.yaml");
  } catch (error) {
    // THEN either load refuses it, every problem located (file:line:column: path: what)
    expect(error).toBeInstanceOf(ModelError);
    for (const problem of (error as ModelError).problems) {
      expect(problem.line).toBeGreaterThan(0);
      expect(problem.column).toBeGreaterThan(0);
      expect(problem.message).not.toBe("");
    }
    for (const line of (error as Error).message.split("\n")) expect(line).toMatch(/^xacct\.yaml:\d+:\d+: \S/);
    return;
  }
  // WHEN it builds (any other error would be an unlocated one)
  const compiled = compile(model);
  const files = emitAll(compiled);
  const dir = mkdtempSync(join(work, "build-"));
  const checks: Checks = { ini: [], python: [], shell: [] };
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  // THEN every file parses in its own format and holds no injected line
  for (const file of files) checkFile(dir, file.path, file.content, checks);
  // The Spark entrypoint runs for real and writes an AWS config botocore reads as the emitter's.
  for (const file of files.filter((f) => f.path.endsWith("/entrypoint.sh"))) {
    const config = join(dir, `${file.path}.written-config`);
    const ran = bash([join(dir, file.path)], dir, { HOME: dir, AWS_CONFIG_FILE: config, XACCT_EXEC: "true" });
    expect(ran.status, ran.stderr).toBe(0);
    checks.ini.push({ path: config });
  }
  // The sandbox's files and export lines, evaluated as the user would.
  const env = await startEnvironment({ compiled, state: compiled.state, port: 0, dir: join(dir, "sandbox") });
  try {
    checks.ini.push({ path: env.files.config }, { path: env.files.credentials, credentials: true });
    const lines = `${exportLines(env).join("\n")}\n`;
    expectNoInjectedLine("export lines", lines);
    writeFileSync(join(dir, "exports.sh"), lines);
    checks.shell.push(join(dir, "exports.sh"));
    const evaluated = bash(["-c", 'eval "$(cat exports.sh)"; printf %s "$AWS_CONFIG_FILE"'], dir);
    expect(evaluated.stdout).toBe(env.files.config);
    // Each workload's commented export line, uncommented, runs as plain assignments.
    const uncommented = exportLines(env)
      .filter((l) => l.startsWith("#   export "))
      .map((l) => l.slice(4));
    const ran = bash(["-c", uncommented.join("\n")], dir);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
  } finally {
    await env.close();
  }
  await runChecks(dir, checks);
  // and no command the name carried ever ran.
  expect(existsSync(join(dir, PWNED))).toBe(false);
  expect(existsSync(join(dir, "sandbox", PWNED))).toBe(false);
}

describe("hostile names in the model", () => {
  it("the base model builds into every format the property checks", () => {
    // GIVEN the base model WHEN it builds
    const files = emitAll(compile(loadModel(hostileModel(FIELDS[0]!, "app"), "xacct.yaml"))).map((f) => f.path);
    // THEN it reaches each reader the property test uses
    for (const suffix of [
      "/aws-config",
      ".yaml",
      ".py",
      ".env",
      "/entrypoint.sh",
      "mwaa-tokens.md",
      "pod-identity-association.md",
      "README.md",
      ".json",
    ]) {
      expect(
        files.some((p) => p.endsWith(suffix)),
        suffix,
      ).toBe(true);
    }
  });

  // The issue's own reproductions, then random ones.
  const issue: [string, string][] = [
    ["grants.0.profile", `a\n[profile ${INJECTED}]\ncredential_process = touch ${PWNED}`],
    ["workloads.job.runtime.profile", `x]\n[profile ${INJECTED}]\ncredential_process = touch ${PWNED}\n`],
    ["grants.0.role.name", `reader\n${INJECTED}=1`],
    ["grants.8.through.0.role", `hop\n${INJECTED}=1`],
    ["grants.3.resources.environment", `env$(touch\${IFS}${PWNED})`],
    ["grants.3.resources.environment", `env';touch\${IFS}${PWNED};'`],
    ["workloads.partner.identity.principal", `arn:aws:iam::333333333333:role/\`touch\${IFS}${PWNED}\`/Vendor`],
    ["workloads.job.runtime.schedule", `0 3 * * *\n${INJECTED}: 1`],
    ["workloads.job.identity.namespace", `jobs\n${INJECTED}: 1`],
    ["grants.0.resources.bucket", "lake```\n$(touch${IFS}PWNED)"],
    ["workloads key job", "__proto__"],
    ["accounts key data", "constructor"],
  ];

  it.each(issue)("%s = %j: a located error, or files that parse with nothing injected", async (label, name) => {
    await buildAndCheck(hostileModel(field(label), name));
  });

  it("any hostile name in any field: a located error, or files that parse with nothing injected", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELDS), hostileName, async (f, name) => {
        await buildAndCheck(hostileModel(f, name));
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
