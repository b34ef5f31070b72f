import { accessSync, closeSync, constants, openSync, readSync } from "../fs/node-fs.js";
import { statOf } from "../fs/stat.js";
import { isSystemError, systemErrorText } from "../fs/system-error.js";
import { readJson } from "../text/json.js";

/** The most one request (`simulate --request`, a line of `--batch`) may take: AWS's largest policies are tens of KiB. */
export const MAX_REQUEST_BYTES = 8 << 20;

/**
 * UTF-8 text, as JSON must be (RFC 8259 §8.1): a byte sequence that is not UTF-8 is refused, not
 * read as U+FFFD (two different names would both read the same); a byte-order mark at the start
 * is dropped (§8.1: a reader may ignore it). Returns the text, or the first byte that starts no UTF-8 character.
 */
export function utf8Text(bytes: Uint8Array, atStart: boolean): { text: string } | { badByte: number } {
  const skip = atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return { text: STRICT_UTF8.decode(skip ? bytes.subarray(skip) : bytes) };
  } catch {
    // Where: the end of the longest prefix that decodes (found by halving, each try a native pass).
    let [good, bad] = [skip, bytes.byteLength];
    while (bad - good > 1) {
      const mid = (good + bad) >> 1;
      try {
        // A decoder of its own each time: streaming, it would keep a character cut at `mid` for the next call.
        strictUtf8().decode(bytes.subarray(skip, mid), { stream: true });
        good = mid;
      } catch {
        bad = mid;
      }
    }
    return { badByte: bad - 1 };
  }
}
/** A decoder that refuses what is not UTF-8 and keeps a byte-order mark for utf8Text to drop. */
const strictUtf8 = () => new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const STRICT_UTF8 = strictUtf8();

/** Reads one request's file, or standard input for `-`: at most MAX_REQUEST_BYTES, UTF-8. */
export function readInput(file: string): string {
  const name = file === "-" ? "standard input" : file;
  let bytes: Buffer;
  try {
    bytes = readAtMost(file === "-" ? 0 : file, MAX_REQUEST_BYTES + 1);
  } catch (error) {
    throw cannotRead(name, error);
  }
  if (bytes.byteLength > MAX_REQUEST_BYTES)
    throw new UsageError(
      `${name} is larger than ${MAX_REQUEST_BYTES >> 20} MiB: one request is at most that (AWS's policies are tens of KiB)`,
    );
  const decoded = utf8Text(bytes, true);
  if ("badByte" in decoded) throw new UsageError(`${name} is not UTF-8 text: byte ${decoded.badByte + 1} starts no UTF-8 character`);
  return decoded.text;
}

/** Up to `limit` bytes of a file or descriptor, read until its end or the limit (a device or a FIFO may never end). */
function readAtMost(file: string | number, limit: number): Buffer {
  const fd = typeof file === "number" ? file : openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < limit) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit - total));
      const read = readSync(fd, chunk, 0, chunk.byteLength, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (typeof file !== "number") closeSync(fd);
  }
}

/** Fails early, with a clear message, when a file to stream cannot be opened or is a directory. */
export function assertReadable(file: string): void {
  if (file === "-") return;
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw cannotRead(file, error);
  }
  // Opened, a directory fails only at its first read, where the error names no path.
  if (statOf(file).isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory; give a file, or - for standard input`);
}

/** `cannot read FILE: no such file or directory (ENOENT)`: the system's words, then its code. */
function cannotRead(name: string, error: unknown): UsageError {
  return new UsageError(`cannot read ${name}: ${isSystemError(error) ? systemErrorText(error) : (error as Error).message}`);
}

/** Parses JSON, located at `FILE:LINE:COLUMN` where it is not, so the user can find the mistake. */
export function parseJsonFile(text: string, file: string): unknown {
  const { value, problem } = readJson(text);
  if (problem) throw new UsageError(`${file === "-" ? "<stdin>" : file}${problem.where}: not valid JSON: ${problem.message}`);
  return value;
}

/** An error in the command line or its input: printed as is, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
