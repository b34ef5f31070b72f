/**
 * A model for the CloudFormation and Terraform emitter tests that reaches every kind of IAM they
 * write: an IRSA role with its OIDC provider, an EKS node role with an instance profile, an IAM
 * user, resource-based policies on an S3 bucket, SQS queue, Kinesis stream, Lambda function,
 * Secrets Manager secret, KMS key and CodeArtifact repository, cross-account roles (one for a third
 * party with an ExternalId, one with a raised MaxSessionDuration and an IAM policy variable), and
 * two role names that differ only in punctuation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Compiled, compile } from "../../src/compile/compile.js";
import { loadModel } from "../../src/model/load.js";

export const EMIT_MODEL = `
version: 1
name: emit
accounts:
  platform: { id: "111111111111", region: us-east-2 }
  data: { id: "222222222222", region: us-east-2, organization: o-a1b2c3d4e5, ou: [r-ab12, ou-ab12-22222222] }
  partner: { id: "333333333333", region: eu-west-1, external: true }
clusters:
  eks: { account: platform, oidcIssuer: oidc.eks.us-east-2.amazonaws.com/id/ABCDEF0123456789 }
workloads:
  spark: { account: platform, identity: { type: irsa, cluster: eks, namespace: jobs, serviceAccount: spark } }
  nodes: { account: platform, identity: { type: eks-node, cluster: eks } }
  legacy: { account: platform, identity: { type: iam-user, user: legacy-airflow } }
  partner: { account: partner, identity: { type: external, externalId: partner-123 } }
  svc-a: { account: platform, identity: { type: ecs-task, role: svc-a } }
  svc_a: { account: platform, identity: { type: ecs-task, role: svc_a } }
grants:
  - { workload: spark, account: data, service: s3, access: [read, list], resources: { bucket: lake, prefix: raw/ }, via: resource-policy }
  - { workload: spark, account: data, service: sqs, access: [send], resources: { queue: jobs }, via: resource-policy }
  - { workload: nodes, account: data, service: kinesis, access: [read], resources: { stream: events }, via: resource-policy }
  - { workload: legacy, account: data, service: lambda, access: [invoke], resources: { function: trigger }, via: resource-policy }
  - { workload: spark, account: data, service: secretsmanager, access: [read], resources: { secret: db-creds }, via: resource-policy }
  - { workload: spark, account: data, service: kms, access: [decrypt], resources: { key: 0a1b2c3d-1111-2222-3333-444455556666 }, via: resource-policy }
  - { workload: spark, account: data, service: codeartifact, access: [read], resources: { domain: shared, repository: pypi }, via: resource-policy }
  - { workload: spark, account: data, service: execute-api, access: [invoke-read], resources: { api: a1b2c3d4e5, stage: prod }, via: resource-policy }
  - { workload: partner, account: data, service: glue, access: [run], resources: { job: nightly }, role: { name: partner-glue } }
  - workload: nodes
    account: data
    service: glue
    access: [run, watch]
    resources: { job: nightly }
    role: { name: platform-glue, maxSessionDuration: 7200 }
    statements:
      - { Sid: TeamQueue, Effect: Allow, Action: sqs:SendMessage, Resource: "arn:aws:sqs:us-east-2:222222222222:\${aws:PrincipalTag/team}-jobs" }
  - { workload: svc-a, account: platform, service: s3, access: [read], resources: { bucket: shared-a } }
  - { workload: svc_a, account: platform, service: s3, access: [read], resources: { bucket: shared-b } }
`;

export const PLATFORM = "111111111111";
export const DATA = "222222222222";

export function compileEmitModel(): Compiled {
  return compile(loadModel(EMIT_MODEL, "emit-model.yaml"));
}

export function compileExample(name: string): Compiled {
  const file = join(import.meta.dirname, "..", "..", "examples", name, "xacct.yaml");
  return compile(loadModel(readFileSync(file, "utf8"), file));
}
