/**
 * The YAML of the small models tests and benchmarks start from, written once. Plain JavaScript so
 * that `bench/*.mjs` (run by node without a TypeScript loader) imports it as the tests do; tests
 * import it through ./models.ts. Types: ./model-texts.d.mts.
 */

/** Workload `app`: an IAM user of account a, the workload of most models here. */
export const APP_USER = `  app:
    account: a
    identity: { type: iam-user }
`;

/**
 * A model named `name`: accounts a (111111111111), b (222222222222) and, with `accounts: 3`, c
 * (333333333333), all in `region` (in `organization` when given), then `workloads` (YAML lines
 * under `workloads:`; workload `app`, an IAM user of a, unless given) and `grants` (YAML lines
 * under `grants:`).
 */
export function modelText({ name, region = "eu-west-1", accounts = 2, organization, workloads = APP_USER, grants }) {
  const org = organization ? `, organization: ${organization}` : "";
  const ids = [
    ["a", "111111111111"],
    ["b", "222222222222"],
    ["c", "333333333333"],
  ].slice(0, accounts);
  return `version: 1
name: ${name}
accounts:
${ids.map(([key, id]) => `  ${key}: { id: "${id}", region: ${region}${org} }\n`).join("")}workloads:
${workloads}grants:
${grants}`;
}

/**
 * GIVEN a user workload `app` in account a (111111111111) and a role `role` in account b
 * (222222222222) it may assume to run the Glue job etl (behind `externalId` when given; both
 * accounts in `organization` when given, the trust requiring it with `orgOnly`).
 */
export function userAndRoleModel({ name, role, region, externalId, organization, orgOnly }) {
  return modelText({
    name,
    region,
    organization,
    grants: `  - workload: app
    account: b
    service: glue
    access: [run]
    resources: { job: etl }
    role: { name: ${role}${externalId ? `, externalId: ${externalId}` : ""}${orgOnly ? ", orgOnly: true" : ""} }
`,
  });
}

/**
 * GIVEN a user workload `app` in account a, a role `hop` in account b and a role `far` in account c
 * that only `hop` may assume, both to run the Glue job etl (a chain); with `direct`, first a role
 * `direct.role` in b that `app` may assume itself, behind the ExternalId `direct.externalId`.
 */
export function chainModel({ name, direct }) {
  const first = direct
    ? `  - workload: app
    account: b
    service: glue
    access: [run]
    resources: { job: etl }
    role: { name: ${direct.role}, externalId: ${direct.externalId} }
`
    : "";
  return modelText({
    name,
    accounts: 3,
    grants: `${first}  - workload: app
    account: c
    service: glue
    access: [run]
    resources: { job: etl }
    via: chain
    through: [{ account: b, role: hop }]
    role: { name: far }
`,
  });
}
