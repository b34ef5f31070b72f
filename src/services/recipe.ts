/**
 * A service's grant recipe: per access verb, a filter over AWS's service authorization data
 * (access level, resource type, name prefix), and how the model's resource names become the ARN of
 * each resource type. The actions themselves and the resource type each needs always come from the
 * catalog, which is what puts s3:ListBucket on the bucket and s3:GetObject on the objects.
 */
import type { ActionFilter } from "../catalog/catalog.js";
import type { PolicyOperation, ResourceNamer } from "./resource-namer.js";
import type { ServiceOutputs } from "./outputs.js";
import type { PolicyCollector } from "./policy-collector.js";
import type { PolicyStatement } from "../state/account-state.js";

type PolicyCondition = NonNullable<PolicyStatement["Condition"]>;

/** Where a resource lives, for filling ARN formats. */
export interface Place {
  partition: string;
  region: string;
  account: string;
}

/** A kind of resource the model names (`bucket`, `job`), and the catalog resource type it maps to. */
export interface ResourceKind {
  /** The catalog's resource type key (`object`, `job`). */
  type: string;
  /** The ARN parts, from the grant's resource names (`{BucketName: bucket, ObjectName: prefix*}`). */
  parts: (names: Record<string, string>) => Record<string, string>;
  /** The model's resource names this kind needs. */
  needs: readonly string[];
  /** A different service prefix for the ARN format (Redshift Data API acts on redshift clusters). */
  arnService?: string;
}

export interface AccessVerb {
  describe: string;
  rules: readonly AccessRule[];
  /**
   * Set where the service's resource-based policy cannot grant this verb to another account, so
   * `via: resource-policy` is refused with this reason (Lambda's function policy and
   * UpdateFunctionConfiguration).
   */
  notByResourcePolicy?: string;
}

export interface AccessRule {
  filter: ActionFilter;
  /** The service whose actions the filter selects, where not the recipe's own (Lambda's deploy needs iam:PassRole). */
  service?: string;
  /** The resource kind the selected actions act on; "*" for actions that take only `*`. */
  on: string;
  /** A condition the statement carries (iam:PassRole's `iam:PassedToService`). */
  condition?: PolicyCondition;
}

/** A service: its grant recipe, and (ServiceOutputs, src/services/outputs.ts) what it adds to the generated files. */
export interface Recipe extends ServiceOutputs {
  /** The IAM service prefix. */
  service: string;
  title: string;
  /** The resource names a grant may give (`bucket`, `prefix`, `job`). */
  names: readonly string[];
  kinds: Record<string, ResourceKind>;
  access: Record<string, AccessVerb>;
  /**
   * For via: resource-policy: which kind's resource-based policy covers each kind (an S3 bucket
   * policy covers the bucket and its objects). Kinds not listed are granted on the identity side only.
   */
  policyHolders?: Record<string, string>;
  /**
   * A problem with a grant's resource names that the names' own rules cannot see (Secrets Manager's
   * AWS managed key), as a sentence saying what to do; checked when the model is loaded.
   */
  checkResources?: (names: Readonly<Record<string, unknown>>) => { name: string; message: string } | undefined;
  /** Grants of other services this one needs to work (Athena's Glue catalog and S3 results). */
  companions?: (names: Record<string, string>) => Companion[];
  /**
   * For the sandbox: the resource each operation acts on, where the parameters named as the
   * catalog's ARN-format parts (TableName, StreamName) and `<ResourceType>Arn` do not name it
   * (SQS's QueueUrl, Lambda's FunctionName that may be a partial ARN); and, by operation name, the
   * operations that put, get, delete or list resource policies (KMS's PutKeyPolicy, GetKeyPolicy,
   * ListKeys), which the sandbox then answers from its state (src/services/resource-namer.ts).
   */
  sandbox?: { resourceOf?: ResourceNamer; policyOperations?: Readonly<Record<string, PolicyOperation>> };
  /**
   * For `xacct collect`: how to list the service's resources and read each one's resource policy
   * with its SDK client (src/services/policy-collector.ts says how to write one). A service without
   * it is recorded in collect-report.json as not collected.
   */
  collect?: PolicyCollector;
}

export interface Companion {
  service: string;
  access: string[];
  resources: Record<string, string>;
}
