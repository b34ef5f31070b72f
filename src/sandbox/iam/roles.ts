/**
 * Roles and users themselves: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
 * UpdateAssumeRolePolicy, DeleteRole; CreateUser, GetUser, ListUsers, DeleteUser.
 */
import { MAX_SESSION_DURATION } from "../../aws/limits.js";
import type { RoleState, UserState } from "../../state/account-state.js";
import { arnOf, authorize, byName, changed, type IamAction, type IamCall } from "./call.js";
import { readDocument, sizeOfText } from "./documents.js";
import { entityArn, entityNamed, nameParam, refuseWhileAttached, requireBoundary, ROLES, tagContext, USERS } from "./entity.js";
import {
  alreadyExists,
  ARN,
  DESCRIPTION,
  deleteConflict,
  DOCUMENT,
  limitExceeded,
  NAME,
  page,
  PATH,
  PATH_PREFIX,
  validationError,
} from "./params.js";
import { roleShape, userShape } from "./render.js";

/** IAM's default quotas: roles and users per account, trust policy characters. */
const ROLES_PER_ACCOUNT = 1000;
const USERS_PER_ACCOUNT = 5000;
const TRUST_SIZE = 2048;

function maxSessionDuration(call: IamCall): number | undefined {
  return call.params.integer("MaxSessionDuration", "maxSessionDuration", MAX_SESSION_DURATION.min, MAX_SESSION_DURATION.max);
}

function trustPolicy(call: IamCall, text: string) {
  if (sizeOfText(text) > TRUST_SIZE) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_SIZE}`);
  return readDocument(text, "trust", call.core.state);
}

/** The permissions boundary a create call names, and the request key that says so. */
function boundaryParam(call: IamCall): { arn: string | undefined; context: Record<string, string> } {
  const arn = call.params.optional("PermissionsBoundary", "permissionsBoundary", ARN);
  return { arn, context: arn ? { "iam:PermissionsBoundary": arn } : {} };
}

const createRole: IamAction = (call) => {
  const name = nameParam(call, ROLES);
  const path = call.params.optional("Path", "path", PATH) ?? "/";
  const text = call.params.required("AssumeRolePolicyDocument", "assumeRolePolicyDocument", DOCUMENT);
  const description = call.params.optional("Description", "description", DESCRIPTION);
  const duration = maxSessionDuration(call);
  const boundary = boundaryParam(call);
  const tags = call.params.tags();
  const arn = arnOf(call, "role", name, path);
  authorize(call, "iam:CreateRole", arn, { ...tagContext(tags), ...boundary.context });
  if (byName(call.account.roles, name)) throw alreadyExists(`Role with name ${name} already exists.`);
  const trust = trustPolicy(call, text);
  if (boundary.arn) requireBoundary(call, boundary.arn);
  if (call.account.roles.size >= ROLES_PER_ACCOUNT) throw limitExceeded(`Cannot exceed quota for RolesPerAccount: ${ROLES_PER_ACCOUNT}`);
  const role: RoleState = {
    name,
    path,
    arn,
    ...(description !== undefined ? { description } : {}),
    trustPolicy: trust,
    policies: new Map(),
    managedPolicyArns: [],
    maxSessionDuration: duration ?? MAX_SESSION_DURATION.default,
    ...(boundary.arn ? { permissionsBoundaryArn: boundary.arn } : {}),
    tags,
  };
  call.account.roles.set(name, role);
  call.meta.create(arn, call.now);
  changed(call);
  return { Role: roleShape(role, call.now) };
};

const getRole: IamAction = (call) => {
  const name = nameParam(call, ROLES);
  authorize(call, "iam:GetRole", entityArn(call, ROLES, name));
  const role = entityNamed(call, ROLES, name);
  return { Role: roleShape(role, call.meta.createDate(role.arn)) };
};

/** ListRoles and ListUsers: the account's entities under a path prefix, a page at a time. */
function lister<E extends RoleState | UserState>(
  plural: "Roles" | "Users",
  entities: (call: IamCall) => Map<string, E>,
  shape: (e: E, date: string) => Record<string, unknown>,
): IamAction {
  return (call) => {
    const prefix = call.params.optional("PathPrefix", "pathPrefix", PATH_PREFIX) ?? "/";
    authorize(call, `iam:List${plural}`, arnOf(call, plural === "Roles" ? "role" : "user", ""));
    const all = [...entities(call).values()].filter((e) => e.path.startsWith(prefix));
    const { items, ...more } = page(all, call.params);
    return { [plural]: items.map((e) => shape(e, call.meta.createDate(e.arn))), ...more };
  };
}

const updateRole: IamAction = (call) => {
  const name = nameParam(call, ROLES);
  const description = call.params.optional("Description", "description", DESCRIPTION);
  const duration = maxSessionDuration(call);
  authorize(call, "iam:UpdateRole", entityArn(call, ROLES, name));
  const role = entityNamed(call, ROLES, name);
  if (description !== undefined) role.description = description;
  if (duration !== undefined) role.maxSessionDuration = duration;
  changed(call);
  return {};
};

const updateRoleDescription: IamAction = (call) => {
  const name = nameParam(call, ROLES);
  const description = call.params.required("Description", "description", DESCRIPTION);
  authorize(call, "iam:UpdateRoleDescription", entityArn(call, ROLES, name));
  const role = entityNamed(call, ROLES, name);
  role.description = description;
  changed(call);
  return { Role: roleShape(role, call.meta.createDate(role.arn)) };
};

const updateAssumeRolePolicy: IamAction = (call) => {
  const name = nameParam(call, ROLES);
  const text = call.params.required("PolicyDocument", "policyDocument", DOCUMENT);
  authorize(call, "iam:UpdateAssumeRolePolicy", entityArn(call, ROLES, name));
  const role = entityNamed(call, ROLES, name);
  role.trustPolicy = trustPolicy(call, text);
  changed(call);
  return undefined;
};

const deleteRole: IamAction = (call) => {
  const name = nameParam(call, ROLES);
  authorize(call, "iam:DeleteRole", entityArn(call, ROLES, name));
  const role = entityNamed(call, ROLES, name);
  const conflict =
    refuseWhileAttached(role) ??
    (role.instanceProfile ? "Cannot delete entity, must remove roles from instance profile first." : undefined);
  if (conflict) throw deleteConflict(conflict);
  call.account.roles.delete(role.name);
  call.meta.forget(role.arn);
  changed(call);
  return undefined;
};

const createUser: IamAction = (call) => {
  const name = nameParam(call, USERS);
  const path = call.params.optional("Path", "path", PATH) ?? "/";
  const boundary = boundaryParam(call);
  const tags = call.params.tags();
  const arn = arnOf(call, "user", name, path);
  authorize(call, "iam:CreateUser", arn, { ...tagContext(tags), ...boundary.context });
  if (byName(call.account.users, name)) throw alreadyExists(`User with name ${name} already exists.`);
  if (boundary.arn) requireBoundary(call, boundary.arn);
  if (call.account.users.size >= USERS_PER_ACCOUNT) throw limitExceeded(`Cannot exceed quota for UsersPerAccount: ${USERS_PER_ACCOUNT}`);
  const user: UserState = {
    name,
    path,
    arn,
    policies: new Map(),
    managedPolicyArns: [],
    accessKeys: false,
    tags,
    ...(boundary.arn ? { permissionsBoundaryArn: boundary.arn } : {}),
  };
  call.account.users.set(name, user);
  call.meta.create(arn, call.now);
  changed(call);
  return { User: userShape(user, call.now) };
};

/** GetUser names the user asked for, or without UserName the caller itself (a user, or the root user). */
const getUser: IamAction = (call) => {
  const name = call.params.optional("UserName", "userName", { ...NAME, max: 128 });
  if (name !== undefined) {
    authorize(call, "iam:GetUser", entityArn(call, USERS, name));
    const user = entityNamed(call, USERS, name);
    return { User: userShape(user, call.meta.createDate(user.arn)) };
  }
  authorize(call, "iam:GetUser", call.caller.arn);
  const own = [...call.account.users.values()].find((u) => u.arn === call.caller.arn);
  if (own) return { User: userShape(own, call.meta.createDate(own.arn)) };
  if (call.caller.arn.endsWith(":root"))
    return { User: { UserId: call.account.id, Arn: call.caller.arn, CreateDate: call.meta.createDate(call.caller.arn) } };
  throw validationError("Must specify userName when calling with non-User credentials");
};

const deleteUser: IamAction = (call) => {
  const name = nameParam(call, USERS);
  authorize(call, "iam:DeleteUser", entityArn(call, USERS, name));
  const user = entityNamed(call, USERS, name);
  const conflict =
    refuseWhileAttached(user) ??
    (user.groups?.length ? "Cannot delete entity, must remove users from group first." : undefined) ??
    (user.accessKeys ? "Cannot delete entity, must delete access keys first." : undefined);
  if (conflict) throw deleteConflict(conflict);
  call.account.users.delete(user.name);
  call.meta.forget(user.arn);
  changed(call);
  return undefined;
};

export const ROLE_AND_USER_ACTIONS: Record<string, IamAction> = {
  CreateRole: createRole,
  GetRole: getRole,
  ListRoles: lister(
    "Roles",
    (call) => call.account.roles,
    (r, date) => roleShape(r, date, true),
  ),
  UpdateRole: updateRole,
  UpdateRoleDescription: updateRoleDescription,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  DeleteRole: deleteRole,
  CreateUser: createUser,
  GetUser: getUser,
  ListUsers: lister(
    "Users",
    (call) => call.account.users,
    (u, date) => userShape(u, date, true),
  ),
  DeleteUser: deleteUser,
};
