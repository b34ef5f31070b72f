/**
 * Every output format, and writing them: all files are produced in memory first (any error stops
 * the build before a byte is written), then staged and swapped into the output directory, which
 * is never half-written and in which xacct touches only the files an earlier build wrote.
 */
import { type Owner, replaceOwnedFiles } from "../fs/owned-dir.js";
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

/** What `xacct build --out DIR` owns in DIR: the files its marker lists. */
export const BUILD_OUTPUT: Owner = { marker: ".xacct-build", command: "xacct build", option: "--out" };

/**
 * Writes these files into `outDir`, replacing the ones an earlier build wrote there (and removing
 * those no longer produced), keeping every other file; all or nothing (see fs/owned-dir).
 */
export function writeFiles(outDir: string, files: readonly EmittedFile[]): void {
  replaceOwnedFiles(outDir, BUILD_OUTPUT, files);
}
