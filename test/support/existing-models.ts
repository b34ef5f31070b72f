/**
 * Resources and a role that exist and are owned elsewhere (issue 13): MWAA in account analytics,
 * acting as its existing execution role etl-exec, reads bucket shared-results and decrypts with a
 * key of account data, both declared existing; bucket fresh-results is xacct's to write the policy of.
 */
export const KEY = "0a1b2c3d-1111-2222-3333-444455556666";

export const EXISTING_MODEL = `version: 1
name: existing
accounts:
  analytics: {id: "111111111111", region: eu-west-1}
  data:
    id: "222222222222"
    region: eu-west-1
    existing: {bucket: [shared-results], key: [${KEY}]}
workloads:
  airflow: {account: analytics, identity: {type: mwaa, environment: etl, role: etl-exec, existing: true}}
grants:
  - {workload: airflow, account: data, service: s3, access: [read], resources: {bucket: shared-results}, via: resource-policy}
  - {workload: airflow, account: data, service: kms, access: [decrypt], resources: {key: ${KEY}}, via: resource-policy}
  - {workload: airflow, account: data, service: s3, access: [read], resources: {bucket: fresh-results}, via: resource-policy}
`;
