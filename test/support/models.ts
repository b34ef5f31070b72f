/**
 * Small models the tests start from: the same GIVEN, written once (the YAML itself is in
 * ./model-texts.mjs, which the benchmarks import too).
 */
export { APP_USER, chainModel, modelText, userAndRoleModel } from "./model-texts.mjs";

/** The IAM user workload `app` of account a (111111111111) in every model here. */
export const USER = "arn:aws:iam::111111111111:user/app";

/** An ECS task in account a reading a bucket of account b: no Kubernetes, no Airflow, no sidecar. */
export const PLAIN_ECS_MODEL = `
version: 1
name: plain
accounts:
  a: { id: "111111111111", region: us-east-1 }
  b: { id: "222222222222", region: us-east-1 }
workloads:
  job: { account: a, identity: { type: ecs-task }, runtime: { kind: ecs } }
grants:
  - { workload: job, account: b, service: s3, access: [read], resources: { bucket: data } }
`;
