/**
 * `fromChain`: an AWS SDK v3 credential provider for a chain — the first credentials from the
 * SDK's own providers (web identity token file, container endpoint, instance metadata,
 * environment) or static keys, then each hop's AssumeRole with the SDK's STS client.
 *
 * - Cached, and refreshed `refreshMarginSeconds` before expiry (at most half the session's life,
 *   so short sessions are not refreshed on every call).
 * - Single flight: callers that arrive during a refresh share its STS calls.
 * - A failed refresh keeps serving credentials that are still valid, and is retried on a later
 *   call after a backoff (1 s, doubling, at most `maxBackoffSeconds`).
 * - Nothing secret is logged or put in an error message.
 */
import { fromEnv, fromHttp, fromInstanceMetadata, fromTokenFile } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { DEFAULT_ROLE_SESSION_SECONDS, SDK_JS_REFRESH_SECONDS } from "../aws/limits.js";
import { ChainError, type ChainSpec, DEFAULT_SESSION_NAME, type FirstIdentity } from "./chain.js";
import { chainFromProfile, type ProfileFiles } from "./profile.js";
import { refreshFrom } from "./refresh.js";

/** A chain by its spec, by a profile of the AWS config files, or by a workload of a model. */
export type ChainSource = ChainSpec | { profile: string; files?: ProfileFiles } | { model: string; workload: string; profile?: string };

export interface ChainOptions {
  /** Refresh this long before expiry (capped at half the session's lifetime). @default 300, the SDK for JavaScript's own */
  refreshMarginSeconds?: number;
  /** The longest wait between retries of a failed refresh. @default 60 */
  maxBackoffSeconds?: number;
  /** STS's endpoint. @default the SDK's: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else AWS's */
  endpoint?: string;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
  /** Told of every STS call the chain makes (role ARNs and hop numbers only, never secrets). */
  onCall?: (event: { hop: number; action: "AssumeRole" | "AssumeRoleWithWebIdentity" | "first"; roleArn?: string }) => void;
  env?: NodeJS.ProcessEnv;
}

/** A provider, with what it holds (for `xacct credential-process` and the credential server). */
export interface ChainProvider extends AwsCredentialIdentityProvider {
  /** The chain as read. */
  readonly spec: Promise<ChainSpec>;
  /** Forgets the cached credentials: the next call runs the chain again. */
  reset(): void;
}

/** Credentials this close to their expiry (at most a tenth of their life) are no longer served. */
const SLACK_MS = 10_000;

/** The AWS SDK v3 credential provider for a chain. */
export function fromChain(source: ChainSource, options: ChainOptions = {}): ChainProvider {
  const clock = options.clock ?? Date.now;
  const env = options.env ?? process.env;
  const marginMs = (options.refreshMarginSeconds ?? SDK_JS_REFRESH_SECONDS) * 1000;
  const maxBackoffMs = (options.maxBackoffSeconds ?? 60) * 1000;
  const spec = resolve(source, env);
  // Not left unhandled when nobody awaits it before the first call.
  spec.catch(() => undefined);
  let current: { credentials: AwsCredentialIdentity; obtainedAt: number } | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;
  let failures = 0;
  let retryAt = 0;

  const valid = (now: number) => {
    const expiration = current?.credentials.expiration;
    if (!current || !expiration) return current !== undefined;
    return expiration.getTime() - Math.min(SLACK_MS, (expiration.getTime() - current.obtainedAt) / 10) > now;
  };
  const due = (now: number) => {
    const expiration = current?.credentials.expiration;
    if (!current) return true;
    if (!expiration) return false;
    return refreshFrom(current.obtainedAt, expiration.getTime(), marginMs) <= now;
  };

  async function refresh(): Promise<AwsCredentialIdentity> {
    const started = clock();
    try {
      const credentials = await run(await spec, options, env);
      current = { credentials, obtainedAt: started };
      failures = 0;
      retryAt = 0;
      return credentials;
    } catch (e) {
      failures++;
      retryAt = clock() + Math.min(maxBackoffMs, 1000 * 2 ** (failures - 1));
      throw e;
    }
  }

  const provider = async (): Promise<AwsCredentialIdentity> => {
    const now = clock();
    if (current && !due(now)) return current.credentials;
    // Backing off after a failure: the still-valid credentials meanwhile.
    if (current && valid(now) && now < retryAt) return current.credentials;
    inflight ??= refresh().finally(() => {
      inflight = undefined;
    });
    try {
      return await inflight;
    } catch (e) {
      if (current && valid(clock())) return current.credentials;
      throw e;
    }
  };
  return Object.assign(provider, {
    spec,
    reset: () => {
      current = undefined;
      retryAt = 0;
    },
  });
}

function resolve(source: ChainSource, env: NodeJS.ProcessEnv): Promise<ChainSpec> {
  if ("first" in source) return Promise.resolve(source);
  // The model loader and compiler are loaded only for a chain named by a model's workload: `xacct/credentials` stays light.
  if ("model" in source)
    return import("./model.js").then(({ chainFromModel }) => chainFromModel(source.model, source.workload, source.profile, env));
  return chainFromProfile(source.profile, source.files, env);
}

/** Runs the chain once: the first credentials, then every hop. */
async function run(spec: ChainSpec, options: ChainOptions, env: NodeJS.ProcessEnv): Promise<AwsCredentialIdentity> {
  const region = spec.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  // STS's client is loaded when a chain first runs, not when the library is imported (as the SDK's fromTemporaryCredentials does).
  const { AssumeRoleCommand, STSClient } = await import("@aws-sdk/client-sts");
  const clientConfig = { region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
  let credentials = await step(spec, "the first credentials", () => first(spec.first, clientConfig)());
  options.onCall?.({
    hop: 0,
    action: spec.first.type === "web-identity" ? "AssumeRoleWithWebIdentity" : "first",
    ...(spec.first.type === "web-identity" ? { roleArn: spec.first.roleArn } : {}),
  });
  for (const [i, hop] of spec.hops.entries()) {
    const client = new STSClient({ ...clientConfig, credentials, maxAttempts: 2 });
    options.onCall?.({ hop: i + 1, action: "AssumeRole", roleArn: hop.roleArn });
    const out = await step(spec, `hop ${i + 1} (AssumeRole ${hop.roleArn})`, () =>
      client.send(
        new AssumeRoleCommand({
          RoleArn: hop.roleArn,
          RoleSessionName: hop.sessionName ?? DEFAULT_SESSION_NAME,
          DurationSeconds: hop.durationSeconds ?? DEFAULT_ROLE_SESSION_SECONDS,
          ...(hop.externalId ? { ExternalId: hop.externalId } : {}),
          ...(hop.tags ? { Tags: Object.entries(hop.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
        }),
      ),
    );
    client.destroy();
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
      throw new ChainError(`${spec.name}: hop ${i + 1} (AssumeRole ${hop.roleArn}) answered without credentials`);
    credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }
  return credentials;
}

/** The SDK provider for a chain's first credentials. */
function first(identity: FirstIdentity, clientConfig: { region: string; endpoint?: string }): AwsCredentialIdentityProvider {
  switch (identity.type) {
    case "web-identity":
      return fromTokenFile({
        webIdentityTokenFile: identity.tokenFile,
        roleArn: identity.roleArn,
        roleSessionName: identity.sessionName ?? DEFAULT_SESSION_NAME,
        clientConfig,
      });
    case "container":
      return fromHttp({});
    case "instance":
      return fromInstanceMetadata();
    case "environment":
      return fromEnv();
    case "static":
      return () =>
        Promise.resolve({
          accessKeyId: identity.accessKeyId,
          secretAccessKey: identity.secretAccessKey,
          ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
        });
  }
}

/**
 * Runs one step, turning its failure into a ChainError that names the chain and the step and
 * keeps only the error's name and message (AWS's messages hold no secrets; nothing else of the
 * error — request, credentials — is carried).
 */
async function step<T>(spec: ChainSpec, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ChainError) throw e;
    const err = e as { name?: string; message?: string };
    const error = new ChainError(`${spec.name}: ${what} failed: ${err.name ?? "Error"}: ${err.message ?? String(e)}`);
    (error as { code?: string }).code = err.name;
    throw error;
  }
}
