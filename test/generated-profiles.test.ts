/**
 * Every AWS config profile that `xacct build` writes for the examples resolves in the three real
 * clients — the SDK for JavaScript v3, Debian's boto3 and Debian's AWS CLI — against the sandbox,
 * to the identity its grant is for, with each workload's first credentials given the way its
 * runtime gives them: IRSA a projected web identity token, ECS / MWAA / Pod Identity the container
 * credentials endpoint, Lambda its role session's keys in the environment, an IAM user or an
 * external account's principal their access keys in the environment.
 *
 * The AWS SDKs and tools reference guide: `credential_source` is "used within Amazon EC2 instances
 * or Amazon Elastic Container Service containers to specify where the SDK or tool can find
 * credentials that have permission to assume the role that you specify with the role_arn
 * parameter". Without role_arn there is nothing for it to do: botocore's AssumeRoleProvider and the
 * SDK for JavaScript's isAssumeRoleProfile both require role_arn, and such a profile gives "Unable
 * to locate credentials". A grant that assumes no role is used through the default credential
 * chain with no profile named, which is tested here too.
 *
 * What each chain should give comes from the model's grants (the compiled chains: the last role
 * assumed, else the workload's own identity), never from the generated files. The CLI, slower to
 * start, runs on a representative subset: one profile of each kind in the combined example (each
 * first-credentials type, as a chain's own profile, an intermediate one, and no profile).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { compile, type Compiled } from "../src/compile/compile.js";
import type { Chain, StartIdentity } from "../src/compile/plan.js";
import { chainFromProfile } from "../src/credentials/index.js";
import { emitAwsConfig } from "../src/emit/aws-config.js";
import { loadModelFile } from "../src/model/load.js";
import { type SandboxEnvironment, startEnvironment } from "../src/sandbox/environment.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { policyDocument } from "../src/state/account-state.js";
import { parseAwsConfig } from "./support/aws-config-file.js";
import { modelText } from "./support/models.js";
import { xacct } from "./support/chain-cli.js";
import {
  AWS,
  CLI_PLUGIN_SECTION,
  commonEnv,
  type ProfileCase,
  PYTHON,
  type Resolved,
  resolveWithBoto3,
  resolveWithCli,
  resolveWithSdk,
} from "./support/real-clients.js";
import { compileExample, EXAMPLES } from "./support/state.js";

/** The external party's own user, which its administrators allow to assume roles (the model leaves it to them). */
const EXTERNAL_USER = "xacct-e2e";

const open: SandboxEnvironment[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `arn:aws:iam::ACCOUNT:role/NAME` (path dropped) for a role or its session; a user's or root's ARN as it is. */
function principal(arn: string): string {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (session) return `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  const role = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return role ? `arn:${role[1]}:iam::${role[2]}:role/${role[3]}` : arn;
}

/** The identity a chain is for: the last role it assumes, else the workload's own (for an external account, its principal). */
function intended(chain: Chain, externalUser: (account: string) => string): string {
  const last = chain.hops.at(-1);
  if (last) return principal(last.roleArn);
  const start = chain.start;
  if (start.roleArn) return principal(start.roleArn);
  if (start.userArn) return start.userArn;
  if (start.type === "external") return externalUser(start.account);
  throw new Error(`no identity for ${chain.workload}`);
}

function fetchJson(url: string, authorization: string): Promise<Record<string, string>> {
  return new Promise((done, fail) => {
    get(url, { headers: { Authorization: authorization } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () =>
        res.statusCode === 200 ? done(JSON.parse(body) as Record<string, string>) : fail(new Error(`${url}: ${res.statusCode} ${body}`)),
      );
    }).on("error", fail);
  });
}

interface Example {
  compiled: Compiled;
  env: SandboxEnvironment;
  dir: string;
  /** Each workload's generated AWS config, as the sandbox's runtime sees it (token path, CLI plugin). */
  configs: Map<string, string>;
  /** The environment variables each start's runtime gives its processes. */
  runtime: (start: StartIdentity) => Promise<Record<string, string>>;
  externalUser: (account: string) => string;
}

/** Builds an example's AWS configs, starts the sandbox on its model, and says how each runtime gives first credentials. */
async function example(name: string): Promise<Example> {
  const compiled = compile(loadModelFile(`examples/${name}/xacct.yaml`));
  const files = emitAwsConfig(compiled);
  // The external accounts' own users (with their administrators' permission to assume roles).
  const externalUser = (account: string) =>
    `arn:${compiled.state.accounts.get(account)?.partition ?? "aws"}:iam::${account}:user/${EXTERNAL_USER}`;
  for (const start of new Set(compiled.chains.map((c) => c.start))) {
    if (start.type !== "external") continue;
    const account = compiled.state.accounts.get(start.account);
    if (!account) throw new Error(`no account ${start.account}`);
    const assume = policyDocument([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]);
    account.users.set(EXTERNAL_USER, {
      name: EXTERNAL_USER,
      path: "/",
      arn: externalUser(start.account),
      policies: new Map([["assume", assume]]),
      managedPolicyArns: [],
      accessKeys: true,
      tags: new Map(),
    });
    // A third party's own role the model names as the principal (a SaaS vendor's): its user may assume it.
    const name = start.roleArn?.slice(start.roleArn.lastIndexOf("/") + 1);
    if (start.roleArn && name)
      account.roles.set(name, {
        name,
        path: "/",
        arn: start.roleArn,
        trustPolicy: policyDocument([{ Effect: "Allow", Principal: { AWS: externalUser(start.account) }, Action: "sts:AssumeRole" }]),
        policies: new Map([["assume", assume]]),
        managedPolicyArns: [],
        maxSessionDuration: 3600,
        tags: new Map(),
      });
  }
  const dir = mkdtempSync(join(tmpdir(), "xacct-profiles-"));
  dirs.push(dir);
  const env = await startEnvironment({ compiled, state: compiled.state, dir: join(dir, "sandbox") });
  open.push(env);
  const sandboxName = new Map(workloadsOf(compiled).map((w) => [w.start, w.name] as const));
  const served = (start: StartIdentity) => {
    const w = env.workloads.find((x) => x.name === sandboxName.get(start));
    if (!w) throw new Error(`the sandbox serves no first identity for ${start.type} in ${start.account}`);
    return w;
  };
  const keysOf = (arn: string) => {
    const key = env.sandbox.bootstrap.find((b) => b.userArn === arn);
    if (!key) throw new Error(`no keys for ${arn}`);
    return { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
  };

  const runtime = async (start: StartIdentity): Promise<Record<string, string>> => {
    switch (start.type) {
      case "irsa":
      case "oidc": {
        // What EKS sets in the pod (and a CI job's token file, for any OIDC issuer); the profiles name the same token file.
        const { AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN } = served(start).variables;
        return { AWS_WEB_IDENTITY_TOKEN_FILE: AWS_WEB_IDENTITY_TOKEN_FILE as string, AWS_ROLE_ARN: AWS_ROLE_ARN as string };
      }
      case "ecs-task":
      case "mwaa":
      case "pod-identity": {
        // What ECS (full-URI form) and EKS Pod Identity set; botocore 1.29 reads the token's value, not its file.
        const w = served(start);
        return {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${env.sandbox.url}${w.credentialsPath as string}`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: w.authorizationToken as string,
        };
      }
      case "lambda": {
        // Lambda puts its execution role's session into the function's environment.
        const w = served(start);
        const c = await fetchJson(`${env.sandbox.url}${w.credentialsPath as string}`, w.authorizationToken as string);
        return {
          AWS_ACCESS_KEY_ID: c.AccessKeyId as string,
          AWS_SECRET_ACCESS_KEY: c.SecretAccessKey as string,
          AWS_SESSION_TOKEN: c.Token as string,
        };
      }
      case "iam-user":
        return keysOf(start.userArn as string);
      case "external": {
        const user = keysOf(externalUser(start.account));
        if (!start.roleArn) return user;
        // The third party's role session, which its own software starts from.
        const sts = new STSClient({
          endpoint: env.sandbox.url,
          region: "us-east-1",
          maxAttempts: 1,
          credentials: { accessKeyId: user.AWS_ACCESS_KEY_ID, secretAccessKey: user.AWS_SECRET_ACCESS_KEY },
        });
        const c = (await sts.send(new AssumeRoleCommand({ RoleArn: start.roleArn, RoleSessionName: "third-party" }))).Credentials;
        return {
          AWS_ACCESS_KEY_ID: c?.AccessKeyId ?? "",
          AWS_SECRET_ACCESS_KEY: c?.SecretAccessKey ?? "",
          AWS_SESSION_TOKEN: c?.SessionToken ?? "",
        };
      }
      default:
        break;
    }
    throw new Error(`no runtime for a ${start.type} start in the sandbox`);
  };

  const configs = new Map<string, string>();
  for (const file of files) {
    const workload = compiled.chains.find((c) => file.path === `workloads/${c.workload}/aws-config`)?.workload;
    if (!workload) throw new Error(`which workload is ${file.path}?`);
    // The token EKS mounts at the path the profiles name is, here, the sandbox's token file.
    const irsa = [
      ...new Set(
        compiled.chains.filter((c) => c.workload === workload && (c.start.type === "irsa" || c.start.type === "oidc")).map((c) => c.start),
      ),
    ];
    if (irsa.length > 1) throw new Error(`${workload} has several web identities`);
    const text = irsa[0]
      ? file.content.replace(
          /^web_identity_token_file = .*$/gm,
          `web_identity_token_file = ${served(irsa[0]).variables.AWS_WEB_IDENTITY_TOKEN_FILE as string}`,
        )
      : file.content;
    const path = join(dir, `${workload}.config`);
    writeFileSync(path, `${text}${CLI_PLUGIN_SECTION}`);
    configs.set(workload, path);
  }
  return { compiled, env, dir, configs, runtime, externalUser };
}

interface Expected extends ProfileCase {
  /** The identity it must give: one ARN, or (an intermediate profile) any role of its workload's chains. */
  identity: string | Set<string>;
  /** For choosing the CLI's subset. */
  kind: string;
}

/**
 * IAM Identity Center's sign-in (the access portal in a browser, its token cache) is not served by
 * the sandbox: a permission set's profiles are not resolved here (test/sandbox-oidc-sso.test.ts and
 * test/example-006.test.ts follow the set's role through the sandbox instead).
 */
const notSso = (chain: Chain) => chain.start.type !== "sso";

/** Every chain of the example (its profile, or no profile) and every other generated profile, with the identity each must give. */
async function cases(x: Example): Promise<Expected[]> {
  const out: Expected[] = [];
  const seen = new Set<string>();
  const runtimes = new Map<StartIdentity, Record<string, string>>();
  const runtimeOf = async (start: StartIdentity) => runtimes.get(start) ?? runtimes.set(start, await x.runtime(start)).get(start)!;
  for (const chain of x.compiled.chains.filter(notSso)) {
    const config = x.configs.get(chain.workload);
    const profiles = config ? parseAwsConfig(readFileSync(config, "utf8").replace(CLI_PLUGIN_SECTION, "")) : new Map();
    const env = { ...(await runtimeOf(chain.start)), ...(config ? { AWS_CONFIG_FILE: config } : {}) };
    const identity = intended(chain, x.externalUser);
    const own = profiles.has(chain.profile) ? chain.profile : undefined;
    const id = `${chain.workload}: ${own ? `profile ${own}` : "no profile"}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      id,
      ...(own ? { profile: own } : {}),
      region: chain.region,
      env,
      identity,
      kind: `${chain.start.type} ${own ? "own" : "none"}`,
    });
  }
  // The other profiles of each file (web identity starts, intermediate hops): a role of their workload's chains.
  for (const [workload, config] of x.configs) {
    const chains = x.compiled.chains.filter((c) => c.workload === workload);
    if (!chains.every(notSso)) continue;
    const roles = new Set(
      chains.flatMap((c) => [...(c.start.roleArn ? [principal(c.start.roleArn)] : []), ...c.hops.map((h) => principal(h.roleArn))]),
    );
    for (const [profile, settings] of parseAwsConfig(readFileSync(config, "utf8").replace(CLI_PLUGIN_SECTION, ""))) {
      const id = `${workload}: profile ${profile}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const starts = new Set(chains.map((c) => c.start));
      if (starts.size > 1) throw new Error(`${workload}: which of its first identities does profile ${profile} start from?`);
      const first = chains[0] as Chain;
      out.push({
        id,
        profile,
        region: settings.region ?? first.region,
        env: { ...(await runtimeOf(first.start)), AWS_CONFIG_FILE: config },
        identity: roles,
        kind: `${first.start.type} intermediate`,
      });
    }
  }
  return out;
}

/** Each case's answer against what it must give: `[]` when all hold. */
function mismatches(client: string, expected: readonly Expected[], got: Map<string, Resolved>): string[] {
  const wrong: string[] = [];
  for (const c of expected) {
    const r = got.get(c.id);
    const who = r && "arn" in r ? principal(r.arn) : undefined;
    const ok = who !== undefined && (typeof c.identity === "string" ? who === c.identity : c.identity.has(who));
    if (!ok)
      wrong.push(
        `${client}, ${c.id}: expected ${typeof c.identity === "string" ? c.identity : `one of ${[...c.identity].join(", ")}`}, got ${r ? ("arn" in r ? r.arn : r.error.split("\n")[0]) : "nothing"}`,
      );
  }
  return wrong;
}

const clients = process.env.CI ? describe : describe.skipIf(!PYTHON || !AWS);

clients("the examples' generated AWS config profiles in the SDK for JavaScript, boto3 and the AWS CLI", () => {
  for (const name of EXAMPLES) {
    const onlySso = compileExample(name).chains.every((c) => !notSso(c));
    it.skipIf(onlySso)(
      `${name}: every profile, and every grant without one, gives the identity its grant is for`,
      { timeout: 180_000 },
      async () => {
        // GIVEN the example's generated AWS configs and the sandbox serving its model's first identities.
        const x = await example(name);
        const expected = await cases(x);
        expect(expected.length).toBeGreaterThan(0);
        const env = commonEnv(x.dir, x.env.sandbox.url);

        // WHEN the SDK for JavaScript and boto3 resolve every case, each in one fresh process,
        // and the AWS CLI one case of each kind (combined example only: it holds every kind of the others).
        const subset = name === "combined" ? [...new Map(expected.map((c) => [c.kind, c] as const)).values()] : [];
        const [sdk, boto3, cli] = await Promise.all([
          resolveWithSdk(expected, env),
          resolveWithBoto3(expected, env),
          resolveWithCli(subset, env),
        ]);

        // THEN each gives the identity its grant is for.
        expect([
          ...mismatches("SDK for JavaScript", expected, sdk),
          ...mismatches("boto3", expected, boto3),
          ...mismatches("AWS CLI", subset, cli),
        ]).toEqual([]);
        // AND xacct's own reader reads each of them as the same chain (it refuses what the clients refuse).
        for (const c of expected.filter((e) => e.profile !== undefined)) {
          const spec = await chainFromProfile(
            c.profile as string,
            { configFile: c.env.AWS_CONFIG_FILE as string, credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE },
            {},
          );
          const last = principal(spec.hops.at(-1)?.roleArn ?? (spec.first.type === "web-identity" ? spec.first.roleArn : ""));
          expect(typeof c.identity === "string" ? c.identity === last : c.identity.has(last), `xacct, ${c.id}: ${last}`).toBe(true);
        }
        if (name === "combined")
          expect(new Set(subset.map((c) => c.kind.split(" ")[0]))).toEqual(
            new Set(["ecs-task", "mwaa", "irsa", "lambda", "external", "iam-user"]),
          );
      },
    );
  }
});

describe("a grant without a profile beside a grant named profile default", () => {
  it("is refused at build with one line naming both grants: the default credential chain would read [default] for the first", async () => {
    // GIVEN an ECS task reading its own account's bucket (no role: the default chain, no profile named)
    // and another account's bucket through a role whose profile is named default.
    const dir = mkdtempSync(join(tmpdir(), "xacct-profiles-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "xacct.yaml"),
      modelText({
        name: "t",
        workloads: `  app:
    account: a
    identity: { type: ecs-task, role: app-task }
`,
        grants: `  - { workload: app, account: a, service: s3, access: [list], resources: { bucket: mine } }
  - { workload: app, account: b, service: s3, access: [list], resources: { bucket: theirs }, profile: default }
`,
      }),
    );
    // WHEN it is built
    const r = await xacct(["build", join(dir, "xacct.yaml"), "--out", join(dir, "out")], { PATH: process.env.PATH ?? "" });
    // THEN one line, exit 2, naming both grants and what to do; nothing written.
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /grants\[0\] of workload app assumes no role.*\[default\] profile that grants\[1\] names: give grants\[1\] another profile name/,
    );
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
