/**
 * The names the compiler makes from a sound model — templates filled per stage, defaults made from
 * workload, account and service names — checked at load against the rule of the system each lands
 * in (names.ts), each problem located at the model field it comes from.
 */
import { fillTemplate, grantInstances, type TemplateVars } from "./stages.js";
import type { PathKey } from "./load.js";
import {
  AWS_PROFILE_NAME,
  defaultProfileName,
  defaultTargetRoleName,
  grantPolicyName,
  IAM_POLICY_NAME,
  IAM_ROLE_NAME,
  IAM_USER_NAME,
  type NameRule,
  nameProblem,
  POLICY_TEXT,
  RESOURCE_NAME_RULES,
  MANAGED_ONLY,
} from "./names.js";
import type { Model } from "./schema.js";
import type { ReferenceProblem } from "./references.js";

export function checkDerivedNames(model: Model): ReferenceProblem[] {
  const problems = new Map<string, ReferenceProblem>();
  const check = (rule: NameRule, path: PathKey[], make: () => string, at: "key" | "value" = "value") => {
    let problem: string | undefined;
    try {
      problem = nameProblem(rule, make());
    } catch (error) {
      // fillTemplate names the template and the placeholder without a value.
      problem = (error as Error).message.replace(/^[^:]*: /, "");
    }
    if (problem) problems.set(`${path.join("\0")}\0${problem}`, { path, message: problem, at });
  };

  let instances;
  try {
    instances = grantInstances(model);
  } catch {
    return []; // a stage without an account ID: checkReferences reports it
  }
  for (const { grant, index, vars, to } of instances) {
    const workload = model.workloads[grant.workload];
    if (!workload) continue;
    const identity = workload.identity;
    const fill = (text: string, v: TemplateVars = vars) => fillTemplate(text, v, "");
    if (identity.type === "iam-user") {
      check(
        IAM_USER_NAME,
        identity.user ? ["workloads", grant.workload, "identity", "user"] : ["workloads", grant.workload],
        () => identity.user ?? grant.workload,
        identity.user ? "value" : "key",
      );
    } else if (identity.type !== "external" && identity.type !== "sso") {
      const role = identity.role;
      check(
        IAM_ROLE_NAME,
        role ? ["workloads", grant.workload, "identity", "role"] : ["workloads", grant.workload],
        () => fill(role ?? grant.workload),
        role ? "value" : "key",
      );
    }
    const at = (...rest: PathKey[]): PathKey[] => ["grants", index, ...rest];
    // Resource names, filled: the rule of their kind (S3 buckets), else policy text.
    for (const [kind, value] of Object.entries(grant.resources ?? {})) {
      const rule = RESOURCE_NAME_RULES.get(kind) ?? POLICY_TEXT;
      [value]
        .flat()
        .forEach((text, j) => check(rule, typeof value === "string" ? at("resources", kind) : at("resources", kind, j), () => fill(text)));
    }
    grant.through?.forEach((hop, j) => check(IAM_ROLE_NAME, at("through", j, "role"), () => fill(hop.role)));
    check(IAM_ROLE_NAME, grant.role?.name ? at("role", "name") : at("workload"), () =>
      fill(grant.role?.name ?? defaultTargetRoleName(grant.workload)),
    );
    // The compiler labels a target account NAME, or NAME-STAGE where it has one ID per stage.
    const label = to.replace("@", "-");
    check(IAM_POLICY_NAME, at("account"), () => grantPolicyName(grant.service ?? MANAGED_ONLY, label));
    const profile = grant.profile ?? workload.runtime?.profile;
    const where = grant.profile ? at("profile") : profile ? ["workloads", grant.workload, "runtime", "profile"] : at("account");
    check(AWS_PROFILE_NAME, where, () => fill(profile ?? defaultProfileName(label, grant.service ?? MANAGED_ONLY)));
  }
  return [...problems.values()];
}
