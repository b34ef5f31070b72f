/**
 * What a request to any AWS service is about: the IAM action (`SERVICEPREFIX:Operation`) from
 * AWS's service authorization data (src/catalog), and the resource the operation acts on.
 *
 * The resource comes only from the parameter that names it, never from whatever field of the
 * request happens to hold an ARN. Services the sandbox knows say so per operation in their own
 * module (sqs.ts: QueueUrl; sns.ts: TopicArn; lambda.ts and mwaa.ts: their paths). For any other
 * service, `byFormatParts` reads the parameters AWS's data names: those named as the resource
 * type's ARN format parts (TableName, StreamName, JobName, KeyId, …) and `<ResourceType>Arn`
 * (stateMachineArn, StreamARN). Where no known parameter names the resource, the request is
 * decided on "*" and the decision log says so.
 */
import { type CatalogAction, findAction, resourceTypes } from "../../catalog/catalog.js";
import { type NamedResource, namedResources as namedResourcesOf } from "../../graph/resource-owner.js";
import type { SandboxCore } from "../core.js";
import { AwsError } from "../xml.js";

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
  /** The caller's account: the owner of every resource a request names without its account, as AWS resolves such names. */
  account: string;
}

export interface ResolvedResource {
  arn: string;
  /** The account that owns the resource, when the ARN carries one. */
  account?: string;
  /**
   * The action acts on a resource type, but the sandbox could not tell which parameter of the
   * request names it: the request is decided on "*", and this (the decision log's note) says why.
   */
  unresolved?: string;
}

/** A request's parameters: a JSON body's members, or the query protocol's values. */
export type Params = Readonly<Record<string, unknown>>;

/**
 * How a service names the resource of each of its operations: the parameter the operation acts
 * on (as the service's API reference documents it), turned into the resource's ARN; undefined
 * when the request does not name one that way.
 */
export type ResourceNamer = (action: CatalogAction, input: Params, where: Where) => ResolvedResource | undefined;

/** A parameter's value when it is given once, as a non-empty string. */
export function stringOf(input: Params, name: string): string | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

const ARN = /^arn:([^:]+):([^:]+):([^:]*):(\d{12}|aws)?:(.+)$/;

/** An ARN and the account it carries. */
export function resolved(arn: string): ResolvedResource {
  const account = ARN.exec(arn)?.[4];
  return { arn, ...(account && account !== "aws" ? { account } : {}) };
}

const patterns = new Map<string, RegExp>();

/** The pattern of a format, compiled once (formats come from the catalog: a fixed, finite set). */
function formatPattern(format: string): RegExp {
  let pattern = patterns.get(format);
  if (!pattern) patterns.set(format, (pattern = compileFormat(format)));
  return pattern;
}

/** A format (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`) as a pattern an ARN is matched against. */
function compileFormat(format: string): RegExp {
  const source = format
    .split(/(\$\{\w+\})/)
    .map((part) =>
      part === "${Partition}"
        ? "[^:]+"
        : part === "${Region}"
          ? "[^:]*"
          : part === "${Account}"
            ? "(?:\\d{12})?"
            : part.startsWith("${")
              ? ".+"
              : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`);
}

/** A queue URL's account and name (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or the sandbox's own). */
export function queueOfUrl(url: string): { account: string; name: string } | undefined {
  const m = /^https?:\/\/[^/]+\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)\/?$/.exec(url);
  return m ? { account: m[1] as string, name: m[2] as string } : undefined;
}

/** The string parameters of a request, by lower-cased name (a name given twice in different cases keeps both values). */
function stringParams(input: Params): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(input)) {
    if (typeof v !== "string" || v === "") continue;
    const key = k.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), v]);
  }
  return out;
}

/**
 * The resource of any service's operation, from the parameters AWS's data names (see the
 * module's comment). For each resource type the action lists, in the catalog's order: the ARNs
 * that `<ResourceType>Arn` holds, and the format filled from the parameters named as its parts
 * (in the caller's account, as AWS resolves a name; a part's parameter may hold the whole ARN,
 * as DynamoDB's TableName may). One resource is the answer; a request naming several that
 * differ is AWS's common error InvalidParameterCombination.
 */
export const byFormatParts: ResourceNamer = (action, input, where) => {
  const types = resourceTypes(action.service) ?? {};
  const params = stringParams(input);
  for (const { name } of action.resourceTypes) {
    const type = types[name.toLowerCase()];
    if (!type) continue;
    const pattern = formatPattern(type.arn);
    const found = new Set<string>();
    for (const value of params.get(`${name.replace(/[^A-Za-z0-9]/g, "").toLowerCase()}arn`) ?? [])
      if (pattern.test(value)) found.add(value);
    const parts = [...type.arn.matchAll(/\$\{(\w+)\}/g)]
      .map((m) => m[1] as string)
      .filter((p) => p !== "Partition" && p !== "Region" && p !== "Account");
    const values = parts.map((part) =>
      [part, ...(PART_ALIASES.get(part.toLowerCase()) ?? [])].flatMap((k) => params.get(k.toLowerCase()) ?? []),
    );
    if (parts.length === 1 && values[0]?.length) {
      for (const value of values[0]) if (value.startsWith("arn:") && pattern.test(value)) found.add(value);
    }
    if (parts.length > 0 && values.every((v) => v.length === 1 && !(v[0] as string).startsWith("arn:"))) {
      const filled = new Map(parts.map((p, i) => [p, values[i]?.[0] as string]));
      found.add(
        type.arn.replace(/\$\{(\w+)\}/g, (_, part: string) =>
          part === "Partition"
            ? where.partition
            : part === "Region"
              ? where.region
              : part === "Account"
                ? where.account
                : (filled.get(part) as string),
        ),
      );
    }
    if (found.size === 1) return resolved([...found][0] as string);
    // AWS acts on one of them; which one is not the sandbox's to guess.
    if (found.size > 1)
      throw new AwsError(400, "InvalidParameterCombination", `The request names more than one ${name}: ${[...found].join(", ")}`);
  }
  return undefined;
};

/**
 * The resource a request acts on, as `namer` (the service's own knowledge, else `byFormatParts`)
 * reads it. An action with no resource type is authorized on "*" in the caller's account, as
 * AWS authorizes it; one whose resource no known parameter names is decided so too, with the
 * reason.
 */
export function resourceOf(action: CatalogAction, input: Params, where: Where, namer: ResourceNamer = byFormatParts): ResolvedResource {
  // "*" is decided in the caller's own account, as AWS decides actions that name no resource.
  if (action.resourceTypes.length === 0) return { arn: "*", account: where.account };
  const types = action.resourceTypes.map((t) => t.name).join(" or ");
  return (
    namer(action, input, where) ?? {
      arn: "*",
      account: where.account,
      unresolved: `no parameter the sandbox knows names the ${types} ${action.service}:${action.name} acts on; decided on "*" in the caller's account`,
    }
  );
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
