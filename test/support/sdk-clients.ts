/**
 * The AWS SDK for Go v2 and the AWS SDK for Ruby as Debian 12 ships them — golang 1.19 with
 * golang-github-aws-aws-sdk-go-v2-dev 1.17, ruby with ruby-aws-sdk-core 3.168 — each as a process
 * that asks STS who it is (sdk-clients/whoami.go, whoami.rb) with the SDK's default credential
 * chain, against the sandbox at XACCT_SANDBOX_URL.
 *
 * .ci/run installs the packages. A test file that needs one calls `goWhoAmI()` or `rubyWhoAmI()`
 * in its beforeAll: a missing one is an error saying what to install, never a skipped test.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { debian, runProgram } from "./chain-cli.js";
import { runAfter } from "./printed-env.js";

/** The caller's ARN, or what the SDK said (its error, on stderr). */
export type WhoAmI = { arn: string } | { error: string };

/** A built or found client: the program and its arguments. */
export interface Client {
  program: string;
  args: string[];
}

const SOURCES = resolve("test/support/sdk-clients");
/** Where Debian's -dev packages put Go sources: a GOPATH tree (dh-golang builds Debian's own Go packages from it). */
const DEBIAN_GOPATH = "/usr/share/gocode";

function missing(what: string, packages: string): Error {
  return new Error(
    `${what} is not installed: install Debian's ${packages} (sudo apt-get install ${packages}; .ci/run installs them when missing)`,
  );
}

/**
 * Runs the client with exactly `env` (no PATH is added: give one); after `lines` when given, in a
 * shell that ran them first (the lines a user pastes, see printed-env.ts).
 */
export async function whoAmI(client: Client, env: Record<string, string>, lines: readonly string[] = []): Promise<WhoAmI> {
  const r = lines.length ? await runAfter(lines, client.program, client.args, env) : await runProgram(client.program, client.args, env);
  if (r.code === 0) return JSON.parse(r.stdout) as { arn: string };
  return { error: r.stderr.trim() || `exit status ${r.code}` };
}

/**
 * Builds whoami.go into `outDir` with Debian's Go and SDK, offline, and answers the client that
 * runs it. GOPATH mode (GO111MODULE=off) over Debian's source tree: the SDK is there as sources in
 * GOPATH's layout, not as a module in a module cache, and no proxy is asked for anything.
 */
export async function goWhoAmI(outDir: string): Promise<Client> {
  const go = debian("go", ["version"]);
  if (!go) throw missing("Go", "golang golang-github-aws-aws-sdk-go-v2-dev");
  if (!existsSync(join(DEBIAN_GOPATH, "src/github.com/aws/aws-sdk-go-v2/config")))
    throw missing("The AWS SDK for Go v2", "golang-github-aws-aws-sdk-go-v2-dev");
  const binary = join(outDir, "whoami");
  // The build cache stays where Go keeps it (GOCACHE, else under XDG_CACHE_HOME or HOME), for the next run.
  const keep = ["HOME", "XDG_CACHE_HOME", "GOCACHE"].filter((k) => process.env[k] !== undefined);
  const built = await runProgram(go, ["build", "-o", binary, join(SOURCES, "whoami.go")], {
    ...Object.fromEntries(keep.map((k) => [k, process.env[k] as string])),
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GO111MODULE: "off",
    GOPATH: DEBIAN_GOPATH,
    GOFLAGS: "",
    GOPROXY: "off",
    GOTOOLCHAIN: "local",
    // No C compiler needed: the pure-Go resolver and standard library.
    CGO_ENABLED: "0",
  });
  if (built.code !== 0) throw new Error(`go build ${join(SOURCES, "whoami.go")} failed:\n${built.stderr}`);
  return { program: binary, args: [] };
}

/** The client that runs whoami.rb with Debian's Ruby and aws-sdk-core, and that SDK's version. */
export async function rubyWhoAmI(): Promise<{ client: Client; version: string }> {
  const ruby = debian("ruby", ["-e", 'require "aws-sdk-core"']);
  if (!ruby) throw missing("Ruby with the AWS SDK for Ruby", "ruby ruby-aws-sdk-core");
  const version = await runProgram(ruby, ["-e", 'require "aws-sdk-core"; print Aws::CORE_GEM_VERSION'], { PATH: "/usr/bin:/bin" });
  return { client: { program: ruby, args: [join(SOURCES, "whoami.rb")] }, version: version.stdout.trim() };
}

/** Whether `version` (`3.168.1`) is at least `least` (`3.188.0`). */
export function atLeast(version: string, least: string): boolean {
  const a = version.split(".").map(Number);
  const b = least.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}
