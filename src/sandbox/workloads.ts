/**
 * The workloads of a model as the sandbox serves them their first identity, as each runtime does
 * on AWS: an IRSA pod reads a web identity token its cluster's issuer signed; an ECS task, Lambda
 * function, EC2 instance, MWAA environment or EKS Pod Identity pod gets its role's session from
 * the runtime, which assumed the role as the runtime's service principal; an IAM user signs with
 * its access keys.
 */
import { buildArn } from "../aws/arn.js";
import type { Compiled } from "../compile/compile.js";
import type { StartIdentity } from "../compile/plan.js";

/** One workload's first identity, as the sandbox serves it. */
export interface SandboxWorkload {
  /**
   * Unique among the sandbox's workloads: the model's workload name, or `NAME@ACCOUNT` (the
   * account's model name) for a workload with a first identity in several accounts (per stage).
   */
  name: string;
  start: StartIdentity;
  /** The runtime's resource that assumes the role, as its service sends it in aws:SourceArn. */
  sourceArn?: string;
}

/** The service principal each runtime assumes a workload's role as. */
export const RUNTIME_SERVICE: Partial<Record<StartIdentity["type"], string>> = {
  "ecs-task": "ecs-tasks.amazonaws.com",
  lambda: "lambda.amazonaws.com",
  "ec2-instance": "ec2.amazonaws.com",
  "eks-node": "ec2.amazonaws.com",
  mwaa: "airflow-env.amazonaws.com",
  "pod-identity": "pods.eks.amazonaws.com",
};

/** The text a `*` or `?` of a service account pattern becomes in a sample subject. */
export const SAMPLE_FILL = "xacct";

/**
 * A concrete service account name for a pattern: EMR on EKS creates one service account per job
 * (`emr-containers-sa-*-*-ACCOUNT-*`), so a token needs some name that matches; each `*` or `?`
 * becomes "xacct" (`emr-containers-sa-xacct-xacct-111111111111-xacct`).
 */
export function sampleServiceAccount(pattern: string): string {
  return pattern.replace(/[*?]/g, SAMPLE_FILL);
}

/**
 * The web identity token subject of a start: IRSA's `system:serviceaccount:NS:SA`, another
 * issuer's first declared subject (a CI job's `repo:ORG/REPO:ref:refs/heads/BRANCH`), patterns
 * filled; sample text where every subject was declared on purpose.
 */
export function subjectOf(start: StartIdentity): string | undefined {
  const cluster = start.cluster;
  if (start.type === "irsa" && cluster) return `system:serviceaccount:${cluster.namespace}:${sampleServiceAccount(cluster.serviceAccount)}`;
  const web = start.type === "oidc" ? start.webIdentity : undefined;
  if (!web) return undefined;
  return web.subjects === "any" ? SAMPLE_FILL : sampleServiceAccount(web.subjects[0] ?? SAMPLE_FILL);
}

/** Every workload's first identity in a compiled model, once per account it starts in. */
export function workloadsOf(compiled: Compiled): SandboxWorkload[] {
  const starts = new Map<string, StartIdentity[]>();
  for (const chain of compiled.chains) {
    const list = starts.get(chain.workload) ?? [];
    if (!list.includes(chain.start)) list.push(chain.start);
    starts.set(chain.workload, list);
  }
  const out: SandboxWorkload[] = [];
  for (const [workload, list] of starts) {
    for (const start of list) {
      const account = compiled.state.accounts.get(start.account);
      const name = list.length === 1 ? workload : `${workload}@${account?.name ?? start.account}`;
      const identity = compiled.model.workloads[workload]?.identity;
      const sourceArn = sourceArnOf(
        start,
        account?.partition ?? "aws",
        account?.region ?? "us-east-1",
        workload,
        identity?.type === "mwaa" ? identity.environment : undefined,
      );
      out.push({ name, start, ...(sourceArn ? { sourceArn } : {}) });
    }
  }
  return out;
}

/** What each runtime's service sends as aws:SourceArn when it assumes the workload's role. */
function sourceArnOf(
  start: StartIdentity,
  partition: string,
  region: string,
  workload: string,
  environment: string | undefined,
): string | undefined {
  const id = start.account;
  switch (start.type) {
    case "ecs-task":
      // The ECS developer guide's trust matches arn:aws:ecs:REGION:ACCOUNT:*; the sandbox sends a cluster of the account.
      return buildArn({ partition, service: "ecs", region, account: id, resource: "cluster/xacct-sandbox" });
    case "lambda":
      return buildArn({ partition, service: "lambda", region, account: id, resource: `function:${workload}` });
    case "mwaa":
      return environment
        ? buildArn({ partition, service: "airflow", region, account: id, resource: `environment/${environment}` })
        : undefined;
    case "pod-identity":
      return start.cluster
        ? buildArn({ partition, service: "eks", region: start.cluster.region, account: id, resource: `cluster/${start.cluster.name}` })
        : undefined;
    default:
      // EC2 sends no aws:SourceArn when it assumes an instance profile's role.
      return undefined;
  }
}
