/**
 * A credential server in the container-credentials format (the AWS SDKs and Tools Reference Guide,
 * "Container credential provider"): `GET` on its path with `Authorization: TOKEN` answers
 * `{AccessKeyId, SecretAccessKey, Token, Expiration}`, which every AWS SDK and the AWS CLI read when
 * AWS_CONTAINER_CREDENTIALS_FULL_URI names it and AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) holds
 * the token. Behind it, a chain's provider (`fromChain`) that refreshes itself, so a client that
 * asks again gets the chain's current session, however long it runs.
 *
 * - Binds 127.0.0.1 only: the SDKs accept plain HTTP for a full URI only on a loopback address.
 *   Answers only a Host of `127.0.0.1` or `localhost` (what the SDKs send), else 421:
 *   a web page that a DNS rebinding points at the server is refused before anything else.
 * - 404 for any other path, 405 (Allow: GET) for any other method, 401 without an Authorization
 *   header, 403 with a wrong one (compared in constant time); 500 when the chain fails and holds
 *   nothing valid. Errors are JSON `{Code, Message}` (what the SDKs read), never with a secret.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { iamAccountId } from "../aws/arn.js";
import { BOTOCORE_REFRESH_SECONDS } from "../aws/limits.js";
import { ChainError, type ChainSpec } from "./chain.js";
import { isLoopbackHost, MISDIRECTED } from "./loopback-host.js";
import { type ChainOptions, type ChainSource, fromChain } from "./provider.js";
import { type TokenFile, tokenFile } from "./token-file.js";

/** The path credentials are served on. */
export const CREDENTIALS_PATH = "/credentials";
/**
 * Credentials without an expiry (long-term keys, a chain of no hops) are served as expiring this
 * many seconds ahead: the container format requires an Expiration, and clients then ask again.
 */
export const NO_EXPIRY_SECONDS = 900;
/**
 * How long before expiry the server refreshes a chain (at most half a session's life): botocore
 * refreshes credentials with less than 15 minutes left, so the server hands out fresher ones than
 * that (five minutes more), and clients do not come back on every call.
 */
export const SERVER_REFRESH_MARGIN_SECONDS = BOTOCORE_REFRESH_SECONDS + 5 * 60;

export interface CredentialServerOptions {
  /** Where credentials come from on each request (a `fromChain` provider caches and refreshes). */
  provider: AwsCredentialIdentityProvider;
  /** The Authorization header value a request must carry. A secret. */
  token: string;
  /** @default 0 (any free port) */
  port?: number;
  /** The account of the served credentials, answered as AccountId (as EKS Pod Identity does). */
  accountId?: string;
  /** Told of every answer: the status, and for refusals and failures why (never a secret). */
  onAnswer?: (event: { method: string; path: string; status: number; reason?: string }) => void;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
}

export interface CredentialServer {
  /** `http://127.0.0.1:PORT/credentials`: the value of AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

function sameSecret(given: string | undefined, expected: Buffer): boolean {
  const a = Buffer.from(given ?? "");
  return a.length === expected.length && timingSafeEqual(a, expected);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The container-credentials JSON for a set of credentials. */
export function containerCredentials(credentials: AwsCredentialIdentity, now: number, accountId?: string): Record<string, string> {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    // Long-term keys have no session token; the format requires the field, and the SDKs treat "" as none.
    Token: credentials.sessionToken ?? "",
    Expiration: (credentials.expiration ?? new Date(now + NO_EXPIRY_SECONDS * 1000)).toISOString(),
    ...(accountId ? { AccountId: accountId } : {}),
  };
}

/** Starts the server on 127.0.0.1. */
export async function startCredentialServer(options: CredentialServerOptions): Promise<CredentialServer> {
  const expected = Buffer.from(options.token);
  const clock = options.clock ?? Date.now;
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    status: number,
    body: unknown,
    reason?: string,
    headers?: Record<string, string>,
  ) => {
    send(res, status, body, headers);
    options.onAnswer?.({ method: req.method ?? "", path, status, ...(reason ? { reason } : {}) });
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    req.resume();
    if (!isLoopbackHost(req.headers.host))
      return answer(
        req,
        res,
        path,
        MISDIRECTED.status,
        { Code: MISDIRECTED.code, Message: MISDIRECTED.message },
        "a Host that is not this server's",
      );
    if (path !== CREDENTIALS_PATH)
      return answer(
        req,
        res,
        path,
        404,
        { Code: "NotFound", Message: `No such path; credentials are served on ${CREDENTIALS_PATH}` },
        "no such path",
      );
    if (req.method !== "GET")
      return answer(req, res, path, 405, { Code: "MethodNotAllowed", Message: "Only GET is served" }, `method ${req.method ?? ""}`, {
        allow: "GET",
      });
    const given = req.headers.authorization;
    if (given === undefined)
      return answer(
        req,
        res,
        path,
        401,
        { Code: "MissingAuthorizationToken", Message: "The Authorization header is missing" },
        "no Authorization header",
      );
    if (!sameSecret(given, expected))
      return answer(
        req,
        res,
        path,
        403,
        { Code: "InvalidAuthorizationToken", Message: "The Authorization header is not this server's token" },
        "wrong Authorization header",
      );
    options.provider().then(
      (credentials) => answer(req, res, path, 200, containerCredentials(credentials, clock(), options.accountId)),
      (e: unknown) => {
        // ChainError messages name the chain and the step and carry no secret; anything else is named only.
        const message = e instanceof ChainError ? e.message : `the chain failed: ${(e as Error)?.name ?? "Error"}`;
        answer(req, res, path, 500, { Code: "CredentialsUnavailable", Message: message }, message);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ServeOptions {
  /** The chain served. */
  source: ChainSource;
  /** @default 0 */
  port?: number;
  /** The token's file: read when it exists, else written (0600). @default a new temporary directory's `token` */
  tokenFile?: string;
  /** The token to serve with (serve-credentials: XACCT_CREDENTIALS_TOKEN), kept in the token file, which must hold it if it exists. @default a new random token */
  token?: string;
  /** Options of the chain's provider; refreshMarginSeconds defaults to SERVER_REFRESH_MARGIN_SECONDS. */
  chain?: ChainOptions;
  onAnswer?: CredentialServerOptions["onAnswer"];
}

export interface Serving {
  server: CredentialServer;
  /** The chain as read (a chain that cannot work is refused before the server starts). */
  spec: ChainSpec;
  token: TokenFile;
  /** The variables that point an SDK at the server (no secret: the token stays in its file). */
  variables: { AWS_CONTAINER_CREDENTIALS_FULL_URI: string; AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: string };
  /** Runs the chain once now, so that the first client does not wait; rejects as the chain would. */
  warm(): Promise<void>;
  /** Stops the server and removes the token's temporary directory (a named token file is kept). */
  close(): Promise<void>;
}

/** The account of a chain's last role, which the served credentials act in. */
function accountOf(spec: ChainSpec): string | undefined {
  const arn = spec.hops.at(-1)?.roleArn ?? (spec.first.type === "web-identity" ? spec.first.roleArn : undefined);
  return arn ? iamAccountId(arn) : undefined;
}

/** Reads the chain, prepares the token and starts the server: `xacct serve-credentials`. */
export async function serveCredentials(options: ServeOptions): Promise<Serving> {
  const provider = fromChain(options.source, { refreshMarginSeconds: SERVER_REFRESH_MARGIN_SECONDS, ...options.chain });
  const spec = await provider.spec;
  const token = tokenFile(options.tokenFile, options.token);
  let server: CredentialServer;
  try {
    const accountId = accountOf(spec);
    server = await startCredentialServer({
      provider,
      token: token.token,
      port: options.port ?? 0,
      ...(accountId ? { accountId } : {}),
      ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
    });
  } catch (e) {
    token.dispose();
    throw e;
  }
  return {
    server,
    spec,
    token,
    variables: { AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: token.path },
    warm: async () => {
      await provider();
    },
    close: async () => {
      await server.close();
      token.dispose();
    },
  };
}
