/**
 * Each workload's first identity, as AWS's documentation sets each one up: the role (or user)
 * and a trust policy that admits exactly the service or service account that runs it.
 */
import { MAX_SESSION_DURATION } from "../aws/limits.js";
import type { ModelWorkload } from "../model/schema.js";
import { buildArn, oidcProviderArn, roleArn, rootArn, samlProviderArn, userArn } from "../aws/arn.js";
import { defaultAudience, OIDC_TOKEN_FILE } from "../model/oidc-issuers.js";
import { type AccountEntry, policyDocument, type PolicyStatement, type RoleState } from "../state/account-state.js";
import { type StartIdentity, WEB_IDENTITY_TOKEN_FILE } from "./plan.js";

/** The path of the roles IAM Identity Center creates for permission sets (its service-linked role's policy names it). */
export const SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/";

/** EKS's audience for IRSA tokens (EKS user guide: the trust's `<issuer>:aud` is sts.amazonaws.com). */
const EKS_AUDIENCE = "sts.amazonaws.com";

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
  if (identity.type === "sso") {
    // The role is AWS's (IAM Identity Center creates it on assignment and only AWS may modify it): xacct writes nothing here.
    return {
      type: "sso",
      account: id,
      sso: { permissionSet: identity.permissionSet, startUrl: identity.startUrl, region: identity.region ?? region },
    };
  }
  const arn = roleArn(partition, id, roleName);
  const trust: PolicyStatement[] = [];
  const start: StartIdentity = { type: identity.type, account: id, roleArn: arn };
  const sourceAccount = { StringEquals: { "aws:SourceAccount": id } };
  switch (identity.type) {
    case "irsa": {
      if (!cluster?.issuer) throw new Error(`workload ${name}: cluster has no OIDC issuer`);
      // EKS's issuer is one OIDC issuer among others: its tokens carry aud sts.amazonaws.com and sub system:serviceaccount:NS:SA.
      const issuer = cluster.issuer;
      const subject = `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
      const web = webIdentityStart(account, issuer, EKS_AUDIENCE, [subject]);
      trust.push(webIdentityTrust(web));
      Object.assign(start, {
        webIdentityTokenFile: WEB_IDENTITY_TOKEN_FILE,
        webIdentity: web,
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
    case "oidc": {
      const issuer = identity.issuer.replace(/^https:\/\//, "");
      const audience = identity.audience ?? defaultAudience(identity.issuer);
      if (audience === undefined) throw new Error(`workload ${name}: issuer ${identity.issuer} needs an audience`);
      const subject = identity.subject;
      const web = webIdentityStart(
        account,
        issuer,
        audience,
        typeof subject === "string" ? [subject] : Array.isArray(subject) ? subject : "any",
      );
      trust.push(webIdentityTrust(web));
      Object.assign(start, { webIdentityTokenFile: identity.tokenFile ?? OIDC_TOKEN_FILE, webIdentity: web });
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

/**
 * The IAM OIDC provider for an issuer in the account (its client IDs gathered from every workload
 * that trusts it: one provider per issuer and account, as IAM allows), and what the first role's
 * trust admits.
 */
function webIdentityStart(
  account: AccountEntry,
  issuer: string,
  audience: string,
  subjects: string[] | "any",
): NonNullable<StartIdentity["webIdentity"]> {
  const providerArn = oidcProviderArn(account.partition, account.id, issuer);
  const known = account.oidcProviders.get(providerArn);
  const clientIds = known ? [...new Set([...known.clientIds, audience])] : [audience];
  account.oidcProviders.set(providerArn, { arn: providerArn, issuer, clientIds });
  return { issuer, providerArn, audience, subjects };
}

/**
 * A trust admitting tokens of the provider for the audience (StringEquals `<issuer>:aud`) and the
 * subjects (StringEquals `<issuer>:sub`, or StringLike where one holds `*` or `?`). "any" leaves
 * out the sub condition, which finding XA006 reports.
 */
function webIdentityTrust(web: NonNullable<StartIdentity["webIdentity"]>): PolicyStatement {
  const { issuer, providerArn, audience, subjects } = web;
  const aud = { [`${issuer}:aud`]: audience };
  const sub = subjects === "any" ? undefined : subjects.length === 1 ? (subjects[0] as string) : subjects;
  const pattern = subjects !== "any" && subjects.some((s) => /[*?]/.test(s));
  return {
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition:
      sub === undefined
        ? { StringEquals: aud }
        : pattern
          ? { StringLike: { [`${issuer}:sub`]: sub }, StringEquals: aud }
          : { StringEquals: { [`${issuer}:sub`]: sub, ...aud } },
  };
}

/** The principal a trust or resource policy names to admit the workload. */
export function principalOf(start: StartIdentity, partition: string): string {
  return start.roleArn ?? start.userArn ?? rootArn(partition, start.account);
}

/**
 * For a permission set's role: the `aws:PrincipalArn` patterns (ArnLike) that admit it while the
 * policy names its account. IAM Identity Center names the role AWSReservedSSO_<set>_<suffix> under
 * /aws-reserved/sso.amazonaws.com/, with a region segment unless the identity source is in
 * us-east-1 (IAM Identity Center user guide, "Referencing permission sets"), and a new suffix on
 * each reassignment; a policy naming the role's ARN would break then, so both shapes are matched
 * by pattern. The `_` after the set's name keeps `Audit` from matching `AuditAdmin`.
 */
export function principalPatternsOf(start: StartIdentity, partition: string): string[] | undefined {
  if (start.type !== "sso" || !start.sso) return undefined;
  const role = `AWSReservedSSO_${start.sso.permissionSet}_*`;
  return [roleArn(partition, start.account, role, SSO_ROLE_PATH), roleArn(partition, start.account, role, `${SSO_ROLE_PATH}*/`)];
}

/** The suffix of a permission set role's stand-in: AWS's is 16 characters, unknown until assignment. */
export const STAND_IN_SUFFIX = "0000000000000000";

/**
 * A stand-in for the role IAM Identity Center makes for a permission set in an account, for proving
 * a model before the set is assigned: named AWSReservedSSO_<set>_<16 zeros> under the path of the
 * identity source's region, as AWS names the real one, trusting (as AWS's does) the account's
 * IAM Identity Center SAML provider, with the statements the manual steps add to the set.
 */
export function permissionSetStandIn(
  account: AccountEntry,
  set: { name: string; region: string; statements: PolicyStatement[] },
): RoleState {
  const name = `AWSReservedSSO_${set.name}_${STAND_IN_SUFFIX}`;
  const path = set.region === "us-east-1" ? SSO_ROLE_PATH : `${SSO_ROLE_PATH}${set.region}/`;
  const provider = samlProviderArn(account.partition, account.id, `AWSSSO_${STAND_IN_SUFFIX}_DO_NOT_DELETE`);
  return {
    name,
    path,
    arn: roleArn(account.partition, account.id, name, path),
    trustPolicy: policyDocument([
      { Effect: "Allow", Principal: { Federated: provider }, Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"] },
    ]),
    policies: new Map([[`permission-set-${set.name}`, policyDocument(set.statements)]]),
    managedPolicyArns: [],
    maxSessionDuration: MAX_SESSION_DURATION.default,
    tags: new Map(),
  };
}

/** The condition a statement naming `principalOf(start)` adds to admit only the workload. */
export function principalConditionOf(start: StartIdentity, partition: string): PolicyStatement["Condition"] | undefined {
  const patterns = principalPatternsOf(start, partition);
  return patterns ? { ArnLike: { "aws:PrincipalArn": patterns } } : undefined;
}
