/**
 * `npm run bench:sandbox`: requests per second of signed STS GetCallerIdentity against the
 * sandbox, beside the floor: a bare node:http server on 127.0.0.1 that reads each request and
 * answers the sandbox's own GetCallerIdentity XML, fixed, without checking anything.
 *
 * Each server runs in a process of its own (test/support/sandbox-process.mjs, the sandbox from
 * dist/), the client in this one: on a 2-core machine, one core each. Both servers get the same
 * requests from the same client at the same concurrency, in the same run, alternating over
 * rounds; the best round of each counts. Two clients, each reported:
 *   1. pre-signed: one POST signed with @smithy/signature-v4 at the start of the round and sent
 *      again and again over keep-alive connections (the sandbox, like AWS, takes a request again
 *      within its 5-minute signing window), so the client costs little and the servers show;
 *   2. sdk: the real @aws-sdk/client-sts STSClient, which signs every request, as users call it.
 * Every answer is checked (status 200 and the caller's ARN), so an error never counts as speed.
 * It asserts nothing: it prints figures.
 *
 * Environment: BENCH_REQUESTS (default 20000 a round, pre-signed), BENCH_SDK_REQUESTS (default
 * 5000 a round, the SDK client being the slower), BENCH_CONCURRENCY (default 32), BENCH_ROUNDS
 * (default 3), BENCH_WARMUP (default 1000 a server and client, untimed).
 * A quick run: `BENCH_REQUESTS=2000 BENCH_SDK_REQUESTS=500 BENCH_ROUNDS=1 npm run bench:sandbox`.
 *
 * Then the flood (skip it with BENCH_FLOOD=0): a sandbox with the limits below (src/sandbox/limits.ts)
 * takes twice what it may hold, in each of objects, sessions, connections and over-quota
 * PutRolePolicy documents, and its memory (heap and RSS after a forced collection) is printed
 * before and after each, beside the cap; a second round of objects shows memory flat once at the
 * cap. Before the flood, ListObjects with a delimiter over BENCH_PREFIXES (default 32000) common
 * prefixes is timed beside its peer, the same keys listed without a delimiter: both are linear.
 * Environment: BENCH_PREFIXES, BENCH_FLOOD_ITEMS (default 40000), BENCH_FLOOD_SESSIONS (default
 * 10000), BENCH_FLOOD_CONNECTIONS (default 1000), BENCH_POLICIES (default 100 documents of
 * BENCH_POLICY_CHARS, default 11000: over IAM's 10,240-character quota for a role's inline policies).
 */
import { Buffer } from "node:buffer";
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, URL } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { PutRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { envNumber, fmtInt, fmtSec, tableLines } from "./util.mjs";
import { userAndRoleModel } from "../test/support/model-texts.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = envNumber("BENCH_REQUESTS", 20_000);
const SDK_REQUESTS = envNumber("BENCH_SDK_REQUESTS", 5_000);
const CONCURRENCY = envNumber("BENCH_CONCURRENCY", 32);
const ROUNDS = Math.max(1, envNumber("BENCH_ROUNDS", 3));
const WARMUP = envNumber("BENCH_WARMUP", 1000);
const REGION = "us-east-1";
const BODY = "Action=GetCallerIdentity&Version=2011-06-15";
const log = (line = "") => process.stdout.write(`${line}\n`);

// One IAM user (a grant makes the compiler create it); GetCallerIdentity needs no permission.
const MODEL = userAndRoleModel({ name: "bench", role: "runner", region: REGION });
const USER = "arn:aws:iam::111111111111:user/app";

/** A server in its own process; answers what its "ready" message carries. */
function serve(start) {
  // --expose-gc: the flood measures memory after a forced collection.
  const child = fork(join(here, "..", "test", "support", "sandbox-process.mjs"), [], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => (m.type === "ready" ? resolve({ ...m, child }) : reject(new Error(m.message))));
    child.once("exit", (code) => reject(new Error(`the server process exited (${code})`)));
    child.send(start);
  });
}

function stop(server) {
  return new Promise((resolve) => {
    server.child.once("exit", resolve);
    server.child.send({ type: "close" });
  });
}

/** POSTs `body` with `headers`; resolves with status, content type and body. */
function post(url, agent, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, type: res.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The request an SDK sends for GetCallerIdentity, signed now for `url`'s host. */
async function presign(url, keys) {
  const { hostname, port } = new URL(url);
  const signer = new SignatureV4({ service: "sts", region: REGION, sha256: Sha256, credentials: keys });
  const headers = { host: `${hostname}:${port}`, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const signed = await signer.sign({ method: "POST", protocol: "http:", hostname, port: Number(port), path: "/", headers, body: BODY });
  return signed.headers;
}

/** The two clients: each makes a `call` function for a server URL that sends one GetCallerIdentity and checks the answer. */
const CLIENTS = [
  {
    name: "pre-signed, keep-alive http",
    requests: REQUESTS,
    async make(url, keys, agent) {
      const headers = await presign(url, keys);
      return async () => {
        const answer = await post(url, agent, headers, BODY);
        if (answer.status !== 200 || !answer.body.includes(`<Arn>${USER}</Arn>`))
          throw new Error(`${url} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      };
    },
  },
  {
    name: "AWS SDK STSClient (signs each)",
    requests: SDK_REQUESTS,
    async make(url, keys, agent) {
      const client = new STSClient({
        endpoint: url,
        region: REGION,
        credentials: keys,
        maxAttempts: 1,
        requestHandler: { httpAgent: agent },
      });
      return async () => {
        const me = await client.send(new GetCallerIdentityCommand({}));
        if (me.Arn !== USER) throw new Error(`${url} answered ${me.Arn}`);
      };
    },
  },
];

/** `count` calls, `CONCURRENCY` at a time; milliseconds taken. */
async function drive(call, count) {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return performance.now() - start;
}

const sandbox = await serve({ type: "start", mode: "sandbox", model: MODEL });
const boot = sandbox.bootstrap.find((b) => b.userArn === USER);
const keys = { accessKeyId: boot.accessKeyId, secretAccessKey: boot.secretAccessKey };
// The floor answers exactly what the sandbox answers to this request (its XML, its content type).
const sample = await post(sandbox.url, undefined, await presign(sandbox.url, keys), BODY);
if (sample.status !== 200) throw new Error(`the sandbox answered ${sample.status}: ${sample.body}`);
const floor = await serve({ type: "start", mode: "floor", body: sample.body, headers: { "content-type": sample.type } });
const servers = [
  { name: "floor: bare node:http, fixed reply", url: floor.url },
  { name: "xacct sandbox", url: sandbox.url },
];

log(
  `xacct sandbox benchmark: signed STS GetCallerIdentity, ${CONCURRENCY} at a time, ${ROUNDS} round(s) of ${CLIENTS.map((c) => `${fmtInt(c.requests)} requests (${c.name})`).join(" and ")}, best round counts`,
);
log(`each server in its own process, the client in this one; Node ${process.version}, ${availableParallelism()} CPUs`);
log();

const best = new Map();
try {
  for (const client of CLIENTS) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) {
        const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
        const call = await client.make(server.url, keys, agent);
        if (round === 0) await drive(call, WARMUP);
        const ms = await drive(call, client.requests);
        agent.destroy();
        const rps = (client.requests / ms) * 1000;
        log(`${client.name} -> ${server.name}, round ${round + 1}: ${fmtSec(ms)}, ${fmtInt(rps)} req/s`);
        const key = `${client.name}|${server.name}`;
        best.set(key, Math.max(best.get(key) ?? 0, rps));
      }
    }
  }
} finally {
  await Promise.all([stop(sandbox), stop(floor)]);
}
log();

const rows = [["client", "server", "requests a round", "req/s (best)", "vs floor"]];
for (const client of CLIENTS) {
  const floorRps = best.get(`${client.name}|${servers[0].name}`);
  for (const server of servers) {
    const rps = best.get(`${client.name}|${server.name}`);
    rows.push([client.name, server.name, fmtInt(client.requests), fmtInt(rps), `${(rps / floorRps).toFixed(2)}x`]);
  }
}
for (const line of tableLines(rows)) log(line);
log();
log("A client that costs more than the server it calls bounds both of its rows: where the floor is not");
log("faster than the sandbox, the client, not the server, sets the figure.");

// ---- The flood: what the sandbox holds stays within its limits ----

/** One answer from a server process to `message`. */
function ask(server, message) {
  return new Promise((resolve, reject) => {
    server.child.once("message", (m) => (m.type === "error" ? reject(new Error(m.message)) : resolve(m)));
    server.child.send(message);
  });
}

const MIB = 1024 * 1024;
const fmtMib = (bytes) => `${(bytes / MIB).toFixed(1)} MiB`;

/** `count` calls of `call(i)`, CONCURRENCY at a time: how many succeeded, and the errors by name. */
async function tally(count, call) {
  const errors = new Map();
  let ok = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        await call(i);
        ok++;
      } catch (e) {
        const name = e?.name ?? String(e);
        errors.set(name, (errors.get(name) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return { ok, refused: [...errors].map(([name, n]) => `${fmtInt(n)} ${name}`).join(", ") || "none" };
}

/** Every page of a ListObjectsV2 listing; pages and milliseconds. */
async function listAll(s3, bucket, delimiter) {
  const start = performance.now();
  let pages = 0;
  let token;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(delimiter ? { Delimiter: delimiter } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    pages++;
    token = page.NextContinuationToken;
  } while (token);
  return { pages, ms: performance.now() - start };
}

async function flood() {
  const PREFIXES = envNumber("BENCH_PREFIXES", 32_000);
  const limits = {
    items: envNumber("BENCH_FLOOD_ITEMS", 40_000),
    bytes: 64 * MIB,
    sessions: envNumber("BENCH_FLOOD_SESSIONS", 10_000),
    connections: envNumber("BENCH_FLOOD_CONNECTIONS", 1_000),
  };
  const POLICIES = envNumber("BENCH_POLICIES", 100);
  const POLICY_CHARS = envNumber("BENCH_POLICY_CHARS", 11_000);
  const server = await serve({ type: "start", mode: "sandbox", model: MODEL, limits });
  const keysOf = (arn) => {
    const b = server.bootstrap.find((x) => x.userArn === arn);
    return { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey };
  };
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const common = { endpoint: server.url, region: REGION, maxAttempts: 1, requestHandler: { httpAgent: agent } };
  const s3 = new S3Client({ ...common, credentials: keysOf("arn:aws:iam::111111111111:root"), forcePathStyle: true });
  const rows = [["flood", "requests", "accepted", "refused", "cap", "heap before", "heap after", "RSS before", "RSS after"]];
  const memory = async () => (await ask(server, { type: "memory" })).memory;
  const row = (name, requests, result, cap, before, after) =>
    rows.push([
      name,
      fmtInt(requests),
      fmtInt(result.ok),
      result.refused,
      cap,
      fmtMib(before.heapUsed),
      fmtMib(after.heapUsed),
      fmtMib(before.rss),
      fmtMib(after.rss),
    ]);
  log();
  log(`flood: a sandbox with limits ${JSON.stringify(limits)}, ${CONCURRENCY} requests at a time`);
  try {
    // ListObjects with a delimiter: one object under each of PREFIXES common prefixes.
    const bucket = "flood-111111111111";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const body = Buffer.alloc(64, "x");
    const m0 = await memory();
    const put = await tally(PREFIXES, (i) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `p${String(i).padStart(6, "0")}/object`, Body: body })),
    );
    const withDelimiter = await listAll(s3, bucket, "/");
    const without = await listAll(s3, bucket);
    log(
      `ListObjectsV2 over ${fmtInt(PREFIXES)} common prefixes with Delimiter "/": ${withDelimiter.pages} pages in ${fmtSec(withDelimiter.ms)}; peer, the same ${fmtInt(PREFIXES)} keys without a delimiter: ${without.pages} pages in ${fmtSec(without.ms)}`,
    );
    // Objects: twice the item limit in all, in two rounds; the second finds the store full.
    const rest = Math.max(0, 2 * limits.items - PREFIXES);
    const first = await tally(Math.ceil(rest / 2), (i) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `flood/a${i}`, Body: body })),
    );
    const m1 = await memory();
    row(
      "PutObject (64 B), round 1",
      PREFIXES + Math.ceil(rest / 2),
      { ok: put.ok + first.ok, refused: first.refused },
      `${fmtInt(limits.items)} items, ${fmtMib(limits.bytes)}`,
      m0,
      m1,
    );
    const second = await tally(Math.floor(rest / 2) || limits.items, (i) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `flood/b${i}`, Body: body })),
    );
    const m2 = await memory();
    row(
      "PutObject (64 B), round 2",
      Math.floor(rest / 2) || limits.items,
      second,
      `${fmtInt(limits.items)} items, ${fmtMib(limits.bytes)}`,
      m1,
      m2,
    );

    // Sessions: twice the session limit of AssumeRole.
    const sts = new STSClient({ ...common, credentials: keysOf(USER) });
    const sessions = await tally(2 * limits.sessions, (i) =>
      sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::222222222222:role/runner", RoleSessionName: `flood-${i}` })),
    );
    const m3 = await memory();
    row("AssumeRole", 2 * limits.sessions, sessions, `${fmtInt(limits.sessions)} sessions`, m2, m3);

    // Connections: twice the connection limit, held open together; each sends one request, which
    // a held connection answers (and keeps open) and a dropped one never does.
    const sockets = [];
    let dropped = 0;
    await Promise.all(
      Array.from(
        { length: 2 * limits.connections },
        () =>
          new Promise((resolve) => {
            const socket = connect(Number(new URL(server.url).port), "127.0.0.1", () =>
              socket.write("GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"),
            );
            socket.once("data", () => resolve());
            socket.once("close", () => {
              dropped++;
              resolve();
            });
            socket.on("error", () => undefined);
            sockets.push(socket);
          }),
      ),
    );
    const m4 = await memory();
    row(
      "idle connections",
      2 * limits.connections,
      { ok: 2 * limits.connections - dropped, refused: `${fmtInt(dropped)} closed by the server` },
      `${fmtInt(limits.connections)} connections`,
      m3,
      m4,
    );
    for (const socket of sockets) socket.destroy();

    // Large policies: PutRolePolicy of documents over IAM's quota, each under its own name.
    const iam = new IAMClient({ ...common, credentials: keysOf("arn:aws:iam::222222222222:root") });
    const statement = (i) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::bucket-${i}/*` });
    const document = (n) => {
      const statements = [];
      let text = "";
      for (let i = 0; text.length < POLICY_CHARS; i++) {
        statements.push(statement(`${n}-${i}`));
        text = JSON.stringify({ Version: "2012-10-17", Statement: statements });
      }
      return text;
    };
    const policies = await tally(POLICIES, (i) =>
      iam.send(new PutRolePolicyCommand({ RoleName: "runner", PolicyName: `flood-${i}`, PolicyDocument: document(i) })),
    );
    const m5 = await memory();
    row(`PutRolePolicy (${fmtInt(POLICY_CHARS)} chars)`, POLICIES, policies, "10,240 chars a role", m4, m5);
  } finally {
    agent.destroy();
    await stop(server);
  }
  log();
  for (const line of tableLines(rows)) log(line);
  log();
  log("Memory is the sandbox process's after a forced collection. At its limits the sandbox refuses what it");
  log("cannot hold (S3 QuotaExceeded, STS Throttling, connections closed, IAM's LimitExceeded for policies");
  log("over quota), so a second round past the cap leaves memory where the first did.");
}

if (envNumber("BENCH_FLOOD", 1) !== 0) await flood();
