/**
 * yamllint (Debian's /usr/bin/yamllint, which .ci/run installs) with its default rules over
 * generated YAML files: each problem with its file, line and rule.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { debian } from "./chain-cli.js";

export const YAMLLINT = debian("yamllint", ["--version"]);

export interface YamllintProblem {
  file: string;
  line: number;
  level: string;
  rule: string;
  message: string;
}

/** Runs yamllint's default configuration (`-d default`, never a project's own) over the files. */
export function yamllint(files: readonly { path: string; content: string }[]): { problems: YamllintProblem[]; output: string } {
  if (!YAMLLINT) throw new Error("yamllint is not installed");
  const dir = mkdtempSync(join(tmpdir(), "xacct-yamllint-"));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const r = spawnSync(YAMLLINT, ["-f", "parsable", "-d", "default", ...files.map((f) => f.path)], { cwd: dir, encoding: "utf8" });
    const output = `${r.stdout}${r.stderr}`;
    const problems = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const m = /^(.*):(\d+):\d+: \[(\w+)\] (.*) \(([\w-]+)\)$/.exec(line);
        if (!m) throw new Error(`yamllint said what this test cannot read: ${line}`);
        return { file: m[1]!, line: Number(m[2]), level: m[3]!, message: m[4]!, rule: m[5]! };
      });
    return { problems, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
