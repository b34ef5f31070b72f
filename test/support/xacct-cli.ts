/**
 * The built CLI (`dist/bin/xacct.js`, run `npm run build` first) as a user runs it, and what tests
 * about files need around it: a snapshot of a directory tree, and a small real tmpfs.
 */
import { spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

export const CLI = join(import.meta.dirname, "..", "..", "dist", "bin", "xacct.js");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A usage error as the user sees it: exit 2, nothing on stdout, one line on stderr and no stack frame in it; that line. */
export function oneLine(r: Run): string {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0] as string;
}

export function xacct(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Run {
  const env = { ...process.env, ...options.env };
  if (options.env?.XACCT_DEBUG === undefined) delete env.XACCT_DEBUG;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd, env, encoding: "utf8", timeout: options.timeoutMs ?? 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Every entry under `dir` (relative path → "dir", "link -> TARGET" or the file's content), to
 * compare a tree before and after a command.
 */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, path));
      if (st.isSymbolicLink()) out.set(path, `link -> ${readlinkSync(join(dir, path))}`);
      else if (st.isDirectory()) {
        out.set(path, "dir");
        walk(path);
      } else out.set(path, readFileSync(join(dir, path), "utf8"));
    }
  };
  walk("");
  return out;
}

/**
 * A real tmpfs of `size` (e.g. "64k") mounted on a new directory, when this process may mount
 * (root); otherwise the reason it cannot. Unmount with the returned `unmount`.
 */
export function smallTmpfs(size: string, options = ""): { dir: string; unmount(): void } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), "xacct-tmpfs-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}${options ? `,${options}` : ""}`, "tmpfs", dir], { encoding: "utf8" });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs here (${(r.stderr || r.error?.message || "").trim()}); needs root` };
  }
  return {
    dir,
    unmount() {
      spawnSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
