/** The commented starter model `xacct init` writes. It must build as it is (a test says so). */
export const STARTER_MODEL = `# xacct model: who, in which account, may do what, in which other account.
# Run \`xacct build xacct.yaml --out build\` to write both sides of every grant.
# Editors: point yaml-language-server at the schema from \`xacct schema\`.
version: 1
name: my-app                 # {app} in name templates

accounts:
  platform:                  # where the workload runs
    id: "111111111111"       # quote account IDs: YAML would read them as numbers
    region: us-east-1
  data:                      # where the resources are
    id: "222222222222"
    region: us-east-1

clusters:
  shared-eks:
    account: platform
    oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE

workloads:
  nightly-etl:
    account: platform
    # How the workload gets its first identity: irsa, pod-identity, ecs-task,
    # ec2-instance, eks-node, lambda, mwaa, iam-user or external.
    identity: { type: irsa, cluster: shared-eks, namespace: etl, serviceAccount: nightly-etl }
    runtime:
      kind: cronjob
      schedule: "0 2 * * *"
      language: python
      # Its pods get their chained credentials from a sidecar (xacct serve-credentials): an image
      # you build from xacct's docker/credentials-sidecar/Dockerfile and push where the cluster pulls.
      credentialsImage: 111111111111.dkr.ecr.us-east-1.amazonaws.com/xacct:0.1.0

grants:
  # A role in the data account that nightly-etl assumes (via: role is the default);
  # xacct writes its trust policy and nightly-etl's sts:AssumeRole grant.
  - workload: nightly-etl
    account: data
    service: glue
    access: [run, watch]
    resources: { job: nightly-etl }
  - workload: nightly-etl
    account: data
    service: s3
    access: [list, read]
    resources: { bucket: data-lake, prefix: raw/ }
`;
