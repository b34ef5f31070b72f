/**
 * An organization-wide log archive (issue 13, setup 2): a bucket in a `logging` account that every
 * principal of organization o-a1b2c3d4e5, or of one OU, may write to under AWSLogs/<own account>/.
 * Account `app` sits in OU ou-ab12-22222222 under root r-ab12; account `loose` declares no
 * organization; account `tools` sits in a sibling OU, ou-ab12-33333333. Roles are added by hand where a test needs a principal with its own permissions.
 */
import { roleArn, rootArn } from "../../src/aws/arn.js";
import type { AccountState, PolicyDocument } from "../../src/state/account-state.js";

export const ORG = "o-a1b2c3d4e5";
export const LOGGING = "333333333333";
export const APP = "111111111111";
export const LOOSE = "444444444444";
export const TOOLS = "555555555555";
export const BUCKET = "org-log-archive";

/** The model, its grant to `grantees` (YAML flow text, e.g. `{organization: true}`). */
export function logArchiveModel(grantees: string, extra = ""): string {
  return `version: 1
name: logs
accounts:
  logging: {id: "${LOGGING}", region: eu-west-1, organization: ${ORG}, ou: [r-ab12, ou-ab12-11111111]}
  app: {id: "${APP}", region: eu-west-1, organization: ${ORG}, ou: [r-ab12, ou-ab12-22222222]}
  tools: {id: "${TOOLS}", region: eu-west-1, organization: ${ORG}, ou: [r-ab12, ou-ab12-33333333]}
  loose: {id: "${LOOSE}", region: eu-west-1}
workloads: {}
grants:
  - grantees: ${grantees}
    account: logging
    service: s3
    access: [write]
    resources: {bucket: ${BUCKET}, prefix: "AWSLogs/\${aws:PrincipalAccount}/"}
    via: resource-policy
${extra}`;
}

/**
 * Adds a role whose own identity policy allows `actions` on everything (its account's
 * administrators' side), trusting its own account: a user `operator` with access keys, also added,
 * may assume it (AWS refuses AssumeRole with an account root's keys).
 */
export function addWriterRole(state: AccountState, account: string, name: string, actions: string[]): string {
  const entry = state.accounts.get(account);
  if (!entry) throw new Error(`no account ${account}`);
  const arn = roleArn(entry.partition, account, name);
  const own: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] };
  entry.roles.set(name, {
    name,
    path: "/",
    arn,
    trustPolicy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: rootArn(entry.partition, account) }, Action: "sts:AssumeRole" }],
    },
    policies: new Map([["own", own]]),
    managedPolicyArns: [],
    maxSessionDuration: 3600,
    tags: new Map(),
  });
  const operator = `arn:${entry.partition}:iam::${account}:user/operator`;
  entry.users.set("operator", {
    name: "operator",
    path: "/",
    arn: operator,
    policies: new Map([["assume", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: arn }] }]]),
    managedPolicyArns: [],
    accessKeys: true,
    tags: new Map(),
  });
  return arn;
}
