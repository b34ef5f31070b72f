import { isAccountId, parseArn, PARTITIONS } from "../aws/arn.js";
import { PrincipalSet } from "../aws/principal.js";
import { at, describe, fail, itemPath, type Path } from "./errors.js";
import { spend } from "./work.js";

/** Who makes a request. ARN-based principals carry their partition; names and "anonymous" do not. */
export type RequestPrincipal =
  | { type: "user"; arn: string; partition: string; account: string }
  | { type: "role"; arn: string; partition: string; account: string; roleName: string }
  | { type: "session"; arn: string; partition: string; account: string; roleName: string; sessionName: string }
  | { type: "federated-user"; arn: string; partition: string; account: string }
  | { type: "root"; arn: string; partition: string; account: string }
  | { type: "federated"; arn: string; partition: string | undefined; account: string | undefined }
  | { type: "service"; arn: string; partition: undefined; account: undefined }
  | { type: "anonymous"; arn: "anonymous"; partition: undefined; account: undefined };

/**
 * How a resource-based statement's Principal matched the caller. The strength decides what else
 * must allow in the same account (see evaluate.ts):
 * - Account: the account (or its root) is named, which delegates to the account's IAM policies;
 * - Role: a role ARN is named and the caller is one of its sessions;
 * - Direct: the caller itself (user, session, service, provider), or everyone (`*`).
 */
export enum Strength {
  None = 0,
  Account = 1,
  Role = 2,
  Direct = 3,
}

/** Service principals look like `lambda.amazonaws.com`; China regions add `.cn`. */
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const HOST = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(\/.*)?$/i;
const FEDERATED_PROVIDER = /^(oidc-provider|saml-provider)\/./;
const SESSION = /^assumed-role\/([^/]+)\/(.+)$/;
/**
 * When a principal named in a policy is deleted, AWS replaces its ARN with its unique ID (AROA…
 * for roles, AIDA… for users): the policy stays valid and the entry matches no caller.
 */
const UNIQUE_ID = /^A(RO|ID|GP|IP|NP|SC|SI|KI)A[A-Z0-9]{12,}$/;
/** CloudFront origin access identities are named in S3 bucket policies by this special ARN. */
const CLOUDFRONT_OAI = /^arn:aws[a-z-]*:iam::cloudfront:user\/CloudFront Origin Access Identity [A-Z0-9]+$/;

/** Reads the `principal` of a request: an ARN, a service or provider name, or "anonymous". */
export function parseRequestPrincipal(text: string, path: Path): RequestPrincipal {
  if (text === "anonymous" || text === "*") return { type: "anonymous", arn: "anonymous", partition: undefined, account: undefined };
  if (!text.startsWith("arn:")) {
    const lower = text.toLowerCase();
    if (SERVICE.test(lower)) return { type: "service", arn: lower, partition: undefined, account: undefined };
    if (HOST.test(text)) return { type: "federated", arn: text, partition: undefined, account: undefined };
    fail(
      path,
      `must be an IAM user, role, assumed-role or root ARN, a federated provider, a service principal or "anonymous", got ${describe(text)}`,
    );
  }
  const principal = parsePrincipalArn(text);
  if (!principal) {
    fail(
      path,
      `not a principal ARN AWS recognises (arn:PARTITION:iam::ACCOUNT:root, user/…, role/…, oidc-provider/…, saml-provider/…, or arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION, federated-user/…), got ${describe(text)}`,
    );
  }
  return principal;
}

/** An IAM or STS principal ARN, or null when the text is not one. */
function parsePrincipalArn(text: string): RequestPrincipal | null {
  const arn = parseArn(text);
  if (!arn || !PARTITIONS.has(arn.partition) || !isAccountId(arn.account) || arn.region !== "") return null;
  const { account, resource, partition } = arn;
  if (arn.service === "iam") {
    if (resource === "root") return { type: "root", arn: text, partition, account };
    if (resource.startsWith("user/") && resource.length > 5) return { type: "user", arn: text, partition, account };
    if (resource.startsWith("role/") && resource.length > 5)
      return { type: "role", arn: text, partition, account, roleName: lastSegment(resource) };
    if (FEDERATED_PROVIDER.test(resource)) return { type: "federated", arn: text, partition, account };
  } else if (arn.service === "sts") {
    const session = SESSION.exec(resource);
    if (session)
      return { type: "session", arn: text, partition, account, roleName: session[1] as string, sessionName: session[2] as string };
    if (/^federated-user\/.+/.test(resource)) return { type: "federated-user", arn: text, partition, account };
  }
  return null;
}

function lastSegment(resource: string): string {
  return resource.slice(resource.lastIndexOf("/") + 1);
}

const PRINCIPAL_KEYS = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

/** Reads a Principal/NotPrincipal element, naming the path of anything AWS would reject. */
export function compilePrincipal(input: unknown, path: Path): PrincipalSet {
  const set = new PrincipalSet();
  if (input === "*") {
    set.everyone = true;
    return set;
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    fail(path, `must be "*" or an object with AWS, Service, Federated or CanonicalUser, got ${describe(input)}`);
  }
  const record = input as Record<string, unknown>;
  let count = 0;
  for (const kind in record) {
    count++;
    const raw = record[kind];
    const kindPath = at(path, kind);
    if (!PRINCIPAL_KEYS.has(kind)) fail(kindPath, `unknown principal type "${kind}" (expected AWS, Service, Federated or CanonicalUser)`);
    const values: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) fail(kindPath, "must name at least one principal");
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== "string" || value.length === 0)
        fail(itemPath(raw, kindPath, i), `must be a non-empty string, got ${describe(value)}`);
      addPrincipal(set, kind, value, raw, kindPath, i);
    }
  }
  if (count === 0) fail(path, "must name at least one principal");
  return set;
}

function addPrincipal(set: PrincipalSet, kind: string, value: string, raw: unknown, kindPath: Path, i: number): void {
  const where = () => itemPath(raw, kindPath, i);
  if (kind === "AWS") {
    if (value === "*") set.everyone = true;
    else if (isAccountId(value)) set.add({ kind: "account", partition: undefined, account: value });
    else if (CLOUDFRONT_OAI.test(value)) set.add({ kind: "arn", arn: value });
    else if (UNIQUE_ID.test(value)) set.add({ kind: "unique-id", id: value });
    else addAwsArn(set, value, where);
  } else if (kind === "Service") {
    if (value.includes("*")) fail(where(), `a service principal cannot contain a wildcard, got ${describe(value)}`);
    set.add({ kind: "service", name: value.toLowerCase() });
  } else if (kind === "Federated") {
    if (value.includes("*")) fail(where(), `a federated principal cannot contain a wildcard, got ${describe(value)}`);
    set.add({ kind: "federated", name: value });
  } else set.add({ kind: "canonical", id: value });
}

function addAwsArn(set: PrincipalSet, value: string, where: () => Path): void {
  if (value.includes("*") || value.includes("?")) {
    fail(
      where(),
      `AWS accepts no wildcard in a principal ARN other than "*" alone (use a Condition on aws:PrincipalArn with ArnLike), got ${describe(value)}`,
    );
  }
  const principal = parsePrincipalArn(value);
  switch (principal?.type) {
    case "root":
      set.add({ kind: "account", partition: principal.partition, account: principal.account });
      return;
    case "role":
      set.add({ kind: "role", partition: principal.partition, account: principal.account, name: principal.roleName });
      return;
    case "user":
    case "session":
    case "federated-user":
      set.add({ kind: "arn", arn: principal.arn });
      return;
    default:
      fail(
        where(),
        `not an AWS principal: expected "*", a 12-digit account ID, or a root, user, role, assumed-role or federated-user ARN, got ${describe(value)}`,
      );
  }
}

/** How strongly a Principal element names the caller. */
export function principalStrength(set: PrincipalSet, caller: RequestPrincipal): Strength {
  // "*" names every caller directly: AWS documents that permissions boundaries and session
  // policies do not limit what a wildcard Principal grants (narrowed by aws:PrincipalArn or not).
  if (set.everyone) return Strength.Direct;
  switch (caller.type) {
    case "session":
    case "user":
    case "federated-user":
      if (set.hasArn(caller.arn)) return Strength.Direct;
      if (caller.type === "session" && set.hasRole(caller.partition, caller.account, caller.roleName)) return Strength.Role;
      return set.hasAccount(caller.partition, caller.account) ? Strength.Account : Strength.None;
    case "role":
      if (set.hasRole(caller.partition, caller.account, caller.roleName)) return Strength.Role;
      return set.hasAccount(caller.partition, caller.account) ? Strength.Account : Strength.None;
    case "root":
      return set.hasAccount(caller.partition, caller.account) ? Strength.Account : Strength.None;
    case "service":
    case "federated":
      // A bare name may be written as either kind: Cognito is a service name trusted as Federated.
      // Looked up lower-cased, once a statement: its length spent from the decision's budget (work.ts).
      spend(caller.arn.length);
      return set.hasServiceOrFederated(caller.arn) ? Strength.Direct : Strength.None;
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
  switch (caller.type) {
    case "session":
      return (
        set.hasArn(caller.arn) &&
        set.hasRole(caller.partition, caller.account, caller.roleName) &&
        set.hasAccount(caller.partition, caller.account)
      );
    case "role":
      return set.hasRole(caller.partition, caller.account, caller.roleName) && set.hasAccount(caller.partition, caller.account);
    case "user":
    case "federated-user":
      return set.hasArn(caller.arn) && set.hasAccount(caller.partition, caller.account);
    case "root":
      return set.hasAccount(caller.partition, caller.account);
    case "service":
    case "federated":
      spend(caller.arn.length);
      return set.hasServiceOrFederated(caller.arn);
    case "anonymous":
      return false;
  }
}
