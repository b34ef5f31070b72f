/**
 * The run-time chain provider (`xacct/credentials`) against xacct's sandbox, used by the AWS SDK's
 * own clients: nothing mocked. What a chain must do comes from the IAM User Guide (role chaining
 * caps a session at one hour) and from how the SDK consumes a credential provider.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { ChainError, chainFromProfile, type ChainSpec, fromChain } from "../src/credentials/index.js";
import { loadModel } from "../src/model/load.js";
import { type BootstrapCredential, type LogEntry, type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { FAR, HOP, MODEL, USER } from "./support/chain-cli.js";

// GIVEN (test/support/chain-cli.ts) a user in account a, a role `hop` in b it may assume, and a role `far` in c only `hop` may assume.

const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function sandbox(
  options: { sessionSeconds?: number; port?: number; bootstrap?: readonly BootstrapCredential[] } = {},
): Promise<{ s: Sandbox; user: BootstrapCredential; assumed: () => number }> {
  const s = await startSandbox({ state: compile(loadModel(MODEL)).state, host: "127.0.0.1", port: options.port ?? 0, ...options });
  running.push(s);
  const user = s.bootstrap.find((b) => b.userArn === USER) as BootstrapCredential;
  let count = 0;
  s.onLog((e: LogEntry) => {
    if (e.action === "sts:AssumeRole" && e.decision === "Allow") count++;
  });
  return { s, user, assumed: () => count };
}

function chainOf(user: BootstrapCredential): ChainSpec {
  return {
    name: "test chain",
    first: { type: "static", accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    hops: [{ roleArn: HOP }, { roleArn: FAR, sessionName: "far-session" }],
    region: "eu-west-1",
  };
}

const whoAmI = (url: string, credentials: ReturnType<typeof fromChain>) =>
  new STSClient({ endpoint: url, region: "eu-west-1", credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fromChain with the SDK's own clients", () => {
  it("a two-hop chain: the SDK's STS client acts as the last role's session", async () => {
    const { s, user, assumed } = await sandbox();
    const provider = fromChain(chainOf(user), { endpoint: s.url });
    const me = await whoAmI(s.url, provider);
    expect(me.Arn).toBe("arn:aws:sts::333333333333:assumed-role/far/far-session");
    // Each hop is one AssumeRole; a second call is served from the cache.
    await whoAmI(s.url, provider);
    expect(assumed()).toBe(2);
  });

  it("the same chain read from AWS config files (source_profile, role_arn, keys in the credentials file)", async () => {
    const { s, user } = await sandbox();
    const dir = mkdtempSync(join(tmpdir(), "xacct-cred-"));
    writeFileSync(
      join(dir, "config"),
      `[profile hop]\nrole_arn = ${HOP}\nsource_profile = app\n\n[profile far]\nrole_arn = ${FAR}\nsource_profile = hop\nrole_session_name = from-profile\nregion = eu-west-1\n`,
    );
    writeFileSync(
      join(dir, "credentials"),
      `[app]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    const files = { configFile: join(dir, "config"), credentialsFile: join(dir, "credentials") };
    const spec = await chainFromProfile("far", files, {});
    expect(spec.hops.map((h) => h.roleArn)).toEqual([HOP, FAR]);
    const me = await whoAmI(s.url, fromChain({ profile: "far", files }, { endpoint: s.url, env: {} }));
    expect(me.Arn).toBe("arn:aws:sts::333333333333:assumed-role/far/from-profile");
  });

  it("a chained hop asking for more than 3600 s is refused before any call, naming the profile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-cred-"));
    writeFileSync(
      join(dir, "config"),
      `[profile hop]\nrole_arn = ${HOP}\nsource_profile = app\n\n[profile far]\nrole_arn = ${FAR}\nsource_profile = hop\nduration_seconds = 7200\n`,
    );
    writeFileSync(
      join(dir, "credentials"),
      `[app]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = not-a-real-secret-value\n`,
    );
    const failure = chainFromProfile("far", { configFile: join(dir, "config"), credentialsFile: join(dir, "credentials") }, {});
    await expect(failure).rejects.toThrow(ChainError);
    await expect(failure).rejects.toThrow(/profile "far".*duration_seconds = 7200.*role chaining/);
    // The first hop, from a user's long-term keys, is not chaining: up to 43200 s is allowed there.
    writeFileSync(join(dir, "config"), `[profile hop]\nrole_arn = ${HOP}\nsource_profile = app\nduration_seconds = 7200\n`);
    await expect(
      chainFromProfile("hop", { configFile: join(dir, "config"), credentialsFile: join(dir, "credentials") }, {}),
    ).resolves.toMatchObject({ hops: [{ durationSeconds: 7200 }] });
  });

  it("refreshes across an expiry: short sessions are replaced before they end", async () => {
    // The sandbox issues 3-second sessions; the provider refreshes at half a session's life.
    const { s, user, assumed } = await sandbox({ sessionSeconds: 3 });
    const provider = fromChain(chainOf(user), { endpoint: s.url });
    const before = await provider();
    expect(before.expiration && before.expiration.getTime() - Date.now()).toBeLessThanOrEqual(3000);
    await sleep(3500);
    // The first credentials have expired: the SDK's client still works, through new ones.
    expect((await whoAmI(s.url, provider)).Arn).toBe("arn:aws:sts::333333333333:assumed-role/far/far-session");
    const after = await provider();
    expect(after.accessKeyId).not.toBe(before.accessKeyId);
    expect(assumed()).toBe(4);
  });

  it("500 concurrent calls during a refresh make exactly one AssumeRole per hop", async () => {
    const { s, user, assumed } = await sandbox({ sessionSeconds: 2 });
    const provider = fromChain(chainOf(user), { endpoint: s.url });
    await provider();
    expect(assumed()).toBe(2);
    await sleep(1100);
    const all = await Promise.all(Array.from({ length: 500 }, () => provider()));
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(assumed()).toBe(4);
  });

  it("survives the sandbox stopping mid-run: serves still-valid credentials, then recovers when it is back", async () => {
    // 10-second sessions: due for refresh after 5 s (half their life), served until 9 s.
    const first = await sandbox({ sessionSeconds: 10 });
    const { port } = first.s;
    const provider = fromChain(chainOf(first.user), { endpoint: first.s.url, maxBackoffSeconds: 1 });
    const held = await provider();
    await first.s.close();
    running.splice(running.indexOf(first.s), 1);
    // Due for refresh with the endpoint down: the still-valid credentials are kept.
    await sleep(5500);
    const during = await provider();
    expect(during.accessKeyId).toBe(held.accessKeyId);
    // Back on the same port with the same long-term keys; after the backoff the chain runs again.
    const second = await sandbox({ sessionSeconds: 10, port, bootstrap: first.s.bootstrap });
    await sleep(1100);
    const recovered = await provider();
    expect(recovered.accessKeyId).not.toBe(held.accessKeyId);
    expect(second.assumed()).toBe(2);
  });

  it("an error names the chain and the hop, and carries no secret", async () => {
    const { s, user } = await sandbox();
    const wrong: ChainSpec = {
      ...chainOf(user),
      first: { type: "static", accessKeyId: user.accessKeyId, secretAccessKey: `${user.secretAccessKey}x` },
    };
    const failure = fromChain(wrong, { endpoint: s.url })();
    await expect(failure).rejects.toThrow(
      /^test chain: hop 1 \(AssumeRole arn:aws:iam::222222222222:role\/hop\) failed: SignatureDoesNotMatch/,
    );
    const message = await failure.catch((e: Error) => `${e.message} ${e.stack ?? ""} ${JSON.stringify(e)}`);
    expect(message).not.toContain(user.secretAccessKey);
  });
});
