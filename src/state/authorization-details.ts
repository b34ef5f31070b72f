/**
 * AccountState back to the format of `aws iam get-account-authorization-details`, so what a model
 * would create can be written as an inventory (and read back by loadInventory), and so the
 * sandbox can answer GetAccountAuthorizationDetails as AWS does.
 */
import type { AccountEntry } from "./account-state.js";

const DATE = "2026-01-01T00:00:00Z";

/** The account's IAM in that format: a copy, sharing no object with the state. */
export function authorizationDetails(account: AccountEntry): Record<string, unknown> {
  return structuredClone(details(account));
}

function details(account: AccountEntry): Record<string, unknown> {
  const inline = (policies: Record<string, unknown>) => Object.entries(policies).map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument }));
  const attachedList = (arns: string[]) => arns.map((PolicyArn) => ({ PolicyName: PolicyArn.slice(PolicyArn.lastIndexOf("/") + 1), PolicyArn }));
  const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    UserDetailList: [...account.users.values()].map((u) => ({
      Path: u.path,
      UserName: u.name,
      UserId: uniqueId("AIDA", u.arn),
      Arn: u.arn,
      CreateDate: DATE,
      UserPolicyList: inline(u.policies),
      GroupList: u.groups ?? [],
      AttachedManagedPolicies: attachedList(u.managedPolicyArns),
      ...(u.permissionsBoundaryArn ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: u.permissionsBoundaryArn } } : {}),
      Tags: tagList(u.tags),
    })),
    GroupDetailList: [...account.groups.values()].map((g) => ({
      Path: "/",
      GroupName: g.name,
      GroupId: uniqueId("AGPA", g.arn),
      Arn: g.arn,
      CreateDate: DATE,
      GroupPolicyList: inline(g.policies),
      AttachedManagedPolicies: attachedList(g.managedPolicyArns),
    })),
    RoleDetailList: [...account.roles.values()].map((r) => ({
      Path: r.path,
      RoleName: r.name,
      RoleId: uniqueId("AROA", r.arn),
      Arn: r.arn,
      CreateDate: DATE,
      AssumeRolePolicyDocument: r.trustPolicy,
      InstanceProfileList: r.instanceProfile ? [{ Path: "/", InstanceProfileName: r.name, InstanceProfileId: uniqueId("AIPA", r.arn), Arn: r.arn.replace(":role/", ":instance-profile/"), CreateDate: DATE, Roles: [] }] : [],
      RolePolicyList: inline(r.policies),
      AttachedManagedPolicies: attachedList(r.managedPolicyArns),
      ...(r.permissionsBoundaryArn ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: r.permissionsBoundaryArn } } : {}),
      Tags: tagList(r.tags),
      RoleLastUsed: {},
    })),
    Policies: [...account.managedPolicies.entries()].map(([arn, document]) => ({
      PolicyName: arn.slice(arn.lastIndexOf("/") + 1),
      PolicyId: uniqueId("ANPA", arn),
      Arn: arn,
      Path: "/",
      DefaultVersionId: "v1",
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: DATE,
      UpdateDate: DATE,
      PolicyVersionList: [{ Document: document, VersionId: "v1", IsDefaultVersion: true, CreateDate: DATE }],
    })),
  };
}

/** A stable IAM-style unique ID (prefix + 17 characters) derived from the ARN. */
function uniqueId(prefix: string, arn: string): string {
  let hash = 2166136261;
  let out = "";
  for (let round = 0; out.length < 17; round++) {
    for (const ch of `${arn}#${round}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += hash.toString(36).toUpperCase();
  }
  return prefix + out.slice(0, 17);
}
