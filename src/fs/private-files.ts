/**
 * Files and directories that hold secrets (the credential cache, a credential server's token file,
 * `xacct sandbox --dir`), read and written so that another local user cannot plant or swap them:
 *
 * - a file is trusted only when it is a regular file, owned by this user, and neither readable nor
 *   writable by group or others (0600); a directory when it is a directory, owned by this user, and
 *   not writable by group or others;
 * - a symbolic link is never followed (O_NOFOLLOW), and a file is opened without blocking
 *   (O_NONBLOCK: a FIFO someone placed is refused, never waited on), then judged on what was
 *   opened (fstat), not on the path again;
 * - a new file is created 0600 from its first byte and never over anything already there
 *   (O_CREAT|O_EXCL); a file rewritten in place is written to such a new file beside it, then
 *   renamed over the old one (a reader sees the old content or the new, and a link or FIFO at the
 *   path is replaced, never written through).
 *
 * Refusals are PrivateFileError, whose message names the path and the reason (never the content).
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type FileStat, fstatOf, lstatOf } from "./stat.js";

/** A file or directory that must not be trusted with secrets; the message names it and says why. */
export class PrivateFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** The largest private file read (tokens and cache entries are far smaller). */
export const MAX_PRIVATE_FILE_BYTES = 64 * 1024;

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}

function ownerProblem(stat: FileStat): string | undefined {
  const uid = process.geteuid?.();
  return uid !== undefined && stat.uid !== uid ? `owned by uid ${stat.uid}, not by this user (uid ${uid})` : undefined;
}

export function kindOf(stat: FileStat): string {
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isDirectory()) return "a directory";
  if (stat.isFile()) return "a regular file";
  return "a device";
}

/**
 * Why a file (its lstat or fstat) must not hold secrets, if it must not. `secret: false` is for a
 * file of this user that holds none (its mode is not judged).
 */
export function privateFileProblem(stat: FileStat, { secret = true } = {}): string | undefined {
  if (!stat.isFile()) return `${kindOf(stat)}, not a regular file`;
  return (
    ownerProblem(stat) ??
    (secret && stat.mode & 0o077 ? `readable or writable by group or others (mode ${octal(stat.mode)}, must be 0600)` : undefined)
  );
}

/** Why a directory (its lstat) must not hold secrets, if it must not. */
export function privateDirProblem(stat: FileStat): string | undefined {
  if (!stat.isDirectory()) return `${kindOf(stat)}, not a directory`;
  return ownerProblem(stat) ?? (stat.mode & 0o022 ? `writable by group or others (mode ${octal(stat.mode)})` : undefined);
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? "error";
}

/**
 * The content of the private file at `path` (UTF-8), or undefined when nothing is there. Throws
 * PrivateFileError for a symbolic link, a FIFO or anything else not a regular file, a file of
 * another user or open to group or others, one larger than `maxBytes`, or one that cannot be read.
 */
export function readPrivateFile(path: string, maxBytes = MAX_PRIVATE_FILE_BYTES, { secret = true } = {}): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = codeOf(e);
    if (code === "ENOENT") return undefined;
    throw new PrivateFileError(path, code === "ELOOP" ? "a symbolic link, not a regular file" : `cannot open it (${code})`);
  }
  try {
    const stat = fstatOf(fd);
    const problem = privateFileProblem(stat, { secret }) ?? (stat.size > maxBytes ? `larger than ${maxBytes} bytes` : undefined);
    if (problem) throw new PrivateFileError(path, problem);
    return readFileSync(fd, "utf8");
  } catch (e) {
    if (e instanceof PrivateFileError) throw e;
    throw new PrivateFileError(path, `cannot read it (${codeOf(e)})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates `path` as a new file of `mode` (0600 unless said) holding `content`, flushed; never over
 * anything already there, a dangling symbolic link included (EEXIST). Throws what the system says.
 */
export function createPrivateFile(path: string, content: string, mode = 0o600): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `content` to `path` through a new file of `mode` beside it, renamed over `path`: whatever
 * was at `path` (an older file, a link, a FIFO) is replaced, never followed or opened. Throws what
 * the system says; the temporary file is removed on failure.
 */
export function replacePrivateFile(path: string, content: string, mode = 0o600): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    createPrivateFile(temp, content, mode);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * The private directory at `path`: created (0700, with its parents) when missing, else checked as
 * it is, a symbolic link refused. Answers whether this call created it; throws PrivateFileError.
 */
export function privateDir(path: string): { created: boolean } {
  let stat: FileStat;
  try {
    stat = lstatOf(path);
  } catch (e) {
    if (codeOf(e) !== "ENOENT") throw new PrivateFileError(path, `cannot read it (${codeOf(e)})`);
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      stat = lstatOf(path);
    } catch (made) {
      throw new PrivateFileError(path, `cannot create it (${codeOf(made)})`);
    }
    const problem = privateDirProblem(stat);
    if (problem) throw new PrivateFileError(path, problem);
    return { created: true };
  }
  const problem = privateDirProblem(stat);
  if (problem) throw new PrivateFileError(path, problem);
  return { created: false };
}
