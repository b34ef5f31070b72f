/**
 * Checks of a grant's role options that the schema cannot make alone, on the raw parsed YAML:
 * - `orgOnly: true` puts the caller's organization in the trust (`aws:PrincipalOrgID`), so every
 *   account the role is assumed from (the workload's, then each `through` hop's) must declare its
 *   organization; without one the condition would be dropped.
 * - a third party sends one ExternalId: `role.externalId` and the external workload's
 *   `identity.externalId` may not differ.
 */
import type { PathKey } from "./load.js";
import type { ReferenceProblem } from "./references.js";

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
  });
  return problems;
}
