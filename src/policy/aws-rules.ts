/**
 * What AWS decides whatever the policies say: requests that need no permission, and resources AWS
 * protects from every principal's policies. Each rule quotes the AWS page it rests on; the engine
 * asks here before any policy (src/policy/evaluate.ts), so `can`, `who-can`, the graph and the
 * sandbox all answer alike.
 */
import { parseArn } from "../aws/arn.js";

export interface AwsRule {
  decision: "Allow" | "ImplicitDeny";
  /** Why, in words, for the explanation. */
  reason: string;
  doc: string;
}

/** The role paths of roles only AWS changes: service-linked roles, IAM Identity Center's permission-set roles. */
export const AWS_ROLE_PATHS = { serviceLinked: "/aws-service-role/", identityCenter: "/aws-reserved/sso.amazonaws.com/" } as const;

/** Whether a role's path is one AWS keeps to itself (service-linked, IAM Identity Center's, any other under /aws-reserved/). */
export function isAwsProtectedRolePath(path: string): boolean {
  return path.startsWith(AWS_ROLE_PATHS.serviceLinked) || path.startsWith("/aws-reserved/");
}

const GET_CALLER_IDENTITY: AwsRule = {
  decision: "Allow",
  reason:
    'sts:GetCallerIdentity needs no permission ("No permissions are required to perform this operation", the STS API reference): an explicit deny does not stop it',
  doc: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
};

/** IAM's actions that change a managed policy. */
const POLICY_CHANGES = new Set([
  "iam:createpolicyversion",
  "iam:deletepolicy",
  "iam:deletepolicyversion",
  "iam:setdefaultpolicyversion",
  "iam:tagpolicy",
  "iam:untagpolicy",
]);
const AWS_MANAGED_POLICY: AwsRule = {
  decision: "ImplicitDeny",
  reason:
    'AWS protects the resource: an AWS managed policy cannot be changed ("You cannot change the permissions defined in AWS managed policies")',
  doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
};

/** IAM's actions that change a role's trust, permissions, boundary or existence. */
const ROLE_CHANGES = new Set([
  "iam:updateassumerolepolicy",
  "iam:putrolepolicy",
  "iam:deleterolepolicy",
  "iam:attachrolepolicy",
  "iam:detachrolepolicy",
  "iam:putrolepermissionsboundary",
  "iam:deleterolepermissionsboundary",
  "iam:deleterole",
]);
const SERVICE_LINKED_ROLE: AwsRule = {
  decision: "ImplicitDeny",
  reason:
    "AWS protects the resource: a service-linked role's trust and permissions are set by its service and cannot be edited in IAM; only its service (or iam:DeleteServiceLinkedRole) removes it",
  doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html",
};
const IDENTITY_CENTER_ROLE: AwsRule = {
  decision: "ImplicitDeny",
  reason:
    "AWS protects the resource: IAM Identity Center's AWSReservedSSO_ roles are only modifiable by AWS (change the permission set in IAM Identity Center instead)",
  doc: "https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html",
};

const ALIAS_CHANGES = new Set(["kms:createalias", "kms:updatealias", "kms:deletealias"]);
const AWS_KMS_ALIAS: AwsRule = {
  decision: "ImplicitDeny",
  reason:
    "AWS protects the resource: aliases that begin with alias/aws/ are reserved for AWS managed keys and cannot be created, updated or deleted",
  doc: "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
};

/**
 * The rule AWS applies to a request before any policy, if one does: `lowerAction` lower-cased,
 * `resource` the ARN the request acts on. Undefined when the policies decide.
 */
export function awsDecides(lowerAction: string, resource: string): AwsRule | undefined {
  if (lowerAction === "sts:getcalleridentity") return GET_CALLER_IDENTITY;
  const service = lowerAction.slice(0, lowerAction.indexOf(":"));
  if (service !== "iam" && service !== "kms") return undefined;
  // The graph asks about millions of role changes: the ARN is read only when its text could be one AWS protects.
  if (!resource.includes(":aws:policy/") && !resource.includes("/aws-") && !resource.includes(":alias/aws/")) return undefined;
  const arn = parseArn(resource);
  if (!arn) return undefined;
  if (POLICY_CHANGES.has(lowerAction) && arn.service === "iam" && arn.account === "aws" && arn.resource.startsWith("policy/"))
    return AWS_MANAGED_POLICY;
  if (ROLE_CHANGES.has(lowerAction) && arn.service === "iam" && arn.resource.startsWith("role/")) {
    const path = arn.resource.slice("role".length, arn.resource.lastIndexOf("/") + 1);
    if (path.startsWith(AWS_ROLE_PATHS.serviceLinked)) return SERVICE_LINKED_ROLE;
    if (path.startsWith("/aws-reserved/")) return IDENTITY_CENTER_ROLE;
  }
  if (ALIAS_CHANGES.has(lowerAction) && arn.service === "kms" && arn.resource.startsWith("alias/aws/")) return AWS_KMS_ALIAS;
  return undefined;
}
