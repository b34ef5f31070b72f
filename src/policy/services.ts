/**
 * Facts about particular services' authorization that the evaluation logic depends on.
 * Actions are compared lower-cased.
 */

/** STS actions authorized by the role's trust policy (AWS calls it the role's resource-based policy). */
const TRUST_ACTIONS = new Set([
  "sts:assumerole",
  "sts:assumerolewithwebidentity",
  "sts:assumerolewithsaml",
  "sts:tagsession",
  "sts:setsourceidentity",
  "sts:setcontext",
]);

export function isTrustAction(lowerAction: string): boolean {
  return TRUST_ACTIONS.has(lowerAction);
}

/**
 * Actions whose resource-based policy must allow even in the same account: role trust policies,
 * and KMS key policies ("unless the key policy explicitly allows it, you cannot use IAM policies
 * to allow access to a KMS key").
 */
export function needsResourcePolicy(lowerAction: string): boolean {
  return TRUST_ACTIONS.has(lowerAction) || lowerAction.startsWith("kms:");
}

/**
 * Services whose resources resource control policies govern, by action prefix, as the AWS
 * Organizations user guide lists them ("List of AWS services that support RCPs").
 */
const RCP_SERVICES = new Set([
  "appconfig", "appstream", "autoscaling", "autoscaling-plans", "aoss", "budgets", "clouddirectory", "cloudfront",
  "cloudsearch", "cloudtrail-data", "codeartifact", "codebuild", "codecommit", "codepipeline", "cognito-identity",
  "cognito-idp", "comprehend", "comprehendmedical", "compute-optimizer", "cost-optimization-hub", "dax", "dsql",
  "dynamodb", "ecr", "ecr-public", "events", "firehose", "fis", "fms", "gamelift", "health", "inspector-scan",
  "kendra", "kinesisvideo", "kms", "logs", "memorydb", "networkmonitor", "notifications", "opensearch",
  "pca-connector-ad", "personalize", "polly", "pricing", "resource-groups", "rolesanywhere", "s3",
  "secretsmanager", "servicediscovery", "signin", "sqs", "sts", "support", "swf", "textract",
  "timestream-influxdb", "transcribe", "transfer", "translate", "wafv2", "workspaces", "xray",
]);

export function rcpApplies(lowerAction: string): boolean {
  return RCP_SERVICES.has(lowerAction.slice(0, lowerAction.indexOf(":")));
}
