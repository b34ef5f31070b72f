/**
 * Models whose first identities are an OIDC issuer's token (GitHub Actions) and an IAM Identity
 * Center permission set, for the compile, graph and sandbox tests of those identities.
 */
export const TOOLS = "111111111111";
export const PROD = "222222222222";
export const SECURITY = "333333333333";
export const GITHUB = "token.actions.githubusercontent.com";
/** GitHub's subject for a job on a branch: `repo:<orgName/repoName>:ref:refs/heads/branchName` (GitHub docs). */
export const MAIN = "repo:acme/app:ref:refs/heads/main";

/** GitHub Actions (tools) deploys into prod through a role there; a security team's permission set reads prod's logs. */
export function identitiesModel(deployer = `{ type: oidc, issuer: "https://${GITHUB}", subject: "${MAIN}", role: gha-deploy }`): string {
  return `version: 1
name: ci
accounts:
  tools: { id: "${TOOLS}", region: us-east-1 }
  prod: { id: "${PROD}", region: us-east-1 }
  security: { id: "${SECURITY}", region: eu-west-2 }
workloads:
  deployer:
    account: tools
    identity: ${deployer}
  auditor:
    account: security
    identity: { type: sso, permissionSet: SecurityAudit, startUrl: "https://d-1234567890.awsapps.com/start" }
grants:
  - { workload: deployer, account: prod, service: s3, access: [read], resources: { bucket: artifacts }, role: { name: prod-deploy } }
  - { workload: auditor, account: prod, service: s3, access: [read], resources: { bucket: logs }, role: { name: audit-read } }
`;
}
