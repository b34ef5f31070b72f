/**
 * The sandbox is bounded: ListObjects pages hold at most 1,000 keys, as S3's do; what it stores
 * (S3 objects, SQS queues and messages, buckets, sessions) and the connections it keeps open stop
 * at limits, each answered with the error AWS gives for its nearest quota (src/sandbox/limits.ts),
 * and room comes back when objects are deleted and sessions expire. Driven with the real SDK
 * clients; the limits are set small so that a test reaches them.
 */
import { Agent } from "node:http";
import { connect, type Socket } from "node:net";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { type Sandbox, type SandboxLimits } from "../src/sandbox/index.js";
import { USER, userAndRoleModel } from "./support/models.js";
import { clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { startSandboxProcess } from "./support/server-process.js";

const ROOT_A = "arn:aws:iam::111111111111:root";
const ROLE = "arn:aws:iam::222222222222:role/runner";
const BUCKET = "limits-111111111111";

const newSandbox = sandboxPerTest();

/** GIVEN a sandbox with these limits (and a clock the test moves), on a user in account a who may assume `runner` in b. */
async function start(limits: Partial<SandboxLimits> = {}, clock?: () => number): Promise<Sandbox> {
  const sandbox = await newSandbox({
    state: compile(loadModel(userAndRoleModel({ name: "limits", role: "runner", region: "us-east-1" }))).state,
    limits,
    ...(clock ? { clock } : {}),
  });
  return sandbox;
}

const s3 = (s: Sandbox, k: Keys) => new S3Client({ ...clientConfig(s, k), forcePathStyle: true });

describe("ListObjects pages", () => {
  it("hold at most 1,000 keys whatever max-keys asks, and page on from there; a delimiter rolls keys up into common prefixes across pages", async () => {
    const s = await start();
    const root = s3(s, userKeys(s, ROOT_A));
    await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // GIVEN 1,001 objects
    const keys = Array.from({ length: 1001 }, (_, i) => `k/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((Key) => root.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: "x" }))));
    // WHEN a listing asks for 5,000
    const first = await root.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 5000 }));
    // THEN "the response might contain fewer keys but will never contain more" than 1,000 (ListObjectsV2, MaxKeys)
    expect(first.Contents).toHaveLength(1000);
    expect(first.IsTruncated).toBe(true);
    const rest = await root.send(
      new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 5000, ContinuationToken: first.NextContinuationToken }),
    );
    expect(rest.Contents?.map((c) => c.Key)).toEqual(["k/1000"]);
    expect(rest.IsTruncated).toBe(false);

    // GIVEN keys under three prefixes and one beside them; WHEN listed with "/" two entries a page
    for (const Key of ["a/1", "a/2", "b/x/1", "b/y", "c"]) await root.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: "x" }));
    const page1 = await root.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: "/", MaxKeys: 2 }));
    // THEN each prefix is one entry (CommonPrefixes), and the next page starts after the last one listed
    expect(page1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/"]);
    expect(page1.IsTruncated).toBe(true);
    const page2 = await root.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: "/", MaxKeys: 2, Marker: page1.NextMarker }));
    expect({ keys: page2.Contents?.map((c) => c.Key), prefixes: page2.CommonPrefixes?.map((p) => p.Prefix) }).toEqual({
      keys: ["c"],
      prefixes: ["k/"],
    });
  });
});

describe("what the sandbox stores stops at its limits", () => {
  it("S3 objects: past the item or byte limit PutObject is refused (QuotaExceeded, 400); an overwrite takes no new item; a delete gives room back", async () => {
    const s = await start({ items: 2, bytes: 10 });
    const root = s3(s, userKeys(s, ROOT_A));
    await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "one", Body: "1234" }));
    await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "two", Body: "1234" }));
    // WHEN a third object would pass the item limit THEN it is refused
    expect(await refusal(root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "three", Body: "1" })))).toMatchObject({
      name: "QuotaExceeded",
      status: 400,
    });
    // WHEN an object is replaced by a larger one past the byte limit THEN it is refused; within it, accepted
    expect(await refusal(root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "one", Body: "12345678" })))).toMatchObject({
      name: "QuotaExceeded",
      status: 400,
    });
    await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "one", Body: "123456" }));
    // WHEN one is deleted THEN there is room again
    await root.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "two" }));
    await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: "three", Body: "1" }));
  });

  it("SQS queues and messages share the limit: past it CreateQueue and SendMessage are SQS's OverLimit (403)", async () => {
    const s = await start({ items: 2 });
    const root = new SQSClient(clientConfig(s, userKeys(s, ROOT_A)));
    const { QueueUrl } = await root.send(new CreateQueueCommand({ QueueName: "q" }));
    await root.send(new SendMessageCommand({ QueueUrl, MessageBody: "m1" }));
    expect(await refusal(root.send(new SendMessageCommand({ QueueUrl, MessageBody: "m2" })))).toMatchObject({
      name: "OverLimit",
      status: 403,
    });
    expect(await refusal(root.send(new CreateQueueCommand({ QueueName: "other" })))).toMatchObject({ name: "OverLimit", status: 403 });
  });

  it("S3 buckets: an account past its bucket quota gets TooManyBuckets (400)", async () => {
    const s = await start({ bucketsPerAccount: 2 });
    const root = s3(s, userKeys(s, ROOT_A));
    await root.send(new CreateBucketCommand({ Bucket: "first-111111111111" }));
    await root.send(new CreateBucketCommand({ Bucket: "second-111111111111" }));
    expect(await refusal(root.send(new CreateBucketCommand({ Bucket: "third-111111111111" })))).toMatchObject({
      name: "TooManyBuckets",
      status: 400,
    });
  });

  it("sessions: past the session limit AssumeRole is STS's Throttling (400); once those sessions expire there is room again", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const s = await start({ sessions: 2 }, () => now);
    // The SDK signs with the sandbox's clock (it corrects its skew from the Date header); one attempt each.
    const sts = new STSClient({ ...clientConfig(s, userKeys(s, USER)), systemClockOffset: now - Date.now() });
    const assume = () => sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "flood", DurationSeconds: 900 }));
    await assume();
    await assume();
    expect(await refusal(assume())).toMatchObject({ name: "Throttling", status: 400 });
    // WHEN the two sessions have expired (15 minutes and a second later)
    now += 901_000;
    sts.config.systemClockOffset = now - Date.now();
    // THEN a new one is issued
    expect((await assume()).Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});

/** A TCP connection to the sandbox, once open. */
function open(s: Sandbox): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(s.port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("connections", () => {
  it("past the connection limit a new connection is closed unanswered, while those open are still served", async () => {
    const s = await start({ connections: 2 });
    // GIVEN two idle connections
    const held = [await open(s), await open(s)];
    // WHEN a third connects and sends a request
    const third = await open(s);
    const answered = new Promise<string>((resolve) => {
      let text = "";
      third.on("data", (d: Buffer) => (text += d.toString()));
      third.on("close", () => resolve(text));
      third.on("error", () => undefined);
    });
    third.write("GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    // THEN it is closed without an answer
    expect(await answered).toBe("");
    // AND a held connection is still served (an unsigned request: MissingAuthenticationToken, 403)
    const reply = await new Promise<string>((resolve) => {
      held[0]?.once("data", (d: Buffer) => resolve(d.toString()));
      held[0]?.write("GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    });
    expect(reply).toMatch(/^HTTP\/1\.1 403/);
    for (const socket of held) socket.destroy();
  });
});

describe("memory per request", () => {
  const ROUNDS = 4;
  const REQUESTS = 4000;

  it(`${ROUNDS} rounds of ${REQUESTS} requests decided by the engine for callers made per request (an account's root) leave the heap where the first round left it`, async () => {
    // GIVEN the sandbox in a process of its own (from dist/), whose heap is measured after a forced collection
    const s = await startSandboxProcess(userAndRoleModel({ name: "memory", role: "runner", region: "us-east-1" }));
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    try {
      const boot = s.bootstrap.find((b) => b.userArn === ROOT_A);
      if (!boot) throw new Error("no root keys");
      const client = new S3Client({
        endpoint: s.url,
        region: "us-east-1",
        credentials: { accessKeyId: boot.accessKeyId, secretAccessKey: boot.secretAccessKey },
        forcePathStyle: true,
        maxAttempts: 1,
        requestHandler: { httpAgent: agent },
      });
      const heaps: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // WHEN the root user lists its buckets (s3:ListAllMyBuckets, decided by the engine), 16 at a time
        let sent = 0;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (sent < REQUESTS) {
              sent++;
              await client.send(new ListBucketsCommand({}));
            }
          }),
        );
        heaps.push((await s.memory()).memory.heapUsed);
      }
      // THEN the last round's heap is within 1 MiB of the first's: nothing is kept per request
      // (a request that left 256 bytes behind would add 3 MiB over the later rounds)
      expect((heaps.at(-1) as number) - (heaps[0] as number)).toBeLessThan(1024 * 1024);
    } finally {
      agent.destroy();
      await s.close();
    }
  }, 240_000); // 16,000 signed requests: a hang guard sized for a loaded machine, not a timing
});
