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
 */
import { Buffer } from "node:buffer";
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, URL } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { envNumber, fmtInt, fmtSec, tableLines } from "./util.mjs";

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
const MODEL = `version: 1
name: bench
accounts:
  a: { id: "111111111111", region: ${REGION} }
  b: { id: "222222222222", region: ${REGION} }
workloads:
  app:
    account: a
    identity: { type: iam-user }
grants:
  - workload: app
    account: b
    service: glue
    access: [run]
    resources: { job: etl }
    role: { name: runner }
`;
const USER = "arn:aws:iam::111111111111:user/app";

/** A server in its own process; answers what its "ready" message carries. */
function serve(start) {
  const child = fork(join(here, "..", "test", "support", "sandbox-process.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
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
      res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") }));
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
        if (answer.status !== 200 || !answer.body.includes(`<Arn>${USER}</Arn>`)) throw new Error(`${url} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      };
    },
  },
  {
    name: "AWS SDK STSClient (signs each)",
    requests: SDK_REQUESTS,
    async make(url, keys, agent) {
      const client = new STSClient({ endpoint: url, region: REGION, credentials: keys, maxAttempts: 1, requestHandler: { httpAgent: agent } });
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

log(`xacct sandbox benchmark: signed STS GetCallerIdentity, ${CONCURRENCY} at a time, ${ROUNDS} round(s) of ${CLIENTS.map((c) => `${fmtInt(c.requests)} requests (${c.name})`).join(" and ")}, best round counts`);
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
