/**
 * Names that are also the names of what every JavaScript object inherits. IAM allows each of them
 * as a policy name and a tag key (`[\w+=,.@-]+`; tag keys `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`), and a
 * model may call an account, cluster or workload by any of the last four; xacct must treat them
 * as names like any other. Fixtures here build inventories in the format of
 * `aws iam get-account-authorization-details` that use them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI as cli } from "./xacct-cli.js";

/** `__proto__` first: a plain object cannot even hold it as a key. */
export const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty"] as const;

/** As PROTOTYPE_NAMES, for model names (which must start with a letter or digit): `valueOf` instead of `__proto__`. */
export const PROTOTYPE_MODEL_NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty"] as const;

export const CALLER_ACCOUNT = "111111111111";
export const TARGET_ACCOUNT = "222222222222";
export const APP = `arn:aws:iam::${CALLER_ACCOUNT}:user/app`;
export const INTERN = `arn:aws:iam::${CALLER_ACCOUNT}:user/intern`;
export const TARGET = `arn:aws:iam::${TARGET_ACCOUNT}:role/target`;
export const SHARED_OBJECT = "arn:aws:s3:::shared-data/report.csv";

const DATE = "2026-01-01T00:00:00Z";
const doc = (statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });

export function userDetail(account: string, name: string, policies: [string, unknown][], tags: [string, string][] = []) {
  return {
    Path: "/",
    UserName: name,
    UserId: `AIDA${name.toUpperCase().padEnd(17, "X").slice(0, 17)}`,
    Arn: `arn:aws:iam::${account}:user/${name}`,
    CreateDate: DATE,
    UserPolicyList: policies.map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
    GroupList: [],
    AttachedManagedPolicies: [],
    Tags: tags.map(([Key, Value]) => ({ Key, Value })),
  };
}

export function roleDetail(account: string, name: string, trust: unknown, policies: [string, unknown][]) {
  return {
    Path: "/",
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().padEnd(17, "X").slice(0, 17)}`,
    Arn: `arn:aws:iam::${account}:role/${name}`,
    CreateDate: DATE,
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: [],
    RolePolicyList: policies.map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
    AttachedManagedPolicies: [],
    Tags: [],
    RoleLastUsed: {},
  };
}

/** Writes `{account: authorization details}` as an inventory directory; returns it. */
export function writeInventory(accounts: Record<string, { UserDetailList?: unknown[]; RoleDetailList?: unknown[] }>): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-prototype-keys-"));
  for (const [id, details] of Object.entries(accounts)) {
    mkdirSync(join(dir, id));
    writeFileSync(
      join(dir, id, "authorization-details.json"),
      JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [], ...details }, null, 2),
    );
  }
  return dir;
}

/**
 * GIVEN account 111111111111's users `app` and `intern`, and account 222222222222's role `target`
 * whose trust names both but admits only a caller tagged `name` = data-team:
 * - `app` carries that tag, and its one inline policy, named `name`, allows sts:AssumeRole on target;
 * - `intern` is not tagged; its inline policy `assume` allows the same;
 * - target's one inline policy, named `name`, allows s3:GetObject on shared-data/*.
 * So app can read shared-data through target; intern cannot (the trust's condition fails).
 */
export function prototypeNamedInventory(name: string): string {
  const assumeTarget = doc([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: TARGET }]);
  const trust = doc([
    {
      Effect: "Allow",
      Principal: { AWS: [APP, INTERN] },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { [`aws:PrincipalTag/${name}`]: "data-team" } },
    },
  ]);
  return writeInventory({
    [CALLER_ACCOUNT]: {
      UserDetailList: [
        userDetail(CALLER_ACCOUNT, "app", [[name, assumeTarget]], [[name, "data-team"]]),
        userDetail(CALLER_ACCOUNT, "intern", [["assume", assumeTarget]]),
      ],
    },
    [TARGET_ACCOUNT]: {
      RoleDetailList: [
        roleDetail(TARGET_ACCOUNT, "target", trust, [
          [name, doc([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-data/*" }])],
        ]),
      ],
    },
  });
}

/** Runs the built CLI (`xacct COMMAND ARGS --json`); returns its exit code and parsed output. */
export function xacctJson<T>(command: string, args: string[]): { status: number | null; out: T; stderr: string } {
  const r = spawnSync(process.execPath, [cli, command, ...args, "--json"], { encoding: "utf8" });
  return { status: r.status, out: (r.stdout.trim() ? JSON.parse(r.stdout) : undefined) as T, stderr: r.stderr };
}
