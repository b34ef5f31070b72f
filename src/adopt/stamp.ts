/**
 * How `xacct import --out` knows a file is its own: the model it writes ends with a line holding
 * the SHA-256 of everything above it. A file that ends so, and whose text still has that digest,
 * was written by xacct import and not edited since: it may be replaced. Any other file (a model a
 * person wrote, an imported model edited afterwards) is never overwritten without --force.
 */
import { createHash } from "node:crypto";

const STAMP = /\n# xacct import sha256 ([0-9a-f]{64})\n$/;

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The model text with its closing stamp line. */
export function stamped(text: string): string {
  const body = text.endsWith("\n") ? text : `${text}\n`;
  return `${body}# xacct import sha256 ${digest(body)}\n`;
}

/** Whether a file's text is a model xacct import wrote, unedited since. */
export function isUneditedImport(text: string): boolean {
  const m = STAMP.exec(text);
  return m !== null && digest(text.slice(0, m.index + 1)) === m[1];
}
