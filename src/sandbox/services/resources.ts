/**
 * What a request to any AWS service is about, worked out from AWS's service authorization data
 * (src/catalog) rather than a table per service: the IAM action (`SERVICEPREFIX:Operation`), and
 * the resource ARN, filled from the request's identifying parameters (an ARN it names, QueueUrl,
 * or parameters named as the ARN format's parts: TableName, StreamName, JobName, KeyId, …), the
 * region signed for, and the account that owns the resource.
 */
import { type CatalogAction, findAction, resourceTypes } from "../../catalog/catalog.js";
import { type NamedResource, namedResources as namedResourcesOf } from "../../graph/resource-owner.js";
import type { AccountState } from "../../state/account-state.js";
import type { SandboxCore } from "../core.js";

/** Signing names (credential scopes) that differ from the service's IAM prefix. */
const PREFIX_OF_SIGNING_NAME: ReadonlyMap<string, string> = new Map([
  ["monitoring", "cloudwatch"],
  ["email", "ses"],
]);

/** The IAM service prefix of a SigV4 signing name (`sqs` → `sqs`, `monitoring` → `cloudwatch`). */
export function iamPrefix(signingName: string): string {
  return PREFIX_OF_SIGNING_NAME.get(signingName) ?? signingName;
}

/** The catalog's action for an operation of a service, or undefined when AWS lists none. */
export function catalogAction(prefix: string, operation: string): CatalogAction | undefined {
  return /^[A-Za-z0-9]+$/.test(operation) ? findAction(prefix, operation) : undefined;
}

/** Request parameters that name a format part under another name (EMR's JobFlowId is a cluster id, Redshift's ClusterIdentifier a cluster name, Athena's WorkGroup a name). */
const PART_ALIASES: ReadonlyMap<string, readonly string[]> = new Map([
  ["clusterid", ["jobflowid"]],
  ["clustername", ["clusteridentifier"]],
  ["workgroupname", ["workgroup"]],
]);

/** Where a request is made: the region signed for and the caller's account and partition. */
export interface Where {
  partition: string;
  region: string;
  /** The caller's account: the owner of resources named without one, unless the state says otherwise. */
  account: string;
}

export interface ResolvedResource {
  arn: string;
  /** The account that owns the resource, when the ARN carries one or the state names it. */
  account?: string;
}

const ARN = /^arn:([^:]+):([^:]+):([^:]*):(\d{12}|aws)?:(.+)$/;

/** A format (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`) as a pattern an ARN is matched against. */
function formatPattern(format: string): RegExp {
  const source = format
    .split(/(\$\{\w+\})/)
    .map((part) => (part === "${Partition}" ? "[^:]+" : part === "${Region}" ? "[^:]*" : part === "${Account}" ? "(?:\\d{12})?" : part.startsWith("${") ? ".+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

/** A queue URL's account and name (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or the sandbox's own). */
export function queueOfUrl(url: string): { account: string; name: string } | undefined {
  const m = /^https?:\/\/[^/]+\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)\/?$/.exec(url);
  return m ? { account: m[1] as string, name: m[2] as string } : undefined;
}

/** The parameters a request names, lower-cased, with a QueueUrl read as its queue's name and account. */
function namedParts(input: Record<string, unknown>): { parts: Map<string, string>; account?: string } {
  const parts = new Map<string, string>();
  let account: string | undefined;
  for (const [k, v] of Object.entries(input)) if (typeof v === "string" && v !== "") parts.set(k.toLowerCase(), v);
  const queue = parts.has("queueurl") ? queueOfUrl(parts.get("queueurl") as string) : undefined;
  if (queue) {
    parts.set("queuename", queue.name);
    account = queue.account;
  }
  // GetQueueUrl names the queue's owner beside its name.
  const owner = parts.get("queueownerawsaccountid");
  if (owner !== undefined && /^\d{12}$/.test(owner)) account = owner;
  return { parts, ...(account ? { account } : {}) };
}

/**
 * The resource a request acts on. For each resource type the action lists (in the catalog's
 * order), the first of: an ARN-valued parameter matching its format; or its format filled from
 * parameters named as its parts. An action with no resource type, or whose resource the request
 * does not identify, is authorized on "*", as AWS authorizes actions without a resource.
 */
export function resourceOf(core: SandboxCore, action: CatalogAction, input: Record<string, unknown>, where: Where): ResolvedResource {
  const types = resourceTypes(action.service) ?? {};
  const { parts, account: named } = namedParts(input);
  for (const { name } of action.resourceTypes) {
    const type = types[name.toLowerCase()];
    if (!type) continue;
    const pattern = formatPattern(type.arn);
    for (const value of parts.values()) {
      const m = value.startsWith("arn:") && pattern.test(value) ? ARN.exec(value) : null;
      if (m) return { arn: value, ...(m[4] && m[4] !== "aws" ? { account: m[4] } : {}) };
    }
    let complete = true;
    const filled = type.arn.replace(/\$\{(\w+)\}/g, (_, part: string) => {
      if (part === "Partition") return where.partition;
      if (part === "Region") return where.region;
      if (part === "Account") return "${Account}";
      const key = part.toLowerCase();
      const value = [key, ...(PART_ALIASES.get(key) ?? [])].map((k) => parts.get(k)).find((v) => v !== undefined && !v.startsWith("arn:"));
      if (value === undefined) complete = false;
      return value ?? "";
    });
    if (!complete) continue;
    if (!filled.includes("${Account}")) return { arn: filled, ...(ownerByPolicy(core.state, filled) ?? {}) };
    const account = named ?? ownerByPolicy(core.state, filled.replace("${Account}", where.account))?.account ?? where.account;
    return { arn: filled.replace("${Account}", account), account };
  }
  return { arn: "*" };
}

/**
 * The account whose resource policies hold a resource named without its account: the ARN as
 * given, or with any account of the state in its account field.
 */
export function ownerByPolicy(state: AccountState, arn: string): { account: string } | undefined {
  const m = ARN.exec(arn);
  for (const entry of state.accounts.values()) {
    const candidate = m && m[4] ? `arn:${m[1]}:${m[2]}:${m[3]}:${entry.id}:${m[5]}` : arn;
    if (entry.resourcePolicies.has(candidate) || entry.resourcePolicies.has(arn)) return { account: entry.id };
  }
  return undefined;
}

export type { NamedResource } from "../../graph/resource-owner.js";

/**
 * Every resource ARN the state's policies name (resource policies first, then identity policies),
 * for services whose resources the sandbox keeps (S3 buckets, SQS queues): a resource the model
 * grants access to exists. The graph's inference of owners, cached per access graph.
 */
export function namedResources(core: SandboxCore): NamedResource[] {
  return namedResourcesOf(core.graph);
}
