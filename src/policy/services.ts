import { rcpSupportedServices } from "../catalog/catalog.js";

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

const RCP_SERVICES = rcpSupportedServices();

/** Whether resource control policies govern the action's service (AWS's list, from the service authorization data). */
export function rcpApplies(lowerAction: string): boolean {
  return RCP_SERVICES.has(lowerAction.slice(0, lowerAction.indexOf(":")));
}
