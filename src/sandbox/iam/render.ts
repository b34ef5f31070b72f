/**
 * IAM's response shapes (Role, User, Policy, tags) and their query-protocol rendering: lists as
 * `<member>` elements, policy documents URL-encoded, booleans and numbers as text.
 */
import type { RoleState, UserState } from "../../state/account-state.js";
import { uniqueId } from "../../state/unique-id.js";
import { encodeDocument } from "./documents.js";

/** Members that hold a policy document: IAM sends them URL-encoded. */
const DOCUMENTS = new Set(["AssumeRolePolicyDocument", "PolicyDocument", "Document"]);

/** A response object as the query protocol's XML carries it. */
export function queryShape(value: unknown, key = ""): unknown {
  if (DOCUMENTS.has(key) && typeof value === "object" && value !== null) return encodeDocument(value);
  if (Array.isArray(value)) return value.length ? { member: value.map((v) => queryShape(v)) } : "";
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, queryShape(v, k)]));
  return value;
}

/** The current time as IAM's dates are written (ISO 8601, seconds). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function tagList(tags: ReadonlyMap<string, string>): { Key: string; Value: string }[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

function boundary(arn: string | undefined): Record<string, unknown> {
  return arn ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn } } : {};
}

function tagsOf(tags: ReadonlyMap<string, string>): Record<string, unknown> {
  return tags.size ? { Tags: tagList(tags) } : {};
}

/**
 * A Role as GetRole and CreateRole return it. ListRoles leaves out PermissionsBoundary, Tags
 * and RoleLastUsed (`listed`), as its API reference says.
 */
export function roleShape(role: RoleState, createDate: string, listed = false): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: uniqueId("AROA", role.arn),
    Arn: role.arn,
    CreateDate: createDate,
    AssumeRolePolicyDocument: role.trustPolicy,
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
    ...(listed ? {} : { ...boundary(role.permissionsBoundaryArn), ...tagsOf(role.tags), RoleLastUsed: {} }),
  };
}

/** A User as GetUser and CreateUser return it (ListUsers leaves out the boundary and tags). */
export function userShape(user: UserState, createDate: string, listed = false): Record<string, unknown> {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: uniqueId("AIDA", user.arn),
    Arn: user.arn,
    CreateDate: createDate,
    ...(listed ? {} : { ...boundary(user.permissionsBoundaryArn), ...tagsOf(user.tags) }),
  };
}
