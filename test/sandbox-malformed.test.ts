/**
 * Bad input on the wire: what no SDK would send, written with raw node:http requests and
 * node:net sockets. Each case expects the status AWS gives and, where AWS documents one, the error
 * code (the common errors of the STS and IAM API references: IncompleteSignature 400,
 * InvalidAction 400, MissingAction 400, MalformedQueryString 404, MissingAuthenticationToken 403);
 * HTTP-level failures get HTTP's own statuses (400, 413, 431). After every case a signed
 * GetCallerIdentity with the real STS client still answers: one bad request never stops the server.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { XMLParser } from "fast-xml-parser";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { USER, userAndRoleModel } from "./support/models.js";

// GIVEN an IAM user workload `app` in account a (with a grant in b, so the user exists).
const MODEL = userAndRoleModel({ name: "malformed", role: "runner" });
const FORM = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
const GET_CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15";

let sandbox: Sandbox;
let keys: { accessKeyId: string; secretAccessKey: string };
beforeAll(async () => {
  sandbox = await startSandbox({ state: compile(loadModel(MODEL)).state, port: 0, host: "127.0.0.1" });
  const boot = sandbox.bootstrap.find((b) => b.userArn === USER);
  if (!boot) throw new Error("no bootstrap credential for the user");
  keys = { accessKeyId: boot.accessKeyId, secretAccessKey: boot.secretAccessKey };
});
afterAll(async () => {
  await sandbox.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request through node:http. */
function raw(init: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${sandbox.url}${init.path ?? "/"}`, { method: init.method ?? "POST", headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** A request signed with the user's keys by @smithy/signature-v4, as an SDK signs, then sent raw. */
async function signed(init: {
  method?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  service?: string;
  signHost?: boolean;
}): Promise<Answer> {
  const signer = new SignatureV4({ service: init.service ?? "sts", region: "us-east-1", sha256: Sha256, credentials: keys });
  const method = init.method ?? "POST";
  const query = init.query ?? {};
  // signHost false: the Host header is left out of the signature (node:http still sends it).
  const host: Record<string, string> = init.signHost === false ? {} : { host: `127.0.0.1:${sandbox.port}` };
  const out = await signer.sign({
    method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port: sandbox.port,
    path: "/",
    query,
    headers: { ...host, ...init.headers },
    body: init.body,
  });
  const search = new URLSearchParams(query).toString();
  return raw({ method, path: search ? `/?${search}` : "/", headers: out.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/**
 * Bytes written straight to a socket; answers everything the server sent until it closed the
 * connection. `end` half-closes the socket once written (the server may still answer).
 */
function onSocket(bytes: string | Buffer, end = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(sandbox.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.write(bytes);
    if (end) socket.end();
  });
}

const xml = new XMLParser();
/** The query protocol's error code: `<ErrorResponse><Error><Code>`. */
function queryError(answer: Answer): string | undefined {
  return (xml.parse(answer.body) as { ErrorResponse?: { Error?: { Code?: string } } }).ErrorResponse?.Error?.Code;
}

/** Any protocol's error code: query XML, rest-xml, JSON `__type` or the `x-amzn-errortype` header. */
function anyError(answer: Answer): string | undefined {
  const header = answer.headers["x-amzn-errortype"];
  if (typeof header === "string") return header;
  if (answer.body.trimStart().startsWith("{")) {
    const json = JSON.parse(answer.body) as { __type?: string; code?: string };
    return json.__type ?? json.code;
  }
  const doc = xml.parse(answer.body) as { ErrorResponse?: { Error?: { Code?: string } }; Error?: { Code?: string } };
  return doc.ErrorResponse?.Error?.Code ?? doc.Error?.Code;
}

/** The status line of the first response on a socket, and how many responses there were. */
function statusLines(text: string): string[] {
  return text.match(/^HTTP\/1\.1 \d{3} [^\r\n]*/gm) ?? [];
}

/** THEN the sandbox still answers a well-formed, signed request with the real SDK. */
async function stillServes(): Promise<void> {
  const client = new STSClient({ endpoint: sandbox.url, region: "us-east-1", credentials: keys, maxAttempts: 1 });
  expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(USER);
  client.destroy();
}

describe("xacct sandbox: bad query strings", () => {
  it("a % not followed by two hex digits in the URL's query string is MalformedQueryString, 404", async () => {
    const answer = await raw({ method: "GET", path: `/?${GET_CALLER_IDENTITY}&Bad=%zz` });
    expect(answer.status).toBe(404);
    expect(queryError(answer)).toBe("MalformedQueryString");
    await stillServes();
  });

  it("the same in a form-encoded body is MalformedQueryString, 404, signed or not", async () => {
    const unsigned = await raw({ headers: FORM, body: `${GET_CALLER_IDENTITY}&Bad=%zz` });
    expect(unsigned.status).toBe(404);
    expect(queryError(unsigned)).toBe("MalformedQueryString");
    const signedAnswer = await signed({ headers: FORM, body: `${GET_CALLER_IDENTITY}&Bad=%z` });
    expect(signedAnswer.status).toBe(404);
    expect(queryError(signedAnswer)).toBe("MalformedQueryString");
    await stillServes();
  });
});

describe("xacct sandbox: unknown and missing actions", () => {
  it("an action STS does not have is InvalidAction, 400", async () => {
    const answer = await signed({ headers: FORM, body: "Action=NoSuchAction&Version=2011-06-15" });
    expect(answer.status).toBe(400);
    expect(queryError(answer)).toBe("InvalidAction");
    await stillServes();
  });

  it("a real action under a version STS does not have is InvalidAction, 400", async () => {
    const answer = await signed({ headers: FORM, body: "Action=GetCallerIdentity&Version=1999-01-01" });
    expect(answer.status).toBe(400);
    expect(queryError(answer)).toBe("InvalidAction");
    await stillServes();
  });

  it("no Action at all is MissingAction, 400", async () => {
    const answer = await signed({ headers: FORM, body: "Version=2011-06-15" });
    expect(answer.status).toBe(400);
    expect(queryError(answer)).toBe("MissingAction");
    await stillServes();
  });

  it("an X-Amz-Target no service has is a 4xx with an error code in the body", async () => {
    for (const [service, target] of [
      ["sqs", "AmazonSQS.NoSuchOperation"],
      ["dynamodb", "DynamoDB_20120810.NoSuchOperation"],
    ] as const) {
      const answer = await signed({
        service,
        headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target },
        body: "{}",
      });
      expect(answer.status, target).toBeGreaterThanOrEqual(400);
      expect(answer.status, target).toBeLessThan(500);
      expect(anyError(answer), target).toMatch(/\w/);
    }
    await stillServes();
  });
});

describe("xacct sandbox: bodies", () => {
  it("a body declared larger than 1 MiB is 413 before it is sent, and the connection is closed", async () => {
    // Only the head is written: the answer must not wait for a body the server will not read.
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${sandbox.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`;
    const text = await onSocket(head, false);
    // 413 is "Content Too Large" in RFC 9110, "Payload Too Large" in Node's words: the code is what counts.
    expect(statusLines(text)).toEqual([expect.stringMatching(/^HTTP\/1\.1 413 /)]);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    await stillServes();
  });

  it("a body of more than 1 MiB sent without a Content-Length (chunked) is 413", async () => {
    const answer = await raw({ headers: { ...FORM, "transfer-encoding": "chunked" }, body: Buffer.alloc(1024 * 1024 + 1, 97) });
    expect(answer.status).toBe(413);
    await stillServes();
  });

  it("a body shorter than its Content-Length, then the end of the stream, is 400", async () => {
    const text = await onSocket(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${sandbox.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get`,
    );
    expect(statusLines(text)).toEqual(["HTTP/1.1 400 Bad Request"]);
    await stillServes();
  });
});

describe("xacct sandbox: garbage headers and bytes", () => {
  it("an Authorization header that is not of the AWS4-HMAC-SHA256 form is IncompleteSignature, 400", async () => {
    const answer = await raw({ headers: { ...FORM, authorization: "AWS4-HMAC-SHA256 nonsense" }, body: GET_CALLER_IDENTITY });
    expect(answer.status).toBe(400);
    expect(queryError(answer)).toBe("IncompleteSignature");
    await stillServes();
  });

  it("no Authorization at all is MissingAuthenticationToken, 403", async () => {
    const answer = await raw({ headers: FORM, body: GET_CALLER_IDENTITY });
    expect(answer.status).toBe(403);
    expect(queryError(answer)).toBe("MissingAuthenticationToken");
    await stillServes();
  });

  // Header injection and request smuggling: an HTTP/1.1 server must reject a bare CR or LF in a
  // field, a NUL, obsolete line folding, and Content-Length beside Transfer-Encoding (RFC 9112
  // §2.2, §5.2, §6.1) with 400 and close the connection, so what follows is never a request.
  const host = () => `Host: 127.0.0.1:${sandbox.port}\r\n`;
  const smuggled = `GET /?${GET_CALLER_IDENTITY} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const cases: [string, () => string][] = [
    ["a bare LF inside a header", () => `GET / HTTP/1.1\r\n${host()}X-Amz-Date: 1\nX-Injected: yes\r\n\r\n${smuggled}`],
    ["a bare CR inside a header", () => `GET / HTTP/1.1\r\n${host()}X-Amz-Date: 1\rX-Injected: yes\r\n\r\n${smuggled}`],
    ["a NUL inside a header", () => `GET / HTTP/1.1\r\n${host()}X-Amz-Date: a\0b\r\n\r\n${smuggled}`],
    ["an obsolete folded header", () => `GET / HTTP/1.1\r\n${host()}X-Amz-Date: a\r\n b\r\n\r\n${smuggled}`],
    [
      "Content-Length beside Transfer-Encoding",
      () => `POST / HTTP/1.1\r\n${host()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    ],
    ["two different Content-Lengths", () => `POST / HTTP/1.1\r\n${host()}Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcde${smuggled}`],
    ["a header name with a space", () => `GET / HTTP/1.1\r\n${host()}Bad Header: x\r\n\r\n${smuggled}`],
  ];
  for (const [what, bytes] of cases) {
    it(`${what} is 400, and nothing after it is answered`, async () => {
      expect(statusLines(await onSocket(bytes()))).toEqual(["HTTP/1.1 400 Bad Request"]);
      await stillServes();
    });
  }

  it("bytes that are not HTTP at all (a TLS ClientHello's start) are 400", async () => {
    const text = await onSocket(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x00, 0xff, 0x0d, 0x0a]));
    expect(statusLines(text)).toEqual(["HTTP/1.1 400 Bad Request"]);
    await stillServes();
  });

  it("headers past Node's 16 KiB limit are 431 Request Header Fields Too Large (RFC 6585)", async () => {
    const text = await onSocket(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${sandbox.port}\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`);
    expect(statusLines(text)).toEqual(["HTTP/1.1 431 Request Header Fields Too Large"]);
    await stillServes();
  });
});

describe("xacct sandbox: methods", () => {
  // STS and IAM take GET and POST for every action (IAM User Guide, "Calling the IAM API using HTTP
  // query requests"); RFC 9110 §15.5.6: 405 names the methods allowed in an Allow header.
  for (const method of ["PUT", "DELETE", "PATCH"]) {
    it(`a signed ${method} to STS is 405 with Allow: GET, POST`, async () => {
      const answer = await signed({ method, query: { Action: "GetCallerIdentity", Version: "2011-06-15" } });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe("GET, POST");
      expect(queryError(answer)).toMatch(/\w/);
      await stillServes();
    });
  }

  it("a signed GET with the action in the URL works, as the query API allows", async () => {
    const answer = await signed({ method: "GET", query: { Action: "GetCallerIdentity", Version: "2011-06-15" } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`<Arn>${USER}</Arn>`);
  });
});

describe("xacct sandbox: signatures AWS refuses though they verify", () => {
  // AWS's SigV4 front end refuses a signature whose SignedHeaders lack host ("'Host' or ':authority'
  // must be a 'SignedHeader' in the AWS Authorization.", the same family as "Signature expired",
  // SignatureDoesNotMatch 403 in the query protocol); S3 answers AccessDenied, "There were headers
  // present in the request which were not signed". Otherwise a signature would hold for any endpoint.
  it("a signed STS request whose SignedHeaders lack host is SignatureDoesNotMatch, 403, with AWS's message", async () => {
    // GIVEN GetCallerIdentity signed by @smithy/signature-v4 with the user's real keys, without the Host header
    // WHEN it is sent (node:http adds Host, unsigned)
    const answer = await signed({ method: "GET", query: { Action: "GetCallerIdentity", Version: "2011-06-15" }, signHost: false });
    // THEN AWS's refusal, not the caller's identity
    expect(answer.status).toBe(403);
    expect(queryError(answer)).toBe("SignatureDoesNotMatch");
    expect((xml.parse(answer.body) as { ErrorResponse: { Error: { Message: string } } }).ErrorResponse.Error.Message).toBe(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
    expect(answer.body).not.toContain(USER);
    await stillServes();
  });

  it("a signed S3 request whose SignedHeaders lack host is AccessDenied, 403", async () => {
    // GIVEN ListBuckets signed for s3 without the Host header
    const answer = await signed({
      method: "GET",
      service: "s3",
      headers: { "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
      signHost: false,
    });
    // THEN S3's refusal
    expect(answer.status).toBe(403);
    expect(anyError(answer)).toBe("AccessDenied");
    expect((xml.parse(answer.body) as { Error: { Message: string } }).Error.Message).toBe(
      "There were headers present in the request which were not signed",
    );
    await stillServes();
  });
});
