import { createHash } from "node:crypto";
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

/** The longest slug: a file name stays within the 255 bytes file systems allow, with room for an extension. */
const SLUG_MAX = 120;

/** A file-name-safe form of a name; a long one is cut and told apart by its hash. */
export function slug(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._-]+/g, "-");
  return safe.length <= SLUG_MAX ? safe : `${safe.slice(0, SLUG_MAX - 9)}-${createHash("sha256").update(text).digest("hex").slice(0, 8)}`;
}
