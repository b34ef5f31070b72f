/**
 * The on-disk cache of a chain's session credentials, shared by `xacct credential-process`,
 * `xacct exec` and `xacct env` (each run is a new process, so without it every AWS CLI call would
 * run the whole chain again).
 *
 * - One file per chain, named by a SHA-256 of what makes the chain's sessions (the first
 *   identity's kind and public parts, every hop's role ARN, external ID, session name, duration
 *   and tags, the region and the STS endpoint): two chains never share an entry, and the name
 *   tells nothing.
 * - The directory is created 0700, each file 0600; a file is written to a temporary file in the
 *   same directory and renamed over the old one, so a reader sees the old entry or the new one,
 *   never a part.
 * - An entry is served while more than the refresh margin (at most half the session's life) is
 *   left. A corrupt entry, one readable by group or others, one owned by another user, a link, a
 *   FIFO or anything not a regular file, or a directory others may write to is not used
 *   (private-files.ts): a warning says why (never with the entry's content), and the entry is
 *   written anew.
 * - Only session credentials (with an expiry) are cached: long-term keys are never written.
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AwsCredentialIdentity } from "@smithy/types";
import { BOTOCORE_REFRESH_SECONDS } from "../aws/limits.js";
import type { ChainSpec, FirstIdentity } from "./chain.js";
import { PrivateFileError, privateDir, readPrivateFile, replacePrivateFile } from "../fs/private-files.js";
import { type ChainOptions, type ChainSource, fromChain } from "./provider.js";
import { refreshFrom } from "./refresh.js";
import { readJsonObject } from "../text/json.js";

/** The refresh margin of cached entries: botocore's advisory refresh, so Python clients do not call again at once. */
export const CACHE_REFRESH_MARGIN_SECONDS = BOTOCORE_REFRESH_SECONDS;

/** What changes the layout of a cache entry, or of its key. */
const FORMAT = 1;

/** `$XDG_CACHE_HOME/xacct/credentials`, else `~/.cache/xacct/credentials`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG Base Directory spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const base = env.XDG_CACHE_HOME?.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), ".cache");
  return join(base, "xacct", "credentials");
}

/** The public parts of a first identity: what tells one source of first credentials from another. */
function firstIdentityKey(first: FirstIdentity, env: NodeJS.ProcessEnv): unknown[] {
  switch (first.type) {
    case "static":
      return [first.type, first.accessKeyId];
    case "environment":
      return [first.type, env.AWS_ACCESS_KEY_ID ?? ""];
    case "web-identity":
      return [first.type, first.roleArn, first.tokenFile, first.sessionName ?? ""];
    case "container":
      return [first.type, env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? "", env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ?? ""];
    case "instance":
      return [first.type];
  }
}

/**
 * The cache key of a chain: SHA-256 (hex) of its identity. Never of a secret: a static first
 * identity counts by its access key ID only.
 */
export function cacheKey(spec: ChainSpec, endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const identity = {
    format: FORMAT,
    first: firstIdentityKey(spec.first, env),
    hops: spec.hops.map((h) => [
      h.roleArn,
      h.externalId ?? "",
      h.sessionName ?? "",
      h.durationSeconds ?? 0,
      Object.entries(h.tags ?? {}).sort(),
    ]),
    region: spec.region ?? "",
    endpoint: endpoint ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL ?? "",
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}

/** One cached entry as it is stored: the credential_process fields, and when they were obtained. */
interface Entry {
  xacct: number;
  key: string;
  /** The chain's name (`profile far`): for whoever looks into the directory. */
  chain: string;
  obtained: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  Expiration: string;
}

export interface CacheOptions {
  /** Told why an entry or the directory is not used; the text holds paths and reasons, never credentials. */
  warn?: (message: string) => void;
  /** Serve an entry while more than this is left (at most half its life). @default 900 */
  refreshMarginSeconds?: number;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
}

/** The credential cache in one directory. */
export class CredentialCache {
  private readonly warn: (message: string) => void;
  private readonly marginMs: number;
  private readonly clock: () => number;
  private usable: boolean | undefined;

  constructor(
    readonly dir: string,
    options: CacheOptions = {},
  ) {
    this.warn = options.warn ?? (() => undefined);
    this.marginMs = (options.refreshMarginSeconds ?? CACHE_REFRESH_MARGIN_SECONDS) * 1000;
    this.clock = options.clock ?? Date.now;
  }

  /** The file of a key. */
  file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The cached credentials of `key`, when they are there, sound, private, and not yet due for refresh. */
  read(key: string): AwsCredentialIdentity | undefined {
    if (!this.ready()) return undefined;
    const file = this.file(key);
    let text: string | undefined;
    try {
      text = readPrivateFile(file);
    } catch (e) {
      if (!(e instanceof PrivateFileError)) throw e;
      this.warn(`ignoring the cached credentials ${file}: ${e.reason}; it will be replaced`);
      return undefined;
    }
    if (text === undefined) return undefined;
    const entry = parseEntry(text, key);
    if (!entry) {
      // Never the parser's message: V8 quotes the text it could not parse.
      this.warn(`ignoring the cached credentials ${file}: not a valid xacct cache entry; it will be replaced`);
      return undefined;
    }
    const expiration = Date.parse(entry.Expiration);
    if (refreshFrom(Date.parse(entry.obtained), expiration, this.marginMs) <= this.clock()) return undefined;
    return {
      accessKeyId: entry.AccessKeyId,
      secretAccessKey: entry.SecretAccessKey,
      ...(entry.SessionToken ? { sessionToken: entry.SessionToken } : {}),
      expiration: new Date(expiration),
    };
  }

  /**
   * Stores session credentials under `key` (a temporary 0600 file in the same directory, flushed,
   * then renamed over the entry). Credentials without an expiry are long-term keys: not stored.
   * A failure to write is warned about, not thrown: the credentials are good without the cache.
   */
  write(key: string, chain: string, credentials: AwsCredentialIdentity, obtainedAt: number): void {
    if (!credentials.expiration || !this.ready()) return;
    const entry: Entry = {
      xacct: FORMAT,
      key,
      chain,
      obtained: new Date(obtainedAt).toISOString(),
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { SessionToken: credentials.sessionToken } : {}),
      Expiration: credentials.expiration.toISOString(),
    };
    try {
      // A new 0600 file of ours renamed over the entry: never one someone placed there, never through a link.
      replacePrivateFile(this.file(key), `${JSON.stringify(entry, null, 2)}\n`);
    } catch (e) {
      this.warn(`cannot write the credential cache in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? "error"}); going on without it`);
    }
  }

  /** Creates the directory (0700) once; refuses one that is another user's, a link, or that others may write to. */
  private ready(): boolean {
    if (this.usable !== undefined) return this.usable;
    try {
      privateDir(this.dir);
      this.usable = true;
    } catch (e) {
      if (!(e instanceof PrivateFileError)) throw e;
      this.warn(`not using the credential cache ${this.dir}: ${e.reason}`);
      this.usable = false;
    }
    return this.usable;
  }
}

function parseEntry(text: string, key: string): Entry | undefined {
  const e = readJsonObject(text).value as Partial<Entry> | undefined;
  if (e === undefined || e.xacct !== FORMAT || e.key !== key) return undefined;
  if (
    typeof e.AccessKeyId !== "string" ||
    typeof e.SecretAccessKey !== "string" ||
    (e.SessionToken !== undefined && typeof e.SessionToken !== "string")
  )
    return undefined;
  if (
    typeof e.Expiration !== "string" ||
    typeof e.obtained !== "string" ||
    Number.isNaN(Date.parse(e.Expiration)) ||
    Number.isNaN(Date.parse(e.obtained))
  )
    return undefined;
  return e as Entry;
}

export interface CachedChainOptions extends Omit<ChainOptions, "clock"> {
  /** The cache directory, or false for none. @default defaultCacheDir() */
  cacheDir?: string | false;
  /** Why the cache was not used (no credentials in the text). */
  warn?: (message: string) => void;
  /** Serve a cached entry while more than this is left (at most half its life). @default 900 */
  cacheRefreshMarginSeconds?: number;
}

/** A chain's credentials and the chain as read. */
export interface ChainCredentials {
  credentials: AwsCredentialIdentity;
  spec: ChainSpec;
  /** Whether they came from the cache. */
  cached: boolean;
}

/**
 * A chain's credentials once, for a process that runs once (`credential-process`, `exec`, `env`):
 * from the cache when it holds a fresh entry for this chain, else by running the chain (then
 * cached). Throws ChainError when the chain cannot work.
 */
export async function cachedChainCredentials(source: ChainSource, options: CachedChainOptions = {}): Promise<ChainCredentials> {
  const env = options.env ?? process.env;
  const provider = fromChain(source, options);
  const spec = await provider.spec;
  const dir = options.cacheDir === undefined ? defaultCacheDir(env) : options.cacheDir;
  const cache =
    dir === false
      ? undefined
      : new CredentialCache(dir, {
          ...(options.warn ? { warn: options.warn } : {}),
          ...(options.cacheRefreshMarginSeconds !== undefined ? { refreshMarginSeconds: options.cacheRefreshMarginSeconds } : {}),
        });
  const key = cacheKey(spec, options.endpoint, env);
  const hit = cache?.read(key);
  if (hit) return { credentials: hit, spec, cached: true };
  const obtainedAt = Date.now();
  const credentials = await provider();
  cache?.write(key, spec.name, credentials, obtainedAt);
  return { credentials, spec, cached: false };
}
