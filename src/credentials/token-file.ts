/**
 * The Authorization token of a credential server, kept in a file and never printed: clients read
 * it through AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or, for SDKs that do not read that variable,
 * from the file into AWS_CONTAINER_AUTHORIZATION_TOKEN in their environment).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

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

/** A new random token: 32 bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The token in `path`, or a new one written there (0600, never over an existing file); without a
 * path, a new one in a new 0700 temporary directory that `dispose` removes. An existing file is
 * read as it is, so that a restarted server keeps the token its clients hold.
 */
export function tokenFile(path?: string): TokenFile {
  try {
    return openTokenFile(path);
  } catch (e) {
    if (e instanceof TokenFileError) throw e;
    throw new TokenFileError(`${path === undefined ? "the token's temporary file" : resolve(path)}: ${(e as Error).message}`);
  }
}

function openTokenFile(path: string | undefined): TokenFile {
  if (path === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "xacct-credentials-"));
    const file = join(dir, "token");
    const token = newToken();
    writeFileSync(file, token, { mode: 0o600, flag: "wx" });
    return { path: file, token, created: true, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const file = resolve(path);
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8");
    if (!TOKEN.test(token)) throw new TokenFileError(`${file}: the token must be 16 to 1024 visible ASCII characters on one line, without a trailing newline (the SDKs send the file's content as it is)`);
    return { path: file, token, created: false, dispose: () => undefined };
  }
  const token = newToken();
  writeFileSync(file, token, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return { path: file, token, created: true, dispose: () => undefined };
}
