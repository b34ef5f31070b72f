/**
 * xacct's run-time credentials in the AWS SDK for Go v2 and the AWS SDK for Ruby as Debian 12
 * ships them (Go SDK 1.17, aws-sdk-core 3.168), against the sandbox: each asks STS who it is
 * (test/support/sdk-clients/) with its default credential chain, given
 *
 * - the AWS config profiles the sandbox writes in its directory (the aws-config emitter's chains,
 *   first identities reading from the sandbox): an IAM user's keys through two roles, and an EKS
 *   web identity to a role in another account as `[default]`;
 * - a profile whose `credential_process` is `xacct credential-process` (the AWS CLI user guide,
 *   "Sourcing credentials with an external process");
 * - `xacct serve-credentials`, through the lines it prints (the SDKs and Tools Reference Guide,
 *   "Container credential provider").
 *
 * What each must become comes from the model (the compiled chain's last role and its session
 * name) or from the test's own config file, never from xacct's output. Where the sandbox refuses
 * a chain (a role whose trust does not name the caller), the SDK must fail. Neither SDK reads
 * AWS_ENDPOINT_URL at these versions: each program sets the sandbox as its endpoint the way its
 * SDK documents (see the programs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assumedRoleArn, parseIamArn } from "../src/aws/arn.js";
import { compile, type Compiled } from "../src/compile/compile.js";
import { loadModel, loadModelFile } from "../src/model/load.js";
import { type SandboxEnvironment, startEnvironment } from "../src/sandbox/environment.js";
import {
  chainSandbox,
  type ChainSandbox,
  cleanUp,
  FAR,
  killStarted,
  MAIN,
  MODEL,
  startCli,
  type Started,
  USER,
} from "./support/chain-cli.js";
import { activeExports, commentedExports } from "./support/printed-env.js";
import { atLeast, type Client, goWhoAmI, rubyWhoAmI, type WhoAmI, whoAmI } from "./support/sdk-clients.js";

/** far's session as chainSandbox's profile `far` names it (role_session_name = via-cli). */
const FAR_SESSION = "arn:aws:sts::333333333333:assumed-role/far/via-cli";
/** The first version of aws-sdk-core the EKS user guide lists for Pod Identity: the container variables with a full URI. */
const RUBY_CONTAINER_SINCE = "3.188.0";

/** A profile from the user's keys (profile `source`) straight to far, whose trust names only hop. */
const skipHop = (source: string) => `\n[profile skip-hop]\nrole_arn = ${FAR}\nsource_profile = ${source}\nregion = eu-west-1\n`;

const open: SandboxEnvironment[] = [];
const dirs: string[] = [];
afterEach(async () => {
  killStarted();
  await Promise.all(open.splice(0).map((e) => e.close()));
  await cleanUp();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-sdk-go-ruby-"));
  dirs.push(dir);
  return dir;
}

/** The session ARN a profile's chain must give: its last role, with the session name the model gives that hop. */
function lastSession(compiled: Compiled, profile: string): string {
  const hop = compiled.chains.find((c) => c.profile === profile)?.hops.at(-1);
  const role = hop && parseIamArn(hop.roleArn);
  if (!hop || !role) throw new Error(`no chain with a role for profile ${profile}`);
  return assumedRoleArn(role.partition, role.account, role.name, hop.sessionName);
}

async function environment(compiled: Compiled): Promise<SandboxEnvironment> {
  const env = await startEnvironment({ compiled, state: compiled.state, dir: join(scratch(), "sandbox") });
  open.push(env);
  return env;
}

const arnOf = (r: WhoAmI) => ("arn" in r ? r.arn : `error: ${r.error}`);
const errorOf = (r: WhoAmI) => ("error" in r ? r.error : `no error: ${r.arn}`);

/** The sts:AssumeRole calls the sandbox refuses from now on, as `PRINCIPAL ROLE`. */
function refusedAssumeRoles(t: ChainSandbox): string[] {
  const refused: string[] = [];
  t.s.onLog((e) => {
    if (e.action === "sts:AssumeRole" && e.decision !== "Allow") refused.push(`${e.principal} ${e.resource}`);
  });
  return refused;
}

/** `xacct serve-credentials --profile PROFILE` on chainSandbox's files: what it printed, and its stderr. */
async function serveCredentials(
  t: ChainSandbox,
  profile: string,
): Promise<{ lines: string[]; stderr: () => string; stderrWith: Started["stderrWith"] }> {
  const cli = await startCli(["serve-credentials", "--profile", profile], /^# clients that read .*\n/m, t.env);
  const printed = cli.stdout();
  // The export lines as printed, and the one for clients that read the token itself, uncommented.
  return { lines: [...activeExports(printed), ...commentedExports(printed)], stderr: cli.stderr, stderrWith: cli.stderrWith };
}

/** A client's environment besides the printed lines: no config files, the region, the sandbox to call. */
function bare(t: ChainSandbox): Record<string, string> {
  return {
    HOME: join(t.dir, "client-home"),
    AWS_CONFIG_FILE: join(t.dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(t.dir, "no-credentials"),
    AWS_REGION: "eu-west-1",
    AWS_EC2_METADATA_DISABLED: "true",
    XACCT_SANDBOX_URL: t.s.url,
  };
}

const go: { client?: Client } = {};
const ruby: { client?: Client; version?: string } = {};

describe("the AWS SDK for Go v2 (Debian's 1.17)", () => {
  beforeAll(async () => {
    // Compiling the SDK's packages the first time takes a while on a loaded machine; once per file.
    go.client = await goWhoAmI(scratch());
  }, 600_000);
  const client = () => go.client as Client;
  profilesAndProcess("Go", client);

  it("Go: xacct serve-credentials' printed lines (the token read from its file by the line for older clients) give the chain's last role; a refused chain fails", async () => {
    // GIVEN serve-credentials serving profile far, and another serving a chain far's trust refuses
    const t = await chainSandbox({ extra: skipHop("app") });
    const served = await serveCredentials(t, "far");
    const refused = await serveCredentials(t, "skip-hop");
    // WHEN the SDK's default chain runs in a shell that ran each one's printed lines
    const [ok, failed] = await Promise.all([whoAmI(client(), bare(t), served.lines), whoAmI(client(), bare(t), refused.lines)]);
    // THEN the first is far's session; the second gets no credentials (the server answers 500, naming the failed hop)
    expect(arnOf(ok)).toBe(FAR_SESSION);
    expect(errorOf(failed)).not.toMatch(/assumed-role\/far/);
    const failedHop = `hop 1 (AssumeRole ${FAR}) failed: AccessDenied`;
    expect(await refused.stderrWith(failedHop)).toContain(failedHop);
  });
});

describe("the AWS SDK for Ruby (Debian's aws-sdk-core 3.168)", () => {
  beforeAll(async () => {
    Object.assign(ruby, await rubyWhoAmI());
  });
  const client = () => ruby.client as Client;
  profilesAndProcess("Ruby", client);

  it(`Ruby: xacct serve-credentials' printed lines serve aws-sdk-core ${RUBY_CONTAINER_SINCE} and later; older versions read only ECS's relative URI, without a token, and get nothing`, async () => {
    // GIVEN serve-credentials serving profile far
    const t = await chainSandbox();
    const served = await serveCredentials(t, "far");
    // WHEN the SDK's default chain runs in a shell that ran the printed lines
    const got = await whoAmI(client(), bare(t), served.lines);
    // THEN from aws-sdk-core 3.188.0 on (the EKS user guide's Pod Identity minimum), far's session;
    // before it, ECSCredentials reads AWS_CONTAINER_CREDENTIALS_RELATIVE_URI only (at 169.254.170.2,
    // with no Authorization header): no credentials, and the server was never asked
    if (atLeast(ruby.version as string, RUBY_CONTAINER_SINCE)) expect(arnOf(got)).toBe(FAR_SESSION);
    else {
      expect(errorOf(got)).not.toMatch(/assumed-role/);
      expect(served.stderr()).not.toMatch(/GET \/credentials/);
    }
  });
});

/** The tests both SDKs share: the sandbox's profiles, and credential_process. */
function profilesAndProcess(sdk: string, client: () => Client): void {
  it(`${sdk}: the sandbox's profiles run a user's keys through two roles, and a web identity to a role as [default]; a chain the trust refuses fails`, async () => {
    // GIVEN the sandbox's environments for the chain model (user app → hop → far) and seed 004
    // (spark-job's EKS web identity, then client-role-2 in account B as the default profile)
    const chain = compile(loadModel(MODEL));
    const seed004 = compile(loadModelFile("examples/004-emr-eks-chain/xacct.yaml"));
    const [a, b] = [await environment(chain), await environment(seed004)];
    // AND the first one's profiles with one more, from the user's keys straight to far
    const config = join(scratch(), "config");
    writeFileSync(config, `${readFileSync(a.files.config, "utf8")}${skipHop("a-app")}`);
    const files = (e: SandboxEnvironment, configFile = e.files.config) => ({
      PATH: "/usr/bin:/bin",
      HOME: scratch(),
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: e.files.credentials,
      AWS_EC2_METADATA_DISABLED: "true",
      XACCT_SANDBOX_URL: e.sandbox.url,
    });
    // WHEN the SDK resolves the chain's profile, seed 004's default profile (no AWS_PROFILE), and the one straight to far
    const [two, web, straight] = await Promise.all([
      whoAmI(client(), { ...files(a, config), AWS_PROFILE: "c-glue" }),
      whoAmI(client(), files(b)),
      whoAmI(client(), { ...files(a, config), AWS_PROFILE: "skip-hop" }),
    ]);
    // THEN each is the session of its chain's last role, named as the model names it
    expect(arnOf(two)).toBe(lastSession(chain, "c-glue"));
    expect(arnOf(web)).toBe(lastSession(seed004, "default"));
    // AND the one straight to far is the sandbox's AccessDenied for far
    expect(errorOf(straight)).toMatch(/AccessDenied/);
    expect(errorOf(straight)).toContain(`not authorized to perform: sts:AssumeRole on resource: ${FAR}`);
  });

  it(`${sdk}: credential_process = xacct credential-process gives the chain's last role; a refused chain's process fails the SDK`, async () => {
    // GIVEN chainSandbox's profiles (via-xacct: `xacct credential-process --profile far`), and
    // one whose process runs a chain far's trust refuses
    const refusedLine = `${process.execPath} ${MAIN} credential-process --profile skip-hop --no-cache`;
    const t = await chainSandbox({
      extra: `${skipHop("app")}\n[profile via-xacct-refused]\ncredential_process = ${refusedLine}\nregion = eu-west-1\n`,
    });
    const refusals = refusedAssumeRoles(t);
    const env = { ...t.env, PATH: "/usr/bin:/bin", AWS_EC2_METADATA_DISABLED: "true", XACCT_SANDBOX_URL: t.s.url };
    // WHEN the SDK resolves each profile
    const served = await whoAmI(client(), { ...env, AWS_PROFILE: "via-xacct" });
    const refused = await whoAmI(client(), { ...env, AWS_PROFILE: "via-xacct-refused" });
    // THEN the first is far's session
    expect(arnOf(served)).toBe(FAR_SESSION);
    // AND the second gets no credentials: its process failed after the sandbox refused user → far
    expect(errorOf(refused)).not.toMatch(/assumed-role\/far/);
    expect(refusals).toContain(`${USER} ${FAR}`);
  });
}
