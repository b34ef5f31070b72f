/**
 * Directories xacct writes into and shares with its user (`build --out`, `sandbox --dir`): xacct
 * owns only the files it wrote there, listed in a marker file, and never touches anything else.
 *
 * - A directory that does not exist is created; an empty one is taken; one holding the marker is
 *   taken, and the files its marker lists are the ones the next run may replace or remove. Any
 *   other directory, and anything that is not a directory, is refused with what to do.
 * - The marker is input like any other: it must be a regular file of the user's, not a symbolic
 *   link, small, and every path in it relative, inside the directory, without `.` or `..`. A
 *   listed path reached through a symbolic link, or that is now a directory, a link or anything
 *   but a regular file, is not the file xacct wrote: it is never removed.
 * - Replacing is all-or-nothing: the new files are staged in a temporary directory inside the
 *   target (same file system, so each move is a rename), the old files are moved aside, the new
 *   ones moved in and the marker last; if any step fails every step is undone.
 */
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type FileStat, lstatOf, statOf } from "./stat.js";
import { kindOf, PrivateFileError, readPrivateFile } from "./private-files.js";
import { isSystemError, systemErrorText } from "./system-error.js";
import { readJsonObject } from "../text/json.js";

/** A file to write, its path relative to the directory, `/`-separated. */
export interface OwnedFile {
  path: string;
  content: string | Uint8Array;
  /** @default 0o644 */
  mode?: number;
}

/** Who owns a directory: its marker file and how the user names the directory (for messages). */
export interface Owner {
  /** The marker's file name, e.g. `.xacct-build`. */
  marker: string;
  /** The command that writes the directory, e.g. `xacct build`. */
  command: string;
  /** Its option that names the directory, e.g. `--out`. */
  option: string;
}

/** The directory is not one xacct may write into, or its marker cannot be trusted: say what to do. */
export class OwnedDirError extends Error {
  override name = "OwnedDirError";
}

export interface Claim {
  /** The directory's absolute path (its real path when it exists). */
  root: string;
  exists: boolean;
  /** The files the marker lists (an earlier run wrote them); none for a new or empty directory. */
  previous: string[];
}

/** Largest marker read: a listing of some hundred thousand paths. */
const MAX_MARKER_BYTES = 16 << 20;
const MAX_PATH = 4096;

/** Whether the directory may be written, and what an earlier run wrote there. Writes nothing. */
export function claimDir(dir: string, owner: Owner): Claim {
  const path = resolve(dir);
  const st = lstatIfAny(path);
  if (st === undefined) return { root: path, exists: false, previous: [] };
  const target = st.isSymbolicLink() ? statOf(path) : st;
  if (!target.isDirectory())
    throw new OwnedDirError(
      `${dir} is ${kindOf(target)}, not a directory: ${owner.option} takes a directory, new or empty, in which xacct then owns the files it writes; give another path`,
    );
  const root = realpathSync(path);
  const entries = readdirSync(root);
  if (!entries.includes(owner.marker)) {
    if (entries.length > 0) {
      throw new OwnedDirError(
        `${dir} is not empty and no earlier \`${owner.command} ${owner.option}\` wrote it (it has no ${owner.marker}): xacct writes only into a new or empty directory, or one it wrote before; give one, e.g. ${owner.option} ${join(dir, "xacct-out")}`,
      );
    }
    return { root, exists: true, previous: [] };
  }
  return { root, exists: true, previous: readMarker(root, owner) };
}

/**
 * Makes the directory hold these files, in place of the ones an earlier run wrote (those no longer
 * produced are removed), keeping everything else in it. All or nothing.
 */
export function replaceOwnedFiles(dir: string, owner: Owner, files: readonly OwnedFile[]): Claim {
  return updateOwnedFiles(dir, owner, files, () => true);
}

/**
 * As replaceOwnedFiles, for a directory written a part at a time (`xacct collect`: one account's
 * folder and the report together): of the files an earlier run wrote, only those `inScope` are
 * replaced or removed; the others stay, and stay listed. All or nothing.
 */
export function updateOwnedFiles(dir: string, owner: Owner, files: readonly OwnedFile[], inScope: (path: string) => boolean): Claim {
  checkNewPaths(
    files.map((f) => f.path),
    owner,
  );
  try {
    const claim = claimDir(dir, owner);
    const created = claim.exists ? [] : makeDirs(claim.root);
    const next = new Set(files.map((f) => f.path));
    const keep = claim.previous.filter((p) => !inScope(p) && !next.has(p));
    try {
      swapIn(claim.root, owner, files, claim.previous, keep);
    } catch (error) {
      for (const d of created.reverse()) rmdirQuietly(d);
      throw error;
    }
    return claim;
  } catch (error) {
    if (!isSystemError(error)) throw error;
    throw new OwnedDirError(`cannot write ${error.path ?? dir}: ${systemErrorText(error)}; nothing was changed`, { cause: error });
  }
}

/**
 * Creates a directory and its missing parents, one at a time (Node's recursive mkdir loops for
 * ever under /proc). Returns the directories it created, outermost first.
 */
export function makeDirs(path: string, mode = 0o777): string[] {
  const missing: string[] = [];
  let at = resolve(path);
  while (lstatIfAny(at) === undefined) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  const made: string[] = [];
  try {
    for (const d of missing) {
      mkdirSync(d, { mode });
      made.push(d);
    }
  } catch (error) {
    for (const d of made.reverse()) rmdirQuietly(d);
    throw error;
  }
  return made;
}

/** Removes the listed files that are still the regular files xacct wrote (see inspect); keeps the rest. */
export function removeOwnedFiles(root: string, paths: readonly string[]): void {
  for (const p of paths) {
    if (inspect(root, p).kind !== "file") continue;
    rmSync(join(root, p));
    pruneEmptyParents(root, p);
  }
}

/** Writes the marker listing `files` (replacing an earlier one by a rename). */
export function writeMarker(root: string, owner: Owner, files: readonly string[]): void {
  checkNewPaths(files, owner);
  const staged = join(root, `${owner.marker}.tmp-${process.pid}`);
  writeFileSync(staged, markerText(owner, files), { mode: 0o600, flag: "w" });
  renameSync(staged, join(root, owner.marker));
}

function markerText(owner: Owner, files: readonly string[]): string {
  const note = `written by \`${owner.command} ${owner.option}\`: the next run there replaces or removes the files listed here, and keeps everything else`;
  return `${JSON.stringify({ xacct: note, files }, null, 1)}\n`;
}

/** The marker's list, each path checked; refuses a marker xacct cannot have written. */
function readMarker(root: string, owner: Owner): string[] {
  const path = join(root, owner.marker);
  const refuse = (why: string): never => {
    throw new OwnedDirError(
      `${path} cannot be trusted (${why}): xacct will not replace or remove files on its word; move the files it lists out by hand and delete it, or use a new directory`,
    );
  };
  let text: string;
  try {
    // The marker holds no secret: its mode is not judged, its owner and kind are.
    text = readPrivateFile(path, MAX_MARKER_BYTES, { secret: false }) ?? refuse("it is gone");
  } catch (error) {
    if (error instanceof PrivateFileError) refuse(`it is ${error.reason}`);
    throw error;
  }
  const { value, problem } = readJsonObject(text);
  if (problem) return refuse(problem.kind === "syntax" ? "it is not the JSON xacct writes" : "it is not a JSON object");
  const keys = Object.keys(value);
  const files = (value as { files?: unknown }).files;
  if (keys.some((k) => k !== "xacct" && k !== "files") || !Array.isArray(files))
    return refuse('it is not an object of "xacct" and "files"');
  const seen = new Set<string>();
  files.forEach((p: unknown, i) => {
    const problem = pathProblem(p, owner);
    if (problem) refuse(`files[${i}] ${problem}`);
    if (seen.has(p as string)) refuse(`files[${i}] is listed twice`);
    seen.add(p as string);
  });
  return files as string[];
}

/** Why a path cannot be one xacct writes inside a directory, or undefined when it can. */
function pathProblem(p: unknown, owner: Owner): string | undefined {
  if (typeof p !== "string") return "is not a string";
  if (p.length === 0 || p.length > MAX_PATH) return `must be 1 to ${MAX_PATH} characters`;
  if (p.includes("\0")) return "holds a NUL character";
  if (p.startsWith("/")) return "is absolute";
  const parts = p.split("/");
  if (parts.some((s) => s === "" || s === "." || s === "..")) return "must be a relative path without empty, . or .. parts";
  if (parts[0] === owner.marker || (parts[0] as string).startsWith(`${owner.marker}.tmp-`)) return "names xacct's own bookkeeping";
  return undefined;
}

function checkNewPaths(paths: readonly string[], owner: Owner): void {
  const all = new Set<string>();
  for (const p of paths) {
    const problem = pathProblem(p, owner);
    if (problem) throw new Error(`cannot write "${p}": the path ${problem}`);
    if (all.has(p)) throw new Error(`two files want the same path ${p}`);
    all.add(p);
  }
  for (const p of paths) {
    for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1))
      if (all.has(p.slice(0, i))) throw new Error(`${p.slice(0, i)} would be both a file and a directory`);
  }
}

type Found = { kind: "absent" } | { kind: "file" } | { kind: "foreign"; why: string };

/**
 * What is at `rel` inside `root`, without following a symbolic link: a regular file reached through
 * real directories only is one xacct may have written; anything else is someone else's.
 */
function inspect(root: string, rel: string): Found {
  const parts = rel.split("/");
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i] as string);
    const st = lstatIfAny(at);
    if (st === undefined) return { kind: "absent" };
    if (i < parts.length - 1) {
      if (!st.isDirectory()) return { kind: "foreign", why: `${at} is ${kindOf(st)} where a directory is expected` };
    } else if (!st.isFile()) {
      return { kind: "foreign", why: `${at} is ${kindOf(st)}` };
    }
  }
  return { kind: "file" };
}

/** Moves `files` in, removing the `previous` ones no longer written except those to `keep` (still listed). */
function swapIn(root: string, owner: Owner, files: readonly OwnedFile[], previous: readonly string[], keep: readonly string[] = []): void {
  const next = new Set(files.map((f) => f.path));
  const kept = new Set(keep);
  const earlier = new Set(previous);
  const moveAside: string[] = [];
  for (const p of next) {
    const found = inspect(root, p);
    if (found.kind === "foreign")
      throw new OwnedDirError(
        `${found.why}, where \`${owner.command}\` writes ${p}: xacct does not replace what it did not write; move it away and run again`,
      );
    if (found.kind === "file") {
      if (!earlier.has(p))
        throw new OwnedDirError(
          `${join(root, p)} exists and no earlier \`${owner.command} ${owner.option}\` wrote it: xacct does not overwrite it; move it away and run again`,
        );
      moveAside.push(p);
    }
  }
  // Files an earlier run wrote and this one does not: removed, if they are still the files it wrote.
  const stale = previous.filter((p) => !next.has(p) && !kept.has(p) && inspect(root, p).kind === "file");
  moveAside.push(...stale);

  const staging = mkdtempSync(join(root, `${owner.marker}.tmp-`));
  const undo: (() => void)[] = [];
  try {
    for (const f of files) {
      const path = join(staging, "new", f.path);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content, { mode: f.mode ?? 0o644, flag: "wx" });
      } catch (error) {
        // Name the file the user would find, not the staging copy.
        if (isSystemError(error)) error.path = join(root, f.path);
        throw error;
      }
    }
    writeFileSync(join(staging, "marker"), markerText(owner, [...keep, ...next]), { mode: 0o644, flag: "wx" });
    try {
      for (const p of moveAside) {
        const aside = join(staging, "old", p);
        mkdirSync(dirname(aside), { recursive: true });
        renameSync(join(root, p), aside);
        undo.push(() => renameSync(aside, join(root, p)));
      }
      for (const f of files) {
        for (const d of makeDirs(dirname(join(root, f.path)))) undo.push(() => rmdirSync(d));
        const from = join(staging, "new", f.path);
        renameSync(from, join(root, f.path));
        undo.push(() => renameSync(join(root, f.path), from));
      }
      renameSync(join(staging, "marker"), join(root, owner.marker));
    } catch (error) {
      for (const step of undo.reverse()) {
        try {
          step();
        } catch {
          // Keep undoing the rest: each step stands alone.
        }
      }
      throw error;
    }
    for (const p of stale) pruneEmptyParents(root, p);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Removes the directories that held `rel` while they are empty, up to (not including) root. */
function pruneEmptyParents(root: string, rel: string): void {
  for (let d = dirname(rel); d !== "." && d !== "/"; d = dirname(d)) {
    if (!rmdirQuietly(join(root, d))) return;
  }
}

function rmdirQuietly(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch {
    return false;
  }
}

function lstatIfAny(path: string): FileStat | undefined {
  try {
    return lstatOf(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
