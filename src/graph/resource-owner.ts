/**
 * The account that owns a resource whose ARN names none (S3 buckets and objects): the account
 * whose resource policy holds or names it, else the account whose identity policies name it. One
 * inference, which the graph's questions (can, who-can) and the sandbox (which buckets exist, and
 * whose they are) share.
 */
import { parseArn, s3BucketArn } from "../aws/arn.js";
import { type PolicyDocument } from "../state/account-state.js";
import type { AccessGraph } from "./graph.js";

/** A resource a policy of the state names, and the account whose policy names it. */
export interface NamedResource {
  arn: string;
  /** The account of the policy that names it. */
  account: string;
  /** Named by (or as the holder of) a resource policy: that account owns the resource. */
  resourcePolicy: boolean;
}

const namedCache = new WeakMap<AccessGraph, NamedResource[]>();

function resourcesOf(policy: PolicyDocument): string[] {
  return policy.Statement.flatMap((s) => (s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
}

/**
 * Every resource ARN the state's policies name: resource policies first (their own ARN, then the
 * resources their statements name), then identity policies of roles, users, groups and managed
 * policies. Cached per access graph (the sandbox builds a new one whenever its state changes).
 */
export function namedResources(graph: AccessGraph): NamedResource[] {
  const known = namedCache.get(graph);
  if (known) return known;
  const held: NamedResource[] = [];
  const granted: NamedResource[] = [];
  for (const account of graph.state.accounts.values()) {
    for (const policy of account.resourcePolicies.values())
      for (const arn of [policy.arn, ...resourcesOf(policy.policy)]) held.push({ arn, account: account.id, resourcePolicy: true });
    const identity = [...account.roles.values(), ...account.users.values(), ...account.groups.values()].flatMap((p) => [
      ...p.policies.values(),
    ]);
    for (const policy of [...identity, ...account.managedPolicies.values()])
      for (const arn of resourcesOf(policy)) granted.push({ arn, account: account.id, resourcePolicy: false });
  }
  const out = [...held, ...granted];
  namedCache.set(graph, out);
  return out;
}

/** What an account-less resource is owned through: an S3 object's (or bucket's) bucket, else the ARN itself. */
function ownedThrough(arn: string): string {
  const parsed = parseArn(arn);
  const bucket = parsed?.resource.split("/", 1)[0] ?? "";
  const isBucket =
    parsed &&
    parsed.partition !== "" &&
    parsed.service === "s3" &&
    parsed.region === "" &&
    parsed.account === "" &&
    bucket !== "" &&
    !/[*?]/.test(bucket);
  return isBucket ? s3BucketArn(parsed.partition, bucket) : arn;
}

/** Per graph: for each resource as it is owned through (its bucket), the accounts whose resource policies and identity policies name it. */
const ownerCache = new WeakMap<AccessGraph, Map<string, { held: Set<string>; granted: Set<string> }>>();

/** The accounts naming each resource, by what it is owned through: built once per graph, so each question is one lookup. */
function namersOf(graph: AccessGraph): Map<string, { held: Set<string>; granted: Set<string> }> {
  let index = ownerCache.get(graph);
  if (!index) {
    index = new Map();
    for (const named of namedResources(graph)) {
      const key = ownedThrough(named.arn);
      let entry = index.get(key);
      if (!entry) index.set(key, (entry = { held: new Set(), granted: new Set() }));
      (named.resourcePolicy ? entry.held : entry.granted).add(named.account);
    }
    ownerCache.set(graph, index);
  }
  return index;
}

/**
 * The accounts that may own a resource whose ARN names no account, most likely first: those whose
 * resource policies hold or name it (or its bucket), else those whose identity policies do. One
 * account is the owner; none or several, and the state cannot tell.
 */
export function ownersOf(graph: AccessGraph, resource: string): string[] {
  const entry = namersOf(graph).get(ownedThrough(resource));
  if (!entry) return [];
  return [...(entry.held.size > 0 ? entry.held : entry.granted)];
}
