/**
 * Amazon S3 (REST-XML), path-style (`/BUCKET/KEY`; clients set `forcePathStyle: true`, as
 * virtual-hosted names such as `bucket.127.0.0.1` do not resolve), with objects kept in memory so
 * that what is written can be read back: ListBuckets, CreateBucket, HeadBucket, GetBucketLocation,
 * Put/Get/DeleteBucketPolicy, ListObjects(V2), PutObject, GetObject, HeadObject, DeleteObject. Other S3 calls are answered
 * NotImplemented.
 *
 * Buckets exist when a policy of the state names them (the model grants access to them) or
 * CreateBucket made them; their owner — the account the cross-account rules see — is the
 * account whose bucket policy names them, else the account whose policies do, else the creator.
 * Decisions are the engine's on AWS's ARNs (`arn:aws:s3:::BUCKET`, `arn:aws:s3:::BUCKET/KEY`) with
 * the request's S3 condition keys (s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-*, s3:authType).
 */
import { createHash } from "node:crypto";
import { parseArn } from "../../aws/arn.js";
import { resourceArn } from "../../catalog/catalog.js";
import type { SandboxCore } from "../core.js";
import { callerOf, type Reply, type Service, type ServiceRequest } from "../protocol.js";
import { AwsError, XML_DECLARATION, xml } from "../xml.js";
import { requireAccess } from "./access.js";
import { namedResources } from "./resources.js";
import { uploadedBytes } from "./s3-body.js";
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy, readResourcePolicy } from "./resource-policies.js";

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

interface StoredObject {
  bytes: Buffer;
  etag: string;
  lastModified: number;
  contentType: string;
  /** `x-amz-meta-*` headers as sent. */
  metadata: Record<string, string>;
  /** `x-amz-checksum-*` values the upload carried. */
  checksums: Record<string, string>;
}

interface Bucket {
  name: string;
  account: string;
  partition: string;
  createdAt: number;
  objects: Map<string, StoredObject>;
  /** The keys in UTF-8 byte order, once a listing needed them; dropped when a key comes or goes. */
  sorted?: string[];
}

const bucketsByCore = new WeakMap<SandboxCore, Map<string, Bucket>>();
/** How many buckets each account has made with CreateBucket. */
const bucketCounts = new WeakMap<SandboxCore, Map<string, number>>();
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket a bucket's or an object's ARN (`arn:P:s3:::BUCKET[/KEY]`) names, and its partition; else undefined. */
function bucketOfArn(text: string): { partition: string; name: string } | undefined {
  const arn = parseArn(text);
  if (!arn || arn.partition === "" || arn.service !== "s3" || arn.region !== "" || arn.account !== "") return undefined;
  const slash = arn.resource.indexOf("/");
  const name = slash < 0 ? arn.resource : arn.resource.slice(0, slash);
  return BUCKET_NAME.test(name) ? { partition: arn.partition, name } : undefined;
}

function buckets(core: SandboxCore): Map<string, Bucket> {
  let map = bucketsByCore.get(core);
  if (!map) bucketsByCore.set(core, (map = new Map()));
  return map;
}

/** The bucket of that name, once created or named by a policy of the state (then made on first use). */
function bucketNamed(core: SandboxCore, name: string): Bucket | undefined {
  const known = buckets(core).get(name);
  if (known) return known;
  const named = namedResources(core).find((r) => bucketOfArn(r.arn)?.name === name);
  if (!named) return undefined;
  const bucket: Bucket = {
    name,
    account: named.account,
    partition: bucketOfArn(named.arn)?.partition ?? "aws",
    createdAt: core.clock(),
    objects: new Map(),
  };
  buckets(core).set(name, bucket);
  return bucket;
}

const where = (bucket: Bucket) => ({ partition: bucket.partition, region: "", account: "" });
const bucketArn = (bucket: Bucket) => resourceArn("s3", "bucket", where(bucket), { BucketName: bucket.name });
const objectArn = (bucket: Bucket, key: string) => resourceArn("s3", "object", where(bucket), { BucketName: bucket.name, ObjectName: key });

/** Request headers S3 offers as condition keys (`s3:x-amz-acl`, …). */
const HEADER_KEYS =
  /^x-amz-(acl|content-sha256|copy-source|grant-[a-z-]+|metadata-directive|server-side-encryption(-aws-kms-key-id|-customer-algorithm)?|storage-class|website-redirect-location)$/;

/** The S3 condition keys of a request, and any it adds (s3:prefix, …). */
function s3Context(request: ServiceRequest, extra: Record<string, string> = {}): Record<string, string> {
  const context: Record<string, string> = {
    "s3:authType": request.headers.authorization === undefined ? "REST-QUERY-STRING" : "REST-HEADER",
    "s3:signatureversion": "AWS4-HMAC-SHA256",
  };
  for (const [k, v] of Object.entries(request.headers)) if (HEADER_KEYS.test(k)) context[`s3:${k}`] = v;
  return { ...context, ...extra };
}

/** Decides an S3 action on a bucket or object of `owner`'s, refusing with S3's AccessDenied (the ARN quoted). */
function check(
  request: ServiceRequest,
  action: string,
  resource: string,
  owner: { account: string },
  extra: Record<string, string> = {},
): void {
  requireAccess(request, {
    action: `s3:${action}`,
    resource,
    resourceAccount: owner.account,
    context: s3Context(request, { "s3:ResourceAccount": owner.account, ...extra }),
    code: "AccessDenied",
    quoteResource: true,
  });
}

function xmlReply(document: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/xml", ...headers }, body: `${XML_DECLARATION}${xml(document)}` };
}

const noSuchBucket = (name: string) => new AwsError(404, "NoSuchBucket", `The specified bucket does not exist (${name})`);
const notImplemented = () =>
  new AwsError(501, "NotImplemented", "A header or query you provided implies functionality that the sandbox does not implement");

/** Query parameters that do not make a request a sub-resource operation (?acl, ?tagging, …). */
const PLAIN_QUERY =
  /^(x-id|list-type|prefix|delimiter|max-keys|continuation-token|start-after|marker|encoding-type|fetch-owner|versionId|response-[a-z-]+|X-Amz-[A-Za-z-]+|x-amz-[a-z-]+)$/;

function existing(request: ServiceRequest, name: string): Bucket {
  const bucket = bucketNamed(request.core, name);
  if (!bucket) throw noSuchBucket(name);
  return bucket;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function listBuckets(request: ServiceRequest): Reply {
  const caller = callerOf(request);
  // ListBuckets names no resource: it is decided in the caller's own account.
  requireAccess(request, {
    action: "s3:ListAllMyBuckets",
    resource: "*",
    resourceAccount: caller.account,
    context: s3Context(request),
    code: "AccessDenied",
  });
  for (const r of namedResources(request.core)) {
    const name = bucketOfArn(r.arn)?.name;
    if (name && r.account === caller.account) bucketNamed(request.core, name);
  }
  const owned = [...buckets(request.core).values()]
    .filter((b) => b.account === caller.account)
    .sort((a, b) => a.name.localeCompare(b.name));
  return xmlReply({
    ListAllMyBucketsResult: {
      "@_xmlns": S3_NAMESPACE,
      Owner: { ID: caller.account },
      Buckets: { Bucket: owned.map((b) => ({ Name: b.name, CreationDate: isoTime(b.createdAt) })) },
    },
  });
}

function createBucket(request: ServiceRequest, name: string): Reply {
  const caller = callerOf(request);
  if (!BUCKET_NAME.test(name)) throw new AwsError(400, "InvalidBucketName", "The specified bucket is not valid.");
  const partition = request.core.account(caller.account)?.partition ?? "aws";
  const held = bucketNamed(request.core, name);
  // A new bucket is the creator's: CreateBucket is decided in the caller's own account.
  check(request, "CreateBucket", resourceArn("s3", "bucket", { partition, region: "", account: "" }, { BucketName: name }), held ?? caller);
  if (held && held.account !== caller.account)
    throw new AwsError(
      409,
      "BucketAlreadyExists",
      "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
    );
  // In us-east-1, creating a bucket you already own succeeds again; elsewhere it is BucketAlreadyOwnedByYou.
  if (held && request.region !== "us-east-1")
    throw new AwsError(
      409,
      "BucketAlreadyOwnedByYou",
      "Your previous request to create the named bucket succeeded and you already own it.",
    );
  if (!held) {
    // S3's default quota: 10,000 general purpose buckets per account.
    const owned = (bucketCounts.get(request.core) ?? new Map<string, number>()).get(caller.account) ?? 0;
    if (owned >= request.core.limits.bucketsPerAccount)
      throw new AwsError(400, "TooManyBuckets", "You have attempted to create more buckets than allowed");
    buckets(request.core).set(name, { name, account: caller.account, partition, createdAt: request.now, objects: new Map() });
    const counts = bucketCounts.get(request.core) ?? new Map<string, number>();
    bucketCounts.set(request.core, counts.set(caller.account, owned + 1));
  }
  return { status: 200, headers: { location: `/${name}` }, body: "" };
}

/** ListObjects(V2) returns "up to 1,000" keys a page, whatever max-keys asks (API reference: MaxKeys). */
const MAX_KEYS = 1000;

/** UTF-16 code units ranked as UTF-8 orders their code points: surrogates (above U+FFFF) after U+E000–U+FFFF. */
const rank = (unit: number) => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

/** UTF-8 byte order, in which S3 lists keys, without encoding either string. */
export function utf8Compare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** The first index from `from` whose key `before` does not hold (keys holding it come first), by bisection. */
function firstNot(keys: readonly string[], before: (key: string) => boolean, from = 0): number {
  let lo = from;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(keys[mid] as string)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * ListObjectsV2 (`list-type=2`) and ListObjects: keys in UTF-8 order, grouped by delimiter, paged
 * by max-keys (at most 1,000). Linear in the page: the listing starts by bisection at the prefix
 * and marker, and skips each common prefix's keys by bisection.
 */
function listObjects(request: ServiceRequest, bucket: Bucket): Reply {
  const q = request.url.searchParams;
  const v2 = q.get("list-type") === "2";
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxText = q.get("max-keys");
  const maxKeys = maxText === null ? MAX_KEYS : Number(maxText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw new AwsError(400, "InvalidArgument", "Provided max-keys not an integer or within integer range");
  check(request, "ListBucket", bucketArn(bucket), bucket, {
    "s3:prefix": prefix,
    ...(delimiter ? { "s3:delimiter": delimiter } : {}),
    "s3:max-keys": String(maxKeys),
  });
  const token = q.get("continuation-token");
  let after = v2 ? (q.get("start-after") ?? "") : (q.get("marker") ?? "");
  if (v2 && token !== null) {
    after = Buffer.from(token, "base64").toString("utf8");
    if (!after) throw new AwsError(400, "InvalidArgument", "The continuation token provided is incorrect");
  }
  const encode = q.get("encoding-type") === "url" ? (s: string) => encodeURIComponent(s).replace(/%2F/g, "/") : (s: string) => s;
  const keys = (bucket.sorted ??= [...bucket.objects.keys()].sort(utf8Compare));
  const page = Math.min(maxKeys, MAX_KEYS);
  const contents: { Key: string; LastModified: string; ETag: string; Size: number; StorageClass: string }[] = [];
  const prefixes: string[] = [];
  let last = "";
  let truncated = false;
  let i = Math.max(
    firstNot(keys, (k) => utf8Compare(k, prefix) < 0),
    firstNot(keys, (k) => utf8Compare(k, after) <= 0),
  );
  while (i < keys.length && (keys[i] as string).startsWith(prefix)) {
    const key = keys[i] as string;
    if (contents.length + prefixes.length >= page) {
      truncated = true;
      break;
    }
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const common = key.slice(0, cut + delimiter.length);
      prefixes.push(common);
      // Every key under the common prefix is rolled up into it: skip past them.
      i = firstNot(keys, (k) => k.startsWith(common), i);
      last = keys[i - 1] as string;
    } else {
      const o = bucket.objects.get(key) as StoredObject;
      contents.push({
        Key: encode(key),
        LastModified: isoTime(o.lastModified),
        ETag: o.etag,
        Size: o.bytes.length,
        StorageClass: "STANDARD",
      });
      last = key;
      i++;
    }
  }
  const paging = v2
    ? {
        KeyCount: contents.length + prefixes.length,
        ...(token !== null ? { ContinuationToken: token } : {}),
        ...(truncated ? { NextContinuationToken: Buffer.from(last).toString("base64") } : {}),
        ...(q.has("start-after") ? { StartAfter: encode(q.get("start-after") as string) } : {}),
      }
    : { Marker: encode(q.get("marker") ?? ""), ...(truncated && delimiter ? { NextMarker: encode(last) } : {}) };
  return xmlReply({
    ListBucketResult: {
      "@_xmlns": S3_NAMESPACE,
      Name: bucket.name,
      Prefix: encode(prefix),
      ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
      MaxKeys: maxKeys,
      ...(q.get("encoding-type") === "url" ? { EncodingType: "url" } : {}),
      IsTruncated: truncated,
      ...paging,
      ...(contents.length ? { Contents: contents } : {}),
      ...(prefixes.length ? { CommonPrefixes: prefixes.map((p) => ({ Prefix: encode(p) })) } : {}),
    },
  });
}

/** Takes room for `items` more objects and `bytes` more bytes (fewer when negative), or S3's refusal. */
function hold(request: ServiceRequest, items: number, bytes: number): void {
  if (bytes < 0) request.core.budget.give(0, -bytes);
  request.core.budget.take(items, Math.max(0, bytes), (message) => new AwsError(400, "QuotaExceeded", message));
}

function putObject(request: ServiceRequest, bucket: Bucket, key: string): Reply {
  if (request.headers["x-amz-copy-source"] !== undefined || request.url.searchParams.has("uploadId")) throw notImplemented();
  check(request, "PutObject", objectArn(bucket, key), bucket);
  const { bytes, checksums } = uploadedBytes(request.headers, request.body);
  const metadata = Object.fromEntries(Object.entries(request.headers).filter(([k]) => k.startsWith("x-amz-meta-")));
  const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
  const replaced = bucket.objects.get(key);
  hold(request, replaced ? 0 : 1, bytes.length - (replaced?.bytes.length ?? 0));
  if (!replaced) bucket.sorted = undefined;
  bucket.objects.set(key, {
    bytes,
    etag,
    lastModified: request.now,
    contentType: request.headers["content-type"] ?? "binary/octet-stream",
    metadata,
    checksums,
  });
  return { status: 200, headers: { etag, ...checksums }, body: "" };
}

/** The byte range a `Range: bytes=…` header asks for, or undefined for the whole object. */
function rangeOf(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const start = m[1] === "" ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const end = m[1] === "" || m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) throw new AwsError(416, "InvalidRange", "The requested range is not satisfiable");
  return { start, end };
}

/** GetObject and HeadObject (whose body Node leaves out of a HEAD answer, keeping its length). */
function getObject(request: ServiceRequest, bucket: Bucket, key: string): Reply {
  check(request, "GetObject", objectArn(bucket, key), bucket);
  const object = bucket.objects.get(key);
  if (!object) {
    // "If you have the s3:ListBucket permission on the bucket, Amazon S3 returns … 404 Not Found
    // … If you don't have the s3:ListBucket permission, Amazon S3 returns … 403" (GetObject API reference).
    check(request, "ListBucket", bucketArn(bucket), bucket);
    throw new AwsError(404, request.method === "HEAD" ? "NotFound" : "NoSuchKey", "The specified key does not exist.");
  }
  const range = rangeOf(request.headers.range, object.bytes.length);
  const wantsChecksum = request.headers["x-amz-checksum-mode"]?.toUpperCase() === "ENABLED" && !range;
  const headers: Record<string, string> = {
    "content-type": object.contentType,
    etag: object.etag,
    "last-modified": new Date(object.lastModified).toUTCString(),
    "accept-ranges": "bytes",
    ...object.metadata,
    ...(wantsChecksum ? object.checksums : {}),
    ...(range ? { "content-range": `bytes ${range.start}-${range.end}/${object.bytes.length}` } : {}),
  };
  return { status: range ? 206 : 200, headers, body: range ? object.bytes.subarray(range.start, range.end + 1) : object.bytes };
}

function deleteObject(request: ServiceRequest, bucket: Bucket, key: string): Reply {
  check(request, "DeleteObject", objectArn(bucket, key), bucket);
  const deleted = bucket.objects.get(key);
  if (deleted) {
    bucket.objects.delete(key);
    bucket.sorted = undefined;
    request.core.budget.give(1, deleted.bytes.length);
  }
  return { status: 204, body: "" };
}

/**
 * PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy (`?policy`), each decided on the bucket
 * and kept as the bucket owner's resource policy, which every later decision reads. A bucket
 * without one answers 404 NoSuchBucketPolicy (GetBucketPolicy API reference).
 */
function bucketPolicy(request: ServiceRequest, bucket: Bucket): Reply {
  const arn = bucketArn(bucket);
  switch (request.method) {
    case "GET": {
      check(request, "GetBucketPolicy", arn, bucket);
      const held = getResourcePolicy(request.core, bucket.account, arn);
      if (!held) throw new AwsError(404, "NoSuchBucketPolicy", "The bucket policy does not exist");
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(held.policy) };
    }
    case "PUT": {
      check(request, "PutBucketPolicy", arn, bucket);
      const policy = readResourcePolicy(request.body.toString("utf8"), (message) => new AwsError(400, "MalformedPolicy", message));
      putResourcePolicy(request.core, bucket.account, arn, policy);
      return { status: 204, body: "" };
    }
    case "DELETE":
      check(request, "DeleteBucketPolicy", arn, bucket);
      deleteResourcePolicy(request.core, bucket.account, arn);
      return { status: 204, body: "" };
    default:
      throw notImplemented();
  }
}

function bucketOperation(request: ServiceRequest, name: string): Reply {
  const q = request.url.searchParams;
  if (request.method === "PUT" && [...q.keys()].every((k) => PLAIN_QUERY.test(k))) return createBucket(request, name);
  const bucket = existing(request, name);
  if (request.method === "GET" && q.has("location")) {
    check(request, "GetBucketLocation", bucketArn(bucket), bucket);
    return xmlReply({ LocationConstraint: { "@_xmlns": S3_NAMESPACE, "#text": request.region === "us-east-1" ? "" : request.region } });
  }
  if (q.has("policy")) return bucketPolicy(request, bucket);
  if ([...q.keys()].some((k) => !PLAIN_QUERY.test(k))) throw notImplemented();
  if (request.method === "GET") return listObjects(request, bucket);
  if (request.method === "HEAD") {
    // HeadBucket "requires s3:ListBucket" (HeadBucket API reference).
    check(request, "ListBucket", bucketArn(bucket), bucket);
    return { status: 200, headers: { "x-amz-bucket-region": request.region }, body: "" };
  }
  throw notImplemented();
}

/** A percent-encoded path part, decoded; one that is not valid percent-encoding of UTF-8 is S3's InvalidURI. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new AwsError(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
}

export const s3: Service = {
  protocol: "rest-xml",
  handle(request) {
    // The key is the path after the bucket, decoded once and kept as it is (`a//b`, `./x`, `%41`).
    const path = request.path;
    const slash = path.indexOf("/", 1);
    const name = decoded(slash < 0 ? path.slice(1) : path.slice(1, slash));
    const key = slash < 0 ? "" : decoded(path.slice(slash + 1));
    if (name === "") {
      if (request.method === "GET") return listBuckets(request);
      throw notImplemented();
    }
    if (key === "") return bucketOperation(request, name);
    const bucket = existing(request, name);
    if ([...request.url.searchParams.keys()].some((k) => !PLAIN_QUERY.test(k))) throw notImplemented();
    switch (request.method) {
      case "GET":
      case "HEAD":
        return getObject(request, bucket, key);
      case "PUT":
        return putObject(request, bucket, key);
      case "DELETE":
        return deleteObject(request, bucket, key);
      default:
        throw notImplemented();
    }
  },
};
