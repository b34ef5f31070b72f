/**
 * `xacct sandbox`: a local HTTP endpoint on 127.0.0.1 that every account of a model or inventory
 * shares. It verifies every request's SigV4 signature, routes it by the service it was signed for
 * and the protocol it speaks (STS, IAM, then every other service), and decides with xacct's engine.
 */
import { rootArn } from "../aws/arn.js";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AccountState } from "../state/account-state.js";
import { SandboxCore } from "./core.js";
import { newAccessKeyId, newSecret, uniqueId } from "./credentials.js";
import { type Fault, FaultInjector, type SandboxFaults } from "./faults.js";
import { iam } from "./iam.js";
import { organizationsService } from "./organizations/api.js";
import { isLocalPath, LocalEndpoints, type WorkloadEndpoint } from "./local.js";
import type { SandboxLimits } from "./limits.js";
import type { LogListener } from "./log.js";
import { errorReply, type Reply, type Service, type ServiceRequest } from "./protocol.js";
import { serviceFor } from "./services/index.js";
import { authenticate, type ReceivedRequest, signedRegion, signedService } from "./sigv4.js";
import { sts, UNSIGNED_ACTIONS } from "./sts.js";
import type { SandboxWorkload } from "./workloads.js";
import { AwsError } from "./xml.js";

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
  /**
   * Every session issued lasts at most this many seconds, whatever was asked (AWS's minimum is
   * 900): for trying credential refresh without waiting. @default no limit
   */
  sessionSeconds?: number;
  /** Long-term keys to use again (a restarted sandbox's `bootstrap`), by user ARN; others are made anew. */
  bootstrap?: readonly BootstrapCredential[];
  /** The model's workloads (`workloadsOf(compile(model))`): their tokens and container credentials. @default none */
  workloads?: readonly SandboxWorkload[];
  /** The Authorization header `/_xacct/token` requires. A secret. @default a new random one */
  token?: string;
  /** How much the sandbox holds at most (./limits.ts). @default DEFAULT_LIMITS */
  limits?: Partial<SandboxLimits>;
  /**
   * The management account of each organization whose state does not name one (a model names no
   * management account; an inventory's organization.json may): AWS Organizations' read calls are
   * answered to it alone (./organizations/). @default none: such an organization has none
   */
  managementAccounts?: readonly string[];
  /** Throttling on a share of calls, regions that time out (./faults.ts). @default none */
  faults?: SandboxFaults;
}

/** Long-term keys the sandbox made for an IAM user, or the root user, of an account of the state. */
export interface BootstrapCredential {
  /** The user's ARN, or `arn:aws:iam::ID:root`. */
  userArn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT` — the AWS_ENDPOINT_URL to use. */
  url: string;
  port: number;
  /** One per IAM user of the state, then one per account's root user. */
  bootstrap: BootstrapCredential[];
  /** Everything the sandbox holds and decides with. */
  core: SandboxCore;
  /** How each workload of `options.workloads` gets its first identity here (paths are under `url`). */
  workloads: WorkloadEndpoint[];
  /** The Authorization header `/_xacct/token` requires. A secret. */
  token: string;
  /** Calls `listener` with every later log entry; returns the function that stops it. */
  onLog(listener: LogListener): () => void;
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

/** The query as the signer takes it: an object with no prototype, so a parameter named `constructor` or `__proto__` is a parameter like any other. */
function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of params) {
    const known = out[k];
    out[k] = known === undefined ? v : Array.isArray(known) ? [...known, v] : [known, v];
  }
  return out;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : v;
  return out;
}

/** The methods the query protocol takes. */
const QUERY_METHODS = ["GET", "POST"];

/**
 * A query string (the URL's or a form-encoded body) with a `%` not followed by two hex digits is
 * MalformedQueryString, HTTP 404, as the common errors of STS's and IAM's API references give it.
 */
function malformedQuery(text: string, where: string): void {
  if (/%(?![0-9a-fA-F]{2})/.test(text)) throw new AwsError(404, "MalformedQueryString", `The ${where} is not a valid query string`);
}

/** How often issued sessions that have expired are forgotten. */
const SWEEP_MS = 60_000;

/** The service that answers a request: by the scope it was signed for, else STS for the unsigned web-identity calls. */
function route(received: ReceivedRequest, params: URLSearchParams, organizations: Service): { service: Service; name: string } | undefined {
  const name =
    signedService(received) ??
    (received.headers.authorization === undefined && UNSIGNED_ACTIONS.has(params.get("Action") ?? "") ? "sts" : undefined);
  if (name === undefined) return undefined;
  const service =
    name === "sts" ? sts : name === "iam" ? iam : name === "organizations" ? organizations : serviceFor(name, received.headers, params);
  return service && { service, name };
}

/**
 * The long-term keys of every IAM user of the state, then of every account's root user: the keys of
 * `earlier` (a restarted sandbox's `bootstrap`) where it has the ARN, new ones otherwise.
 */
function bootstrapCredentials(core: SandboxCore, state: AccountState, earlier: readonly BootstrapCredential[]): BootstrapCredential[] {
  const bootstrap: BootstrapCredential[] = [];
  const reused = new Map(earlier.map((b) => [b.userArn, b]));
  const longTerm = (arn: string, account: string, userId: string) => {
    const given = reused.get(arn);
    const credential = core.store.add({
      accessKeyId: given?.accessKeyId ?? newAccessKeyId("AKIA"),
      secretAccessKey: given?.secretAccessKey ?? newSecret(),
      arn,
      account,
      userId,
    });
    bootstrap.push({ userArn: arn, accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey });
  };
  for (const account of state.accounts.values())
    for (const user of account.users.values()) longTerm(user.arn, account.id, uniqueId("AIDA", user.arn));
  // The root user's unique id is the account id, as GetCallerIdentity shows it.
  for (const account of state.accounts.values()) longTerm(rootArn(account.partition, account.id), account.id, account.id);
  return bootstrap;
}

/** What the request pipeline needs of the sandbox. */
interface Pipeline {
  core: SandboxCore;
  local: LocalEndpoints;
  /** AWS Organizations, which knows the management accounts the options name. */
  organizations: Service;
  faults: FaultInjector;
}

/** A request the sandbox holds without answering (a region that times out). */
const HELD = Symbol("held");

/** A request read in full: its body, its parameters (the URL's, then a form-encoded body's) and what the signer takes. */
interface ReadRequest {
  url: URL;
  path: string;
  params: URLSearchParams;
  received: ReceivedRequest;
}

/** The body, refused as AWS refuses it when it is too large or cannot be read. */
async function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new AwsError(413, "RequestEntityTooLarge", `Request body must be at most ${MAX_BODY_BYTES} bytes`);
    throw new AwsError(400, "MalformedQueryString", "The request body could not be read");
  }
}

/** Step 1: read the request (body, URL, parameters, the path as sent). */
async function readRequest(req: IncomingMessage): Promise<ReadRequest> {
  const body = await readRequestBody(req);
  const url = new URL(req.url ?? "/", "http://sandbox");
  const params = new URLSearchParams(url.search);
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]
    ?.trim()
    .toLowerCase();
  if (req.method === "POST" && type === "application/x-www-form-urlencoded") {
    const text = body.toString("utf8");
    malformedQuery(text, "form-encoded body");
    for (const [k, v] of new URLSearchParams(text)) params.append(k, v);
  }
  // The path as sent (URL's pathname would resolve `./` and `../`, which S3 keys keep).
  const path = req.url?.startsWith("/") ? (req.url.split("?")[0] as string) : url.pathname;
  const received: ReceivedRequest = {
    method: req.method ?? "GET",
    host: req.headers.host ?? "",
    path,
    query: queryRecord(new URLSearchParams(url.search)),
    headers: headerRecord(req),
    body,
  };
  return { url, path, params, received };
}

/** The service request a handler takes, before authentication names its caller. */
function serviceRequest(core: SandboxCore, read: ReadRequest, requestId: string, now: number, service: string): ServiceRequest {
  const { url, path, params, received } = read;
  return {
    core,
    requestId,
    now,
    method: received.method,
    url,
    path,
    headers: received.headers,
    body: received.body,
    params,
    service,
    region: "us-east-1",
    caller: undefined,
  };
}

/** A request no service of the sandbox takes: refused as unauthenticated, unreadably signed, or an unknown service. */
async function refuseUnrouted(core: SandboxCore, { received, params }: ReadRequest, now: number): Promise<never> {
  if (received.headers.authorization === undefined && !params.has("X-Amz-Signature"))
    throw new AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  // A signature that cannot even be read is refused as AWS refuses it (IncompleteSignature, a bad key, …).
  await authenticate(received, core.store, now);
  throw new AwsError(400, "UnknownService", "The sandbox does not serve the service this request is signed for");
}

/**
 * IAM and STS take GET and POST for every action (IAM User Guide, "Calling the IAM API using HTTP
 * query requests"); any other method is 405, with the Allow header RFC 9110 requires.
 */
function methodNotAllowed(core: SandboxCore, service: Service, method: string, requestId: string, now: number): Reply {
  const error = new AwsError(405, "MethodNotAllowed", `The query API takes GET and POST, not ${method}`);
  core.log.refused({ requestId, time: now, code: error.code });
  const reply = errorReply(service.protocol, error, requestId, service.namespace);
  return { ...reply, headers: { ...reply.headers, allow: QUERY_METHODS.join(", ") } };
}

/** Steps 3–4: authenticate the request (unless it is one of STS's unsigned calls) and have its service answer it, errors in its protocol's shape. */
async function dispatch(
  core: SandboxCore,
  routed: { service: Service; name: string },
  read: ReadRequest,
  requestId: string,
  now: number,
): Promise<Reply> {
  const { received, params } = read;
  const signed = routed.name !== "sts" || !UNSIGNED_ACTIONS.has(params.get("Action") ?? "") || received.headers.authorization !== undefined;
  const request = serviceRequest(core, read, requestId, now, routed.name);
  try {
    if (signed) Object.assign(request, await authenticate(received, core.store, now));
    return await routed.service.handle(request);
  } catch (e) {
    const error = e instanceof AwsError ? e : internal(e);
    if (error.status !== 403 || error.code !== "AccessDenied" || !request.caller)
      core.log.refused({ requestId, time: now, code: error.code, ...(request.caller ? { principal: request.caller.arn } : {}) });
    return errorReply(routed.service.protocol, error, requestId, routed.service.namespace);
  }
}

/** The pipeline: read the request, answer xacct's own paths, route it to a service, then authenticate and dispatch. Throws what is refused before any service was chosen. */
async function answer(
  { core, local, organizations, faults }: Pipeline,
  req: IncomingMessage,
  requestId: string,
  now: number,
): Promise<Reply | typeof HELD> {
  const read = await readRequest(req);
  if (isLocalPath(read.url.pathname)) return local.answer(serviceRequest(core, read, requestId, now, "xacct"));
  malformedQuery(read.url.search, "query string");
  const routed = route(read.received, read.params, organizations);
  if (!routed) return refuseUnrouted(core, read, now);
  if ((routed.service.protocol === "query" || routed.service.protocol === "ec2") && !QUERY_METHODS.includes(read.received.method))
    return methodNotAllowed(core, routed.service, read.received.method, requestId, now);
  const fault = faults.faultFor(routed.service.protocol, signedRegion(read.received));
  if (fault) return injected(core, fault, routed, read, requestId, now);
  return dispatch(core, routed, read, requestId, now);
}

/** A fault instead of an answer, logged: the protocol's throttling error, or nothing at all (held). */
function injected(
  core: SandboxCore,
  fault: Fault,
  routed: { service: Service; name: string },
  { received, params }: ReadRequest,
  requestId: string,
  now: number,
): Reply | typeof HELD {
  const target = received.headers["x-amz-target"];
  const operation = target !== undefined ? target.slice(target.lastIndexOf(".") + 1) : params.get("Action");
  const action = operation ? `${routed.name}:${operation}` : undefined;
  const region = signedRegion(received);
  if (fault.kind === "hold") {
    core.log.fault({
      requestId,
      time: now,
      code: "Timeout",
      ...(action ? { action } : {}),
      note: `region ${region ?? ""} times out: held unanswered`,
    });
    return HELD;
  }
  core.log.fault({ requestId, time: now, code: fault.error.code, ...(action ? { action } : {}), note: "injected throttling" });
  return errorReply(routed.service.protocol, fault.error, requestId, routed.service.namespace);
}

/** Step 5: write the reply, with the sandbox's request id and Date. */
function respond(res: ServerResponse, reply: Reply, requestId: string, clock: () => number, close = false): void {
  const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
  // The Date header is the sandbox's clock, as AWS's is its own: SDKs correct their clock skew from it.
  res.writeHead(reply.status ?? 200, {
    date: new Date(clock()).toUTCString(),
    "content-type": "text/xml",
    ...reply.headers,
    "content-length": body.length,
    "x-amzn-requestid": requestId,
    ...(close ? { connection: "close" } : {}),
  });
  res.end(body);
}

/** The HTTP server: every request through the pipeline, within the sandbox's limits (./limits.ts). */
function sandboxServer(pipeline: Pipeline, clock: () => number): Server {
  const { core } = pipeline;
  // Request headers past 16 KiB are 431 whatever NODE_OPTIONS says (./limits.ts).
  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    const requestId = randomUUID();
    const now = clock();
    answer(pipeline, req, requestId, now).then(
      // A held request is never answered: its connection ends when the client gives up or the sandbox closes.
      (reply) => reply !== HELD && respond(res, reply, requestId, clock),
      (e: unknown) => {
        // Refused before any service was chosen: in the query protocol's shape, as STS answers.
        const error = e instanceof AwsError ? e : internal(e);
        core.log.refused({ requestId, time: now, code: error.code });
        respond(res, errorReply("query", error, requestId), requestId, clock, error.status === 413);
      },
    );
  });
  // Garbage on the wire (not HTTP at all) is answered 400 and the connection closed.
  // Headers past Node's limit (16 KiB) are 431, as Node itself answers them (RFC 6585).
  // Idle keep-alive connections stay open longer than clients keep them (the SDK's agent and
  // others reuse a connection for seconds): Node's 5 s default races a client's reuse and resets it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Connections beyond the limit are dropped as they arrive (./limits.ts).
  server.maxConnections = core.limits.connections;
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    const status = err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return server;
}

/** Listens on `host:port` (0: any free port); answers the port. */
async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Stops the sweeper, then the server and every connection it holds. */
function closer(server: Server, sweeper: NodeJS.Timeout): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      clearInterval(sweeper);
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    });
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const clock = options.clock ?? Date.now;
  const core = new SandboxCore(options.state, clock, options.sessionSeconds, options.limits);
  const token = options.token ?? randomBytes(32).toString("base64url");
  const local = new LocalEndpoints(core, options.workloads ?? [], token);
  const bootstrap = bootstrapCredentials(core, options.state, options.bootstrap ?? []);
  const organizations = organizationsService(options.managementAccounts ?? []);
  const faults = new FaultInjector(options.faults);
  const server = sandboxServer({ core, local, organizations, faults }, clock);
  const port = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const sweeper = setInterval(() => core.store.sweep(clock()), SWEEP_MS);
  sweeper.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bootstrap,
    core,
    workloads: local.workloads,
    token,
    onLog: (listener) => core.log.listen(listener),
    close: closer(server, sweeper),
  };
}

/** An unexpected failure, answered as AWS's InternalFailure without its details. */
function internal(e: unknown): AwsError {
  if (process.env.XACCT_DEBUG) process.stderr.write(`xacct sandbox: ${e instanceof Error ? e.stack : String(e)}\n`);
  return new AwsError(500, "InternalFailure", "The request processing has failed because of an unknown error.", "Receiver");
}
