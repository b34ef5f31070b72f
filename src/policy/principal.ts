import { isAccountId, parseArn, PARTITIONS } from "./arn.js";
import { at, describe, fail, type Path } from "./errors.js";

/** Who makes a request. */
export type RequestPrincipal =
  | { type: "user"; arn: string; account: string }
  | { type: "role"; arn: string; account: string; roleName: string }
  | { type: "session"; arn: string; account: string; roleName: string; roleArn: string; sessionName: string }
  | { type: "federated-user"; arn: string; account: string }
  | { type: "root"; arn: string; account: string }
  | { type: "federated"; arn: string; account: string | undefined }
  | { type: "service"; arn: string; account: undefined }
  | { type: "anonymous"; arn: "anonymous"; account: undefined };

export type PrincipalType = RequestPrincipal["type"];

/**
 * How a resource-based statement's Principal matched the caller. The strength decides what else
 * must allow in the same account (see evaluate.ts):
 * - Account: the account (or its root) is named, which delegates to the account's IAM policies;
 * - Role: a role ARN is named and the caller is one of its sessions;
 * - Direct: the caller itself (user, session, service, provider), or everyone.
 */
export enum Strength {
  None = 0,
  Account = 1,
  Role = 2,
  Direct = 3,
}

/** Service principals look like `lambda.amazonaws.com`; China regions add `.cn`. */
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const FEDERATED_PROVIDER = /^(oidc-provider|saml-provider)\/./;

/** Reads the `principal` of a request: an ARN, a service or provider name, or "anonymous". */
export function parseRequestPrincipal(text: string, path: Path): RequestPrincipal {
  if (text === "anonymous" || text === "*") return { type: "anonymous", arn: "anonymous", account: undefined };
  if (!text.startsWith("arn:")) {
    if (SERVICE.test(text)) return { type: "service", arn: text, account: undefined };
    if (/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(\/.*)?$/i.test(text)) return { type: "federated", arn: text, account: undefined };
    fail(path, `must be an IAM user, role, assumed-role or root ARN, a federated provider, a service principal or "anonymous", got ${describe(text)}`);
  }
  const arn = parseArn(text);
  if (!arn || !PARTITIONS.has(arn.partition) || !isAccountId(arn.account)) {
    fail(path, `not a valid principal ARN (expected arn:PARTITION:iam::ACCOUNT_ID:… with a 12-digit account), got ${describe(text)}`);
  }
  const { account, resource } = arn;
  if (arn.service === "iam") {
    if (resource === "root") return { type: "root", arn: text, account };
    if (resource.startsWith("user/") && resource.length > 5) return { type: "user", arn: text, account };
    if (resource.startsWith("role/") && resource.length > 5) return { type: "role", arn: text, account, roleName: lastSegment(resource) };
    if (FEDERATED_PROVIDER.test(resource)) return { type: "federated", arn: text, account };
  } else if (arn.service === "sts") {
    const session = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
    if (session) {
      const roleName = session[1] as string;
      const roleArn = `arn:${arn.partition}:iam::${account}:role/${roleName}`;
      return { type: "session", arn: text, account, roleName, roleArn, sessionName: session[2] as string };
    }
    if (/^federated-user\/.+/.test(resource)) return { type: "federated-user", arn: text, account };
  }
  fail(path, `not a principal ARN AWS recognises (root, user/…, role/…, assumed-role/ROLE/SESSION, federated-user/…, oidc-provider/…, saml-provider/…), got ${describe(text)}`);
}

function lastSegment(resource: string): string {
  return resource.slice(resource.lastIndexOf("/") + 1);
}

/**
 * A Principal or NotPrincipal element, normalised for lookups: one set of tagged names
 * (`account:ID`, `arn:ARN` for users, sessions and federated users, `role:ID:NAME` since a role's
 * sessions carry its name but not its path, `service:NAME`, `federated:NAME`, `canonical:ID`).
 */
export interface PrincipalSet {
  everyone: boolean;
  names: Set<string>;
}

const account = (id: string) => `account:${id}`;
const role = (id: string, name: string) => `role:${id}:${name}`;

const PRINCIPAL_KEYS = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

/** Reads a Principal/NotPrincipal element, naming the path of anything AWS would reject. */
export function compilePrincipal(input: unknown, path: Path): PrincipalSet {
  const set: PrincipalSet = { everyone: false, names: new Set() };
  if (input === "*") {
    set.everyone = true;
    return set;
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    fail(path, `must be "*" or an object with AWS, Service, Federated or CanonicalUser, got ${describe(input)}`);
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length === 0) fail(path, "must name at least one principal");
  for (const [kind, raw] of entries) {
    const kindPath = at(path, kind);
    if (!PRINCIPAL_KEYS.has(kind)) fail(kindPath, `unknown principal type "${kind}" (expected AWS, Service, Federated or CanonicalUser)`);
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) fail(kindPath, "must name at least one principal");
    values.forEach((value, i) => {
      const valuePath = Array.isArray(raw) ? at(kindPath, i) : kindPath;
      if (typeof value !== "string" || value.length === 0) fail(valuePath, `must be a non-empty string, got ${describe(value)}`);
      addPrincipal(set, kind, value, valuePath);
    });
  }
  return set;
}

function addPrincipal(set: PrincipalSet, kind: string, value: string, path: Path): void {
  if (kind === "AWS") {
    if (value === "*") set.everyone = true;
    else if (isAccountId(value)) set.names.add(account(value));
    else addAwsArn(set, value, path);
  } else if (kind === "Service") {
    if (value.includes("*")) fail(path, `a service principal cannot contain a wildcard, got ${describe(value)}`);
    set.names.add(`service:${value.toLowerCase()}`);
  } else if (kind === "Federated") {
    if (value.includes("*")) fail(path, `a federated principal cannot contain a wildcard, got ${describe(value)}`);
    set.names.add(`federated:${value}`);
  } else set.names.add(`canonical:${value}`);
}

function addAwsArn(set: PrincipalSet, value: string, path: Path): void {
  if (value.includes("*") || value.includes("?")) {
    fail(path, `AWS accepts no wildcard in a principal ARN other than "*" alone (use a Condition on aws:PrincipalArn with ArnLike), got ${describe(value)}`);
  }
  const principal = parseRequestPrincipal(value, path);
  switch (principal.type) {
    case "root":
      set.names.add(account(principal.account));
      return;
    case "role":
      set.names.add(role(principal.account, principal.roleName));
      return;
    case "user":
    case "session":
    case "federated-user":
      set.names.add(`arn:${principal.arn}`);
      return;
    default:
      fail(path, `not an AWS principal (an account ID, or a root, user, role or assumed-role ARN), got ${describe(value)}`);
  }
}

/** How strongly a Principal element names the caller. */
export function principalStrength(set: PrincipalSet, caller: RequestPrincipal): Strength {
  // "*" names every caller directly: AWS documents that permissions boundaries and session
  // policies do not limit what a wildcard Principal grants (narrowed by aws:PrincipalArn or not).
  if (set.everyone) return Strength.Direct;
  const { names } = set;
  switch (caller.type) {
    case "session":
    case "user":
    case "federated-user":
      if (names.has(`arn:${caller.arn}`)) return Strength.Direct;
      if (caller.type === "session" && names.has(role(caller.account, caller.roleName))) return Strength.Role;
      return names.has(account(caller.account)) ? Strength.Account : Strength.None;
    case "role":
      if (names.has(role(caller.account, caller.roleName))) return Strength.Role;
      return names.has(account(caller.account)) ? Strength.Account : Strength.None;
    case "root":
      return names.has(account(caller.account)) ? Strength.Account : Strength.None;
    case "service":
      return names.has(`service:${caller.arn.toLowerCase()}`) ? Strength.Direct : Strength.None;
    case "federated":
      return names.has(`federated:${caller.arn}`) ? Strength.Direct : Strength.None;
    case "anonymous":
      return Strength.None;
  }
}

/**
 * Whether a NotPrincipal element excludes the caller. AWS checks every identity a request carries,
 * so a caller is excluded only when each of them is listed: a role session needs its session ARN,
 * its role ARN and its account; a user, its ARN and its account.
 */
export function notPrincipalExcludes(set: PrincipalSet, caller: RequestPrincipal): boolean {
  if (set.everyone) return true;
  const { names } = set;
  switch (caller.type) {
    case "session":
      return names.has(`arn:${caller.arn}`) && names.has(role(caller.account, caller.roleName)) && names.has(account(caller.account));
    case "role":
      return names.has(role(caller.account, caller.roleName)) && names.has(account(caller.account));
    case "user":
    case "federated-user":
      return names.has(`arn:${caller.arn}`) && names.has(account(caller.account));
    case "root":
      return names.has(account(caller.account));
    case "service":
      return names.has(`service:${caller.arn.toLowerCase()}`);
    case "federated":
      return names.has(`federated:${caller.arn}`);
    case "anonymous":
      return false;
  }
}
