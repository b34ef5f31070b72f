/**
 * Every output format, and writing them: all files are produced in memory first (any error stops
 * the build before a byte is written), then written to a temporary directory beside the output
 * and swapped in, so an output directory is never half-written.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Compiled } from "../compile/compile.js";
import { emitAirflow } from "./airflow.js";
import { emitAwsConfig } from "./aws-config.js";
import { emitCloudFormation } from "./cloudformation.js";
import { emitIamJson } from "./iam-json.js";
import { emitKubernetes } from "./kubernetes.js";
import { emitMarkdown } from "./markdown.js";
import { emitSpark } from "./spark.js";
import { emitTerraform } from "./terraform.js";
import type { EmittedFile, Emitter } from "./types.js";

export const EMITTERS: Record<string, Emitter> = {
  "iam-json": emitIamJson,
  cloudformation: emitCloudFormation,
  terraform: emitTerraform,
  "aws-config": emitAwsConfig,
  kubernetes: emitKubernetes,
  airflow: emitAirflow,
  spark: emitSpark,
  markdown: emitMarkdown,
};

/** Every file of every format, sorted by path. */
export function emitAll(compiled: Compiled): EmittedFile[] {
  const files = Object.values(EMITTERS).flatMap((emit) => emit(compiled));
  const paths = new Set<string>();
  for (const f of files) {
    if (paths.has(f.path)) throw new Error(`two outputs want the same file ${f.path}`);
    paths.add(f.path);
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Replaces `outDir` with exactly these files. */
export function writeFiles(outDir: string, files: readonly EmittedFile[]): void {
  const target = resolve(outDir);
  const staging = `${target}.xacct-tmp-${process.pid}`;
  const old = `${target}.xacct-old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const file of files) {
      const path = join(staging, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content, { mode: file.mode ?? 0o644 });
    }
    mkdirSync(dirname(target), { recursive: true });
    let hadOld = false;
    try {
      renameSync(target, old);
      hadOld = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    renameSync(staging, target);
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
