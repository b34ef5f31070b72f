/**
 * `xacct sandbox` as a user runs it: the built CLI in a child process (run `npm run build` first,
 * as CI does before the tests), its printed environment used by the real SDK in another process,
 * the files it writes and their modes, no secret on its stdout, stderr or log, and a clean stop on
 * SIGTERM. What the SDK should reach is the model's chain (seed 004: spark-job's web identity,
 * then client-role-2 in account B for the `default` profile).
 */
import { execFile, execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModelFile } from "../src/model/load.js";
import { startEnvironment } from "../src/sandbox/environment.js";
import { defaultChainArn, killStarted, MAIN, type Ran, startCli, xacct } from "./support/chain-cli.js";

const run = promisify(execFile);
const MODEL = "examples/004-emr-eks-chain/xacct.yaml";

const dirs: string[] = [];
afterEach(() => {
  killStarted();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-sandbox-cli-"));
  dirs.push(dir);
  return dir;
}

/** Starts `xacct sandbox` and waits for its export lines (the last one names the last workload's variables). */
const start = (args: string[]) => startCli(["sandbox", ...args], /^# workload spark-job .*\n# {3}export .*\n/m);

/** The real SDK's default credential chain in a fresh process with exactly these variables. */
const callerArn = (env: Record<string, string>) => defaultChainArn({ PATH: process.env.PATH ?? "", HOME: tmpdir(), ...env });

const mode = (path: string) => statSync(path).mode & 0o777;

describe("xacct sandbox (the CLI)", () => {
  it("prints an environment the SDK uses to run the model's chains, keeps secrets in 0600 files only, logs decisions, stops on SIGTERM with 0", async () => {
    const dir = join(scratch(), "env");
    const log = join(scratch(), "decisions.jsonl");
    const s = await start(["--model", MODEL, "--port", "0", "--dir", dir, "--log", log]);
    expect(s.env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.env.AWS_CONFIG_FILE).toBe(join(dir, "config"));
    expect(s.env.AWS_SHARED_CREDENTIALS_FILE).toBe(join(dir, "credentials"));
    const tokenFile = join(dir, "tokens", "spark-job.jwt");
    expect(s.env.AWS_WEB_IDENTITY_TOKEN_FILE).toBe(tokenFile);
    expect(s.env.AWS_ROLE_ARN).toBe("arn:aws:iam::111111111111:role/job-execution-role-1");

    // THEN the files: the config holds every chain, first identity reading the token file.
    const config = readFileSync(join(dir, "config"), "utf8");
    expect(config).toMatch(
      new RegExp(`\\[profile irsa-role-1\\]\\nweb_identity_token_file = ${tokenFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`),
    );
    expect(config).toContain("[default]\nsource_profile = irsa-role-1\nrole_arn = arn:aws:iam::222222222222:role/client-role-2\n");
    expect(mode(join(dir, "credentials"))).toBe(0o600);
    expect(mode(tokenFile)).toBe(0o600);
    expect(decodeJwt(readFileSync(tokenFile, "utf8"))).toMatchObject({
      iss: "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
      aud: ["sts.amazonaws.com"],
    });

    // WHEN the SDK runs with the printed variables: the default profile's chain, and the web identity alone.
    const files = {
      AWS_ENDPOINT_URL: s.env.AWS_ENDPOINT_URL as string,
      AWS_CONFIG_FILE: s.env.AWS_CONFIG_FILE as string,
      AWS_SHARED_CREDENTIALS_FILE: s.env.AWS_SHARED_CREDENTIALS_FILE as string,
    };
    expect(await callerArn(files)).toBe("arn:aws:sts::222222222222:assumed-role/client-role-2/xacct-spark-job");
    const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, s.env[n] as string]));
    const AWS_ROLE_ARN = s.env.AWS_ROLE_ARN as string;
    expect(
      await callerArn(pick("AWS_ENDPOINT_URL", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_REGION")),
    ).toBe("arn:aws:sts::111111111111:assumed-role/job-execution-role-1/xacct-spark-job");

    // AND `xacct sandbox token` writes a fresh token (0600) from the running sandbox, asking with
    // the sandbox's own token, whose file (0600) the export lines name.
    const sandboxToken = s.env.XACCT_SANDBOX_TOKEN_FILE as string;
    expect(sandboxToken).toBe(join(dir, "sandbox.auth"));
    expect(mode(sandboxToken)).toBe(0o600);
    const fresh = join(scratch(), "fresh.jwt");
    await run(
      process.execPath,
      [MAIN, "sandbox", "token", "--workload", "spark-job", "--model", MODEL, "--endpoint", files.AWS_ENDPOINT_URL, "-o", fresh],
      { env: { ...process.env, XACCT_SANDBOX_TOKEN_FILE: sandboxToken } },
    );
    expect(mode(fresh)).toBe(0o600);
    expect(decodeJwt(readFileSync(fresh, "utf8")).sub).toBe("system:serviceaccount:emr:emr-containers-sa-xacct-xacct-111111111111-xacct");

    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);

    // The decisions were streamed (stderr) and logged (JSON Lines); no secret is in either, nor on stdout.
    const entries = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(entries).toContainEqual(
      expect.objectContaining({ action: "sts:AssumeRoleWithWebIdentity", resource: AWS_ROLE_ARN, decision: "Allow" }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        principal: "arn:aws:sts::111111111111:assumed-role/job-execution-role-1/xacct-spark-job",
        action: "sts:AssumeRole",
        decision: "Allow",
      }),
    );
    expect(s.stderr()).toMatch(
      /ALLOW\s+arn:aws:sts::111111111111:assumed-role\/job-execution-role-1\/xacct-spark-job sts:AssumeRole arn:aws:iam::222222222222:role\/client-role-2/,
    );
    const secrets = [
      ...[...readFileSync(join(dir, "credentials"), "utf8").matchAll(/^aws_(?:access_key_id|secret_access_key) = (.+)$/gm)].map(
        (m) => m[1] as string,
      ),
      readFileSync(tokenFile, "utf8"),
      readFileSync(fresh, "utf8"),
      readFileSync(sandboxToken, "utf8"),
    ];
    expect(secrets.length).toBeGreaterThan(4);
    const visible = `${s.stdout()}${s.stderr()}${readFileSync(log, "utf8")}`;
    for (const secret of secrets) expect(visible).not.toContain(secret);
    // A directory the user named stays, with its files, for the next run.
    expect(statSync(join(dir, "config")).isFile()).toBe(true);
  });

  it("without --dir, writes into a new temporary directory and removes it when stopped", async () => {
    const s = await start(["--model", MODEL, "--port", "0"]);
    const dir = /its files are in (.+)$/m.exec(s.stdout())?.[1] as string;
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, "credentials"))).toBe(0o600);
    s.child.kill("SIGINT");
    expect(await s.exit).toBe(0);
    expect(() => statSync(dir)).toThrow();
  });

  it("refuses a --dir that holds other files, and changes nothing in it", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "notes.txt"), "mine");
    const failed = await run(process.execPath, [MAIN, "sandbox", "--model", MODEL, "--port", "0", "--dir", dir]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/is not empty/);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
    expect(() => statSync(join(dir, "config"))).toThrow();
  });
});

describe("xacct sandbox: files and tokens no one else can plant or use", () => {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const sandboxIn = (dir: string) => xacct(["sandbox", "--model", MODEL, "--port", "0", "--dir", dir], env);
  const asRoot = it.skipIf(process.geteuid?.() !== 0);

  /** An earlier sandbox's directory (its marker), private to this user. */
  function marked(): string {
    const dir = join(scratch(), "env");
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(
      join(dir, ".xacct-sandbox"),
      `${JSON.stringify({ xacct: "an earlier sandbox's marker", files: ["config", "credentials"] })}\n`,
      { mode: 0o600 },
    );
    return dir;
  }

  /** THEN a refusal: exit 2, one line saying what, and no file of the environment written. */
  function expectRefused(ran: Ran, dir: string, what: RegExp): void {
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(what);
    expect(ran.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(dir, "config"))).toBe(false);
  }

  it("a `credentials` link planted in a marked --dir is refused: the root keys are never written through it", async () => {
    // GIVEN an earlier sandbox's directory where `credentials` is a link to a file someone else reads
    const dir = marked();
    const stolen = join(scratch(), "stolen");
    writeFileSync(stolen, "nothing yet\n");
    symlinkSync(stolen, join(dir, "credentials"));
    // WHEN the sandbox is started there
    const ran = await sandboxIn(dir);
    // THEN it is refused, naming the link, and the linked file holds no key
    expectRefused(ran, dir, new RegExp(`--dir: ${join(dir, "credentials")} is a symbolic link, not a regular file`));
    expect(readFileSync(stolen, "utf8")).toBe("nothing yet\n");
    expect(lstatSync(join(dir, "credentials")).isSymbolicLink()).toBe(true);
  });

  it("a FIFO at `credentials` in a marked --dir is refused at once, not waited on", async () => {
    // GIVEN an earlier sandbox's directory where `credentials` is a FIFO (a writer would block on it)
    const dir = marked();
    execFileSync("mkfifo", [join(dir, "credentials")]);
    // WHEN the sandbox is started there THEN it ends, refused, naming the FIFO
    expectRefused(await sandboxIn(dir), dir, /credentials is a FIFO, not a regular file/);
  });

  it("a --dir others may write to is refused", async () => {
    // GIVEN an empty directory of this user, writable by everyone
    const dir = join(scratch(), "shared");
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    // WHEN the sandbox is started there THEN refused: anyone could plant a link in it
    expectRefused(await sandboxIn(dir), dir, /writable by group or others \(mode 0777\)/);
  });

  asRoot("a marked --dir of another user is refused", async () => {
    // GIVEN an earlier sandbox's directory that belongs to nobody (uid 65534)
    const dir = marked();
    chownSync(dir, 65534, 65534);
    // WHEN the sandbox is started there THEN refused, naming the owner
    expectRefused(await sandboxIn(dir), dir, /owned by uid 65534, not by this user \(uid 0\)/);
  });

  it("`xacct sandbox token` mints nothing without the sandbox's own token: exit 2, saying which file to give", async () => {
    // GIVEN a running sandbox, and its token file
    const s = await start(["--model", MODEL, "--port", "0", "--dir", join(scratch(), "env")]);
    const token = s.env.XACCT_SANDBOX_TOKEN_FILE as string;
    const ask = (extra: string[], variables: NodeJS.ProcessEnv = {}) =>
      xacct(["sandbox", "token", "--workload", "spark-job", "--endpoint", s.env.AWS_ENDPOINT_URL as string, ...extra], {
        ...env,
        XACCT_SANDBOX_TOKEN_FILE: "",
        ...variables,
      });
    // WHEN it is asked without the token file THEN exit 2, naming the variable, and no JWT printed
    const none = await ask([], { XACCT_SANDBOX_TOKEN_FILE: undefined });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/XACCT_SANDBOX_TOKEN_FILE/);
    expect(none.stdout).toBe("");
    // WHEN with a file of the wrong token THEN the sandbox refuses it (401), exit 2
    const wrong = join(scratch(), "wrong.auth");
    writeFileSync(wrong, "not-the-sandbox-token", { mode: 0o600 });
    const refused = await ask(["--token-file", wrong]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused: The Authorization header is missing or is not the sandbox's token/);
    // WHEN the token file is a link to the real one THEN refused before asking: links are never followed
    const link = join(scratch(), "link.auth");
    symlinkSync(token, link);
    const linked = await ask(["--token-file", link]);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/a symbolic link, not a regular file/);
    // AND with the sandbox's own file, named by the variable, a token is minted
    const minted = await ask([], { XACCT_SANDBOX_TOKEN_FILE: token });
    expect(minted.code).toBe(0);
    expect(decodeJwt(minted.stdout.trim()).iss).toBe("https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE");
    for (const r of [none, refused, linked]) expect(`${r.stdout}${r.stderr}`).not.toContain(readFileSync(token, "utf8"));
  });
});

describe("the sandbox's environment for other first identities", () => {
  it("an IAM user's chain signs with its keys through source_profile; an ECS task's through the container endpoint", async () => {
    // GIVEN seeds 003 (airflow-keys: an IAM user chaining to airflow-keys-athena) and 000 (an ECS
    // task chaining to AccountB-MWAA-ReadRole), the way `xacct sandbox` starts them.
    for (const [example, profile, workload, expected] of [
      [
        "003-airflow-multi-account",
        "query-athena-keys",
        "airflow-keys",
        "arn:aws:sts::222222222222:assumed-role/airflow-keys-athena/xacct-airflow-keys",
      ],
      ["000-sparkflows-mwaa", "mwaa", "sparkflows", "arn:aws:sts::222222222222:assumed-role/AccountB-MWAA-ReadRole/xacct-sparkflows"],
    ] as const) {
      const compiled = compile(loadModelFile(`examples/${example}/xacct.yaml`));
      const env = await startEnvironment({ compiled, state: compiled.state, dir: join(scratch(), "env") });
      try {
        const w = env.workloads.find((x) => x.name === workload);
        expect(w?.profiles).toContain(profile);
        const config = readFileSync(env.files.config, "utf8");
        const section = config.slice(config.indexOf(`[profile ${profile}]`)).split("\n\n")[0] ?? "";
        expect(section).toMatch(
          w?.kind === "user" ? /^source_profile = \S+-airflow-cross-account$/m : /^credential_source = EcsContainer$/m,
        );
        // WHEN the SDK runs that profile with the workload's variables.
        const arn = await callerArn({
          ...w?.variables,
          AWS_ENDPOINT_URL: env.sandbox.url,
          AWS_CONFIG_FILE: env.files.config,
          AWS_SHARED_CREDENTIALS_FILE: env.files.credentials,
          AWS_PROFILE: profile,
        });
        expect(arn).toBe(expected);
      } finally {
        await env.close();
      }
    }
  });
});
