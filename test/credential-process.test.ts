/**
 * `xacct credential-process` as the AWS SDKs run it: the built CLI named by a profile's
 * `credential_process`, consumed by the SDK for JavaScript v3 (its default chain and fromProcess)
 * and by Debian's boto3, against xacct's sandbox. The expected output is the format of the AWS CLI
 * user guide ("Sourcing credentials with an external process"): Version 1, AccessKeyId,
 * SecretAccessKey, SessionToken, Expiration in ISO 8601; that guide also asks that nothing secret
 * be written to stderr. Then its on-disk cache: modes, atomic replacement, entries it must not
 * trust, and chains that must not share an entry.
 */
import { execFileSync } from "node:child_process";
import {
  chownSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { chainSandbox, type ChainSandbox, cleanUp, debian, FAR, HOP, MODEL, runProgram, xacct } from "./support/chain-cli.js";

afterEach(cleanUp);

const python = debian("python3", ["-c", "import boto3"]);
/** CI installs Debian's python3-boto3: there, a missing one is a failure, not a skip. */
const withBoto3 = process.env.CI ? it : it.skipIf(!python);
const asRoot = it.skipIf(process.getuid?.() !== 0);

const FAR_SESSION = "arn:aws:sts::333333333333:assumed-role/far/via-cli";
const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

interface Output {
  Version: number;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/** Who the printed credentials are, asked with the SDK's STS client. */
async function whoIs(url: string, out: Output): Promise<string | undefined> {
  const client = new STSClient({
    endpoint: url,
    region: "eu-west-1",
    maxAttempts: 1,
    credentials: { accessKeyId: out.AccessKeyId, secretAccessKey: out.SecretAccessKey, sessionToken: out.SessionToken },
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

async function credentialProcess(t: ChainSandbox, args: string[], env: Record<string, string> = t.env): Promise<Output> {
  const r = await xacct(["credential-process", ...args], env);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Output;
}

const mode = (path: string) => statSync(path).mode & 0o777;
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/** Every secret a run may hold: the user's long-term key and each session's key and token. */
function expectNoSecret(text: string, t: ChainSandbox, ...outputs: Output[]): void {
  for (const secret of [t.user.secretAccessKey, ...outputs.flatMap((o) => [o.SecretAccessKey, o.SessionToken])])
    expect(text).not.toContain(secret);
}

describe("xacct credential-process", () => {
  it("prints the credential_process JSON of the chain's last session", async () => {
    const t = await chainSandbox();
    const out = await credentialProcess(t, ["--profile", "far"]);
    expect(out.Version).toBe(1);
    for (const key of ["AccessKeyId", "SecretAccessKey", "SessionToken"] as const) expect(typeof out[key]).toBe("string");
    expect(out.Expiration).toMatch(ISO_8601);
    expect(Date.parse(out.Expiration)).toBeGreaterThan(Date.now());
    expect(await whoIs(t.s.url, out)).toBe(FAR_SESSION);
    expect(t.assumed()).toBe(2);
  });

  it("is the credential_process of a profile the SDK for JavaScript v3 uses: its default chain (AWS_PROFILE) and fromProcess", async () => {
    const t = await chainSandbox();
    // A fresh Node.js process with only the files and the endpoint in its environment.
    const script = `import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromProcess } from "@aws-sdk/credential-providers";
const byDefault = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
const byProcess = await new STSClient({ maxAttempts: 1, credentials: fromProcess({ profile: "via-xacct" }) }).send(new GetCallerIdentityCommand({}));
process.stdout.write(JSON.stringify([byDefault.Arn, byProcess.Arn]));`;
    const r = await runProgram(process.execPath, ["--input-type=module", "-e", script], { ...t.env, AWS_PROFILE: "via-xacct" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([FAR_SESSION, FAR_SESSION]);
    // The second process run was served from the cache: one AssumeRole per hop in all.
    expect(t.assumed()).toBe(2);
    expect(entries(join(t.dir, "xdg", "xacct", "credentials"))).toHaveLength(1);
  });

  withBoto3("is the credential_process of a profile Debian's boto3 uses (a boto3 Session, the endpoint set in code)", async () => {
    const t = await chainSandbox();
    const script = `import sys, boto3
session = boto3.Session(profile_name="via-xacct")
sts = session.client("sts", endpoint_url=sys.argv[1], region_name="eu-west-1")
print(sts.get_caller_identity()["Arn"])
`;
    // botocore runs the line without a shell; the endpoint reaches xacct as AWS_ENDPOINT_URL.
    const r = await runProgram(python as string, ["-", t.s.url], t.env, script);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(FAR_SESSION);
    expect(t.assumed()).toBe(2);
  });

  it("a model's workload: --workload --model, the first credentials from the environment", async () => {
    const t = await chainSandbox();
    const model = join(t.dir, "xacct.yaml");
    writeFileSync(model, MODEL);
    const env = { ...t.env, AWS_ACCESS_KEY_ID: t.user.accessKeyId, AWS_SECRET_ACCESS_KEY: t.user.secretAccessKey };
    const out = await credentialProcess(t, ["--workload", "app", "--model", model, "--no-cache"], env);
    expect(await whoIs(t.s.url, out)).toMatch(/^arn:aws:sts::333333333333:assumed-role\/far\//);
    expect(t.assumed()).toBe(2);
  });

  it("--endpoint names STS's endpoint when AWS_ENDPOINT_URL is not set", async () => {
    const t = await chainSandbox();
    const env = { ...t.env };
    delete env.AWS_ENDPOINT_URL;
    const out = await credentialProcess(t, ["--profile", "far", "--endpoint", t.s.url], env);
    expect(await whoIs(t.s.url, out)).toBe(FAR_SESSION);
  });

  it("a chain that fails: exit 1, stderr names the profile and the hop, no secret anywhere, nothing cached", async () => {
    const t = await chainSandbox();
    writeFileSync(
      t.credentialsFile,
      `[app]\naws_access_key_id = ${t.user.accessKeyId}\naws_secret_access_key = ${t.user.secretAccessKey}x\n`,
    );
    const r = await xacct(["credential-process", "--profile", "far"], t.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^xacct credential-process: profile far: hop 1 \\(AssumeRole ${HOP.replace(/\//g, "\\/")}\\) failed: SignatureDoesNotMatch`,
      ),
    );
    expectNoSecret(r.stderr, t);
    expect(entries(join(t.dir, "xdg", "xacct", "credentials"))).toEqual([]);
  });

  it("refuses the profile that calls it (credential_process), with exit 1, and bad usage with exit 2", async () => {
    const t = await chainSandbox();
    const self = await xacct(["credential-process", "--profile", "via-xacct"], t.env);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/profile "via-xacct" .*uses credential_process/);
    expect((await xacct(["credential-process"], t.env)).code).toBe(2);
    expect((await xacct(["credential-process", "--workload", "app"], t.env)).code).toBe(2);
    expect((await xacct(["credential-process", "--profile", "far", "--no-cache", "--cache-dir", t.dir], t.env)).code).toBe(2);
    expect(t.assumed()).toBe(0);
  });
});

describe("xacct credential-process: the cache", () => {
  it("is created under $XDG_CACHE_HOME/xacct (directories 0700, entry 0600) and serves the next run without STS", async () => {
    const t = await chainSandbox();
    const first = await credentialProcess(t, ["--profile", "far"]);
    const dir = join(t.dir, "xdg", "xacct", "credentials");
    expect(mode(join(t.dir, "xdg", "xacct"))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    const [name] = entries(dir);
    expect(entries(dir)).toHaveLength(1);
    expect(mode(join(dir, name as string))).toBe(0o600);
    // The file's name is a hash: nothing of the chain can be read from it.
    expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
    const second = await credentialProcess(t, ["--profile", "far"]);
    expect(second).toEqual(first);
    expect(t.assumed()).toBe(2);
  });

  it("--no-cache writes nothing and runs the chain every time", async () => {
    const t = await chainSandbox();
    await credentialProcess(t, ["--profile", "far", "--no-cache"]);
    await credentialProcess(t, ["--profile", "far", "--no-cache"]);
    expect(t.assumed()).toBe(4);
    expect(existsSync(join(t.dir, "xdg"))).toBe(false);
  });

  it("an entry near its expiry is replaced by rename: a new file, never a partial one, no temporary file left", async () => {
    // 4-second sessions: an entry is served while more than half its life (2 s) is left.
    const t = await chainSandbox({ sessionSeconds: 4 });
    const cache = join(t.dir, "cache");
    const first = await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    const [name] = entries(cache);
    const file = join(cache, name as string);
    const before = statSync(file).ino;
    await new Promise((r) => setTimeout(r, 2500));
    // Read the entry over and over while it is replaced: each read is a whole entry.
    const seen: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        seen.push(readFileSync(file, "utf8"));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const second = await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    reading = false;
    await reader;
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(t.assumed()).toBe(4);
    expect(statSync(file).ino).not.toBe(before);
    expect(mode(file)).toBe(0o600);
    expect(entries(cache)).toEqual([name]);
    expect(seen.length).toBeGreaterThan(0);
    const keys = new Set(seen.map((text) => (JSON.parse(text) as Output).AccessKeyId));
    expect([...keys].every((k) => k === first.AccessKeyId || k === second.AccessKeyId)).toBe(true);
    expect((JSON.parse(readFileSync(file, "utf8")) as Output).AccessKeyId).toBe(second.AccessKeyId);
  });

  it("a corrupt entry is ignored with a warning (no secret in it) and written anew", async () => {
    const t = await chainSandbox();
    const cache = join(t.dir, "cache");
    const first = await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    const file = join(cache, entries(cache)[0] as string);
    // Half an entry, as a crash while writing in place would leave it.
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.slice(0, text.length / 2));
    const r = await xacct(["credential-process", "--profile", "far", "--cache-dir", cache], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`ignoring the cached credentials ${file}: not a valid xacct cache entry`);
    const second = JSON.parse(r.stdout) as Output;
    expectNoSecret(r.stderr, t, first, second);
    expect(t.assumed()).toBe(4);
    expect((JSON.parse(readFileSync(file, "utf8")) as Output).AccessKeyId).toBe(second.AccessKeyId);
    // Sound again: the next run is served from it.
    expect((await credentialProcess(t, ["--profile", "far", "--cache-dir", cache])).AccessKeyId).toBe(second.AccessKeyId);
    expect(t.assumed()).toBe(4);
  });

  it("an entry readable by group or others is not served: a warning says why, and a private one replaces it", async () => {
    const t = await chainSandbox();
    const cache = join(t.dir, "cache");
    const first = await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    const file = join(cache, entries(cache)[0] as string);
    chmodSync(file, 0o644);
    const r = await xacct(["credential-process", "--profile", "far", "--cache-dir", cache], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/readable or writable by group or others \(mode 0644, must be 0600\)/);
    expectNoSecret(r.stderr, t, first, JSON.parse(r.stdout) as Output);
    expect(t.assumed()).toBe(4);
    expect(mode(file)).toBe(0o600);
  });

  asRoot("an entry owned by another user is not served", async () => {
    const t = await chainSandbox();
    const cache = join(t.dir, "cache");
    await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    const file = join(cache, entries(cache)[0] as string);
    chownSync(file, 4242, 4242);
    const r = await xacct(["credential-process", "--profile", "far", "--cache-dir", cache], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/owned by uid 4242, not by this user/);
    expect(t.assumed()).toBe(4);
    expect(statSync(file).uid).toBe(0);
  });

  it("a FIFO or a link at an entry's path is not served and does not hang the command: a warning says why, and a private entry replaces it", async () => {
    // GIVEN a cached entry, then a FIFO in its place (opening it to read would block until a writer came)
    const t = await chainSandbox();
    const cache = join(t.dir, "cache");
    await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    const file = join(cache, entries(cache)[0] as string);
    rmSync(file);
    execFileSync("mkfifo", [file]);
    // WHEN credential-process runs again THEN it ends, warns, runs the chain and writes a regular 0600 entry over the FIFO
    const r = await xacct(["credential-process", "--profile", "far", "--cache-dir", cache], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`ignoring the cached credentials ${file}: a FIFO, not a regular file; it will be replaced`);
    expect(t.assumed()).toBe(4);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(mode(file)).toBe(0o600);
    // GIVEN a link in its place to a file of the right shape THEN it is not followed either
    const elsewhere = join(t.dir, "elsewhere.json");
    writeFileSync(elsewhere, readFileSync(file, "utf8"), { mode: 0o600 });
    rmSync(file);
    symlinkSync(elsewhere, file);
    const linked = await xacct(["credential-process", "--profile", "far", "--cache-dir", cache], t.env);
    expect(linked.code).toBe(0);
    expect(linked.stderr).toContain(`ignoring the cached credentials ${file}: a symbolic link, not a regular file; it will be replaced`);
    expect(t.assumed()).toBe(6);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });

  it("a directory others may write to is not used", async () => {
    const t = await chainSandbox();
    const cache = join(t.dir, "shared");
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    const r = await xacct(["credential-process", "--profile", "far", "--cache-dir", cache], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/not using the credential cache .*: writable by group or others \(mode 0777\)/);
    expect(entries(cache)).toEqual([]);
  });

  it("two chains never share an entry: each is served its own session", async () => {
    // `far-b` is `far` but for its session name.
    const t = await chainSandbox({
      extra: `\n[profile far-b]\nrole_arn = ${FAR}\nsource_profile = hop\nrole_session_name = other\nregion = eu-west-1\n`,
    });
    const cache = join(t.dir, "cache");
    await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    await credentialProcess(t, ["--profile", "far-b", "--cache-dir", cache]);
    expect(entries(cache)).toHaveLength(2);
    expect(t.assumed()).toBe(4);
    const a = await credentialProcess(t, ["--profile", "far", "--cache-dir", cache]);
    const b = await credentialProcess(t, ["--profile", "far-b", "--cache-dir", cache]);
    expect(t.assumed()).toBe(4);
    expect(await whoIs(t.s.url, a)).toBe(FAR_SESSION);
    expect(await whoIs(t.s.url, b)).toBe("arn:aws:sts::333333333333:assumed-role/far/other");
  });
});
