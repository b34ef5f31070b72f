/** Test helpers: read a compiled AccountState and turn it into engine requests. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Compiled, compile } from "../../src/compile/compile.js";
import { loadModel } from "../../src/model/load.js";
import { simulate } from "../../src/policy/index.js";
import type { PolicyDocument } from "../../src/state/account-state.js";

export const examplesDir = join(import.meta.dirname, "..", "..", "examples");

/** Every example model under examples/ (a folder with an xacct.yaml), sorted. */
export const EXAMPLES: readonly string[] = readdirSync(examplesDir)
  .filter((d) => existsSync(join(examplesDir, d, "xacct.yaml")))
  .sort();

export function compileExample(name: string): Compiled {
  const file = join(examplesDir, name, "xacct.yaml");
  return compile(loadModel(readFileSync(file, "utf8"), file));
}

function parseRoleArn(arn: string): { account: string; name: string } {
  const m = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) throw new Error(`not a role ARN: ${arn}`);
  return { account: m[1] as string, name: m[2] as string };
}

export function role(compiled: Compiled, arn: string) {
  const { account, name } = parseRoleArn(arn);
  const found = compiled.state.accounts.get(account)?.roles.get(name);
  if (!found) throw new Error(`no role ${arn} in the compiled state`);
  return found;
}

/** The identity policies of a role or user, as the engine takes them. */
export function identityPolicies(compiled: Compiled, arn: string): PolicyDocument[] {
  if (arn.includes(":role/")) return [...role(compiled, arn).policies.values()];
  const m = /^arn:[^:]+:iam::(\d{12}):user\/(.+)$/.exec(arn);
  const user = m ? compiled.state.accounts.get(m[1] as string)?.users.get(m[2] as string) : undefined;
  return user ? [...user.policies.values()] : [];
}

/** The ARN of a session of a role, as STS names it. */
export function sessionOf(roleArn: string, session = "s1"): string {
  const { account, name } = parseRoleArn(roleArn);
  return `arn:aws:sts::${account}:assumed-role/${name}/${session}`;
}

/** The engine's decision for a principal (role session or user) acting with its own policies. */
export function decide(
  compiled: Compiled,
  caller: string,
  action: string,
  resource: string,
  extra: { resourceAccount?: string; resourcePolicy?: PolicyDocument; context?: Record<string, string> } = {},
): string {
  const identityArn = caller.includes(":assumed-role/")
    ? caller.replace(/^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/.*$/, "arn:$1:iam::$2:role/$3")
    : caller;
  return simulate({
    principal: caller,
    action,
    resource,
    identityPolicies: caller.includes(":iam::") || caller.includes(":sts::") ? identityPolicies(compiled, identityArn) : [],
    ...extra,
  }).decision;
}

/** The engine's decision for `caller` assuming `roleArn`: its identity side and the role's trust. */
export function canAssume(compiled: Compiled, caller: string, roleArn: string): string {
  return decide(compiled, caller, "sts:AssumeRole", roleArn, { resourcePolicy: role(compiled, roleArn).trustPolicy });
}

/**
 * A chain of role assumptions as `can`, `who-can` and `reach` give it: each hop through a trust
 * (technique `assume`), by `sts:AssumeRole`, the first by `first` (a web identity's
 * `sts:AssumeRoleWithWebIdentity`).
 */
export function byTrust<T extends { via: string[] }>(path: T, first = "sts:AssumeRole"): T & { techniques: string[]; steps: string[][] } {
  return { ...path, techniques: path.via.map(() => "assume"), steps: path.via.map((_, i) => [i === 0 ? first : "sts:AssumeRole"]) };
}
