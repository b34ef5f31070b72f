/**
 * `xacct serve-credentials` and its library (src/credentials/server.ts) against xacct's sandbox,
 * consumed by real clients: the SDK for JavaScript (fromHttp, and its default chain in another
 * process), boto3 and the AWS CLI (Debian's when installed). What they must do comes from the AWS
 * SDKs and Tools Reference Guide, "Container credential provider": GET on
 * AWS_CONTAINER_CREDENTIALS_FULL_URI (plain HTTP only on loopback) with the Authorization header
 * from AWS_CONTAINER_AUTHORIZATION_TOKEN or the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names,
 * answered with AccessKeyId, SecretAccessKey, Token and Expiration.
 *
 * Debian 12's botocore (1.29) and AWS CLI (2.9) read AWS_CONTAINER_AUTHORIZATION_TOKEN only, not
 * the _FILE variable: their tests read the token file and pass the token in the environment, never
 * on a command line.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, it } from "vitest";
import { type ChainSpec } from "../src/credentials/index.js";
import { serveCredentials, type Serving } from "../src/credentials/server.js";
import { rawGet } from "./support/raw-get.js";
import {
  type ChainSandbox,
  chainSandbox,
  cleanUp,
  debian,
  defaultChainArn,
  FAR,
  HOP,
  killStarted,
  MODEL,
  runProgram,
  startCli,
  xacct,
} from "./support/chain-cli.js";

const FAR_ACCOUNT = "333333333333";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mode = (path: string) => statSync(path).mode & 0o777;
const asRoot = it.skipIf(process.geteuid?.() !== 0);

const serving: Serving[] = [];
afterEach(async () => {
  killStarted();
  await Promise.all(serving.splice(0).map((s) => s.close()));
  await cleanUp();
});

function chainOf(sb: ChainSandbox, secret = sb.user.secretAccessKey): ChainSpec {
  return {
    name: "test chain",
    first: { type: "static", accessKeyId: sb.user.accessKeyId, secretAccessKey: secret },
    hops: [{ roleArn: HOP }, { roleArn: FAR, sessionName: "served" }],
    region: "eu-west-1",
  };
}

async function serve(sb: ChainSandbox, spec: ChainSpec = chainOf(sb)): Promise<Serving> {
  const s = await serveCredentials({ source: spec, chain: { endpoint: sb.s.url } });
  serving.push(s);
  return s;
}

const stsWith = (sb: ChainSandbox, s: Serving, tokenFile = s.token.path) =>
  new STSClient({
    endpoint: sb.s.url,
    region: "eu-west-1",
    maxAttempts: 1,
    credentials: fromHttp({ awsContainerCredentialsFullUri: s.server.url, awsContainerAuthorizationTokenFile: tokenFile }),
  });

/** Every secret the sandbox's chain could show: the user's secret key and the token. */
function expectNoSecret(text: string, sb: ChainSandbox, token: string): void {
  expect(text).not.toContain(sb.user.secretAccessKey);
  expect(text).not.toContain(token);
}

describe("the credential server (library) with the SDK for JavaScript", () => {
  it("serves the chain's last role in the container format: fromHttp with the token file acts as far", async () => {
    const sb = await chainSandbox();
    const s = await serve(sb);
    expect(s.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    const me = await stsWith(sb, s).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${FAR_ACCOUNT}:assumed-role/far/served`);
    // The fields the reference guide names, Expiration an ISO 8601 time within the hour a chained session may last.
    const body = (await (await fetch(s.server.url, { headers: { authorization: s.token.token } })).json()) as Record<string, string>;
    expect(Object.keys(body)).toEqual(expect.arrayContaining(["AccessKeyId", "SecretAccessKey", "Token", "Expiration"]));
    const left = Date.parse(body.Expiration!) - Date.now();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(3600_000);
    expect(body.AccountId).toBe(FAR_ACCOUNT);
  });

  it("refuses a request without the token (401), with a wrong one (403), other methods (405) and other paths (404), without running the chain", async () => {
    const sb = await chainSandbox();
    const s = await serve(sb);
    const before = sb.assumed();
    const ask = (init: RequestInit = {}, url = s.server.url) => fetch(url, init);
    const missing = await ask();
    expect(missing.status).toBe(401);
    const wrong = await ask({ headers: { authorization: `${s.token.token}x` } });
    expect(wrong.status).toBe(403);
    const post = await ask({ method: "POST", headers: { authorization: s.token.token } });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    const other = await ask({ headers: { authorization: s.token.token } }, s.server.url.replace(/\/credentials$/, "/latest/meta-data/"));
    expect(other.status).toBe(404);
    for (const r of [missing, wrong, post, other]) {
      const body = (await r.json()) as { Code: string; Message: string };
      expect(body.Code).toMatch(/^\w+$/);
      expectNoSecret(body.Message, sb, s.token.token);
    }
    // The SDK's provider with a wrong token file gets no credentials.
    const wrongFile = join(dirname(s.token.path), "wrong");
    writeFileSync(wrongFile, "not-the-token-of-this-server", { mode: 0o600 });
    await expect(stsWith(sb, s, wrongFile).send(new GetCallerIdentityCommand({}))).rejects.toThrow(/403/);
    expect(sb.assumed()).toBe(before);
  });

  it("refuses a Host that is not the loopback address (421) even with the token, without running the chain; 127.0.0.1 and localhost are served", async () => {
    // GIVEN the server and its token
    const sb = await chainSandbox();
    const s = await serve(sb);
    const before = sb.assumed();
    const { port } = s.server;
    // WHEN a page of another site, rebound to 127.0.0.1 by DNS, asks with the token (its Host is its own name)
    for (const host of [`attacker.example:${port}`, "attacker.example", `localhost.attacker.example:${port}`]) {
      const refused = await rawGet(s.server.url, { host, authorization: s.token.token });
      // THEN 421 Misdirected Request (RFC 9110), JSON with no secret, and the chain never ran
      expect(refused.status).toBe(421);
      expect(JSON.parse(refused.body)).toMatchObject({ Code: "MisdirectedRequest" });
      expectNoSecret(refused.body, sb, s.token.token);
    }
    expect(sb.assumed()).toBe(before);
    // AND the Host the SDKs send (the URL's authority) is served, as is localhost
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`])
      expect((await rawGet(s.server.url, { host, authorization: s.token.token })).status).toBe(200);
  });

  it("answers 500 with a JSON message naming the chain, and no secret, when the chain fails and nothing valid is cached", async () => {
    const sb = await chainSandbox();
    const s = await serve(sb, chainOf(sb, `${sb.user.secretAccessKey}x`));
    const r = await fetch(s.server.url, { headers: { authorization: s.token.token } });
    expect(r.status).toBe(500);
    expect(r.headers.get("content-type")).toBe("application/json");
    const text = await r.text();
    expect((JSON.parse(text) as { Message: string }).Message).toMatch(
      /^test chain: hop 1 \(AssumeRole arn:aws:iam::222222222222:role\/hop\) failed: SignatureDoesNotMatch/,
    );
    expectNoSecret(text, sb, s.token.token);
  });

  it("keeps a client working across several expiries of 3-second sessions, serving new credentials each time", async () => {
    const sb = await chainSandbox({ sessionSeconds: 3 });
    const s = await serve(sb);
    const client = stsWith(sb, s);
    const used = new Set<string>();
    let calls = 0;
    // Until the client has used four sessions in turn (each lives 3 s: at least three expiries).
    for (const deadline = Date.now() + 30_000; used.size < 4 && Date.now() < deadline; calls++) {
      const me = await client.send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe(`arn:aws:sts::${FAR_ACCOUNT}:assumed-role/far/served`);
      used.add((await client.config.credentials()).accessKeyId);
      await sleep(500);
    }
    expect(used.size).toBe(4);
    // Every new session is the whole chain again: two AssumeRole calls each.
    expect(sb.assumed()).toBeGreaterThanOrEqual(8);
  });
});

/** Starts `xacct serve-credentials` and waits for its export lines. */
const serveCli = (args: string[], env: NodeJS.ProcessEnv) =>
  startCli(["serve-credentials", ...args], /^export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=.*\n/m, env);

/** A client's environment with nothing but the server's variables, the region and an empty HOME. */
function clientEnv(sb: ChainSandbox, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: sb.env.PATH!,
    HOME: join(sb.dir, "client-home"),
    AWS_CONFIG_FILE: join(sb.dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(sb.dir, "no-credentials"),
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

describe("xacct serve-credentials (the CLI)", () => {
  it("prints the two exports and no secret, keeps the token in a 0600 file of a 0700 directory, serves the SDK's default chain, and stops on SIGTERM", async () => {
    const sb = await chainSandbox();
    const cli = await serveCli(["--profile", "far"], sb.env);
    const url = cli.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
    const file = cli.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    expect(mode(file)).toBe(0o600);
    expect(mode(dirname(file))).toBe(0o700);
    const token = readFileSync(file, "utf8");
    // The SDK's default chain, given only the two printed variables (and the sandbox as its endpoint).
    expect(await defaultChainArn(clientEnv(sb, { ...cli.env, AWS_ENDPOINT_URL: sb.s.url }))).toBe(
      `arn:aws:sts::${FAR_ACCOUNT}:assumed-role/far/via-cli`,
    );
    // Nothing secret on its command line, stdout or stderr.
    expect(readFileSync(`/proc/${cli.child.pid}/cmdline`, "utf8")).not.toContain(token);
    const served = (await (await fetch(url, { headers: { authorization: token } })).json()) as Record<string, string>;
    for (const text of [cli.stdout(), cli.stderr()]) {
      expectNoSecret(text, sb, token);
      expect(text).not.toContain(served.SecretAccessKey);
      expect(text).not.toContain(served.Token);
    }
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toBe(0);
    expect(existsSync(dirname(file))).toBe(false);
  });

  it("serves a model's workload (--workload --model), its first credentials from the environment", async () => {
    const sb = await chainSandbox();
    const model = join(sb.dir, "xacct.yaml");
    writeFileSync(model, MODEL);
    const env = {
      PATH: sb.env.PATH!,
      HOME: sb.dir,
      AWS_ENDPOINT_URL: sb.s.url,
      AWS_ACCESS_KEY_ID: sb.user.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sb.user.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const cli = await serveCli(["--workload", "app", "--model", model], env);
    // The compiler names the chain's role session after the workload (xacct-app).
    expect(await defaultChainArn(clientEnv(sb, { ...cli.env, AWS_ENDPOINT_URL: sb.s.url }))).toMatch(
      new RegExp(`^arn:aws:sts::${FAR_ACCOUNT}:assumed-role/far/`),
    );
    expect(cli.stdout()).toContain("workload app");
  });

  it("reads the token from an existing --token-file, and refuses one the SDKs could not send", async () => {
    const sb = await chainSandbox();
    const given = join(sb.dir, "given-token");
    writeFileSync(given, "a-token-chosen-by-the-operator-0123456789", { mode: 0o600 });
    const cli = await serveCli(["--profile", "far", "--token-file", given], sb.env);
    expect(cli.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE).toBe(given);
    expect(
      (
        await fetch(cli.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, {
          headers: { authorization: "a-token-chosen-by-the-operator-0123456789" },
        })
      ).status,
    ).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toBe(0);
    // A file the operator gave is kept after the stop, for the next run and its clients.
    expect(existsSync(given)).toBe(true);

    writeFileSync(given, "a-token-with-a-trailing-newline-0123456789\n");
    const bad = await xacct(["serve-credentials", "--profile", "far", "--token-file", given], sb.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(given);
    expect(bad.stderr).not.toContain("a-token-with-a-trailing-newline");
  });

  it("refuses a --token-file another user could have planted or read: a link, a FIFO, a file open to others, with a clear message and at once", async () => {
    // GIVEN a good token file, and paths holding what must not be adopted
    const sb = await chainSandbox();
    const good = join(sb.dir, "good-token");
    writeFileSync(good, "a-token-chosen-by-the-operator-0123456789", { mode: 0o600 });
    const link = join(sb.dir, "link-token");
    symlinkSync(good, link);
    const dangling = join(sb.dir, "dangling-token");
    symlinkSync(join(sb.dir, "not-yet"), dangling);
    const fifo = join(sb.dir, "fifo-token");
    execFileSync("mkfifo", [fifo]);
    const open = join(sb.dir, "open-token");
    writeFileSync(open, "a-token-chosen-by-the-operator-0123456789", { mode: 0o644 });
    chmodSync(open, 0o644);
    for (const [path, why] of [
      [link, "a symbolic link, not a regular file"],
      [dangling, "a symbolic link, not a regular file"],
      [fifo, "a FIFO, not a regular file"],
      [open, "readable or writable by group or others (mode 0644, must be 0600)"],
    ] as const) {
      // WHEN serve-credentials is given it
      const r = await xacct(["serve-credentials", "--profile", "far", "--token-file", path], sb.env);
      // THEN exit 2, one line naming the file, why, and what to give; no token shown; nothing written through a link
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--token-file ${path}: ${why}: give a file of your own with mode 0600, or a path where none exists yet`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toContain("a-token-chosen-by-the-operator");
    }
    expect(existsSync(join(sb.dir, "not-yet"))).toBe(false);
  });

  asRoot("refuses a --token-file owned by another user", async () => {
    // GIVEN a well-formed 0600 token file that belongs to nobody (uid 65534)
    const sb = await chainSandbox();
    const theirs = join(sb.dir, "their-token");
    writeFileSync(theirs, "a-token-chosen-by-someone-else-0123456789", { mode: 0o600 });
    chownSync(theirs, 65534, 65534);
    // WHEN serve-credentials is given it THEN exit 2, naming the owner
    const r = await xacct(["serve-credentials", "--profile", "far", "--token-file", theirs], sb.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--token-file ${theirs}: owned by uid 65534, not by this user (uid 0)`);
  });

  it("refuses bad input with exit 2: no chain named, a profile that does not exist, a bad port", async () => {
    const sb = await chainSandbox();
    const none = await xacct(["serve-credentials"], sb.env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--profile NAME");
    const unknown = await xacct(["serve-credentials", "--profile", "nope"], sb.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/profile "nope".*no such profile/);
    const port = await xacct(["serve-credentials", "--profile", "far", "--port", "70000"], sb.env);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--port");
  });
});

const python = debian("python3", ["-c", "import boto3"]);
const aws = debian("aws", ["--version"]);

describe.skipIf(!python)("boto3 through the server (token in AWS_CONTAINER_AUTHORIZATION_TOKEN)", () => {
  // Loops get_caller_identity for up to 20 s until it has used four sessions; prints what it saw.
  const LOOP = `import json, sys, time, boto3
client = boto3.client("sts", endpoint_url=sys.argv[1], region_name="eu-west-1")
credentials = boto3.Session().get_credentials()
arns, keys = set(), set()
deadline = time.time() + 20
while len(keys) < 4 and time.time() < deadline:
    arns.add(client.get_caller_identity()["Arn"])
    keys.add(credentials.get_frozen_credentials().access_key)
    time.sleep(0.5)
print(json.dumps({"arns": sorted(arns), "sessions": len(keys)}))`;

  it("keeps working across several expiries, the credentials served changing", async () => {
    const sb = await chainSandbox({ sessionSeconds: 3 });
    const cli = await serveCli(["--profile", "far"], sb.env);
    const token = readFileSync(cli.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE!, "utf8");
    const r = await runProgram(
      python!,
      ["-c", LOOP, sb.s.url],
      clientEnv(sb, {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: cli.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
      }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ arns: [`arn:aws:sts::${FAR_ACCOUNT}:assumed-role/far/via-cli`], sessions: 4 });
  });

  it("gets nothing with a wrong token or none", async () => {
    const sb = await chainSandbox();
    const cli = await serveCli(["--profile", "far"], sb.env);
    const once = `import sys, boto3\nprint(boto3.client("sts", endpoint_url=sys.argv[1], region_name="eu-west-1").get_caller_identity()["Arn"])`;
    for (const extra of [{ AWS_CONTAINER_AUTHORIZATION_TOKEN: "not-the-token-of-this-server" }, {}] as Record<string, string>[]) {
      const r = await runProgram(
        python!,
        ["-c", once, sb.s.url],
        clientEnv(sb, { AWS_CONTAINER_CREDENTIALS_FULL_URI: cli.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, ...extra }),
      );
      expect(r.code).not.toBe(0);
      expect(r.stdout).not.toContain("assumed-role/far");
    }
    expect(cli.stderr()).toMatch(/GET \/credentials: 403 \(wrong Authorization header\)/);
    expect(cli.stderr()).toMatch(/GET \/credentials: 401 \(no Authorization header\)/);
  });
});

describe.skipIf(!aws)("the AWS CLI through the server (token in AWS_CONTAINER_AUTHORIZATION_TOKEN)", () => {
  it("aws sts get-caller-identity keeps working across several expiries, and a wrong token gets nothing", async () => {
    const sb = await chainSandbox({ sessionSeconds: 3 });
    const cli = await serveCli(["--profile", "far"], sb.env);
    const token = readFileSync(cli.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE!, "utf8");
    const env = clientEnv(sb, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: cli.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
      AWS_PAGER: "",
    });
    const args = ["sts", "get-caller-identity", "--endpoint-url", sb.s.url, "--output", "json"];
    const chainRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runProgram(aws!, args, env);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { Arn: string }).Arn).toBe(`arn:aws:sts::${FAR_ACCOUNT}:assumed-role/far/via-cli`);
      chainRuns.push(sb.assumed());
      // Past the session's end: the next run needs new credentials.
      await sleep(3500);
    }
    // The server ran the chain (two AssumeRole calls) again for each run after an expiry.
    expect(chainRuns[1]! - chainRuns[0]!).toBeGreaterThanOrEqual(2);
    expect(chainRuns[2]! - chainRuns[1]!).toBeGreaterThanOrEqual(2);
    const wrong = await runProgram(aws!, args, { ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: "not-the-token-of-this-server" });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).not.toContain("assumed-role/far");
  });
});
