/**
 * The escape helpers (src/text/escape.ts), one per format, against each format's real reader: what
 * a helper writes reads back as the text it was given, or the helper refuses it. This is what
 * keeps a name that passed validation from breaking out of its place.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import {
  commentLine,
  envAssignment,
  iniSection,
  iniSetting,
  pythonLiteral,
  shellHeredoc,
  shellWord,
  yamlDocuments,
} from "../src/text/escape.js";

const work = mkdtempSync(join(tmpdir(), "xacct-escape-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Any text without NUL (no file, argument or variable can hold one): ASCII, controls, separators, astral. */
const text = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom("\n", "\r", "\u2028", "\u0085", "'", '"', "$", "`", "\\", "#", ";", "[", "]", " ", "=", "{", "}"),
      fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  })
  .filter((s) => !s.includes("\0"));

function bash(script: string, env: Record<string, string> = {}) {
  return spawnSync(
    "/usr/bin/env",
    ["-i", "PATH=/usr/bin:/bin", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), "bash", "--norc", "--noprofile", "-c", script],
    { cwd: work, encoding: "utf8" },
  );
}

function tryOr<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

describe("shell", () => {
  it("a word reads back as the text, whatever it holds", () => {
    // GIVEN texts of every kind
    const samples = fc.sample(text, { numRuns: 60, seed: 11 });
    // WHEN bash prints each shellWord
    const out = bash(`printf '%s\\0' ${samples.map(shellWord).join(" ")}`);
    // THEN it prints the texts as they were
    expect(out.stderr).toBe("");
    expect(out.stdout.split("\0").slice(0, -1)).toEqual(samples);
  });

  it("a comment line stays one comment: bash runs nothing from it", () => {
    // GIVEN comments of every kind, each followed by a command that must be the only one to run
    const samples = fc.sample(text, { numRuns: 60, seed: 12 });
    const script = samples.map((s, i) => `${commentLine(s)}\necho ${i}`).join("\n");
    // WHEN bash runs them THEN only the echo lines ran
    const out = bash(script);
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe(samples.map((_, i) => `${i}\n`).join(""));
  });

  it("a here-document holds its body as written, and refuses a body holding its delimiter line", () => {
    // GIVEN a body with quotes, substitutions and backslashes WHEN cat reads it through the here-document
    const body = "a = $(touch PWNED) `x` ${HOME} \\\n'\"\n";
    const out = bash(`cat ${shellHeredoc(body, "EOF_X")}`);
    // THEN it is the body, nothing expanded
    expect(out.stdout).toBe(body);
    expect(() => shellHeredoc("a\nEOF_X\nb\n", "EOF_X")).toThrow(/here-document/);
  });
});

describe("env files", () => {
  it("an assignment sh and docker both read as written, or a refusal", () => {
    // GIVEN values of every kind (docker --env-file takes NAME=VALUE as written, without quotes)
    const written = fc.sample(text, { numRuns: 60, seed: 13 }).flatMap((v) => {
      const line = tryOr(() => envAssignment("X", v));
      return line === undefined ? [] : [{ v, line }];
    });
    expect(written.length).toBeGreaterThan(0);
    for (const { v, line } of written) {
      // WHEN sh sources the line THEN X is the value docker reads: the text after "="
      writeFileSync(join(work, "one.env"), `${line}\n`);
      const out = bash('set -a; . ./one.env; printf %s "$X"');
      expect(out.stdout, line).toBe(line.slice(2));
      expect(out.stdout).toBe(v);
    }
  });
});

describe("INI (the AWS config file)", () => {
  it("a setting botocore and the SDK for JavaScript read back as written, or a refusal", async () => {
    // GIVEN values of every kind as region settings of one profile each
    const written = fc.sample(text, { numRuns: 60, seed: 14 }).flatMap((v, i) => {
      const lines = tryOr(() => `${iniSection(`profile p${i}`)}\n${iniSetting("region", v)}\n`);
      return lines === undefined ? [] : [{ i, v, lines }];
    });
    expect(written.length).toBeGreaterThan(0);
    const file = join(work, "config");
    writeFileSync(file, written.map((w) => w.lines).join("\n"));
    // WHEN botocore's config loader and the SDK for JavaScript's read the file
    const py = spawnSync(
      "/usr/bin/python3",
      [
        "-c",
        "import json,sys; from botocore.configloader import load_config; print(json.dumps(load_config(sys.argv[1])['profiles']))",
        file,
      ],
      { encoding: "utf8" },
    );
    expect(py.stderr).toBe("");
    const boto = JSON.parse(py.stdout) as Record<string, Record<string, string>>;
    const js = (await loadSharedConfigFiles({ configFilepath: file, filepath: join(work, "none") })).configFile;
    // THEN both see exactly the profiles written, each with its value
    for (const { i, v } of written) {
      expect(boto[`p${i}`]?.region, JSON.stringify(v)).toBe(v);
      expect(js[`p${i}`]?.region, JSON.stringify(v)).toBe(v);
    }
    expect(Object.keys(boto).length).toBe(written.length);
    expect(Object.keys(js).length).toBe(written.length);
  });

  it("refuses what the file cannot hold", () => {
    // A bracket or line break in a section name, and a value the SDKs would cut at a comment.
    for (const name of ["a]b", "a[b", "a\nb", "a\u2028b", " a"])
      expect(() => iniSection(name), JSON.stringify(name)).toThrow(/AWS config file/);
    for (const value of ["", "a\ncredential_process = x", "a #b", "#a", "a ;b", " a", "a\r"])
      expect(() => iniSetting("region", value), JSON.stringify(value)).toThrow(/AWS config file/);
  });
});

describe("Python", () => {
  it("a literal CPython evaluates to the text", () => {
    // GIVEN texts of every kind as Python literals WHEN ast.literal_eval reads each
    const samples = fc.sample(text, { numRuns: 60, seed: 15 });
    const py = spawnSync(
      "/usr/bin/python3",
      ["-c", "import ast,json,sys; print(json.dumps([ast.literal_eval(l) for l in json.load(sys.stdin)]))"],
      { input: JSON.stringify(samples.map(pythonLiteral)), encoding: "utf8" },
    );
    // THEN it is the text
    expect(py.stderr).toBe("");
    expect(JSON.parse(py.stdout)).toEqual(samples);
  });
});

describe("YAML", () => {
  it("a comment stays a comment and the document's value is as given", () => {
    // GIVEN comments of every kind on a document
    for (const comment of fc.sample(text, { numRuns: 60, seed: 16 })) {
      const value = { kind: "ConfigMap", data: { config: comment } };
      // WHEN the yaml library reads it back THEN the value is the same and nothing else appeared
      const doc = parseDocument(yamlDocuments([{ value, comment }]));
      expect(doc.errors, JSON.stringify(comment)).toEqual([]);
      expect(doc.toJS()).toEqual(value);
    }
  });
});
