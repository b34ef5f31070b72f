/**
 * Each workload's first identity, as AWS's documentation sets each one up: the role (or user)
 * and a trust policy that admits exactly the service or service account that runs it.
 */
import { MAX_SESSION_DURATION } from "../aws/limits.js";
import type { ModelWorkload } from "../model/schema.js";
import { buildArn, oidcProviderArn, roleArn, rootArn, userArn } from "../aws/arn.js";
import { type AccountEntry, policyDocument, type PolicyStatement } from "../state/account-state.js";
import { type StartIdentity, WEB_IDENTITY_TOKEN_FILE } from "./plan.js";

export interface ClusterInfo {
  name: string;
  account: string;
  region: string;
  issuer?: string;
}

/** Writes the workload's own role or user into its account; returns how it starts at run time. */
export function addIdentity(
  name: string,
  workload: ModelWorkload,
  roleName: string,
  account: AccountEntry,
  cluster: ClusterInfo | undefined,
): StartIdentity {
  const { partition, id } = account;
  const identity = workload.identity;
  const region = account.region ?? "us-east-1";
  if (identity.type === "external") {
    return { type: "external", account: id, ...(identity.principal ? { roleArn: identity.principal } : {}) };
  }
  if (identity.type === "iam-user") {
    const user = identity.user ?? name;
    account.users.set(user, {
      name: user,
      path: "/",
      arn: userArn(partition, id, user),
      policies: new Map(),
      managedPolicyArns: [],
      accessKeys: true,
      tags: new Map([["xacct:workload", name]]),
    });
    return { type: "iam-user", account: id, userArn: userArn(partition, id, user) };
  }
  const arn = roleArn(partition, id, roleName);
  const trust: PolicyStatement[] = [];
  const start: StartIdentity = { type: identity.type, account: id, roleArn: arn };
  const sourceAccount = { StringEquals: { "aws:SourceAccount": id } };
  switch (identity.type) {
    case "irsa": {
      if (!cluster?.issuer) throw new Error(`workload ${name}: cluster has no OIDC issuer`);
      const issuer = cluster.issuer;
      const providerArn = oidcProviderArn(partition, id, issuer);
      account.oidcProviders.set(providerArn, { arn: providerArn, issuer, clientIds: ["sts.amazonaws.com"] });
      const subject = `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
      const exact = !/[*?]/.test(subject);
      trust.push({
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: exact
          ? { StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: "sts.amazonaws.com" } }
          : { StringLike: { [`${issuer}:sub`]: subject }, StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" } },
      });
      Object.assign(start, {
        webIdentityTokenFile: WEB_IDENTITY_TOKEN_FILE,
        cluster: {
          name: cluster.name,
          region: cluster.region,
          issuer,
          namespace: identity.namespace,
          serviceAccount: identity.serviceAccount,
        },
      });
      break;
    }
    case "pod-identity": {
      const clusterName = cluster?.name ?? identity.cluster;
      trust.push({
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: { "aws:SourceAccount": id },
          ArnEquals: {
            "aws:SourceArn": buildArn({
              partition,
              service: "eks",
              region: cluster?.region ?? region,
              account: id,
              resource: `cluster/${clusterName}`,
            }),
          },
        },
      });
      start.cluster = {
        name: clusterName,
        region: cluster?.region ?? region,
        namespace: identity.namespace,
        serviceAccount: identity.serviceAccount,
      };
      break;
    }
    case "ecs-task":
      trust.push({
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          ...sourceAccount,
          ArnLike: { "aws:SourceArn": buildArn({ partition, service: "ecs", region, account: id, resource: "*" }) },
        },
      });
      break;
    case "ec2-instance":
    case "eks-node":
      // EC2 does not send aws:SourceAccount or aws:SourceArn when it assumes an instance role.
      trust.push({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
      break;
    case "lambda":
      trust.push({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: sourceAccount });
      break;
    case "mwaa":
      trust.push({
        Effect: "Allow",
        Principal: { Service: ["airflow.amazonaws.com", "airflow-env.amazonaws.com"] },
        Action: "sts:AssumeRole",
        Condition: {
          ...sourceAccount,
          ArnLike: {
            "aws:SourceArn": buildArn({
              partition,
              service: "airflow",
              region,
              account: id,
              resource: `environment/${identity.environment}`,
            }),
          },
        },
      });
      break;
  }
  account.roles.set(roleName, {
    name: roleName,
    path: "/",
    arn,
    description: `xacct: ${identity.type} identity of workload ${name}`,
    trustPolicy: policyDocument(trust),
    policies: new Map(),
    managedPolicyArns: [],
    maxSessionDuration: MAX_SESSION_DURATION.default,
    tags: new Map([["xacct:workload", name]]),
    ...(identity.type === "ec2-instance" || identity.type === "eks-node" ? { instanceProfile: true } : {}),
    ...("existing" in identity && identity.existing ? { existing: true as const } : {}),
  });
  return start;
}

/** The principal a trust or resource policy names to admit the workload. */
export function principalOf(start: StartIdentity, partition: string): string {
  return start.roleArn ?? start.userArn ?? rootArn(partition, start.account);
}
