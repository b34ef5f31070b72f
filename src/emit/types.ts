import type { Compiled } from "../compile/compile.js";

/** One generated file, relative to the output directory. */
export interface EmittedFile {
  path: string;
  content: string;
  /** File mode; 0o644 unless said (scripts are 0o755). */
  mode?: number;
}

/** An emitter turns the compiled model into files of one format. */
export type Emitter = (compiled: Compiled) => EmittedFile[];

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A file-name-safe form of a name. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "-");
}
