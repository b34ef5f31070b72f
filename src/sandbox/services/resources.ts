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
import { type CatalogAction, findAction, resourceTypeOf } from "../../catalog/catalog.js";
import { type NamedResource, namedResources as namedResourcesOf } from "../../graph/resource-owner.js";
import { isAccountId, parseArn } from "../../aws/arn.js";
import type { Params, ResolvedResource, ResourceNamer, Where } from "../../services/resource-namer.js";
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

export { type Params, type ResolvedResource, type ResourceNamer, stringOf, type Where } from "../../services/resource-namer.js";

/** An ARN and the account it carries (none for an S3 bucket's, nor for `aws`, an AWS managed policy's owner). */
export function resolved(arn: string): ResolvedResource {
  const account = parseArn(arn)?.account;
  return { arn, ...(account !== undefined && isAccountId(account) ? { account } : {}) };
}

const matchers = new Map<string, (arn: string) => boolean>();

/** Whether an ARN is of a format, its matcher compiled once (formats come from the catalog: a fixed, finite set). */
function matchesFormat(format: string, arn: string): boolean {
  let matcher = matchers.get(format);
  if (!matcher) matchers.set(format, (matcher = compileFormat(format)));
  return matcher(arn);
}

/**
 * A format (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`) as a test of an ARN: the
 * format's fixed text, any partition, any region, an account that is empty or an account ID,
 * and any text for each other part.
 */
function compileFormat(format: string): (arn: string) => boolean {
  const source = format
    .split(/(\$\{\w+\})/)
    .map((part) =>
      part === "${Partition}"
        ? "[^:]+"
        : part === "${Region}"
          ? "[^:]*"
          : part === "${Account}"
            ? "([^:]*)"
            : part.startsWith("${")
              ? ".+"
              : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  const pattern = new RegExp(`^${source}$`);
  // The only groups are the accounts (a format may list two ARNs, each with its account).
  return (arn) =>
    pattern
      .exec(arn)
      ?.slice(1)
      .every((account) => account === undefined || account === "" || isAccountId(account)) ?? false;
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
 * of its format that `<ResourceType>Arn` or `ResourceArn` holds, and the format filled from the parameters named as its parts
 * (in the caller's account, as AWS resolves a name; a part's parameter may hold the whole ARN,
 * as DynamoDB's TableName may). One resource is the answer; a request naming several that
 * differ is AWS's common error InvalidParameterCombination.
 */
export const byFormatParts: ResourceNamer = (action, input, where) => {
  const params = stringParams(input);
  for (const { name } of action.resourceTypes) {
    const type = resourceTypeOf(action.service, name);
    if (!type) continue;
    const found = new Set<string>();
    // `<ResourceType>Arn`, or ResourceArn, the name many APIs give the resource a policy is put on (Kinesis's, DynamoDB's PutResourcePolicy).
    for (const value of [
      ...(params.get(`${name.replace(/[^A-Za-z0-9]/g, "").toLowerCase()}arn`) ?? []),
      ...(params.get("resourcearn") ?? []),
    ])
      if (matchesFormat(type.arn, value)) found.add(value);
    const parts = [...type.arn.matchAll(/\$\{(\w+)\}/g)]
      .map((m) => m[1] as string)
      .filter((p) => p !== "Partition" && p !== "Region" && p !== "Account");
    const values = parts.map((part) =>
      [part, ...(PART_ALIASES.get(part.toLowerCase()) ?? [])].flatMap((k) => params.get(k.toLowerCase()) ?? []),
    );
    if (parts.length === 1 && values[0]?.length) {
      for (const value of values[0]) if (value.startsWith("arn:") && matchesFormat(type.arn, value)) found.add(value);
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
