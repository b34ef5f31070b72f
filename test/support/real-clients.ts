/**
 * Resolves AWS config profiles with the three real clients, each in fresh processes, against
 * xacct's sandbox: the SDK for JavaScript v3 (`fromIni` for a profile, the default chain when none
 * is named), Debian's boto3 (`boto3.Session(profile_name=…)`) and Debian's AWS CLI
 * (`aws sts get-caller-identity --profile …`). Each answers the caller's ARN, or the client's own
 * error. JavaScript and Python take a batch of cases in one process (the environment set anew for
 * each case); the CLI runs once per case.
 *
 * Debian's botocore 1.29 and AWS CLI 2.9 predate AWS_ENDPOINT_URL; xacct_sandbox_endpoint.py sends
 * their requests, the credential providers' own STS calls included, to the sandbox.
 */
import { join, resolve } from "node:path";
import { debian, runProgram } from "./chain-cli.js";

/** Debian's python3 with boto3, and Debian's AWS CLI (.ci/run installs both). */
export const PYTHON = debian("python3", ["-c", "import boto3"]);
export const AWS = debian("aws", ["--version"]);

/** The directory of the botocore hook (a Python module, and an AWS CLI plugin). */
const HOOK_DIR = resolve("test/support");

/** The AWS CLI plugin section that loads the hook; appended to a config file the CLI reads. */
export const CLI_PLUGIN_SECTION = `\n[plugins]\ncli_legacy_plugin_path = ${HOOK_DIR}\nxacct_sandbox = xacct_sandbox_endpoint\n`;

export interface ProfileCase {
  id: string;
  /** The profile to resolve; none: the client's default credential chain, no profile named. */
  profile?: string;
  /** The region of the outer STS client when the profile names none. */
  region: string;
  /** The process environment of this case, beside the common one (files, the runtime's variables). */
  env: Record<string, string>;
}

/** The caller's ARN, or the client's error. */
export type Resolved = { arn: string } | { error: string };

/** What every client process gets: no machine configuration, no instance metadata service. */
export function commonEnv(dir: string, url: string): Record<string, string> {
  return {
    PATH: "/usr/bin:/bin",
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials-file"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: url,
    XACCT_SANDBOX_URL: url,
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    // The hook is imported from test/support: no __pycache__ there.
    PYTHONDONTWRITEBYTECODE: "1",
  };
}

const NODE_SCRIPT = `import { readFileSync } from "node:fs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromIni, fromNodeProviderChain } from "@aws-sdk/credential-providers";
const cases = JSON.parse(readFileSync(0, "utf8"));
const base = { ...process.env };
const out = {};
for (const c of cases) {
  process.env = { ...base, ...c.env, AWS_REGION: c.region };
  try {
    const credentials = c.profile === undefined ? fromNodeProviderChain() : fromIni({ profile: c.profile, ignoreCache: true });
    const me = await new STSClient({ maxAttempts: 1, credentials }).send(new GetCallerIdentityCommand({}));
    out[c.id] = { arn: me.Arn };
  } catch (e) {
    out[c.id] = { error: e.name + ": " + e.message };
  }
}
process.stdout.write(JSON.stringify(out));
`;

const PYTHON_SCRIPT = `import json, os, sys
sys.path.insert(0, ${JSON.stringify(HOOK_DIR)})
import boto3
import xacct_sandbox_endpoint
cases = json.load(sys.stdin)
base = dict(os.environ)
out = {}
for c in cases:
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(c["env"])
    try:
        session = boto3.Session(profile_name=c.get("profile"))
        xacct_sandbox_endpoint.register(session)
        sts = session.client("sts", endpoint_url=os.environ["XACCT_SANDBOX_URL"], region_name=session.region_name or c["region"])
        out[c["id"]] = {"arn": sts.get_caller_identity()["Arn"]}
    except Exception as e:
        out[c["id"]] = {"error": type(e).__name__ + ": " + str(e)}
print(json.dumps(out))
`;

async function batch(
  program: string,
  args: string[],
  cases: readonly ProfileCase[],
  env: Record<string, string>,
): Promise<Map<string, Resolved>> {
  const r = await runProgram(program, args, env, JSON.stringify(cases));
  if (r.code !== 0) throw new Error(`${program} exited ${r.code}: ${r.stderr}`);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, Resolved>));
}

/** The SDK for JavaScript v3 in one fresh Node.js process (in this directory, for its node_modules). */
export function resolveWithSdk(cases: readonly ProfileCase[], env: Record<string, string>): Promise<Map<string, Resolved>> {
  return batch(process.execPath, ["--input-type=module", "-e", NODE_SCRIPT], cases, env);
}

/** Debian's boto3 in one fresh python3 process. */
export function resolveWithBoto3(cases: readonly ProfileCase[], env: Record<string, string>): Promise<Map<string, Resolved>> {
  return batch(PYTHON as string, ["-c", PYTHON_SCRIPT], cases, env);
}

/** Debian's AWS CLI, one process per case, `concurrency` at a time; the config file must hold CLI_PLUGIN_SECTION. */
export async function resolveWithCli(
  cases: readonly ProfileCase[],
  env: Record<string, string>,
  concurrency = 2,
): Promise<Map<string, Resolved>> {
  const out = new Map<string, Resolved>();
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      const args = [
        "sts",
        "get-caller-identity",
        "--output",
        "json",
        "--region",
        c.region,
        ...(c.profile === undefined ? [] : ["--profile", c.profile]),
      ];
      const r = await runProgram(AWS as string, args, { ...env, ...c.env, AWS_DEFAULT_REGION: c.region });
      out.set(c.id, r.code === 0 ? { arn: (JSON.parse(r.stdout) as { Arn: string }).Arn } : { error: r.stderr.trim() });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
