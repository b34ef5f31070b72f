/**
 * Instance profiles: CreateInstanceProfile, GetInstanceProfile, AddRoleToInstanceProfile,
 * RemoveRoleFromInstanceProfile, DeleteInstanceProfile. The sandbox's IamMeta keeps them (the
 * state says only whether a role is in one: `instanceProfile`, kept in step here, so that
 * DeleteRole refuses a role still in a profile and every reader of the state sees it);
 * GetAccountAuthorizationDetails lists each in its role's InstanceProfileList, and EC2's
 * RunInstances (../services/ec2.ts) launches instances with them.
 *
 * As IAM's API reference says: a profile holds at most one role (LimitExceeded), adding a role
 * needs iam:PassRole on it besides iam:AddRoleToInstanceProfile, and a profile that still holds
 * a role cannot be deleted (DeleteConflict).
 */
import type { AccountEntry, RoleState } from "../../state/account-state.js";
import { uniqueId } from "../../state/unique-id.js";
import { arnOf, authorize, byName, changed, type IamAction, type IamCall } from "./call.js";
import { entityArn, entityNamed, nameParam, ROLES, tagContext } from "./entity.js";
import type { InstanceProfileMeta, IamMeta } from "./meta.js";
import { alreadyExists, deleteConflict, limitExceeded, NAME, noSuchEntity, PATH } from "./params.js";
import { roleShape, tagList } from "./render.js";

/** IAM's quotas: instance profiles per account, roles per instance profile. */
const PROFILES_PER_ACCOUNT = 1000;
const ROLES_PER_PROFILE = 1;
/** InstanceProfileName: IAM's name pattern, up to 128 characters. */
const PROFILE_NAME = { ...NAME, max: 128 };

function profileName(call: IamCall): string {
  return call.params.required("InstanceProfileName", "instanceProfileName", PROFILE_NAME);
}

/** The ARN the engine is asked about: the existing profile's, else the name's at path /. */
function profileArn(call: IamCall, name: string): string {
  return byName(call.meta.instanceProfiles(call.account), name)?.arn ?? arnOf(call, "instance-profile", name);
}

/** The profile named, or IAM's NoSuchEntity. */
function profileNamed(call: IamCall, name: string): InstanceProfileMeta {
  const profile = byName(call.meta.instanceProfiles(call.account), name);
  if (!profile) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return profile;
}

/** An InstanceProfile as IAM's calls return it, with the role it holds. */
function profileShape(call: IamCall, profile: InstanceProfileMeta): Record<string, unknown> {
  const role = profile.role === undefined ? undefined : byName(call.account.roles, profile.role);
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: uniqueId("AIPA", profile.arn),
    Arn: profile.arn,
    CreateDate: call.meta.createDate(profile.arn),
    Roles: role ? [roleShape(role, call.meta.createDate(role.arn), true)] : [],
    ...(profile.tags.size ? { Tags: tagList(profile.tags) } : {}),
  };
}

/** Keeps the state's `instanceProfile` in step: whether any profile of the account holds the role. */
function syncRole(meta: IamMeta, account: AccountEntry, role: RoleState): void {
  const held = [...meta.instanceProfiles(account).values()].some((p) => p.role === role.name);
  if (held) role.instanceProfile = true;
  else delete role.instanceProfile;
}

const createInstanceProfile: IamAction = (call) => {
  const name = profileName(call);
  const path = call.params.optional("Path", "path", PATH) ?? "/";
  const tags = call.params.tags();
  const arn = arnOf(call, "instance-profile", name, path);
  authorize(call, "iam:CreateInstanceProfile", arn, tagContext(tags));
  const profiles = call.meta.instanceProfiles(call.account);
  if (byName(profiles, name)) throw alreadyExists(`Instance Profile ${name} already exists.`);
  if (profiles.size >= PROFILES_PER_ACCOUNT)
    throw limitExceeded(`Cannot exceed quota for InstanceProfilesPerAccount: ${PROFILES_PER_ACCOUNT}`);
  const profile: InstanceProfileMeta = { name, path, arn, tags };
  profiles.set(name, profile);
  call.meta.create(arn, call.now);
  return { InstanceProfile: profileShape(call, profile) };
};

const getInstanceProfile: IamAction = (call) => {
  const name = profileName(call);
  authorize(call, "iam:GetInstanceProfile", profileArn(call, name));
  return { InstanceProfile: profileShape(call, profileNamed(call, name)) };
};

const addRoleToInstanceProfile: IamAction = (call) => {
  const name = profileName(call);
  const roleName = nameParam(call, ROLES);
  authorize(call, "iam:AddRoleToInstanceProfile", profileArn(call, name));
  // "The caller of this operation must be granted the PassRole permission on the IAM role" (the API reference).
  authorize(call, "iam:PassRole", entityArn(call, ROLES, roleName));
  const profile = profileNamed(call, name);
  const role = entityNamed(call, ROLES, roleName);
  if (profile.role !== undefined) throw limitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_PROFILE}`);
  profile.role = role.name;
  syncRole(call.meta, call.account, role);
  changed(call);
  return undefined;
};

const removeRoleFromInstanceProfile: IamAction = (call) => {
  const name = profileName(call);
  const roleName = nameParam(call, ROLES);
  authorize(call, "iam:RemoveRoleFromInstanceProfile", profileArn(call, name));
  const profile = profileNamed(call, name);
  const role = entityNamed(call, ROLES, roleName);
  if (profile.role !== role.name) throw noSuchEntity(`The role with name ${roleName} cannot be found in instance profile ${profile.name}.`);
  delete profile.role;
  syncRole(call.meta, call.account, role);
  changed(call);
  return undefined;
};

const deleteInstanceProfile: IamAction = (call) => {
  const name = profileName(call);
  authorize(call, "iam:DeleteInstanceProfile", profileArn(call, name));
  const profile = profileNamed(call, name);
  if (profile.role !== undefined) throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  call.meta.instanceProfiles(call.account).delete(profile.name);
  call.meta.forget(profile.arn);
  return undefined;
};

export const INSTANCE_PROFILE_ACTIONS: Record<string, IamAction> = {
  CreateInstanceProfile: createInstanceProfile,
  GetInstanceProfile: getInstanceProfile,
  AddRoleToInstanceProfile: addRoleToInstanceProfile,
  RemoveRoleFromInstanceProfile: removeRoleFromInstanceProfile,
  DeleteInstanceProfile: deleteInstanceProfile,
};
