/** Short, stable names made from text. */
import { createHash } from "node:crypto";

/** The first 8 hex digits of the text's SHA-256: tells apart names that would otherwise clash. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
