/**
 * cfn-lint, AWS's CloudFormation linter, run on generated templates where it is installed (the
 * tests that use it are skipped, saying so, where it is not).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const hasCfnLint = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" }).status === 0;

/** Lints the templates' texts together; returns what cfn-lint printed (empty when it finds nothing) and its exit status. */
export function cfnLint(templates: readonly string[]): { output: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), "xacct-cfn-lint-"));
  try {
    const paths = templates.map((text, i) => {
      const file = join(dir, `template-${i}.json`);
      writeFileSync(file, text);
      return file;
    });
    const r = spawnSync("cfn-lint", ["--format", "parseable", ...paths], { encoding: "utf8" });
    return { output: r.stdout + r.stderr, status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
