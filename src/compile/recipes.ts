/**
 * Grant recipes: per service, what each access verb means as a filter over AWS's service
 * authorization data (access level, resource type, name prefix), and how the model's resource
 * names become the ARN of each resource type. The actions themselves and the resource type each
 * needs always come from the catalog, which is what puts s3:ListBucket on the bucket and
 * s3:GetObject on the objects.
 */
import type { ActionFilter } from "../catalog/catalog.js";

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

export interface AccessRule {
  filter: ActionFilter;
  /** The resource kind the selected actions act on; "*" for actions that take only `*`. */
  on: string;
}

export interface Recipe {
  /** The IAM service prefix. */
  service: string;
  title: string;
  /** The resource names a grant may give (`bucket`, `prefix`, `job`). */
  names: readonly string[];
  kinds: Record<string, ResourceKind>;
  access: Record<string, { describe: string; rules: readonly AccessRule[] }>;
  /**
   * For via: resource-policy: which kind's resource-based policy covers each kind (an S3 bucket
   * policy covers the bucket and its objects). Kinds not listed are granted on the identity side only.
   */
  policyHolders?: Record<string, string>;
  /** Grants of other services this one needs to work (Athena's Glue catalog and S3 results). */
  companions?: (names: Record<string, string>) => Companion[];
}

export interface Companion {
  service: string;
  access: string[];
  resources: Record<string, string>;
}

/** S3 object sub-resources a plain read or write leaves out. */
const OBJECT_EXTRAS = ["Acl", "Torrent", "Replication", "Annotation", "LegalHold", "Retention", "Tagging", "Attributes"];

const objectParts = (n: Record<string, string>) => ({ BucketName: n.bucket ?? "*", ObjectName: `${n.prefix ?? ""}*` });

const RECIPES: Recipe[] = [
  {
    service: "s3",
    title: "Amazon S3",
    names: ["bucket", "prefix"],
    kinds: {
      bucket: { type: "bucket", parts: (n) => ({ BucketName: n.bucket ?? "*" }), needs: ["bucket"] },
      object: { type: "object", parts: objectParts, needs: ["bucket"] },
    },
    access: {
      read: {
        describe: "read objects",
        rules: [
          { filter: { accessLevels: ["Read"], resourceType: "object", prefixes: ["GetObject"], excluding: OBJECT_EXTRAS }, on: "object" },
        ],
      },
      list: {
        describe: "list the bucket",
        rules: [{ filter: { accessLevels: ["List"], resourceType: "bucket", prefixes: ["ListBucket"] }, on: "bucket" }],
      },
      write: {
        describe: "write and delete objects",
        rules: [
          {
            filter: {
              accessLevels: ["Write"],
              resourceType: "object",
              prefixes: ["PutObject", "DeleteObject", "AbortMultipartUpload"],
              excluding: OBJECT_EXTRAS,
            },
            on: "object",
          },
        ],
      },
    },
    policyHolders: { bucket: "bucket", object: "bucket" },
  },
  {
    service: "airflow",
    title: "Amazon MWAA",
    names: ["environment", "airflow-role"],
    kinds: {
      environment: { type: "environment", parts: (n) => ({ EnvironmentName: n.environment ?? "*" }), needs: ["environment"] },
      "rbac-role": {
        type: "rbac-role",
        parts: (n) => ({ EnvironmentName: n.environment ?? "*", RoleName: n["airflow-role"] ?? "Viewer" }),
        needs: ["environment"],
      },
    },
    access: {
      read: {
        describe: "read the environment",
        rules: [
          { filter: { accessLevels: ["Read"], resourceType: "environment", prefixes: ["GetEnvironment"] }, on: "environment" },
          { filter: { accessLevels: ["List"], prefixes: ["ListEnvironments"] }, on: "*" },
        ],
      },
      "cli-token": {
        describe: "create Airflow CLI tokens",
        rules: [{ filter: { resourceType: "environment", prefixes: ["CreateCliToken"] }, on: "environment" }],
      },
      "web-login": {
        describe: "create Airflow web login tokens",
        rules: [{ filter: { resourceType: "rbac-role", prefixes: ["CreateWebLoginToken"] }, on: "rbac-role" }],
      },
    },
  },
  {
    service: "glue",
    title: "AWS Glue",
    names: ["job", "database"],
    kinds: {
      job: { type: "job", parts: (n) => ({ JobName: n.job ?? "*" }), needs: ["job"] },
      catalog: { type: "rootcatalog", parts: () => ({}), needs: [] },
      database: { type: "database", parts: (n) => ({ DatabaseName: n.database ?? "*" }), needs: [] },
      table: { type: "table", parts: (n) => ({ DatabaseName: n.database ?? "*", TableName: "*" }), needs: [] },
    },
    access: {
      run: {
        describe: "start and stop job runs",
        rules: [{ filter: { accessLevels: ["Write"], resourceType: "job", prefixes: ["StartJobRun", "BatchStopJobRun"] }, on: "job" }],
      },
      watch: {
        describe: "read the job and its runs",
        rules: [{ filter: { accessLevels: ["Read"], resourceType: "job", prefixes: ["GetJob", "BatchGetJobs"] }, on: "job" }],
      },
      "catalog-read": {
        describe: "read the Data Catalog (for Athena)",
        rules: [
          {
            filter: { accessLevels: ["Read"], resourceType: "rootcatalog", prefixes: ["GetDatabase", "GetTable", "GetPartition"] },
            on: "catalog",
          },
          {
            filter: { accessLevels: ["Read"], resourceType: "database", prefixes: ["GetDatabase", "GetTable", "GetPartition"] },
            on: "database",
          },
          { filter: { accessLevels: ["Read"], resourceType: "table", prefixes: ["GetTable", "GetPartition"] }, on: "table" },
        ],
      },
    },
  },
  {
    service: "sagemaker",
    title: "Amazon SageMaker",
    names: ["endpoint", "training-job"],
    kinds: {
      endpoint: { type: "endpoint", parts: (n) => ({ EndpointName: n.endpoint ?? "*" }), needs: ["endpoint"] },
      "training-job": { type: "training-job", parts: (n) => ({ TrainingJobName: n["training-job"] ?? "*" }), needs: [] },
    },
    access: {
      invoke: {
        describe: "invoke the endpoint",
        rules: [{ filter: { resourceType: "endpoint", prefixes: ["InvokeEndpoint"] }, on: "endpoint" }],
      },
      train: {
        describe: "create, describe and stop training jobs",
        rules: [
          {
            filter: {
              accessLevels: ["Write", "Read"],
              resourceType: "training-job",
              prefixes: ["CreateTrainingJob", "DescribeTrainingJob", "StopTrainingJob"],
            },
            on: "training-job",
          },
        ],
      },
    },
  },
  {
    service: "lambda",
    title: "AWS Lambda",
    names: ["function"],
    kinds: { function: { type: "function", parts: (n) => ({ FunctionName: n.function ?? "*" }), needs: ["function"] } },
    access: {
      invoke: {
        describe: "invoke the function",
        rules: [
          {
            filter: { accessLevels: ["Write"], resourceType: "function", prefixes: ["InvokeFunction"], excluding: ["Url"] },
            on: "function",
          },
        ],
      },
    },
    policyHolders: { function: "function" },
  },
  {
    service: "redshift-data",
    title: "Amazon Redshift Data API",
    names: ["cluster", "database"],
    kinds: { cluster: { type: "cluster", parts: (n) => ({ ClusterName: n.cluster ?? "*" }), needs: ["cluster"], arnService: "redshift" } },
    access: {
      query: {
        describe: "run statements on the cluster",
        rules: [
          {
            filter: { accessLevels: ["Write"], resourceType: "cluster", prefixes: ["ExecuteStatement", "BatchExecuteStatement"] },
            on: "cluster",
          },
          { filter: { prefixes: ["CancelStatement"] }, on: "*" },
        ],
      },
      results: {
        describe: "read statements' status and results",
        rules: [
          { filter: { accessLevels: ["Read", "List"], prefixes: ["DescribeStatement", "GetStatementResult", "ListStatements"] }, on: "*" },
        ],
      },
      browse: {
        describe: "list databases, schemas and tables",
        rules: [
          {
            filter: {
              accessLevels: ["Read", "List"],
              resourceType: "cluster",
              prefixes: ["ListDatabases", "ListSchemas", "ListTables", "DescribeTable"],
            },
            on: "cluster",
          },
        ],
      },
    },
    // The Data API connects as the caller's IAM identity: that needs temporary database credentials.
    companions: (n) => [
      { service: "redshift", access: ["iam-credentials"], resources: { cluster: n.cluster ?? "*", database: n.database ?? "*" } },
    ],
  },
  {
    service: "redshift",
    title: "Amazon Redshift",
    names: ["cluster", "database"],
    kinds: { dbname: { type: "dbname", parts: (n) => ({ ClusterName: n.cluster ?? "*", DbName: n.database ?? "*" }), needs: ["cluster"] } },
    access: {
      "iam-credentials": {
        describe: "get database credentials for the caller's IAM identity",
        rules: [{ filter: { prefixes: ["GetClusterCredentialsWithIAM"] }, on: "dbname" }],
      },
    },
  },
  {
    service: "secretsmanager",
    title: "AWS Secrets Manager",
    names: ["secret", "kms-key", "rds-instance", "rds-port"],
    kinds: { secret: { type: "Secret", parts: (n) => ({ SecretId: `${n.secret ?? ""}-??????` }), needs: ["secret"] } },
    access: {
      read: {
        describe: "read the secret's value",
        rules: [{ filter: { resourceType: "Secret", prefixes: ["GetSecretValue", "DescribeSecret"] }, on: "secret" }],
      },
    },
    policyHolders: { secret: "secret" },
    companions: (n) => (n["kms-key"] ? [{ service: "kms", access: ["decrypt"], resources: { key: n["kms-key"] } }] : []),
  },
  {
    service: "kms",
    title: "AWS KMS",
    names: ["key"],
    kinds: { key: { type: "key", parts: (n) => ({ KeyId: n.key ?? "*" }), needs: ["key"] } },
    access: {
      decrypt: {
        describe: "decrypt with the key",
        rules: [{ filter: { accessLevels: ["Write"], resourceType: "key", prefixes: ["Decrypt"] }, on: "key" }],
      },
    },
    policyHolders: { key: "key" },
  },
  {
    service: "athena",
    title: "Amazon Athena",
    names: ["workgroup", "database", "results-bucket", "data-bucket"],
    kinds: { workgroup: { type: "workgroup", parts: (n) => ({ WorkGroupName: n.workgroup ?? "primary" }), needs: [] } },
    access: {
      query: {
        describe: "run queries and read their results",
        rules: [
          {
            filter: {
              resourceType: "workgroup",
              prefixes: ["StartQueryExecution", "StopQueryExecution", "GetQueryExecution", "GetQueryResults", "GetWorkGroup"],
            },
            on: "workgroup",
          },
        ],
      },
    },
    companions: (n) => {
      const also: Companion[] = [{ service: "glue", access: ["catalog-read"], resources: { database: n.database ?? "*" } }];
      if (n["results-bucket"]) also.push({ service: "s3", access: ["read", "write", "list"], resources: { bucket: n["results-bucket"] } });
      if (n["data-bucket"]) also.push({ service: "s3", access: ["read", "list"], resources: { bucket: n["data-bucket"] } });
      return also;
    },
  },
  {
    service: "elasticmapreduce",
    title: "Amazon EMR",
    names: ["cluster", "service-role", "instance-profile-role"],
    kinds: { cluster: { type: "cluster", parts: (n) => ({ ClusterId: n.cluster ?? "*" }), needs: [] } },
    access: {
      "run-job-flow": { describe: "create clusters (job flows)", rules: [{ filter: { prefixes: ["RunJobFlow"] }, on: "*" }] },
      terminate: {
        describe: "terminate clusters",
        rules: [{ filter: { resourceType: "cluster", prefixes: ["TerminateJobFlows"] }, on: "cluster" }],
      },
      steps: {
        describe: "add, list, describe and cancel steps",
        rules: [
          {
            filter: {
              resourceType: "cluster",
              prefixes: ["AddJobFlowSteps", "CancelSteps", "DescribeStep", "ListSteps", "DescribeCluster"],
            },
            on: "cluster",
          },
        ],
      },
    },
    companions: (n) =>
      [n["service-role"], n["instance-profile-role"]]
        .filter((r): r is string => r !== undefined)
        .map((role) => ({ service: "iam", access: ["pass-role"], resources: { role } })),
  },
  {
    service: "iam",
    title: "AWS IAM",
    names: ["role"],
    kinds: { role: { type: "role", parts: (n) => ({ RoleNameWithPath: n.role ?? "*" }), needs: ["role"] } },
    access: {
      "pass-role": { describe: "pass the role to a service", rules: [{ filter: { prefixes: ["PassRole"] }, on: "role" }] },
    },
  },
  {
    service: "sqs",
    title: "Amazon SQS",
    names: ["queue"],
    kinds: { queue: { type: "queue", parts: (n) => ({ QueueName: n.queue ?? "*" }), needs: ["queue"] } },
    access: {
      send: {
        describe: "send messages",
        rules: [
          {
            filter: {
              accessLevels: ["Write", "Read"],
              resourceType: "queue",
              prefixes: ["SendMessage", "GetQueueUrl", "GetQueueAttributes"],
            },
            on: "queue",
          },
        ],
      },
      receive: {
        describe: "receive and delete messages",
        rules: [
          {
            filter: {
              accessLevels: ["Read", "Write"],
              resourceType: "queue",
              prefixes: ["ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueUrl", "GetQueueAttributes"],
            },
            on: "queue",
          },
        ],
      },
    },
    policyHolders: { queue: "queue" },
  },
  {
    service: "kinesis",
    title: "Amazon Kinesis Data Streams",
    names: ["stream"],
    kinds: { stream: { type: "stream", parts: (n) => ({ StreamName: n.stream ?? "*" }), needs: ["stream"] } },
    access: {
      read: {
        describe: "read the stream",
        rules: [
          {
            filter: {
              accessLevels: ["Read", "List"],
              resourceType: "stream",
              prefixes: ["DescribeStream", "GetRecords", "GetShardIterator", "ListShards"],
            },
            on: "stream",
          },
        ],
      },
    },
    policyHolders: { stream: "stream" },
  },
  {
    service: "execute-api",
    title: "Amazon API Gateway",
    names: ["api", "stage", "path"],
    kinds: {
      api: {
        type: "execute-api-general",
        parts: (n) => ({ ApiId: n.api ?? "*", Stage: n.stage ?? "*", Method: "GET", ApiSpecificResourcePath: n.path ?? "*" }),
        needs: ["api"],
      },
      "rest-api": {
        type: "execute-api-general",
        parts: (n) => ({ ApiId: n.api ?? "*", Stage: "*", Method: "*", ApiSpecificResourcePath: "*" }),
        needs: ["api"],
      },
    },
    access: {
      "invoke-read": { describe: "call the API's read-only (GET) methods", rules: [{ filter: { prefixes: ["Invoke"] }, on: "api" }] },
    },
    // A REST API's resource policy covers every stage, method and path of the API.
    policyHolders: { api: "rest-api" },
  },
  {
    service: "codeartifact",
    title: "AWS CodeArtifact",
    names: ["domain", "repository"],
    kinds: {
      domain: { type: "domain", parts: (n) => ({ DomainName: n.domain ?? "*" }), needs: ["domain"] },
      repository: {
        type: "repository",
        parts: (n) => ({ DomainName: n.domain ?? "*", RepositoryName: n.repository ?? "*" }),
        needs: ["domain", "repository"],
      },
      package: {
        type: "package",
        parts: (n) => ({
          DomainName: n.domain ?? "*",
          RepositoryName: n.repository ?? "*",
          PackageFormat: "*",
          PackageNamespace: "*",
          PackageName: "*",
        }),
        needs: ["domain", "repository"],
      },
    },
    access: {
      read: {
        describe: "read packages",
        rules: [
          { filter: { resourceType: "domain", prefixes: ["GetAuthorizationToken"] }, on: "domain" },
          {
            filter: {
              resourceType: "repository",
              prefixes: ["ReadFromRepository", "GetRepositoryEndpoint", "DescribeRepository", "ListPackages"],
            },
            on: "repository",
          },
          {
            filter: {
              resourceType: "package",
              prefixes: ["DescribePackageVersion", "ListPackageVersions", "GetPackageVersionAsset", "GetPackageVersionReadme"],
            },
            on: "package",
          },
        ],
      },
    },
    policyHolders: { domain: "domain", repository: "repository", package: "repository" },
    companions: () => [{ service: "sts", access: ["bearer-token"], resources: {} }],
  },
  {
    service: "sts",
    title: "AWS STS",
    names: [],
    kinds: {},
    access: {
      "bearer-token": {
        describe: "get service bearer tokens (CodeArtifact)",
        rules: [{ filter: { prefixes: ["GetServiceBearerToken"] }, on: "*" }],
      },
    },
  },
];

const BY_SERVICE = new Map(RECIPES.map((r) => [r.service, r]));

export function recipeFor(service: string): Recipe | undefined {
  return BY_SERVICE.get(service);
}

export function recipeServices(): string[] {
  return [...BY_SERVICE.keys()];
}
