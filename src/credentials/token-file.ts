/**
 * The Authorization token of a credential server, kept in a file and never printed: clients read
 * it through AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or, for SDKs that do not read that variable,
 * from the file into AWS_CONTAINER_AUTHORIZATION_TOKEN in their environment).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createPrivateFile, PrivateFileError, readPrivateFile } from "../fs/private-files.js";

/** A token file that cannot be read or written, or holds no usable token; the message names the file. */
export class TokenFileError extends Error {}

/** A token and the file that holds it. */
export interface TokenFile {
  /** The file's absolute path. */
  path: string;
  /** The token itself. A secret. */
  token: string;
  /** Whether this call wrote the file (else it read a token already there). */
  created: boolean;
  /** Removes what this call made when it made a temporary directory; a file at a given path is kept. */
  dispose(): void;
}

/**
 * Characters a token may hold: visible ASCII. The SDKs send the file's content as it is (the SDK
 * for JavaScript refuses `\r\n`; a header cannot carry a newline), so a trailing newline is refused.
 */
const TOKEN = /^[\x21-\x7e]{16,1024}$/;

/** Why `text` cannot be a token, or undefined when it can. */
export function tokenProblem(text: string): string | undefined {
  return TOKEN.test(text)
    ? undefined
    : "the token must be 16 to 1024 visible ASCII characters on one line, without a trailing newline (the SDKs send it as it is)";
}

/** A new random token: 32 bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The token in `path`, or a new one written there (0600, never over an existing file); without a
 * path, a new one in a new 0700 temporary directory that `dispose` removes. An existing file is
 * read as it is, so that a restarted server keeps the token its clients hold, but only when it is
 * a private file (private-files.ts): a regular file of this user, 0600, not a link, not a FIFO.
 * A `given` token (from a Kubernetes Secret, say) is written instead of a new one, and an
 * existing file must hold it.
 */
export function tokenFile(path?: string, given?: string): TokenFile {
  if (given !== undefined) {
    const problem = tokenProblem(given);
    if (problem) throw new TokenFileError(`the given token: ${problem}`);
  }
  try {
    return openTokenFile(path, given);
  } catch (e) {
    if (e instanceof TokenFileError) throw e;
    if (e instanceof PrivateFileError)
      throw new TokenFileError(`${e.message}: give a file of your own with mode 0600, or a path where none exists yet`);
    throw new TokenFileError(
      `${path === undefined ? "the token's temporary file" : resolve(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function openTokenFile(path: string | undefined, given: string | undefined): TokenFile {
  if (path === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "xacct-credentials-"));
    const file = join(dir, "token");
    const token = given ?? newToken();
    createPrivateFile(file, token);
    return { path: file, token, created: true, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const file = resolve(path);
  const existing = readPrivateFile(file);
  if (existing !== undefined) {
    const problem = tokenProblem(existing);
    if (problem) throw new TokenFileError(`${file}: ${problem}`);
    if (given !== undefined && existing !== given)
      throw new TokenFileError(`${file}: holds another token than the one given: remove the file, or give the token it holds`);
    return { path: file, token: existing, created: false, dispose: () => undefined };
  }
  const token = given ?? newToken();
  // O_EXCL: a file that appeared since (or a dangling link) is never written over.
  createPrivateFile(file, token);
  return { path: file, token, created: true, dispose: () => undefined };
}
