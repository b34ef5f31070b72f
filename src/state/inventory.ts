/**
 * Loads an inventory of real accounts into AccountState. A directory holds, per account,
 * `ACCOUNT_ID/authorization-details.json` (the unmodified output of `aws iam
 * get-account-authorization-details`; policy documents decoded as the CLI prints them or
 * URL-encoded as the API returns them), optionally `ACCOUNT_ID/resource-policies.json`
 * (`{"<resource ARN>": <policy>}`), `ACCOUNT_ID/oidc-providers.json` and
 * `ACCOUNT_ID/saml-providers.json` (the list-*-providers output), `ACCOUNT_ID/compute.json` (the
 * Lambda functions and EC2 instances running as each role); and optionally
 * `organization.json` at the top. Problems are reported with the file and JSON path.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_SESSION_DURATION } from "../aws/limits.js";
import { isAccountId, parseArn, parseIamArn } from "../aws/arn.js";
import { at, describe, fail, type Path, PolicyInputError } from "../policy/errors.js";
import { readJson } from "../text/json.js";
import {
  type AccountEntry,
  type AccountState,
  emptyAccount,
  type OrganizationState,
  type PolicyDocument,
  type RunningState,
} from "./account-state.js";

type Raw = Record<string, unknown>;

export function loadInventory(dir: string): AccountState {
  if (!existsSync(dir)) throw new PolicyInputError("", `no inventory directory ${dir}`);
  const state: AccountState = { accounts: new Map(), awsManagedPolicies: new Map() };
  for (const id of readdirSync(dir).filter(isAccountId).sort()) {
    const file = join(dir, id, "authorization-details.json");
    if (!existsSync(file))
      throw new PolicyInputError(`${id}/`, "has no authorization-details.json (the output of aws iam get-account-authorization-details)");
    const details = readJsonFile(file, `${id}/authorization-details.json`);
    const account = loadAuthorizationDetails(details, id, `${id}/authorization-details.json`, state);
    state.accounts.set(id, account);
    const policies = join(dir, id, "resource-policies.json");
    if (existsSync(policies))
      loadResourcePolicies(readJsonFile(policies, `${id}/resource-policies.json`), account, `${id}/resource-policies.json`);
    const compute = join(dir, id, "compute.json");
    if (existsSync(compute)) account.running = loadCompute(readJsonFile(compute, `${id}/compute.json`), account, `${id}/compute.json`);
    for (const [kind, list] of [
      ["oidc", "OpenIDConnectProviderList"],
      ["saml", "SAMLProviderList"],
    ] as const) {
      const providers = join(dir, id, `${kind}-providers.json`);
      if (!existsSync(providers)) continue;
      const raw = record(readJsonFile(providers, `${id}/${kind}-providers.json`), `${id}/${kind}-providers.json`);
      array(raw[list], at(`${id}/${kind}-providers.json`, list)).forEach((entry, i) => {
        const where = at(at(`${id}/${kind}-providers.json`, list), i);
        const arn = record(entry, where).Arn;
        const path = at(where, "Arn");
        const parsed = typeof arn === "string" ? parseIamArn(arn) : null;
        if (typeof arn !== "string" || parsed?.kind !== `${kind}-provider`)
          fail(
            path,
            `must be an IAM ${kind.toUpperCase()} provider ARN (arn:PARTITION:iam::ACCOUNT:${kind}-provider/…), got ${describe(arn)}`,
          );
        if (kind === "saml") account.samlProviders.add(arn);
        else account.oidcProviders.set(arn, { arn, issuer: parsed.name, clientIds: [] });
      });
    }
  }
  const organization = join(dir, "organization.json");
  if (existsSync(organization)) state.organization = loadOrganization(readJsonFile(organization, "organization.json"), "organization.json");
  return state;
}

/**
 * compute.json: `{"functions": [{"arn", "role"}], "instances": [{"arn", "role"}]}`, each a Lambda
 * function or EC2 instance of the account and the role it runs as (an instance's, through its
 * instance profile). Only ARNs of the account's own functions, instances and roles are accepted.
 */
function loadCompute(value: unknown, account: AccountEntry, label: string): RunningState {
  const raw = record(value, label);
  const running: RunningState = { functions: new Map(), instances: new Map() };
  for (const [list, service, type] of [
    ["functions", "lambda", "function"],
    ["instances", "ec2", "instance"],
  ] as const) {
    const byRole = running[list];
    array(raw[list], at(label, list)).forEach((entry, i) => {
      const where = at(at(label, list), i);
      const e = record(entry, where);
      const arn = parseArn(typeof e.arn === "string" ? e.arn : "");
      if (
        !arn ||
        arn.service !== service ||
        arn.account !== account.id ||
        !arn.resource.startsWith(`${type}${type === "function" ? ":" : "/"}`)
      )
        fail(
          at(where, "arn"),
          `must be the ARN of a ${service === "lambda" ? "Lambda function" : "EC2 instance"} of account ${account.id}, got ${describe(e.arn)}`,
        );
      const role = typeof e.role === "string" ? parseIamArn(e.role) : null;
      if (role?.kind !== "role" || role.account !== account.id)
        fail(at(where, "role"), `must be the ARN of a role of account ${account.id} (what the ${type} runs as), got ${describe(e.role)}`);
      const roleArn = e.role as string;
      const held = byRole.get(roleArn);
      if (held) held.push(e.arn as string);
      else byRole.set(roleArn, [e.arn as string]);
    });
  }
  return running;
}

function readJsonFile(file: string, label: string): unknown {
  const read = readJson(readFileSync(file, "utf8"));
  if (read.problem) throw new PolicyInputError(`${label}${read.problem.where}`, `not valid JSON: ${read.problem.message}`);
  return read.value;
}

function record(value: unknown, path: Path): Raw {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, `must be an object, got ${describe(value)}`);
  return value as Raw;
}

function array(value: unknown, path: Path): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
  return value;
}

/** A policy document as the CLI prints it (an object) or as the API returns it (URL-encoded JSON). */
export function policyDocumentOf(value: unknown, path: Path): PolicyDocument {
  if (typeof value === "string") {
    let text = value;
    // JSON text (a resource policy as its service returns it) is read as is: "%41" or "+" in it is literal.
    if (!value.trimStart().startsWith("{") && /%[0-9A-Fa-f]{2}/.test(value)) {
      try {
        text = decodeURIComponent(value.replace(/\+/g, "%20"));
      } catch {
        fail(path, "is not valid URL-encoded JSON");
      }
    }
    const read = readJson(text);
    if (read.problem) fail(path, `is not a JSON policy document: ${read.problem.message}`);
    return normalized(record(read.value, path), path);
  }
  return normalized(record(value, path), path);
}

/**
 * A policy document with its Statement always a list of objects: AWS returns a lone statement
 * object where a policy was written that way, and every reader then sees one shape. The
 * statements themselves are checked by the engine when it compiles them (with this same path).
 */
function normalized(document: Raw, path: Path): PolicyDocument {
  const statement = document.Statement;
  if (statement === undefined)
    fail(at(path, "Statement"), "is missing: a policy document needs a Statement (a statement object or a list of them)");
  if (!Array.isArray(statement)) {
    record(statement, at(path, "Statement"));
    return { ...document, Statement: [statement] } as unknown as PolicyDocument;
  }
  statement.forEach((item, i) => record(item, at(at(path, "Statement"), i)));
  // Already a list (the usual case): the document itself, no copy (an inventory holds hundreds of thousands).
  return document as unknown as PolicyDocument;
}

/** Inline policies by name: a Map, since any IAM policy name (`__proto__`, `constructor`) is a name like any other. */
function inlinePolicies(value: unknown, path: Path): Map<string, PolicyDocument> {
  const out = new Map<string, PolicyDocument>();
  array(value, path).forEach((entry, i) => {
    const e = record(entry, at(path, i));
    out.set(String(e.PolicyName), policyDocumentOf(e.PolicyDocument, at(at(path, i), "PolicyDocument")));
  });
  return out;
}

function attached(value: unknown, path: Path): string[] {
  return array(value, path).map((entry, i) => String(record(entry, at(path, i)).PolicyArn));
}

function tags(value: unknown, path: Path): Map<string, string> {
  return new Map(array(value, path).map((t, i) => [String(record(t, at(path, i)).Key), String(record(t, at(path, i)).Value)]));
}

function boundary(value: unknown): { permissionsBoundaryArn?: string } {
  const arn = typeof value === "object" && value !== null ? (value as Raw).PermissionsBoundaryArn : undefined;
  return arn ? { permissionsBoundaryArn: arn as string } : {};
}

/** What a role's and a user's entries share: `RoleName`/`UserName`, path, ARN, policies, boundary, tags. */
function identityFields(r: Raw, path: Path, kind: "Role" | "User") {
  return {
    name: String(r[`${kind}Name`]),
    path: String(r.Path ?? "/"),
    arn: String(r.Arn),
    policies: inlinePolicies(r[`${kind}PolicyList`], at(path, `${kind}PolicyList`)),
    managedPolicyArns: attached(r.AttachedManagedPolicies, at(path, "AttachedManagedPolicies")),
    ...boundary(r.PermissionsBoundary),
    tags: tags(r.Tags, at(path, "Tags")),
  };
}

function loadAuthorizationDetails(input: unknown, id: string, label: string, state: AccountState): AccountEntry {
  const details = record(input, label);
  const first =
    array(details.RoleDetailList, at(label, "RoleDetailList"))[0] ?? array(details.UserDetailList, at(label, "UserDetailList"))[0];
  const partition = parseArn(String((first as Raw | undefined)?.Arn ?? ""))?.partition ?? "aws";
  const account = emptyAccount(id, partition, { name: id });
  array(details.RoleDetailList, at(label, "RoleDetailList")).forEach((entry, i) => {
    const path = at(at(label, "RoleDetailList"), i);
    const r = record(entry, path);
    const role = identityFields(r, path, "Role");
    account.roles.set(role.name, {
      ...role,
      trustPolicy: policyDocumentOf(r.AssumeRolePolicyDocument, at(path, "AssumeRolePolicyDocument")),
      // get-account-authorization-details leaves MaxSessionDuration out; AWS's default is one hour.
      maxSessionDuration: typeof r.MaxSessionDuration === "number" ? r.MaxSessionDuration : MAX_SESSION_DURATION.default,
      ...(array(r.InstanceProfileList, at(path, "InstanceProfileList")).length ? { instanceProfile: true } : {}),
    });
  });
  array(details.UserDetailList, at(label, "UserDetailList")).forEach((entry, i) => {
    const path = at(at(label, "UserDetailList"), i);
    const u = record(entry, path);
    const user = identityFields(u, path, "User");
    account.users.set(user.name, {
      ...user,
      // The inventory does not say whether the user has access keys; a user can have them.
      accessKeys: true,
      groups: array(u.GroupList, at(path, "GroupList")).map(String),
    });
  });
  array(details.GroupDetailList, at(label, "GroupDetailList")).forEach((entry, i) => {
    const path = at(at(label, "GroupDetailList"), i);
    const g = record(entry, path);
    const name = String(g.GroupName);
    account.groups.set(name, {
      name,
      arn: String(g.Arn),
      policies: inlinePolicies(g.GroupPolicyList, at(path, "GroupPolicyList")),
      managedPolicyArns: attached(g.AttachedManagedPolicies, at(path, "AttachedManagedPolicies")),
    });
  });
  array(details.Policies, at(label, "Policies")).forEach((entry, i) => {
    const path = at(at(label, "Policies"), i);
    const p = record(entry, path);
    const versions = array(p.PolicyVersionList, at(path, "PolicyVersionList"));
    const index = versions.findIndex((v) => record(v, path).IsDefaultVersion === true);
    if (index < 0) fail(at(path, "PolicyVersionList"), "has no default version (IsDefaultVersion: true)");
    const document = policyDocumentOf(record(versions[index], path).Document, at(at(at(path, "PolicyVersionList"), index), "Document"));
    const arn = String(p.Arn);
    if (arn.includes(":iam::aws:policy/")) state.awsManagedPolicies?.set(arn, document);
    else account.managedPolicies.set(arn, document);
  });
  return account;
}

/**
 * The resource policies of an account: `{"resources": [...]}` (each with its owner, which must be
 * the account whose folder holds the file, and its region, "" for a resource of none), or the older
 * `{"<ARN>": policy}` (whose keys are ARNs, so never "resources").
 */
function loadResourcePolicies(input: unknown, account: AccountEntry, label: string): void {
  const raw = record(input, label);
  if (!Array.isArray(raw.resources)) {
    for (const [arn, policy] of Object.entries(raw)) {
      const service = parseArn(arn)?.service ?? "unknown";
      account.resourcePolicies.set(arn, { arn, service, policy: policyDocumentOf(policy, at(label, arn)) });
    }
    return;
  }
  raw.resources.forEach((entry, i) => {
    const path = at(at(label, "resources"), i);
    const e = record(entry, path);
    const arn = parseArn(typeof e.arn === "string" ? e.arn : "");
    if (!arn) fail(at(path, "arn"), `must be the resource's ARN, got ${describe(e.arn)}`);
    if (e.account !== account.id)
      fail(at(path, "account"), `must be ${account.id}, the account whose folder holds this file (its owner), got ${describe(e.account)}`);
    if (typeof e.region !== "string") fail(at(path, "region"), `must be the resource's region ("" for none), got ${describe(e.region)}`);
    account.resourcePolicies.set(e.arn as string, {
      arn: e.arn as string,
      service: arn.service,
      ...(e.region ? { region: e.region } : {}),
      policy: policyDocumentOf(e.policy, at(path, "policy")),
    });
  });
}

function loadOrganization(input: unknown, label: string): OrganizationState {
  const o = record(input, label);
  const parents = new Map<string, string[]>();
  for (const [id, entry] of Object.entries(record(o.accounts ?? {}, at(label, "accounts")))) {
    parents.set(id, array(record(entry, at(at(label, "accounts"), id)).parents, at(at(at(label, "accounts"), id), "parents")).map(String));
  }
  const attachments = (key: string) => {
    const out = new Map<string, PolicyDocument[]>();
    for (const [target, list] of Object.entries(record(o[key] ?? {}, at(label, key)))) {
      out.set(
        target,
        array(list, at(at(label, key), target)).map((p, i) => policyDocumentOf(p, at(at(at(label, key), target), i))),
      );
    }
    return out;
  };
  return {
    id: String(o.organizationId ?? ""),
    ...(typeof o.managementAccount === "string" ? { managementAccount: o.managementAccount } : {}),
    parents,
    serviceControlPolicies: attachments("serviceControlPolicies"),
    resourceControlPolicies: attachments("resourceControlPolicies"),
  };
}
