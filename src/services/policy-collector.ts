/**
 * How `xacct collect` reads a service's resource policies: the type of a service module's optional
 * `collect` hook (src/services/recipe.ts). A module knows its own API (which call lists its
 * resources, which reads each one's policy, which error means "no policy"); `src/collect/` knows
 * accounts, regions, credentials, retries and files, and calls every registered module's hook with
 * a client factory it has configured.
 *
 * Adding a service's collection is one entry in its module, for example (SNS):
 *
 * ```ts
 * collect: {
 *   scope: "regional",
 *   actions: ["sns:ListTopics", "sns:GetTopicAttributes"],
 *   async *policies(at, clients) {
 *     const { GetTopicAttributesCommand, paginateListTopics, SNSClient } = await import("@aws-sdk/client-sns");
 *     const sns = clients.make((config) => new SNSClient(config));
 *     for await (const page of paginateListTopics({ client: sns }, {}))
 *       for (const { TopicArn } of page.Topics ?? []) {
 *         const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
 *         if (Attributes?.Policy) yield { arn: TopicArn, region: at.region, policy: Attributes.Policy };
 *       }
 *   },
 * },
 * ```
 *
 * Rules a hook keeps: import the SDK client inside the hook (`await import(…)`), so that only
 * collect loads it, not every command that reads the service modules; use the SDK's paginators where the API pages; make every client through
 * `clients.make` (never `new Client()` alone: it would miss the credentials, the endpoint, the
 * adaptive retry and the call counting); a resource without a policy is not yielded (it is not an
 * error); a refusal of one resource's policy is yielded as `problem` (the rest goes on), a refusal
 * of the listing is thrown (collect records the service as failed in that region, and why).
 */
import type { NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * The IAM calls `xacct collect` makes in each account through its audit role (src/collect/iam.ts:
 * every page of GetAccountAuthorizationDetails, ListOpenIDConnectProviders, ListSAMLProviders), as
 * IAM names their actions. Declared here, below the compiler, because the audit role the compiler
 * generates (the model's `audit:`) must allow exactly them; src/collect/iam.ts makes these calls.
 */
export const IAM_READ_ACTIONS = ["iam:GetAccountAuthorizationDetails", "iam:ListOpenIDConnectProviders", "iam:ListSAMLProviders"] as const;

/**
 * The calls `xacct collect` makes in each account and region to tell what runs as each role
 * (src/collect/compute.ts, for compute.json): every page of Lambda's ListFunctions (each
 * function's execution role) and of EC2's DescribeInstances (each instance's instance profile).
 * The audit role allows exactly them, beside the others.
 */
export const COMPUTE_READ_ACTIONS = ["lambda:ListFunctions", "ec2:DescribeInstances"] as const;

/**
 * The AWS Organizations calls `xacct collect --all` makes (src/collect/organization.ts), as
 * Organizations names their actions. AWS answers them in the management account (or a delegated
 * administrator) only; the audit role allows them everywhere so that one StackSet serves all.
 */
export const ORGANIZATIONS_READ_ACTIONS = [
  "organizations:DescribeOrganization",
  "organizations:ListRoots",
  "organizations:ListOrganizationalUnitsForParent",
  "organizations:ListAccountsForParent",
  "organizations:ListAccounts",
  "organizations:ListPolicies",
  "organizations:DescribePolicy",
  "organizations:ListTargetsForPolicy",
] as const;

/** Where a hook collects: the account (through its audit role) and the region. */
export interface CollectPlace {
  partition: string;
  account: string;
  /** The region collected (for a `global` hook, the first region given to collect). */
  region: string;
}

/** What every SDK client is built with (the SDK clients' own configuration fields). */
export interface CollectClientConfig {
  region: string;
  /** Set for a local endpoint (the sandbox); S3 then needs `forcePathStyle: true`. */
  endpoint?: string;
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;
  retryMode: "adaptive";
  maxAttempts: number;
  /** The run's shared HTTP handler (collect/clients.ts sharedHandler). */
  requestHandler?: NodeHttpHandler;
}

/** The client factory collect hands a hook. */
export interface CollectClients {
  /**
   * The client `create` builds from collect's configuration, in `region` (default: the place's),
   * with collect's call counting attached: `clients.make((config) => new KMSClient(config))`.
   */
  make<C extends object>(create: (config: CollectClientConfig) => C, region?: string): C;
}

/** A resource's policy as its service returns it. */
export interface FoundPolicy {
  arn: string;
  /** The resource's region; "" for a resource of no region. */
  region: string;
  /** The policy as the service returns it: JSON text, or already an object. */
  policy: string | object;
}

/** A resource whose policy could not be read (AccessDenied on that one resource), and why. */
export interface PolicyProblem {
  arn: string;
  region: string;
  problem: string;
}

export interface PolicyCollector {
  /**
   * `regional`: called once per region collected, for the resources of that region (KMS keys,
   * SQS queues). `global`: called once per account (S3's ListBuckets lists every region's buckets).
   */
  scope: "regional" | "global";
  /** The IAM actions the hook calls: what the read-only audit role must allow. */
  actions: readonly string[];
  /** Each resource's policy (or why it could not be read). Throws when the resources cannot be listed. */
  policies(at: CollectPlace, clients: CollectClients): AsyncIterable<FoundPolicy | PolicyProblem>;
}

/** The error names AWS SDK clients raise for a refusal (`AccessDenied`, `AccessDeniedException`, …). */
export function isAccessDenied(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && /^(AccessDenied|AccessDeniedException|AuthorizationError|UnauthorizedOperation|Forbidden)$/.test(name);
}

/** An SDK error's name and message, on one line, for a report (never its request or credentials). */
export function errorText(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown } | null;
  const name = typeof e?.name === "string" ? e.name : "Error";
  const message = typeof e?.message === "string" ? e.message.split("\n")[0] : String(error);
  return `${name}: ${message}`;
}

/**
 * One resource's policy, as a hook yields it: the text `read` returns; nothing when it returns
 * none, or raises the service's error `none` for a resource without a policy
 * (ResourceNotFoundException, PolicyNotFoundException); a refusal as a problem (a resource
 * policy may deny even the audit role: that resource is reported, the others read). Any other
 * error is thrown.
 */
export async function policyOf(
  arn: string,
  region: string,
  read: () => Promise<string | undefined>,
  none?: string,
): Promise<FoundPolicy | PolicyProblem | undefined> {
  try {
    const policy = await read();
    return policy ? { arn, region, policy } : undefined;
  } catch (error) {
    if (none !== undefined && (error as { name?: unknown } | null)?.name === none) return undefined;
    if (isAccessDenied(error)) return { arn, region, problem: errorText(error) };
    throw error;
  }
}
