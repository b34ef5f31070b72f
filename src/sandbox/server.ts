/**
 * `xacct sandbox`: a local HTTP endpoint on 127.0.0.1 speaking STS's query protocol, verifying
 * every request's SigV4 signature and deciding with xacct's engine over an AccountState.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AccessGraph } from "../graph/graph.js";
import type { AccountState } from "../state/account-state.js";
import { CredentialStore, newAccessKeyId, newSecret, uniqueId } from "./credentials.js";
import { authenticate, type ReceivedRequest } from "./sigv4.js";
import { STS_ACTIONS, STS_VERSION } from "./sts.js";
import { AwsError, errorXml, successXml } from "./xml.js";

/** The largest request body the sandbox reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface SandboxOptions {
  state: AccountState;
  /** @default 0 (any free port) */
  port?: number;
  /** The sandbox listens on the loopback interface only. */
  host?: "127.0.0.1";
  /** Epoch milliseconds; tests move time. @default Date.now */
  clock?: () => number;
}

/** Long-term keys the sandbox made for an IAM user of the state. */
export interface BootstrapCredential {
  userArn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT` — the AWS_ENDPOINT_URL to use. */
  url: string;
  port: number;
  /** One per IAM user of the state. */
  bootstrap: BootstrapCredential[];
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners("data");
        req.pause();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const known = out[k];
    out[k] = known === undefined ? v : Array.isArray(known) ? [...known, v] : [known, v];
  }
  return out;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : v;
  return out;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const clock = options.clock ?? Date.now;
  const graph = new AccessGraph(options.state);
  const store = new CredentialStore();
  const bootstrap: BootstrapCredential[] = [];
  for (const account of options.state.accounts.values()) {
    for (const user of account.users.values()) {
      const credential = store.add({ accessKeyId: newAccessKeyId("AKIA"), secretAccessKey: newSecret(), arn: user.arn, account: account.id, userId: uniqueId("AIDA", user.arn) });
      bootstrap.push({ userArn: user.arn, accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey });
    }
  }

  async function answer(req: IncomingMessage, requestId: string): Promise<{ status: number; body: string }> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) throw new AwsError(413, "RequestEntityTooLarge", `Request body must be at most ${MAX_BODY_BYTES} bytes`);
      throw new AwsError(400, "MalformedQueryString", "The request body could not be read");
    }
    const url = new URL(req.url ?? "/", "http://sandbox");
    const params = new URLSearchParams(url.search);
    const type = String(req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (req.method === "POST" && type === "application/x-www-form-urlencoded") {
      const text = body.toString("utf8");
      if (/%(?![0-9a-fA-F]{2})/.test(text)) throw new AwsError(400, "MalformedQueryString", "The request body is not a valid form-encoded query string");
      for (const [k, v] of new URLSearchParams(text)) params.append(k, v);
    } else if (req.method !== "GET" && req.method !== "POST") throw new AwsError(405, "InvalidAction", `Method ${req.method ?? ""} is not supported`);
    const received: ReceivedRequest = { method: req.method, host: req.headers.host ?? "", path: url.pathname, query: queryRecord(new URLSearchParams(url.search)), headers: headerRecord(req), body };
    const now = clock();
    const caller = await authenticate(received, store, "sts", now);
    const action = params.get("Action");
    if (action === null) throw new AwsError(400, "MissingAction", "Missing Action");
    const version = params.get("Version");
    const handler = Object.hasOwn(STS_ACTIONS, action) ? STS_ACTIONS[action] : undefined;
    if (!handler || (version !== null && version !== STS_VERSION)) throw new AwsError(400, "InvalidAction", `Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
    return { status: 200, body: successXml(action, handler({ graph, store, caller, params, now }), requestId) };
  }

  function respond(res: ServerResponse, status: number, body: string, requestId: string, close = false): void {
    // The Date header is the sandbox's clock, as AWS's is its own: SDKs correct their clock skew from it.
    res.writeHead(status, { date: new Date(clock()).toUTCString(), "content-type": "text/xml", "content-length": Buffer.byteLength(body), "x-amzn-requestid": requestId, ...(close ? { connection: "close" } : {}) });
    res.end(body);
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    answer(req, requestId).then(
      ({ status, body }) => respond(res, status, body, requestId),
      (e: unknown) => {
        const error = e instanceof AwsError ? e : new AwsError(500, "InternalFailure", "The request processing has failed because of an unknown error.", "Receiver");
        respond(res, error.status, errorXml(error, requestId), requestId, error.status === 413);
      },
    );
  });
  // Garbage on the wire (not HTTP at all) is answered 400 and the connection closed.
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bootstrap,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
