/**
 * Test helper for `xacct credential-process`, `xacct exec` and `xacct env`: a sandbox on a small
 * model (a user in account a, role `hop` in b, role `far` in c only `hop` may assume), AWS config
 * files in a temporary directory pointing at its bootstrap keys, and the built CLI (and other real
 * programs) run as child processes without blocking the sandbox, which runs in the test process.
 * Keys reach children only through files and the environment.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compile/compile.js";
import { loadModel } from "../../src/model/load.js";
import { type BootstrapCredential, type LogEntry, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { chainModel } from "./models.js";
import { CLI } from "./xacct-cli.js";

export const MODEL = chainModel({ name: "chain" });
export const USER = "arn:aws:iam::111111111111:user/app";
export const HOP = "arn:aws:iam::222222222222:role/hop";
export const FAR = "arn:aws:iam::333333333333:role/far";
/** The built CLI (CI builds before the tests). */
export const MAIN = CLI;

/** Debian's program when it is installed (/usr/bin), else the first on PATH. */
export function debian(program: string, check: string[]): string | undefined {
  for (const candidate of [`/usr/bin/${program}`, program]) {
    if ((candidate === program || existsSync(candidate)) && spawnSync(candidate, check, { stdio: "ignore" }).status === 0) return candidate;
  }
  return undefined;
}

export interface ChainSandbox {
  s: Sandbox;
  user: BootstrapCredential;
  /** Allowed sts:AssumeRole calls so far. */
  assumed: () => number;
  dir: string;
  /** The credentials file (the user's keys under [app]). */
  credentialsFile: string;
  /** The environment of a child: PATH, HOME, the config files, the sandbox's endpoint, the cache's home. */
  env: Record<string, string>;
}

const running: Sandbox[] = [];
const dirs: string[] = [];

/** Stops the sandboxes and removes the directories of the test that ends. */
export async function cleanUp(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A sandbox and config files: profiles `hop` (from the user's keys), `far` (from hop, session
 * `via-cli`, region eu-west-1) and `via-xacct` (credential_process = xacct credential-process
 * --profile far, plus `cacheArgs`), and `extra` appended to the config.
 */
export async function chainSandbox(options: { sessionSeconds?: number; cacheArgs?: string; extra?: string } = {}): Promise<ChainSandbox> {
  const s = await startSandbox({
    state: compile(loadModel(MODEL)).state,
    host: "127.0.0.1",
    port: 0,
    ...(options.sessionSeconds ? { sessionSeconds: options.sessionSeconds } : {}),
  });
  running.push(s);
  const user = s.bootstrap.find((b) => b.userArn === USER) as BootstrapCredential;
  let count = 0;
  s.onLog((e: LogEntry) => {
    if (e.action === "sts:AssumeRole" && e.decision === "Allow") count++;
  });
  const dir = mkdtempSync(join(tmpdir(), "xacct-chain-cli-"));
  dirs.push(dir);
  // The line as botocore runs it: split into words, no shell; the SDK for JavaScript runs it through one.
  const processLine = `${process.execPath} ${MAIN} credential-process --profile far${options.cacheArgs ? ` ${options.cacheArgs}` : ""}`;
  writeFileSync(
    join(dir, "config"),
    `[profile hop]\nrole_arn = ${HOP}\nsource_profile = app\n\n[profile far]\nrole_arn = ${FAR}\nsource_profile = hop\nrole_session_name = via-cli\nregion = eu-west-1\n\n[profile via-xacct]\ncredential_process = ${processLine}\nregion = eu-west-1\n${options.extra ?? ""}`,
  );
  writeFileSync(
    join(dir, "credentials"),
    `[app]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
    { mode: 0o600 },
  );
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_ENDPOINT_URL: s.url,
    XDG_CACHE_HOME: join(dir, "xdg"),
    AWS_MAX_ATTEMPTS: "1",
    // The SDK's notice that its releases after January 2027 need Node.js 22 (this machine has 20):
    // about Node.js, not xacct, and it would be the only line on stderr.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  return { s, user, assumed: () => count, dir, credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE, env };
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end without blocking this process's event loop (the sandbox serves meanwhile). */
export function runProgram(program: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** Runs the built CLI. */
export function xacct(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return runProgram(process.execPath, [MAIN, ...args], env);
}

/** A long-running xacct command (sandbox, serve-credentials) started by `startCli`. */
export interface Started {
  child: ChildProcess;
  /** Every `export NAME=VALUE` it printed (also `# export …` hints, several per line). */
  env: Record<string, string>;
  stdout: () => string;
  stderr: () => string;
  /**
   * Its stderr once it contains `text`: a client sees the server's answer before the test reads the line the server
   * wrote just before answering, since the two travel through different pipes. Gives up (returning what it has)
   * when the command exits or after `bound` ms, so the assertion that follows fails with the text it got.
   */
  stderrWith: (text: string, bound?: number) => Promise<string>;
  exit: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Kills what `startCli` started and is still running. */
export function killStarted(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Starts the built CLI and waits until its stdout matches `ready` (it fails if the command exits first). */
export async function startCli(args: string[], ready: RegExp, env?: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, ...args], { ...(env ? { env } : {}), stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", () => (ready.test(out) ? resolve() : undefined));
    void exit.then((code) => reject(new Error(`xacct ${args[0]} exited ${code}: ${err}`)));
  });
  const exported: Record<string, string> = {};
  for (const line of out.split("\n")) {
    for (const word of /^(?:#\s+)?export (.*)$/.exec(line)?.[1]?.split(" ") ?? []) {
      const eq = word.indexOf("=");
      if (eq > 0) exported[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  const stderrWith = (text: string, bound = 30_000) =>
    new Promise<string>((resolve) => {
      const check = () => {
        if (!err.includes(text)) return;
        clearTimeout(timer);
        child.stderr?.off("data", check);
        resolve(err);
      };
      const timer = setTimeout(() => {
        child.stderr?.off("data", check);
        resolve(err);
      }, bound);
      child.stderr?.on("data", check);
      void exit.then(() => setImmediate(() => (clearTimeout(timer), resolve(err))));
      check();
    });
  return { child, env: exported, stdout: () => out, stderr: () => err, stderrWith, exit };
}

/** The ARN the SDK for JavaScript's default credential chain resolves to, in a fresh process with exactly `env`. */
export async function defaultChainArn(env: NodeJS.ProcessEnv): Promise<string> {
  const script = `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const me = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
process.stdout.write(me.Arn);`;
  const r = await runProgram(process.execPath, ["--input-type=module", "-e", script], env);
  if (r.code !== 0) throw new Error(`the SDK failed: ${r.stderr}`);
  return r.stdout;
}
