/**
 * S3 as real clients use it: object keys that need percent-encoding or that look like relative
 * paths, written and read back with the SDK for JavaScript, boto3 and the AWS CLI (path-style);
 * and buckets created by their owner.
 *
 * SigV4 ("Create a canonical request"): "Normalize URI paths according to RFC 3986 … In exception
 * to this, you do not normalize URI paths for requests to Amazon S3. For example, if you have a
 * bucket with an object named my-object//example//photo.user, use that path", and S3's canonical
 * URI encodes each path segment once, where other services encode it twice.
 */
import { writeFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { awsCliAt, clientConfig, type Keys, refusal, REGION, runClient, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const ROOT_A = `arn:aws:iam::${A}:root`;
const ROOT_B = `arn:aws:iam::${B}:root`;
const BUCKET = "keys-111111111111";

// Two accounts and nothing else: each account's root may do anything in its own account.
const MODEL = `version: 1
name: s3-keys
accounts:
  a: { id: "${A}", region: us-east-1 }
  b: { id: "${B}", region: us-east-1 }
workloads: {}
grants: []
`;

/** Keys that real clients percent-encode, or that a normalizing server would rewrite. */
const KEYS = ["with space.txt", "a=b.txt", "c+d.txt", "grüße.txt", "double//slash.txt", "dot/./segment.txt", "%41.txt"];

const newSandbox = sandboxPerTest();

async function start(): Promise<Sandbox> {
  const sandbox = await newSandbox({ state: compile(loadModel(MODEL)).state });
  return sandbox;
}

// Path-style addressing: a virtual-hosted name (bucket.127.0.0.1) does not resolve.
const s3 = (s: Sandbox, k: Keys) => new S3Client({ ...clientConfig(s, k), forcePathStyle: true });

/** GIVEN account A's root has created BUCKET. */
async function withBucket(): Promise<{ s: Sandbox; rootA: Keys }> {
  const s = await start();
  const rootA = userKeys(s, ROOT_A);
  await s3(s, rootA).send(new CreateBucketCommand({ Bucket: BUCKET }));
  return { s, rootA };
}

describe("CreateBucket: the bucket is the creating account's", () => {
  it("account A's root creates a bucket, writes and reads it; account B's root, with no bucket policy, may do neither", async () => {
    // GIVEN a bucket name no policy names and nobody created
    const s = await start();
    const rootA = s3(s, userKeys(s, ROOT_A));
    // WHEN A's root creates it
    await rootA.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // THEN A lists it among its buckets (ListBuckets names no resource: it is decided in A's own account), writes and reads it
    expect((await rootA.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
    await rootA.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "A's" }));
    expect(await (await rootA.send(new GetObjectCommand({ Bucket: BUCKET, Key: "k" }))).Body?.transformToString()).toBe("A's");
    // AND B, another account, is refused both: cross-account access needs a bucket policy
    const rootB = s3(s, userKeys(s, ROOT_B));
    expect(await refusal(rootB.send(new GetObjectCommand({ Bucket: BUCKET, Key: "k" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
    expect(await refusal(rootB.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "B's" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });
});

describe("object keys as real clients send them", () => {
  it.each(KEYS)("the SDK for JavaScript puts and gets %j", async (key) => {
    const { s, rootA } = await withBucket();
    const client = s3(s, rootA);
    // WHEN the key is written and read back
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    // THEN the same object comes back under exactly that key
    expect(await got.Body?.transformToString()).toBe(`body of ${key}`);
  });

  it("boto3 (path-style) puts and gets every such key, and the SDK for JavaScript reads what boto3 wrote under the same key", async () => {
    const { s, rootA } = await withBucket();
    // WHEN boto3 writes and reads back each key
    const ran = await runClient(
      s,
      rootA,
      "/usr/bin/python3",
      [join(import.meta.dirname, "support", "boto3-s3-roundtrip.py"), BUCKET],
      JSON.stringify(KEYS),
    );
    expect(ran.stderr).toBe("");
    // THEN each comes back with its own body, to boto3 and to the SDK for JavaScript alike
    expect(JSON.parse(ran.stdout)).toEqual(Object.fromEntries(KEYS.map((k) => [k, `body of ${k}`])));
    for (const key of KEYS)
      expect(await (await s3(s, rootA).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()).toBe(
        `body of ${key}`,
      );
  });

  it("the AWS CLI's s3api put-object and get-object round-trip a key with a space, = and +", async () => {
    const { s, rootA } = await withBucket();
    const dir = mkdtempSync(join(tmpdir(), "xacct-s3-cli-"));
    try {
      for (const key of ["a=b c+d.txt"]) {
        writeFileSync(join(dir, "in"), `body of ${key}`);
        const put = await awsCliAt(s, rootA, ["s3api", "put-object", "--bucket", BUCKET, "--key", key, "--body", join(dir, "in")]);
        expect(put.stderr).toBe("");
        const get = await awsCliAt(s, rootA, ["s3api", "get-object", "--bucket", BUCKET, "--key", key, join(dir, "out")]);
        expect(get.stderr).toBe("");
        expect(readFileSync(join(dir, "out"), "utf8")).toBe(`body of ${key}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a path that is not valid percent-encoding (%ZZ) is S3's 400 InvalidURI, not a server error", async () => {
    const { s, rootA } = await withBucket();
    // WHEN a request, signed as S3 requests are (the path as sent), names the key %ZZ unencoded
    const url = new URL(s.url);
    const signer = new SignatureV4({ service: "s3", region: REGION, credentials: rootA, sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({
      method: "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: `/${BUCKET}/%ZZ`,
      headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    const answer = await fetch(`${s.url}/${BUCKET}/%ZZ`, { headers: signed.headers as Record<string, string> });
    // THEN S3's error: InvalidURI, "Couldn't parse the specified URI.", HTTP 400
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("<Code>InvalidURI</Code>");
  });
});
