/**
 * Every AWS service the model can grant on, one module each (src/services/SERVICE.ts). Adding a
 * service is one new module and one line in SERVICES; a program (or a test) may add its own with
 * `registerService` before it loads a model.
 */
import { COMPUTE_READ_ACTIONS, IAM_READ_ACTIONS, ORGANIZATIONS_READ_ACTIONS } from "./policy-collector.js";
import type { Recipe } from "./recipe.js";
import { s3 } from "./s3.js";
import { airflow } from "./airflow.js";
import { glue } from "./glue.js";
import { sagemaker } from "./sagemaker.js";
import { lambda } from "./lambda.js";
import { redshiftData } from "./redshift-data.js";
import { redshift } from "./redshift.js";
import { secretsmanager } from "./secretsmanager.js";
import { kms } from "./kms.js";
import { athena } from "./athena.js";
import { elasticmapreduce } from "./elasticmapreduce.js";
import { iam } from "./iam.js";
import { sqs } from "./sqs.js";
import { kinesis } from "./kinesis.js";
import { executeApi } from "./execute-api.js";
import { codeartifact } from "./codeartifact.js";
import { sts } from "./sts.js";
import { dynamodb } from "./dynamodb.js";
import { sns } from "./sns.js";
import { states } from "./states.js";
import { ecr } from "./ecr.js";
import { events } from "./events.js";

export type { AccessRule, AccessVerb, Companion, Place, Recipe, ResourceKind } from "./recipe.js";

/** The services, in the order their names are listed to users. */
const SERVICES: readonly Recipe[] = [
  s3,
  airflow,
  glue,
  sagemaker,
  lambda,
  redshiftData,
  redshift,
  secretsmanager,
  kms,
  athena,
  elasticmapreduce,
  iam,
  sqs,
  kinesis,
  executeApi,
  codeartifact,
  sts,
  dynamodb,
  sns,
  states,
  ecr,
  events,
];

const BY_SERVICE = new Map(SERVICES.map((r) => [r.service, r]));

/**
 * Adds a service module beside the built-in ones: from then on models may grant on it, and
 * compiling, emitting, the access graph and the sandbox read it as they read the built-in ones.
 * The model's references are checked against the services known when it is loaded. A prefix
 * already known is refused: a service is defined once.
 */
export function registerService(recipe: Recipe): void {
  if (BY_SERVICE.has(recipe.service)) throw new Error(`the service "${recipe.service}" is already defined`);
  BY_SERVICE.set(recipe.service, recipe);
}

/** The service's module; none for an unknown prefix, or for a grant that only attaches managed policies (no service). */
export function recipeFor(service: string | undefined): Recipe | undefined {
  return service === undefined ? undefined : BY_SERVICE.get(service);
}

export function recipeServices(): string[] {
  return [...BY_SERVICE.keys()];
}

/**
 * The service's name for people (`Amazon S3`), or its prefix where xacct has no module for it;
 * "managed policies" for a grant that names no service and only attaches them.
 */
export function serviceTitle(service: string | undefined): string {
  return recipeFor(service)?.title ?? service ?? "managed policies";
}

/**
 * Every action `xacct collect` needs in an account: its IAM and Organizations reads, its reads of
 * what runs as each role (Lambda functions, EC2 instances), and each registered service module's
 * `collect.actions`, once each, sorted. What the audit role allows.
 */
export function collectActions(): string[] {
  const hooks = [...BY_SERVICE.values()].flatMap((recipe) => recipe.collect?.actions ?? []);
  return [...new Set([...IAM_READ_ACTIONS, ...ORGANIZATIONS_READ_ACTIONS, ...COMPUTE_READ_ACTIONS, ...hooks])].sort();
}
