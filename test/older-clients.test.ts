/**
 * Clients older than AWS_ENDPOINT_URL and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE — Debian 12's
 * AWS CLI 2.9 and boto3 1.26 (botocore 1.29) — run from what `xacct sandbox` and
 * `xacct serve-credentials` print, and nothing else: a shell with only PATH and HOME runs the
 * printed `export` lines (and, where the user acts as a workload or serves an older client, the
 * commented exports the output offers for that), then the client. No `--endpoint-url`, no endpoint
 * in code: the sandbox's endpoint reaches these clients through AWS_DATA_PATH's endpoint rules
 * (src/sandbox/botocore-endpoints.ts), the container token through the line that reads it from
 * its file (src/credentials/token-variable.ts).
 *
 * What each call must give comes from the model (its grants: the chain's role and session name,
 * the DAG prefix it may write) and AWS's own error texts, never from xacct's output.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assumedRoleArn, parseIamArn } from "../src/aws/arn.js";
import { compile, type Compiled } from "../src/compile/compile.js";
import { loadModel, loadModelFile } from "../src/model/load.js";
import { BOTOCORE_SERVICES } from "../src/sandbox/botocore-endpoints.js";
import { SandboxDirError, startEnvironment } from "../src/sandbox/environment.js";
import { recipeServices } from "../src/services/index.js";
import { FAR, killStarted, MODEL, type Ran, startCli } from "./support/chain-cli.js";
import { activeExports, commentedExports, runAfter, workloadExports } from "./support/printed-env.js";
import { AWS, PYTHON } from "./support/real-clients.js";

const SEED_000 = "examples/000-sparkflows-mwaa/xacct.yaml";

const dirs: string[] = [];
afterEach(() => killStarted());
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-older-clients-"));
  dirs.push(dir);
  return dir;
}

beforeAll(() => {
  if (!AWS || !PYTHON)
    throw new Error(
      "Debian's AWS CLI (/usr/bin/aws) and boto3 (/usr/bin/python3) are not installed: install awscli python3-boto3 (sudo apt-get install awscli python3-boto3; .ci/run installs them when missing)",
    );
});

/** The session ARN a profile's chain must give: its last role, with the session name the model gives that hop. */
function lastSession(compiled: Compiled, profile: string): string {
  const hop = compiled.chains.find((c) => c.profile === profile)?.hops.at(-1);
  const role = hop && parseIamArn(hop.roleArn);
  if (!hop || !role) throw new Error(`no chain with a role for profile ${profile}`);
  return assumedRoleArn(role.partition, role.account, role.name, hop.sessionName);
}

/** `xacct sandbox --model MODEL --dir DIR`, once it has printed its lines (the last workload's come last). */
async function sandbox(model: string, lastWorkload: string): Promise<{ printed: string; dir: string; env: Record<string, string> }> {
  const dir = join(scratch(), "sandbox");
  const cli = await startCli(["sandbox", "--model", model, "--dir", dir], new RegExp(`^# workload ${lastWorkload} .*\\n#   .*\\n`, "m"));
  return { printed: cli.stdout(), dir, env: cli.env };
}

const arn = (r: Ran) => (r.code === 0 ? (JSON.parse(r.stdout) as { Arn: string }).Arn : `exit ${r.code}: ${r.stderr}`);

/** boto3: prints the caller's ARN (session for AWS_PROFILE, or the default chain), then runs `then`. */
const boto3 = (then = "") => `import boto3, sys
session = boto3.Session()
print(session.client("sts").get_caller_identity()["Arn"])
${then}`;

describe("xacct sandbox's printed lines run Debian's AWS CLI 2.9 and boto3 1.26", () => {
  it("as seed 000's ECS task: its profile's chain, S3 as its grant allows and refuses, IAM refused, all at the sandbox", async () => {
    // GIVEN `xacct sandbox` on seed 000, and a shell that ran its export lines and the ECS task's (sparkflows) exports
    const { printed } = await sandbox(SEED_000, "mwaa-environment");
    const lines = [...activeExports(printed), ...workloadExports(printed, "sparkflows")];
    expect(lines.some((l) => l.startsWith("export AWS_CONTAINER_AUTHORIZATION_TOKEN="))).toBe(true);
    const home = scratch();
    writeFileSync(join(home, "hello.py"), "print('hello')\n");
    const env = { HOME: home };
    const aws = (...args: string[]) => runAfter(lines, AWS as string, [...args, "--profile", "mwaa", "--output", "json"], env);

    // WHEN the AWS CLI asks who profile mwaa is, writes a DAG where the grant allows and where it does not, and lists IAM's roles
    const who = await aws("sts", "get-caller-identity");
    const dag = await aws("s3", "cp", join(home, "hello.py"), "s3://sparkflows-air/dags/hello.py");
    const elsewhere = await aws("s3", "cp", join(home, "hello.py"), "s3://sparkflows-air/other/hello.py");
    const roles = await aws("iam", "list-roles");
    // AND boto3 does the same in one process, reading the DAG back
    const py = await runAfter(
      lines,
      PYTHON as string,
      [
        "-c",
        boto3(`s3 = session.client("s3")
print(s3.get_object(Bucket="sparkflows-air", Key="dags/hello.py")["Body"].read().decode(), end="")
try:
    s3.put_object(Bucket="sparkflows-air", Key="other/hello.py", Body=b"x")
except Exception as e:
    print(type(e).__name__, e)`),
      ],
      { ...env, AWS_PROFILE: "mwaa" },
    );

    // THEN each is AccountB-MWAA-ReadRole's session, as the model names it
    const expected = lastSession(compile(loadModelFile(SEED_000)), "mwaa");
    expect(arn(who)).toBe(expected);
    // AND the DAG prefix the grant names is written, any other refused with AWS's message for no identity-based policy
    expect(dag.code, dag.stderr).toBe(0);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain(
      `is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sparkflows-air/other/hello.py"`,
    );
    expect(roles.code).not.toBe(0);
    expect(roles.stderr).toContain("is not authorized to perform: iam:ListRoles");
    expect(py.stderr).toBe("");
    expect(py.stdout.split("\n")).toEqual([
      expected,
      "print('hello')",
      expect.stringMatching(
        /^ClientError .*AccessDenied.*is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sparkflows-air\/other\/hello\.py"/,
      ),
      "",
    ]);
  });

  it("MWAA, whose operations carry a host prefix botocore puts before any address, fails with what to do instead, and that works", async () => {
    // GIVEN the same sandbox and shell
    const { printed } = await sandbox(SEED_000, "mwaa-environment");
    const lines = [...activeExports(printed), ...workloadExports(printed, "sparkflows")];
    const env = { HOME: scratch(), AWS_PROFILE: "mwaa" };
    // WHEN the AWS CLI asks for a CLI token of the environment the grant names
    const cli = await runAfter(lines, AWS as string, ["mwaa", "create-cli-token", "--name", "sparkflows-air"], env);
    // THEN it fails before sending anything, saying why and what to use
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("carries a host prefix (api., env.)");
    expect(cli.stderr).toContain("Config(inject_host_prefix=False)");
    // AND boto3 given what the message says gets the token (the grant allows cli-token on sparkflows-air)
    const py = await runAfter(
      lines,
      PYTHON as string,
      [
        "-c",
        `import os, boto3
from botocore.config import Config
mwaa = boto3.client("mwaa", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(inject_host_prefix=False))
print(sorted(mwaa.create_cli_token(Name="sparkflows-air").keys()))`,
      ],
      env,
    );
    expect(py.stderr).toBe("");
    expect(py.stdout).toContain("'CliToken'");
  });

  it("writes one endpoint rule set per service it answers, under the API version each installed botocore (boto3's and the CLI's own) files it", () => {
    // GIVEN the botocore data of Debian's boto3 and of Debian's AWS CLI (which bundles its own botocore)
    const roots = ["/usr/lib/python3/dist-packages/botocore/data", "/usr/lib/python3/dist-packages/awscli/botocore/data"];
    for (const root of roots) {
      for (const service of BOTOCORE_SERVICES) {
        // THEN the version xacct writes under is the latest that botocore has a rule set for, so its own is shadowed, not outranked
        const versions = readdirSync(join(root, service.name)).filter((v) => {
          try {
            return readFileSync(join(root, service.name, v, "endpoint-rule-set-1.json")).length > 0;
          } catch {
            return false;
          }
        });
        expect(versions.sort().at(-1), `${root}/${service.name}`).toBe(service.apiVersion);
        // AND the service signs with the name the sandbox answers it by
        const model = JSON.parse(readFileSync(join(root, service.name, service.apiVersion, "service-2.json"), "utf8")) as {
          metadata: { signingName?: string; endpointPrefix: string };
        };
        expect(model.metadata.signingName ?? model.metadata.endpointPrefix, `${root}/${service.name}`).toBe(service.signingName);
      }
    }
    // AND every service a model may grant on is among them, but API Gateway's execute-api (HTTP calls, no botocore client)
    const signed = new Set(BOTOCORE_SERVICES.map((s) => s.signingName));
    expect(recipeServices().filter((prefix) => !signed.has(prefix))).toEqual(["execute-api"]);
  });
});

describe("xacct serve-credentials' printed lines run Debian's AWS CLI 2.9 and boto3 1.26", () => {
  it("the chain's last role through the server, with the sandbox's lines for the endpoint; a chain the sandbox refuses gives nothing", async () => {
    // GIVEN `xacct sandbox` on the chain model (user app → hop → far), its profiles plus one from the user straight to far
    const model = join(scratch(), "xacct.yaml");
    writeFileSync(model, MODEL);
    const sb = await sandbox(model, "app");
    const sandboxLines = activeExports(sb.printed);
    const config = join(scratch(), "config");
    writeFileSync(
      config,
      `${readFileSync(join(sb.dir, "config"), "utf8")}\n[profile skip-hop]\nrole_arn = ${FAR}\nsource_profile = a-app\nregion = eu-west-1\n`,
    );
    // AND serve-credentials serving profile c-glue, and another serving skip-hop, each started from the sandbox's lines
    const serve = async (profile: string) => {
      const home = scratch();
      const r = await startCli(["serve-credentials", "--profile", profile], /^# clients that read .*\n/m, {
        AWS_ENDPOINT_URL: sb.env.AWS_ENDPOINT_URL as string,
        AWS_SHARED_CREDENTIALS_FILE: sb.env.AWS_SHARED_CREDENTIALS_FILE as string,
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        AWS_CONFIG_FILE: config,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      });
      return { lines: [...sandboxLines, ...activeExports(r.stdout()), ...commentedExports(r.stdout())], stderrWith: r.stderrWith };
    };
    const served = await serve("c-glue");
    const refused = await serve("skip-hop");
    const env = { HOME: scratch() };

    // WHEN the AWS CLI and boto3, no profile named, run in a shell that ran the sandbox's lines and the server's
    const [cli, py, cliRefused] = await Promise.all([
      runAfter(served.lines, AWS as string, ["sts", "get-caller-identity", "--output", "json"], env),
      runAfter(served.lines, PYTHON as string, ["-c", boto3()], env),
      runAfter(refused.lines, AWS as string, ["sts", "get-caller-identity", "--output", "json"], env),
    ]);

    // THEN both are far's session, named as the model names it
    const expected = lastSession(compile(loadModel(MODEL)), "c-glue");
    expect(arn(cli)).toBe(expected);
    expect(py.stdout.trim(), py.stderr).toBe(expected);
    // AND the refused chain's server answers 500 (naming the failed hop in its log) and the CLI gets no credentials
    expect(cliRefused.code).not.toBe(0);
    expect(cliRefused.stdout).not.toContain("assumed-role/far");
    const failedHop = `hop 1 (AssumeRole ${FAR}) failed: AccessDenied`;
    expect(await refused.stderrWith(failedHop)).toContain(failedHop);
  });
});

describe("the endpoint rules in a --dir", () => {
  it("a link where an earlier sandbox wrote botocore/ or a service's directory in it is refused, and nothing is written through it", async () => {
    const compiled = compile(loadModel(MODEL));
    for (const at of ["botocore", join("botocore", "sts")]) {
      // GIVEN an earlier sandbox's directory, with a link in place of one of its directories, to a directory of the user's
      const dir = join(scratch(), "env");
      await (await startEnvironment({ compiled, state: compiled.state, dir })).close();
      const elsewhere = join(scratch(), "elsewhere");
      mkdirSync(elsewhere);
      rmSync(join(dir, at), { recursive: true });
      symlinkSync(elsewhere, join(dir, at));
      // WHEN the sandbox starts there again THEN it refuses, naming the link, and writes nothing through it
      const started = startEnvironment({ compiled, state: compiled.state, dir });
      await expect(started).rejects.toThrow(SandboxDirError);
      await expect(started).rejects.toThrow(`${join(dir, at)}`);
      await expect(started).rejects.toThrow(/a symbolic link/);
      expect(readdirSync(elsewhere)).toEqual([]);
    }
  });
});
