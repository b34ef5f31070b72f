/**
 * The SDK clients collect reads accounts with, all made here: the credentials (the caller's, or an
 * account's audit-role session), the endpoint (`--endpoint-url`, the sandbox), the region, the
 * SDK's adaptive retry (client-side rate limiting and backoff on throttling), and a middleware
 * counting every attempt and every throttling answer for the progress line; one HTTP handler shared
 * by all of them.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { CollectClientConfig, CollectClients } from "../services/policy-collector.js";

export type Credentials = CollectClientConfig["credentials"];

/** Attempts per call: adaptive retry backs off and slows the client on each throttling answer. */
export const MAX_ATTEMPTS = 10;

/** What every client of a run counts, attempt by attempt (retries included). */
export interface Counters {
  calls: number;
  throttled: number;
}

/** Throttling as AWS's SDKs classify it: these error codes, or HTTP 429. */
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "ProvisionedThroughputExceededException",
  "BandwidthLimitExceeded",
  "LimitExceededException",
]);

export function isThrottling(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } } | null;
  return (
    (typeof e?.name === "string" && THROTTLING.has(e.name)) || e?.$metadata?.httpStatusCode === 429 || e?.$retryable?.throttling === true
  );
}

/** Where a run's clients point and what they count. */
export interface ClientSetup {
  endpoint?: string;
  counters: Counters;
  /** One HTTP handler for every client of the run (see sharedHandler). */
  requestHandler?: NodeHttpHandler;
}

/** Keep-alive connections per endpoint host, across every client of a run. */
const SOCKETS_PER_HOST = 32;

/**
 * The HTTP handler every client of a run shares: a client per account, service and region each
 * with its own pool would hold thousands of idle keep-alive connections in a large organization
 * (and a server that caps its connections, the sandbox among them, drops the rest); shared agents
 * bound them per endpoint host. `destroy()` it when the run ends.
 */
export function sharedHandler(): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: SOCKETS_PER_HOST }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: SOCKETS_PER_HOST }),
  });
}

/** A client factory for one set of credentials, defaulting to `region`. */
export function clientsFor(setup: ClientSetup, credentials: Credentials, region: string): CollectClients {
  return {
    make(create, at = region) {
      const client = create({
        region: at,
        ...(setup.endpoint ? { endpoint: setup.endpoint } : {}),
        credentials,
        retryMode: "adaptive",
        maxAttempts: MAX_ATTEMPTS,
        ...(setup.requestHandler ? { requestHandler: setup.requestHandler } : {}),
      });
      count(client, setup.counters);
      return client;
    },
  };
}

/**
 * Counts each attempt: added in the finalizeRequest step at low priority, inside the retry
 * middleware (high priority in the same step), so that it sees every attempt and its error.
 */
function count(client: object, counters: Counters): void {
  type Next = (args: unknown) => Promise<unknown>;
  const stack = (client as { middlewareStack?: { add(middleware: (next: Next) => Next, options: object): void } }).middlewareStack;
  stack?.add(
    (next) => async (args) => {
      counters.calls++;
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error)) counters.throttled++;
        throw error;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "xacctCollectCounter" },
  );
}

/** A session duration that outlasts most accounts; a longer run re-assumes before it ends. */
const SESSION_SECONDS = 3600;
/** Re-assume this long before the session ends. */
const REFRESH_MS = 5 * 60 * 1000;

/**
 * Credentials of `roleArn`, assumed with `base` through STS (counted): the first session is taken
 * now, so that a role that cannot be assumed fails here with AWS's reason; later ones when the
 * session nears its end.
 */
export async function assumedRole(setup: ClientSetup, base: Credentials, region: string, roleArn: string): Promise<Credentials> {
  const sts = clientsFor(setup, base, region).make((config) => new STSClient(config));
  const take = async () => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "xacct-collect", DurationSeconds: SESSION_SECONDS }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`STS gave no complete credentials for ${roleArn}`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
  let session = await take();
  let pending: Promise<typeof session> | undefined;
  return async () => {
    if (session.expiration && session.expiration.getTime() - Date.now() < REFRESH_MS) {
      pending ??= take().finally(() => (pending = undefined));
      session = await pending;
    }
    return session;
  };
}
