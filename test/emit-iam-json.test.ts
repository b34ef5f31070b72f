/**
 * The IAM JSON output as the AWS CLI takes it: each account's `iam/apply.sh` run with Debian's AWS
 * CLI 2.9 (/usr/bin/aws) against xacct's sandbox, whose IAM API validates what IAM validates, in
 * the order the README gives, into accounts with no IAM yet; then every role and user read back
 * with the SDK's IAM client must hold what the model compiled to. The review files
 * (`roles/<role>.json`) are not CLI input, as the CLI itself says.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { afterAll, describe, expect, it } from "vitest";
import type { Compiled } from "../src/compile/compile.js";
import { applyOrder, applyScript } from "../src/emit/iam-json.js";
import { emitAll } from "../src/emit/index.js";
import type { EmittedFile } from "../src/emit/types.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { type AccountState, emptyAccount, policyDocument, type RoleState } from "../src/state/account-state.js";
import { runProgram } from "./support/chain-cli.js";
import { compileExample } from "./support/emit-model.js";
import { emptyCopy, iam, rootOf, trusting } from "./support/iam-apply.js";
import { AWS, CLI_PLUGIN_SECTION } from "./support/real-clients.js";

const withDebianCli = process.env.CI ? it : it.skipIf(!AWS);
/** A thumbprint for the AWS CLI 2.9, whose IAM model still requires one, as apply.sh's comment says (IAM ignores it for EKS). */
const THUMBPRINT = "0".repeat(40);

const dirs: string[] = [];
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  for (const s of sandboxes) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The build's files on disk, as `xacct build --out` writes them. */
function writeBuild(files: readonly EmittedFile[]): string {
  const out = mkdtempSync(join(tmpdir(), "xacct-iam-cli-"));
  dirs.push(out);
  for (const f of files) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true });
    writeFileSync(join(out, f.path), f.content, { mode: f.mode ?? 0o644 });
  }
  return out;
}

/** Debian's AWS CLI as an account's administrator (its root's keys), every request sent to the sandbox. */
function cliEnv(s: Sandbox, account: string, home: string): NodeJS.ProcessEnv {
  const keys = rootOf(s, account);
  const config = join(home, "config");
  writeFileSync(config, CLI_PLUGIN_SECTION);
  return {
    PATH: "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(home, "none"),
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: "",
    XACCT_SANDBOX_URL: s.url,
    PYTHONDONTWRITEBYTECODE: "1",
  };
}

/** The commands of an apply.sh, each run from the script's directory as its `cd "$(dirname "$0")"` does. */
function scriptCommands(script: string): string[] {
  return script.split("\n").filter((l) => l.startsWith("aws "));
}

async function applyWithCli(compiled: Compiled): Promise<{ s: Sandbox; out: string }> {
  const files = emitAll(compiled);
  const out = writeBuild(files);
  // GIVEN the build's accounts, with no IAM in them yet (a role declared existing is there, as its owner made it)
  const s = await startSandbox({ state: emptyCopy(compiled.state), port: 0, host: "127.0.0.1" });
  sandboxes.push(s);
  for (const account of compiled.state.accounts.values())
    for (const role of account.roles.values())
      if (role.existing)
        await iam(s, rootOf(s, account.id)).send(
          new CreateRoleCommand({
            RoleName: role.name,
            Path: role.path,
            AssumeRolePolicyDocument: trusting(`arn:aws:iam::${account.id}:root`),
          }),
        );
  const { accounts, cycle } = applyOrder(compiled.state);
  expect(cycle).toEqual([]);
  // WHEN each account's apply.sh runs, in the README's order, with Debian's AWS CLI
  for (const account of accounts) {
    const script = join(out, applyScript(account));
    expect(spawnSync("sh", ["-n", script]).status).toBe(0);
    const text = readFileSync(script, "utf8");
    expect(text).toMatch(/^set -eu\ncd "\$\(dirname "\$0"\)"$/m);
    const home = mkdtempSync(join(tmpdir(), "xacct-cli-home-"));
    dirs.push(home);
    const env = cliEnv(s, account.id, home);
    for (const command of scriptCommands(text)) {
      const line = command.startsWith("aws iam create-open-id-connect-provider ") ? `${command} --thumbprint-list ${THUMBPRINT}` : command;
      const r = await runProgram(
        "/bin/sh",
        ["-c", `set -eu\ncd ${JSON.stringify(dirname(script))}\n${line.replace(/^aws /, `${AWS!} `)}`],
        env,
      );
      // THEN the CLI takes every input file, and IAM (the sandbox's) accepts every call
      expect(r.code, `${account.name ?? account.id}: ${line}\n${r.stderr}`).toBe(0);
    }
  }
  return { s, out };
}

const sorted = (xs: string[]) => [...xs].sort();

/** A role trusting the given principals (IAM refuses a trust naming a role or user that does not exist yet; an account's root always exists). */
const roleTrusting = (account: string, name: string, principals: string[]): RoleState => ({
  name,
  path: "/",
  arn: `arn:aws:iam::${account}:role/${name}`,
  trustPolicy: policyDocument([{ Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole" }]),
  policies: new Map(),
  managedPolicyArns: [],
  maxSessionDuration: 3600,
  tags: new Map(),
});

/** Every role, user and provider of the compiled state, read back from the sandbox with the SDK. */
async function expectApplied(s: Sandbox, compiled: Compiled): Promise<void> {
  for (const account of compiled.state.accounts.values()) {
    if (!account.managed) continue;
    const client = iam(s, rootOf(s, account.id));
    const providers = await client.send(new ListOpenIDConnectProvidersCommand({}));
    expect(sorted((providers.OpenIDConnectProviderList ?? []).map((p) => p.Arn!))).toEqual(sorted([...account.oidcProviders.keys()]));
    for (const role of account.roles.values()) {
      const got = (await client.send(new GetRoleCommand({ RoleName: role.name }))).Role!;
      expect(got.Arn).toBe(role.arn);
      if (!role.existing) {
        expect(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!))).toEqual(role.trustPolicy);
        expect(got.MaxSessionDuration).toBe(role.maxSessionDuration);
        expect(got.Description).toBe(role.description);
        expect(got.PermissionsBoundary?.PermissionsBoundaryArn).toBe(role.permissionsBoundaryArn);
        expect(Object.fromEntries((got.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual(Object.fromEntries(role.tags));
      }
      const names = (await client.send(new ListRolePoliciesCommand({ RoleName: role.name }))).PolicyNames ?? [];
      expect(sorted(names)).toEqual(sorted([...role.policies.keys()]));
      for (const [PolicyName, document] of role.policies) {
        const policy = await client.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName }));
        expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(document);
      }
      const attached = (await client.send(new ListAttachedRolePoliciesCommand({ RoleName: role.name }))).AttachedPolicies ?? [];
      expect(sorted(attached.map((p) => p.PolicyArn!))).toEqual(sorted(role.managedPolicyArns));
      if (role.instanceProfile) {
        const profile = await client.send(new GetInstanceProfileCommand({ InstanceProfileName: role.name }));
        expect(profile.InstanceProfile?.Roles?.map((r) => r.Arn)).toEqual([role.arn]);
      }
    }
    for (const user of account.users.values()) {
      expect((await client.send(new GetUserCommand({ UserName: user.name }))).User?.Arn).toBe(user.arn);
      const names = (await client.send(new ListUserPoliciesCommand({ UserName: user.name }))).PolicyNames ?? [];
      expect(sorted(names)).toEqual(sorted([...user.policies.keys()]));
      for (const [PolicyName, document] of user.policies) {
        const policy = await client.send(new GetUserPolicyCommand({ UserName: user.name, PolicyName }));
        expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(document);
      }
    }
  }
}

describe("IAM JSON with the AWS CLI", () => {
  // Seed 003: an OIDC provider, a role and an IAM user in one account, roles in two others trusting
  // them (one chained through the other); example 008: an existing role xacct only attaches to.
  for (const example of ["003-airflow-multi-account", "008-mwaa-athena-cross-account"]) {
    withDebianCli(
      `${example}: apply.sh's create-role, put-role-policy and other calls, run in order by Debian's AWS CLI 2.9, make what the model compiled to`,
      { timeout: 240_000 },
      async () => {
        const compiled = compileExample(example);
        const { s } = await applyWithCli(compiled);
        await expectApplied(s, compiled);
      },
    );
  }

  withDebianCli(
    "roles whose trusts name each other, themselves, or a user of their account: apply.sh makes them all, with their own trusts, run by Debian's AWS CLI 2.9",
    { timeout: 240_000 },
    async () => {
      // GIVEN seed 003's account holding an IAM user, with four more roles: ping and pong trusting
      // each other, again trusting itself (IAM's way to assume a role again within its session),
      // and deploy trusting the user. IAM refuses a trust naming a role or user that does not exist yet.
      const compiled = compileExample("003-airflow-multi-account");
      const account = [...compiled.state.accounts.values()].find((a) => a.managed && a.users.size > 0)!;
      const user = [...account.users.values()][0]!;
      const arn = (name: string) => `arn:aws:iam::${account.id}:role/${name}`;
      for (const [name, trusted] of [
        ["ping", [arn("pong")]],
        ["pong", [arn("ping")]],
        ["again", [arn("again"), `arn:aws:iam::${account.id}:root`]],
        ["deploy", [user.arn]],
      ] as const)
        account.roles.set(name, roleTrusting(account.id, name, [...trusted]));
      // WHEN every account's apply.sh runs in order (each call must succeed)
      const { s, out } = await applyWithCli(compiled);
      // THEN every role holds its own trust, read back from IAM
      await expectApplied(s, compiled);
      // AND the roles made before a role they name were made with a trust that admits no one (a Deny alone)
      const script = readFileSync(join(out, applyScript(account)), "utf8");
      const deferred = scriptCommands(script)
        .filter((c) => c.startsWith("aws iam update-assume-role-policy "))
        .map((c) => /roles\/([^/]+)\//.exec(c)?.[1]);
      expect(deferred.sort()).toEqual(["again", "pong"]);
      const pending = JSON.parse(readFileSync(join(out, dirname(applyScript(account)), "cli/roles/pong/create-role.json"), "utf8")) as {
        AssumeRolePolicyDocument: string;
      };
      expect((JSON.parse(pending.AssumeRolePolicyDocument) as { Statement: { Effect: string }[] }).Statement.map((x) => x.Effect)).toEqual([
        "Deny",
      ]);
    },
  );

  withDebianCli(
    "the CLI's own check is real: the review file of a role is refused as create-role input (Unknown parameter in input: Arn)",
    { timeout: 60_000 },
    async () => {
      const compiled = compileExample("003-airflow-multi-account");
      const out = writeBuild(emitAll(compiled));
      const s = await startSandbox({ state: emptyCopy(compiled.state), port: 0, host: "127.0.0.1" });
      sandboxes.push(s);
      const account = [...compiled.state.accounts.values()].find((a) => a.managed && a.roles.size > 0)!;
      const role = [...account.roles.values()][0]!;
      const home = mkdtempSync(join(tmpdir(), "xacct-cli-home-"));
      dirs.push(home);
      const review = join(out, dirname(applyScript(account)), "roles", `${role.name}.json`);
      const r = await runProgram(AWS!, ["iam", "create-role", "--cli-input-json", `file://${review}`], cliEnv(s, account.id, home));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Unknown parameter in input: "Arn"/);
    },
  );

  it("orders accounts after those whose roles their trusts name, and writes documents as JSON text, each input holding its call's parameters only", () => {
    // GIVEN the combined example: the seeds' chains across twelve accounts
    const compiled = compileExample("combined");
    const files = emitAll(compiled);
    const { accounts } = applyOrder(compiled.state);
    const position = new Map(accounts.map((a, i) => [a.id, i]));
    // THEN a role's trusted principals in other managed accounts come from earlier scripts
    for (const account of accounts)
      for (const role of account.roles.values())
        for (const statement of role.trustPolicy.Statement) {
          const principal = statement.Principal;
          if (typeof principal !== "object") continue;
          for (const arn of [principal.AWS ?? []].flat()) {
            const other = /^arn:[^:]+:iam::(\d{12}):role\//.exec(arn)?.[1];
            if (other && other !== account.id && position.has(other))
              expect(position.get(other)!, `${role.arn} trusts ${arn}`).toBeLessThan(position.get(account.id)!);
          }
        }
    // AND create-role and put-role-policy inputs carry only their calls' parameters (as the CLI's
    // IAM model names them), the documents as strings that parse back to the role's
    const CREATE_ROLE = new Set([
      "Path",
      "RoleName",
      "AssumeRolePolicyDocument",
      "Description",
      "MaxSessionDuration",
      "PermissionsBoundary",
      "Tags",
    ]);
    const PUT_ROLE_POLICY = new Set(["RoleName", "PolicyName", "PolicyDocument"]);
    let seen = 0;
    for (const f of files) {
      const input = f.path.endsWith("/create-role.json")
        ? CREATE_ROLE
        : /\/put-role-policy-\d+\.json$/.test(f.path)
          ? PUT_ROLE_POLICY
          : null;
      if (!input) continue;
      seen++;
      const body = JSON.parse(f.content) as Record<string, unknown>;
      for (const key of Object.keys(body)) expect(input.has(key), `${f.path}: ${key}`).toBe(true);
      const document = body.AssumeRolePolicyDocument ?? body.PolicyDocument;
      expect(typeof document).toBe("string");
      expect((JSON.parse(document as string) as { Version: string }).Version).toBe("2012-10-17");
    }
    expect(seen).toBeGreaterThan(10);
  });

  it("puts an account after those whose roles its trusts name, not after those whose root it trusts, and names a true cycle", () => {
    const stateOf = (a: string[], b: string[]): AccountState => {
      const accountA = emptyAccount("111111111111", "aws", { name: "a" });
      const accountB = emptyAccount("222222222222", "aws", { name: "b" });
      accountA.roles.set("ra", roleTrusting("111111111111", "ra", a));
      accountB.roles.set("rb", roleTrusting("222222222222", "rb", b));
      return { accounts: new Map([accountA, accountB].map((x) => [x.id, x])) };
    };
    // GIVEN account A's role trusting B's root, and B's role trusting A's role
    const rootTrust = applyOrder(stateOf(["arn:aws:iam::222222222222:root"], ["arn:aws:iam::111111111111:role/ra"]));
    // THEN A comes first (B's trust needs A's role), and there is no cycle: A's trust needs nothing of B
    expect(rootTrust.accounts.map((x) => x.name)).toEqual(["a", "b"]);
    expect(rootTrust.cycle).toEqual([]);
    // GIVEN each account's role trusting the other's role
    const mutual = applyOrder(stateOf(["arn:aws:iam::222222222222:role/rb"], ["arn:aws:iam::111111111111:role/ra"]));
    // THEN no order satisfies both, and both accounts are named
    expect(mutual.cycle.map((x) => x.name).sort()).toEqual(["a", "b"]);
  });
});
