/**
 * `xacct exec` and `xacct env` as a user runs them: the built CLI against xacct's sandbox, the
 * credentials used by the real SDK for JavaScript v3 (its default chain reads AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, but skips them when AWS_PROFILE is set) and by
 * Debian's AWS CLI after `eval "$(xacct env …)"`. No secret on any command line: what `ps` shows is
 * read from /proc/PID/cmdline while the command runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { chainSandbox, cleanUp, debian, MAIN, runProgram, xacct } from "./support/chain-cli.js";

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await cleanUp();
});

const aws = debian("aws", ["--version"]);
/** CI installs Debian's awscli: there, a missing one is a failure, not a skip. */
const withAwsCli = process.env.CI ? it : it.skipIf(!aws);
const withProc = it.skipIf(!existsSync("/proc/self/cmdline"));

const FAR_SESSION = "arn:aws:sts::333333333333:assumed-role/far/via-cli";

/** Variables that, left in the environment, would make a client use something else than the chain. */
const OVERRIDING = {
  AWS_PROFILE: "no-such-profile",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/token",
  AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/elsewhere",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds",
};

/** The processes running now: pid, parent pid and the arguments `ps` shows. */
function processes(): { pid: number; ppid: number; cmdline: string }[] {
  const out = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ");
      const ppid = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${name}/status`, "utf8"))?.[1]);
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

describe("xacct exec", () => {
  it("runs the command with the chain's session in its environment, what would override it removed", async () => {
    const t = await chainSandbox();
    // The SDK's default chain in the command, which also says what it was given.
    const script = `import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
const me = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
const { AWS_PROFILE, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_REGION } = process.env;
process.stdout.write(JSON.stringify({ arn: me.Arn, left: [AWS_PROFILE, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_CONTAINER_CREDENTIALS_FULL_URI].filter(Boolean), region: AWS_REGION }));`;
    const r = await xacct(["exec", "--profile", "far", "--", process.execPath, "--input-type=module", "-e", script], {
      ...t.env,
      ...OVERRIDING,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The region is the profile's (none was set).
    expect(JSON.parse(r.stdout)).toEqual({ arn: FAR_SESSION, left: [], region: "eu-west-1" });
  });

  it("exits with the command's exit code; 127 for a command that does not exist", async () => {
    const t = await chainSandbox();
    expect((await xacct(["exec", "--profile", "far", "--", "sh", "-c", "exit 7"], t.env)).code).toBe(7);
    expect((await xacct(["exec", "--profile", "far", "--", "sh", "-c", "exit 0"], t.env)).code).toBe(0);
    const missing = await xacct(["exec", "--profile", "far", "--", "xacct-no-such-command"], t.env);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("xacct-no-such-command: no such command");
    // The chain ran once: the other runs were served from the cache.
    expect(t.assumed()).toBe(2);
  });

  it("a chain that fails: exit 1, the command not run, no secret said; a missing command is a usage error", async () => {
    const t = await chainSandbox();
    const r = await xacct(["exec", "--profile", "nope", "--", "sh", "-c", "echo ran"], t.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^xacct exec: profile "nope" of .*: no such profile/);
    expect((await xacct(["exec", "--profile", "far"], t.env)).code).toBe(2);
    expect((await xacct(["exec", "--profile", "far", "--"], t.env)).code).toBe(2);
  });

  withProc(
    "no secret on any command line while the command runs; a signal to xacct reaches the command, and xacct ends by it",
    async () => {
      const t = await chainSandbox();
      const child = spawn(process.execPath, [MAIN, "exec", "--profile", "far", "--", "sleep", "300"], {
        env: t.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })),
      );
      // Wait for xacct to start the command (the chain runs first).
      let sleeper: { pid: number } | undefined;
      while (!sleeper) {
        await new Promise((r) => setTimeout(r, 50));
        if (child.exitCode !== null) throw new Error(`xacct exec ended: ${stderr}`);
        sleeper = processes().find((p) => p.ppid === child.pid && p.cmdline.startsWith("sleep"));
      }
      const given = environOf(sleeper.pid);
      const secrets = [given.AWS_SECRET_ACCESS_KEY, given.AWS_SESSION_TOKEN, t.user.secretAccessKey];
      expect(given.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
      expect(secrets.every((s) => typeof s === "string" && s.length > 0)).toBe(true);
      const listing = processes();
      expect(listing.some((p) => p.pid === child.pid && p.cmdline.includes("exec --profile far -- sleep 300"))).toBe(true);
      for (const p of listing) for (const secret of secrets) expect(p.cmdline).not.toContain(secret);
      child.kill("SIGTERM");
      expect(await exited).toEqual({ code: null, signal: "SIGTERM" });
      // The command got the signal: it has ended (xacct waits for it before it ends).
      expect(existsSync(`/proc/${sleeper.pid}`)).toBe(false);
      for (const secret of secrets) expect(stderr).not.toContain(secret);
    },
  );
});

describe("xacct env", () => {
  withAwsCli("its lines, evaluated by sh, give Debian's AWS CLI the chain's session (an AWS_PROFILE set before is unset)", async () => {
    const t = await chainSandbox();
    const line = `eval "$("$XACCT_NODE" "$XACCT_MAIN" env --profile far)" && "$AWS_CLI" sts get-caller-identity --endpoint-url "$ENDPOINT" --query Arn --output text`;
    const r = await runProgram("sh", ["-c", line], {
      ...t.env,
      ...OVERRIDING,
      XACCT_NODE: process.execPath,
      XACCT_MAIN: MAIN,
      AWS_CLI: aws as string,
      ENDPOINT: t.s.url,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(FAR_SESSION);
  });

  it("prints unset and export lines for a POSIX shell, secrets only on stdout", async () => {
    const t = await chainSandbox();
    const r = await xacct(["env", "--profile", "far"], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^unset .*\bAWS_PROFILE\b.*\bAWS_WEB_IDENTITY_TOKEN_FILE\b.*\bAWS_CONTAINER_CREDENTIALS_FULL_URI\b/);
    const exported = Object.fromEntries(lines.slice(1).map((l) => /^export (\w+)=(.*)$/.exec(l)?.slice(1) ?? [l, ""]));
    expect(Object.keys(exported).sort()).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_CREDENTIAL_EXPIRATION",
      "AWS_DEFAULT_REGION",
      "AWS_REGION",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
    ]);
    // A region already set is the user's: not overridden.
    const own = await xacct(["env", "--profile", "far"], { ...t.env, AWS_REGION: "us-west-2" });
    expect(own.stdout).not.toMatch(/AWS_REGION|AWS_DEFAULT_REGION/);
  });

  it("--format json: the variables as one object, which the SDK's client can use", async () => {
    const t = await chainSandbox();
    const r = await xacct(["env", "--profile", "far", "--format", "json"], t.env);
    expect(r.code).toBe(0);
    const vars = JSON.parse(r.stdout) as Record<string, string>;
    expect(Date.parse(vars.AWS_CREDENTIAL_EXPIRATION ?? "")).toBeGreaterThan(Date.now());
    const client = new STSClient({
      endpoint: t.s.url,
      region: vars.AWS_REGION,
      maxAttempts: 1,
      credentials: {
        accessKeyId: vars.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? "",
        sessionToken: vars.AWS_SESSION_TOKEN ?? "",
      },
    });
    expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(FAR_SESSION);
    expect((await xacct(["env", "--profile", "far", "--format", "csv"], t.env)).code).toBe(2);
    expect(existsSync(join(t.dir, "xdg", "xacct", "credentials"))).toBe(true);
  });
});
