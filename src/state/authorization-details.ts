/**
 * AccountState back to the format of `aws iam get-account-authorization-details`, so what a model
 * would create can be written as an inventory (and read back by loadInventory), and so the
 * sandbox can answer GetAccountAuthorizationDetails as AWS does.
 */
import type { AccountEntry, PolicyDocument, RoleState } from "./account-state.js";
import { uniqueId } from "./unique-id.js";

const DATE = "2026-01-01T00:00:00Z";

/** A managed policy's version, as the PolicyVersionList shows it. */
export interface PolicyVersionFacts {
  VersionId: string;
  Document: PolicyDocument;
  CreateDate: string;
}

/** What IAM knows of a customer managed policy beyond its default document. */
export interface ManagedPolicyFacts {
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  versions: PolicyVersionFacts[];
}

/** An instance profile holding a role, as IAM lists it in the role's InstanceProfileList. */
export interface InstanceProfileFacts {
  name: string;
  path: string;
  arn: string;
  createDate: string;
}

/**
 * What a live IAM (the sandbox's) knows that the state does not hold. Without it, every entity
 * was created on one fixed date and each managed policy has one version, v1.
 */
export interface DetailsFacts {
  /** When the entity with this ARN was created, ISO 8601. */
  createDate?(arn: string): string;
  managedPolicy?(arn: string): ManagedPolicyFacts | undefined;
  /** AWS managed policies' documents by ARN: those attached to an entity of the account are listed too, as AWS lists them. */
  awsManagedPolicies?: ReadonlyMap<string, PolicyDocument>;
  /**
   * The instance profiles holding the role. Without it, a role with `instanceProfile` is in one
   * profile of its own name and path (as the emitters create it), any other in none.
   */
  instanceProfiles?(role: RoleState): InstanceProfileFacts[];
}

/** The account's IAM in that format: a copy, sharing no object with the state. */
export function authorizationDetails(account: AccountEntry, facts: DetailsFacts = {}): Record<string, unknown> {
  return structuredClone(details(account, facts));
}

/** A managed policy ARN's path (`arn:aws:iam::1:policy/team/P` → `/team/`) and name. */
export function policyPathAndName(arn: string): { path: string; name: string } {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  const last = resource.lastIndexOf("/");
  return { path: resource.slice(0, last + 1), name: resource.slice(last + 1) };
}

function details(account: AccountEntry, facts: DetailsFacts): Record<string, unknown> {
  const created = (arn: string) => facts.createDate?.(arn) ?? DATE;
  const entities = [...account.users.values(), ...account.roles.values()];
  const holders = [...entities, ...account.groups.values()];
  const attachments = (arn: string) => holders.filter((h) => h.managedPolicyArns.includes(arn)).length;
  const boundaryUses = (arn: string) => entities.filter((e) => e.permissionsBoundaryArn === arn).length;
  const awsManaged = [...(facts.awsManagedPolicies ?? new Map<string, PolicyDocument>())].filter(
    ([arn]) => attachments(arn) + boundaryUses(arn) > 0,
  );
  const managedPolicy = ([arn, document]: [string, PolicyDocument]) => {
    const known = facts.managedPolicy?.(arn);
    const { path, name } = policyPathAndName(arn);
    const versions = known?.versions ?? [{ VersionId: "v1", Document: document, CreateDate: created(arn) }];
    const defaultVersionId = known?.defaultVersionId ?? "v1";
    return {
      PolicyName: name,
      PolicyId: uniqueId("ANPA", arn),
      Arn: arn,
      Path: path,
      DefaultVersionId: defaultVersionId,
      AttachmentCount: attachments(arn),
      PermissionsBoundaryUsageCount: boundaryUses(arn),
      IsAttachable: true,
      ...(known?.description !== undefined ? { Description: known.description } : {}),
      CreateDate: known?.createDate ?? created(arn),
      UpdateDate: known?.updateDate ?? created(arn),
      PolicyVersionList: versions.map((v) => ({
        Document: v.Document,
        VersionId: v.VersionId,
        IsDefaultVersion: v.VersionId === defaultVersionId,
        CreateDate: v.CreateDate,
      })),
    };
  };
  const inline = (policies: ReadonlyMap<string, PolicyDocument>) =>
    [...policies].map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument }));
  const attachedList = (arns: string[]) =>
    arns.map((PolicyArn) => ({ PolicyName: PolicyArn.slice(PolicyArn.lastIndexOf("/") + 1), PolicyArn }));
  const tagList = (tags: ReadonlyMap<string, string>) => [...tags].map(([Key, Value]) => ({ Key, Value }));
  const profilesOf = (r: RoleState): InstanceProfileFacts[] =>
    facts.instanceProfiles?.(r) ??
    (r.instanceProfile
      ? [{ name: r.name, path: r.path, arn: r.arn.replace(":role/", ":instance-profile/"), createDate: created(r.arn) }]
      : []);
  // Each profile lists the role it holds (IAM's InstanceProfile.Roles), as AWS prints it.
  const roleSummary = (r: RoleState) => ({
    Path: r.path,
    RoleName: r.name,
    RoleId: uniqueId("AROA", r.arn),
    Arn: r.arn,
    CreateDate: created(r.arn),
    AssumeRolePolicyDocument: r.trustPolicy,
  });
  return {
    UserDetailList: [...account.users.values()].map((u) => ({
      Path: u.path,
      UserName: u.name,
      UserId: uniqueId("AIDA", u.arn),
      Arn: u.arn,
      CreateDate: created(u.arn),
      UserPolicyList: inline(u.policies),
      GroupList: u.groups ?? [],
      AttachedManagedPolicies: attachedList(u.managedPolicyArns),
      ...(u.permissionsBoundaryArn
        ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: u.permissionsBoundaryArn } }
        : {}),
      Tags: tagList(u.tags),
    })),
    GroupDetailList: [...account.groups.values()].map((g) => ({
      Path: "/",
      GroupName: g.name,
      GroupId: uniqueId("AGPA", g.arn),
      Arn: g.arn,
      CreateDate: created(g.arn),
      GroupPolicyList: inline(g.policies),
      AttachedManagedPolicies: attachedList(g.managedPolicyArns),
    })),
    RoleDetailList: [...account.roles.values()].map((r) => ({
      ...roleSummary(r),
      InstanceProfileList: profilesOf(r).map((p) => ({
        Path: p.path,
        InstanceProfileName: p.name,
        InstanceProfileId: uniqueId("AIPA", p.arn),
        Arn: p.arn,
        CreateDate: p.createDate,
        Roles: [roleSummary(r)],
      })),
      RolePolicyList: inline(r.policies),
      AttachedManagedPolicies: attachedList(r.managedPolicyArns),
      ...(r.permissionsBoundaryArn
        ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: r.permissionsBoundaryArn } }
        : {}),
      Tags: tagList(r.tags),
      RoleLastUsed: {},
    })),
    Policies: [...account.managedPolicies.entries(), ...awsManaged].map(managedPolicy),
  };
}
