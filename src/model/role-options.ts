/**
 * Checks of a grant's role options that the schema cannot make alone, on the raw parsed YAML:
 * - `orgOnly: true` puts the caller's organization in the trust (`aws:PrincipalOrgID`), so every
 *   account the role is assumed from (the workload's, then each `through` hop's) must declare its
 *   organization; without one the condition would be dropped.
 * - a third party sends one ExternalId: `role.externalId` and the external workload's
 *   `identity.externalId` may not differ.
 * - `managedPolicies` names AWS managed policies that exist (by name or ARN, with their path) and
 *   customer managed policies by a policy ARN; only a role the grant creates gets them.
 */
import { isAccountId, parseArn } from "../aws/arn.js";
import { awsManagedPolicy, awsManagedPolicyNames } from "../aws/managed-policies.js";
import type { PathKey } from "./load.js";
import type { ReferenceProblem } from "./references.js";
import { didYouMean } from "../text/suggest.js";

type Raw = Record<string, unknown>;

const asRecord = (v: unknown): Raw => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const own = (record: Raw, key: unknown): unknown => (typeof key === "string" && Object.hasOwn(record, key) ? record[key] : undefined);

export function checkRoleOptions(input: unknown): ReferenceProblem[] {
  const model = asRecord(input);
  const accounts = asRecord(model.accounts);
  const workloads = asRecord(model.workloads);
  const problems: ReferenceProblem[] = [];
  asArray(model.grants).forEach((raw, i) => {
    const grant = asRecord(raw);
    const role = asRecord(grant.role);
    const at = (...rest: PathKey[]): PathKey[] => ["grants", i, ...rest];
    const workload = asRecord(own(workloads, grant.workload));
    if (role.orgOnly === true) {
      const callers = [workload.account, ...asArray(grant.through).map((hop) => asRecord(hop).account)];
      for (const name of new Set(callers)) {
        const account = own(accounts, name);
        if (typeof name !== "string" || account === undefined || asRecord(account).organization !== undefined) continue;
        problems.push({
          path: at("role", "orgOnly"),
          message: `orgOnly requires the caller's organization (aws:PrincipalOrgID), but account "${name}", which assumes the role, declares none: add accounts.${name}.organization (o-…), or remove orgOnly`,
        });
      }
    }
    const identity = asRecord(workload.identity);
    if (
      identity.type === "external" &&
      typeof identity.externalId === "string" &&
      typeof role.externalId === "string" &&
      identity.externalId !== role.externalId
    ) {
      problems.push({
        path: at("role", "externalId"),
        message: `differs from workloads.${String(grant.workload)}.identity.externalId: the third party sends one ExternalId, and the role's trust would require the other; give it in one place`,
      });
    }
    asArray(role.managedPolicies).forEach((entry, j) => {
      const message = typeof entry === "string" ? managedPolicyProblem(entry) : undefined;
      if (message) problems.push({ path: at("role", "managedPolicies", j), message });
    });
    if (role.managedPolicies !== undefined && grant.via === "resource-policy")
      problems.push({
        path: at("role", "managedPolicies"),
        message: "via: resource-policy creates no role to attach managed policies to: use via: role (or chain), or remove managedPolicies",
      });
  });
  return problems;
}

/** What is wrong with one `managedPolicies` entry, or undefined when it names an AWS managed policy that exists or a customer managed policy's ARN. */
function managedPolicyProblem(entry: string): string | undefined {
  if (!entry.startsWith("arn:")) {
    if (awsManagedPolicy(entry)) return undefined;
    return `no AWS managed policy is named "${entry}"${didYouMean(entry, awsManagedPolicyNames())}; give a customer managed policy by its ARN (arn:aws:iam::ACCOUNT:policy/NAME)`;
  }
  const arn = parseArn(entry);
  if (!arn || arn.service !== "iam" || arn.region !== "" || !arn.resource.startsWith("policy/"))
    return `"${entry}" is not a managed policy ARN: write arn:PARTITION:iam::aws:policy/NAME (AWS managed) or arn:PARTITION:iam::ACCOUNT:policy/NAME (customer managed)`;
  if (isAccountId(arn.account)) return undefined;
  if (arn.account !== "aws") return `"${entry}" names neither AWS (account "aws") nor a 12-digit account`;
  if (awsManagedPolicy(entry)) return undefined;
  const name = arn.resource.slice(arn.resource.lastIndexOf("/") + 1);
  const same = awsManagedPolicy(name, arn.partition);
  if (same) return `AWS managed policy ${name} has the path ${same.path}: its ARN is ${same.arn}`;
  return `no AWS managed policy is named "${name}"${didYouMean(name, awsManagedPolicyNames())}`;
}
