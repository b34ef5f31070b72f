/** AWS Glue: what each access verb grants, and the resources it names. */
import { createHash } from "node:crypto";
import { isAccountId, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import type { PolicyCollector } from "./policy-collector.js";
import type { Recipe } from "./recipe.js";
import { type PolicyOperation, type ResourceNamer, stringOf } from "./resource-namer.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";

/** The region's Data Catalog policy (GetResourcePolicy without ResourceArn: the caller's catalog; EntityNotFoundException: none). */
const collectCatalogPolicy: PolicyCollector = {
  scope: "regional",
  actions: ["glue:GetResourcePolicy"],
  async *policies(at, clients) {
    const { GetResourcePolicyCommand, GlueClient } = await import("@aws-sdk/client-glue");
    const client = clients.make((config) => new GlueClient(config));
    try {
      const { PolicyInJson } = await client.send(new GetResourcePolicyCommand({}));
      if (PolicyInJson) yield { arn: resourceArn("glue", "rootcatalog", at), region: at.region, policy: PolicyInJson };
    } catch (error) {
      if ((error as { name?: unknown }).name !== "EntityNotFoundException") throw error;
    }
  },
};

/**
 * The Data Catalog a resource-policy call acts on: ResourceArn when it names a catalog
 * (`arn:P:glue:REGION:ACCOUNT:catalog`), else the caller's own ("If not provided, the AWS account
 * ID is used by default", GetResourcePolicy's ResourceArn).
 */
const catalogNamedBy: ResourceNamer = (_action, input, where) => {
  const given = stringOf(input, "ResourceArn");
  if (given === undefined) return { arn: resourceArn("glue", "rootcatalog", where), account: where.account };
  const arn = parseArn(given);
  return arn?.service === "glue" && arn.resource === "catalog" && isAccountId(arn.account)
    ? { arn: given, account: arn.account }
    : undefined;
};

/** A policy's hash, as Glue returns it to make the next put conditional (PolicyHashCondition). */
const hashOf = (policy: string) => createHash("sha256").update(policy).digest("base64");

/** For the sandbox: the catalog's policy, which every account's catalog in a region has room for. */
const catalogPolicyOperations: Readonly<Record<string, PolicyOperation>> = {
  PutResourcePolicy: {
    kind: "put",
    policy: "PolicyInJson",
    malformed: "InvalidInputException",
    reply: (policy) => ({ PolicyHash: hashOf(policy) }),
    resource: catalogNamedBy,
  },
  GetResourcePolicy: {
    kind: "get",
    reply: (PolicyInJson) => ({ PolicyInJson, PolicyHash: hashOf(PolicyInJson) }),
    missing: { code: "EntityNotFoundException", message: "Policy not found" },
    resource: catalogNamedBy,
  },
  DeleteResourcePolicy: {
    kind: "delete",
    missing: { code: "EntityNotFoundException", message: "Policy not found" },
    resource: catalogNamedBy,
  },
};

export const glue: Recipe = {
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
  collect: collectCatalogPolicy,
  sandbox: { policyOperations: catalogPolicyOperations },
  airflowTasks: (use, dag) => {
    const job = resourceOf(use, "job");
    if (!use.access.includes("run") || !job) return undefined;
    const id = dag.taskId(`glue_${job}_${use.accountName}`);
    const wait = use.access.includes("watch") ? "True" : "False";
    return [
      {
        id,
        imports: [`${AIRFLOW_PROVIDER}.operators.glue:GlueJobOperator`],
        code: dag.operator(id, "GlueJobOperator", [`job_name=${py(job)}`, `wait_for_completion=${wait}`]),
      },
    ];
  },
  cliCommand: (use) => {
    const job = resourceOf(use, "job");
    return job ? { argv: ["aws", "glue", "start-job-run", "--job-name", job] } : undefined;
  },
};
