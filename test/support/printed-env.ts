/**
 * What a user does with the lines `xacct sandbox` and `xacct serve-credentials` print: paste the
 * `export` lines into a shell (and, to act as a workload or serve an older client, the commented
 * `export` of its line), then run a program there. The program gets nothing else: a POSIX shell
 * started with only PATH, HOME and what the test names runs the lines, then the program.
 */
import { type Ran, runProgram } from "./chain-cli.js";

/** The printed lines that are shell commands as printed: `export NAME=VALUE …`. */
export function activeExports(printed: string): string[] {
  return printed.split("\n").filter((line) => line.startsWith("export "));
}

/**
 * The commented exports of one workload's lines in the sandbox's output (`#   export …` and
 * `#   clients that …: export …`), uncommented as the user would copy them.
 */
export function workloadExports(printed: string, workload: string): string[] {
  const lines = printed.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`# workload ${workload} (`));
  if (start < 0) throw new Error(`the output names no workload ${workload}:\n${printed}`);
  const own: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!/^#\s{3}/.test(line)) break;
    own.push(line);
  }
  return commentedExports(own.join("\n"));
}

/** Every comment line's `export …` (after `# ` or after `: `), uncommented. */
export function commentedExports(printed: string): string[] {
  return printed
    .split("\n")
    .map((line) => /^#(?:\s+|.*?:\s)(export \S.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

/** Runs `program args` in a POSIX shell that first ran `lines`, its environment only PATH, HOME and `env`. */
export function runAfter(lines: readonly string[], program: string, args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return runProgram("/bin/sh", ["-c", `${lines.join("\n")}\nexec "$@"`, "sh", program, ...args], { PATH: "/usr/bin:/bin", ...env });
}
