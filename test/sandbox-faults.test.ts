/**
 * Faults injected by the sandbox, met by the real AWS SDK for JavaScript v3. What the clients do
 * comes from the SDK: its retry strategies ("standard" and "adaptive") retry the errors
 * @smithy/service-error-classification names throttling (Throttling, ThrottlingException,
 * SlowDown, TooManyRequestsException, any HTTP 429) and give up after maxAttempts; its Node HTTP
 * handler fails a request with TimeoutError when `requestTimeout` passes without an answer.
 */
import { GetRoleCommand, IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { FaultsError, type LogEntry, type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { rootOf } from "./support/iam-apply.js";
import { LOGGING, logArchiveModel } from "./support/org-models.js";
import { type Keys, refusal, sandboxPerTest } from "./support/sandbox-clients.js";

const newSandbox = sandboxPerTest();
const state = () => compile(loadModel(logArchiveModel("{organization: true}"))).state;

function logOf(s: Sandbox): LogEntry[] {
  const entries: LogEntry[] = [];
  s.onLog((e) => entries.push(e));
  return entries;
}

const config = (s: Sandbox, credentials: Keys, extra: Record<string, unknown>) => ({
  endpoint: s.url,
  region: "us-east-1",
  credentials,
  forcePathStyle: true,
  ...extra,
});

describe("injected throttling", () => {
  it("at 50%, calls through the SDK's standard and adaptive retry all succeed, and the log shows the throttled answers", async () => {
    // GIVEN a sandbox throttling half the calls (seeded)
    const s = await newSandbox({ state: state(), managementAccounts: [LOGGING], faults: { throttle: 0.5, seed: 14 } });
    const log = logOf(s);
    const keys = rootOf(s, LOGGING);
    const standard = { retryMode: "standard", maxAttempts: 10 };
    const adaptive = { retryMode: "adaptive", maxAttempts: 10 };
    // WHEN sixteen calls go through IAM, STS, Organizations and S3: one round with the standard
    // retry as configured by default (it waits up to 500 ms × 2^attempt after a throttle), three
    // with the same strategy waiting 10 ms, and one call with the adaptive retry (whose client-side
    // rate limiter slows a throttled client to as little as half a request a second)
    const attempts: number[] = [];
    const quick = { retryStrategy: new ConfiguredRetryStrategy(10, () => 10) };
    for (const retry of [standard, quick, quick, quick]) {
      attempts.push((await new IAMClient(config(s, keys, retry)).send(new ListRolesCommand({}))).$metadata.attempts ?? 0);
      attempts.push((await new STSClient(config(s, keys, retry)).send(new GetCallerIdentityCommand({}))).$metadata.attempts ?? 0);
      attempts.push((await new OrganizationsClient(config(s, keys, retry)).send(new ListAccountsCommand({}))).$metadata.attempts ?? 0);
      attempts.push((await new S3Client(config(s, keys, retry)).send(new ListBucketsCommand({}))).$metadata.attempts ?? 0);
    }
    attempts.push((await new OrganizationsClient(config(s, keys, adaptive)).send(new ListAccountsCommand({}))).$metadata.attempts ?? 0);
    // THEN every call succeeded, some only after a retry, and each throttled answer is in the log
    expect(attempts).toHaveLength(17);
    expect(attempts.some((a) => a > 1)).toBe(true);
    const faults = log.filter((e) => e.decision === "Fault");
    expect(faults.length).toBe(attempts.reduce((n, a) => n + a - 1, 0));
    expect(new Set(faults.map((e) => e.reason))).toEqual(new Set(["Throttling", "ThrottlingException", "SlowDown"]));
  });

  it("with maxAttempts 1 the throttling error surfaces with each protocol's code; xacct's own paths are never throttled", async () => {
    // GIVEN a sandbox throttling every call
    const s = await newSandbox({ state: state(), managementAccounts: [LOGGING], faults: { throttle: 1 } });
    const log = logOf(s);
    const keys = rootOf(s, LOGGING);
    const once = { maxAttempts: 1 };
    // WHEN each client calls once, and the sandbox's own token path is asked
    const iam = await refusal(new IAMClient(config(s, keys, once)).send(new GetRoleCommand({ RoleName: "x" })));
    const sts = await refusal(new STSClient(config(s, keys, once)).send(new GetCallerIdentityCommand({})));
    const orgs = await refusal(new OrganizationsClient(config(s, keys, once)).send(new ListAccountsCommand({})));
    const s3 = await refusal(new S3Client(config(s, keys, once)).send(new ListBucketsCommand({})));
    const local = await fetch(`${s.url}/_xacct/token?workload=none`, { headers: { authorization: s.token } });
    // THEN each error is its protocol's throttling error, and the local path answers as it always does
    expect([iam.name, iam.status]).toEqual(["Throttling", 400]);
    expect([sts.name, sts.status]).toEqual(["Throttling", 400]);
    expect([orgs.name, orgs.status]).toEqual(["ThrottlingException", 400]);
    expect([s3.name, s3.status]).toEqual(["SlowDown", 503]);
    expect(await local.text()).not.toMatch(/Throttl|SlowDown/);
    expect(log.filter((e) => e.decision === "Fault").map((e) => e.action)).toEqual([
      "iam:GetRole",
      "sts:GetCallerIdentity",
      "organizations:ListAccounts",
      undefined,
    ]);
  });

  it("picks the same calls for the same seed", async () => {
    // GIVEN two sandboxes with the same seed, one after the other
    const run = async () => {
      const s = await startSandbox({ state: state(), faults: { throttle: 0.3, seed: 99 } });
      const client = new STSClient(config(s, rootOf(s, LOGGING), { maxAttempts: 1 }));
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++)
        outcomes.push(
          await client.send(new GetCallerIdentityCommand({})).then(
            () => "ok",
            (e: Error) => e.name,
          ),
        );
      await s.close();
      return outcomes;
    };
    // WHEN the same twenty calls are made to each
    const [first, second] = [await run(), await run()];
    // THEN the same calls are throttled
    expect(first).toEqual(second);
    expect(first).toContain("Throttling");
    expect(first).toContain("ok");
  });

  it("refuses a share outside 0..1 and a region that is not one", async () => {
    // GIVEN / WHEN / THEN a clear error for each, before anything listens
    await expect(startSandbox({ state: state(), faults: { throttle: 20 } })).rejects.toThrow(FaultsError);
    await expect(startSandbox({ state: state(), faults: { timeoutRegions: ["Europe"] } })).rejects.toThrow(FaultsError);
  });
});

describe("a region that times out", () => {
  it("holds requests signed for it until the client's timeout; other regions answer", async () => {
    // GIVEN eu-west-3 times out
    const s = await newSandbox({ state: state(), faults: { timeoutRegions: ["eu-west-3"] } });
    const log = logOf(s);
    const keys = rootOf(s, LOGGING);
    // WHEN a client in eu-west-3 that gives up after 300 ms without an answer calls, and one in us-east-1
    const held = await refusal(
      new STSClient({ ...config(s, keys, { maxAttempts: 1 }), region: "eu-west-3", requestHandler: { socketTimeout: 300 } }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    const answered = await new STSClient(config(s, keys, { maxAttempts: 1 })).send(new GetCallerIdentityCommand({}));
    // THEN the first fails with the SDK's TimeoutError, the second is answered, and the log says which was held
    expect(held.name).toBe("TimeoutError");
    expect(answered.Account).toBe(LOGGING);
    expect(log.filter((e) => e.decision === "Fault").map((e) => [e.reason, e.action])).toEqual([["Timeout", "sts:GetCallerIdentity"]]);
  });

  it("closes cleanly while a request is held and its client still waits", async () => {
    // GIVEN a request held in eu-west-3 by a client with no timeout of its own
    const s = await startSandbox({ state: state(), faults: { timeoutRegions: ["eu-west-3"] } });
    const heldSeen = new Promise<void>((resolve) => s.onLog((e) => e.decision === "Fault" && resolve()));
    const call = new STSClient({ ...config(s, rootOf(s, LOGGING), { maxAttempts: 1 }), region: "eu-west-3" })
      .send(new GetCallerIdentityCommand({}))
      .then(
        () => "answered",
        (e: Error) => e.name,
      );
    await heldSeen;
    // WHEN the sandbox closes
    await s.close();
    // THEN close resolved, and the waiting client's connection was ended (no answer)
    expect(await call).not.toBe("answered");
  });
});
