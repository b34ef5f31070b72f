/**
 * Small models the sandbox tests start from: the same GIVEN, written once.
 */

/** The IAM user workload `app` of account a (111111111111) in every model here. */
export const USER = "arn:aws:iam::111111111111:user/app";

/**
 * GIVEN a user workload `app` in account a (111111111111) and a role `role` in account b
 * (222222222222) it may assume to run the Glue job etl (behind `externalId` when given; both
 * accounts in `organization` when given, the trust requiring it with `orgOnly`).
 */
export function userAndRoleModel(o: { name: string; role: string; region?: string; externalId?: string; organization?: string; orgOnly?: boolean }): string {
  const region = o.region ?? "eu-west-1";
  const org = o.organization ? `, organization: ${o.organization}` : "";
  return `version: 1
name: ${o.name}
accounts:
  a: { id: "111111111111", region: ${region}${org} }
  b: { id: "222222222222", region: ${region}${org} }
workloads:
  app:
    account: a
    identity: { type: iam-user }
grants:
  - workload: app
    account: b
    service: glue
    access: [run]
    resources: { job: etl }
    role: { name: ${o.role}${o.externalId ? `, externalId: ${o.externalId}` : ""}${o.orgOnly ? ", orgOnly: true" : ""} }
`;
}
