/**
 * What roles and users share in IAM's API, written once for both: inline policies
 * (Put/Get/List/Delete…Policy), managed policy attachments (Attach/Detach/ListAttached…Policies),
 * permissions boundaries (Put/Delete…PermissionsBoundary) and tags (Tag/Untag/List…Tags).
 */
import type { AccountEntry, RoleState, UserState } from "../../state/account-state.js";
import { arnOf, authorize, byName, changed, type IamAction, type IamCall, requireAttachable } from "./call.js";
import { readDocument, sizeOf, sizeOfText } from "./documents.js";
import { ARN, DOCUMENT, limitExceeded, NAME, noSuchEntity, page, PATH_PREFIX, POLICY_NAME } from "./params.js";
import { tagList } from "./render.js";

/** IAM's default quotas: inline policy characters per role and per user, managed policies attached, tags. */
const QUOTAS = { Role: { inline: 10240, attached: 10 }, User: { inline: 2048, attached: 10 } } as const;
const MAX_TAGS = 50;

/** How a kind of entity is named in IAM's API and messages. */
export interface EntityKind<E extends RoleState | UserState> {
  noun: "Role" | "User";
  entities(account: AccountEntry): Map<string, E>;
}

export const ROLES: EntityKind<RoleState> = { noun: "Role", entities: (a) => a.roles };
export const USERS: EntityKind<UserState> = { noun: "User", entities: (a) => a.users };

/** The `RoleName` / `UserName` parameter, validated. */
export function nameParam(call: IamCall, kind: EntityKind<RoleState | UserState>): string {
  return call.params.required(`${kind.noun}Name`, `${kind.noun.toLowerCase()}Name`, NAME);
}

/** The ARN the engine is asked about for an entity that may not exist: the existing one's, else the name's at path /. */
export function entityArn<E extends RoleState | UserState>(call: IamCall, kind: EntityKind<E>, name: string): string {
  return byName(kind.entities(call.account), name)?.arn ?? arnOf(call, kind.noun.toLowerCase(), name);
}

/** The entity named, or IAM's NoSuchEntity ("The role with name X cannot be found."). */
export function entityNamed<E extends RoleState | UserState>(call: IamCall, kind: EntityKind<E>, name: string): E {
  const entity = byName(kind.entities(call.account), name);
  if (!entity) throw noSuchEntity(`The ${kind.noun.toLowerCase()} with name ${name} cannot be found.`);
  return entity;
}

/** Reads the entity name, asks the engine for `Action` on it, and returns the entity. */
function target<E extends RoleState | UserState>(
  call: IamCall,
  kind: EntityKind<E>,
  action: string,
  context?: (e: E | undefined) => Record<string, string | string[]>,
): E {
  const name = nameParam(call, kind);
  const found = byName(kind.entities(call.account), name);
  authorize(call, `iam:${action}`, entityArn(call, kind, name), context?.(found));
  return entityNamed(call, kind, name);
}

/** The actions roles and users share, named for the kind (`PutRolePolicy`, `PutUserPolicy`, …). */
export function entityActions<E extends RoleState | UserState>(kind: EntityKind<E>): Record<string, IamAction> {
  const N = kind.noun;
  const key = `${N}Name`;
  return {
    [`Put${N}Policy`]: (call) => {
      const policyName = call.params.required("PolicyName", "policyName", POLICY_NAME);
      const text = call.params.required("PolicyDocument", "policyDocument", DOCUMENT);
      const entity = target(call, kind, `Put${N}Policy`);
      const others = [...entity.policies].filter(([n]) => n !== policyName);
      if (others.reduce((sum, [, d]) => sum + sizeOf(d), sizeOfText(text)) > QUOTAS[N].inline)
        throw limitExceeded(`Maximum policy size of ${QUOTAS[N].inline} bytes exceeded for ${N.toLowerCase()} ${entity.name}`);
      const document = readDocument(text, "identity", call.core.state);
      entity.policies.set(policyName, document);
      changed(call);
      return undefined;
    },
    [`Get${N}Policy`]: (call) => {
      const policyName = call.params.required("PolicyName", "policyName", POLICY_NAME);
      const entity = target(call, kind, `Get${N}Policy`);
      const document = entity.policies.get(policyName);
      if (!document) throw noSuchEntity(`The ${N.toLowerCase()} policy with name ${policyName} cannot be found.`);
      return { [key]: entity.name, PolicyName: policyName, PolicyDocument: document };
    },
    [`List${N}Policies`]: (call) => {
      const entity = target(call, kind, `List${N}Policies`);
      const { items, ...more } = page([...entity.policies.keys()], call.params);
      return { PolicyNames: items, ...more };
    },
    [`Delete${N}Policy`]: (call) => {
      const policyName = call.params.required("PolicyName", "policyName", POLICY_NAME);
      const entity = target(call, kind, `Delete${N}Policy`);
      if (!entity.policies.delete(policyName)) throw noSuchEntity(`The ${N.toLowerCase()} policy with name ${policyName} cannot be found.`);
      changed(call);
      return undefined;
    },
    [`Attach${N}Policy`]: (call) => {
      const policyArn = call.params.required("PolicyArn", "policyArn", ARN);
      const entity = target(call, kind, `Attach${N}Policy`, () => ({ "iam:PolicyARN": policyArn }));
      requireAttachable(call, policyArn);
      if (entity.managedPolicyArns.includes(policyArn)) return undefined;
      if (entity.managedPolicyArns.length >= QUOTAS[N].attached)
        throw limitExceeded(`Cannot exceed quota for PoliciesPer${N}: ${QUOTAS[N].attached}`);
      entity.managedPolicyArns.push(policyArn);
      changed(call);
      return undefined;
    },
    [`Detach${N}Policy`]: (call) => {
      const policyArn = call.params.required("PolicyArn", "policyArn", ARN);
      const entity = target(call, kind, `Detach${N}Policy`, () => ({ "iam:PolicyARN": policyArn }));
      const index = entity.managedPolicyArns.indexOf(policyArn);
      if (index < 0) throw noSuchEntity(`Policy ${policyArn} was not found.`);
      entity.managedPolicyArns.splice(index, 1);
      changed(call);
      return undefined;
    },
    [`ListAttached${N}Policies`]: (call) => {
      const entity = target(call, kind, `ListAttached${N}Policies`);
      const prefix = call.params.optional("PathPrefix", "pathPrefix", PATH_PREFIX) ?? "/";
      const attached = entity.managedPolicyArns
        .map((arn) => ({ arn, resource: arn.slice(arn.indexOf(":policy/") + ":policy".length) }))
        .filter((p) => p.resource.startsWith(prefix))
        .map((p) => ({ PolicyName: p.arn.slice(p.arn.lastIndexOf("/") + 1), PolicyArn: p.arn }));
      const { items, ...more } = page(attached, call.params);
      return { AttachedPolicies: items, ...more };
    },
    [`Put${N}PermissionsBoundary`]: (call) => {
      const boundaryArn = call.params.required("PermissionsBoundary", "permissionsBoundary", ARN);
      const entity = target(call, kind, `Put${N}PermissionsBoundary`, () => ({ "iam:PermissionsBoundary": boundaryArn }));
      requireBoundary(call, boundaryArn);
      entity.permissionsBoundaryArn = boundaryArn;
      changed(call);
      return undefined;
    },
    [`Delete${N}PermissionsBoundary`]: (call) => {
      const entity = target(call, kind, `Delete${N}PermissionsBoundary`, (e): Record<string, string> =>
        e?.permissionsBoundaryArn ? { "iam:PermissionsBoundary": e.permissionsBoundaryArn } : {},
      );
      delete entity.permissionsBoundaryArn;
      changed(call);
      return undefined;
    },
    [`Tag${N}`]: (call) => {
      const tags = call.params.tags();
      const entity = target(call, kind, `Tag${N}`, () => tagContext(tags));
      const merged = new Map(entity.tags);
      for (const [k, v] of tags) {
        for (const old of merged.keys()) if (old.toLowerCase() === k.toLowerCase()) merged.delete(old);
        merged.set(k, v);
      }
      if (merged.size > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for TagsPer${N}: ${MAX_TAGS}`);
      entity.tags = merged;
      changed(call);
      return undefined;
    },
    [`Untag${N}`]: (call) => {
      const keys = call.params.tagKeys();
      const entity = target(call, kind, `Untag${N}`, () => ({ "aws:TagKeys": keys }));
      const lower = new Set(keys.map((k) => k.toLowerCase()));
      entity.tags = new Map([...entity.tags].filter(([k]) => !lower.has(k.toLowerCase())));
      changed(call);
      return undefined;
    },
    [`List${N}Tags`]: (call) => {
      const entity = target(call, kind, `List${N}Tags`);
      const { items, ...more } = page(tagList(entity.tags), call.params);
      return { Tags: items, ...more };
    },
  };
}

/** The request keys a call that sets tags supplies (aws:RequestTag/K, aws:TagKeys). */
export function tagContext(tags: ReadonlyMap<string, string>): Record<string, string | string[]> {
  return tags.size ? { ...Object.fromEntries([...tags].map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": [...tags.keys()] } : {};
}

/** A permissions boundary must be a managed policy the account can attach, else AWS's NoSuchEntity. */
export function requireBoundary(call: IamCall, arn: string): void {
  try {
    requireAttachable(call, arn);
  } catch {
    throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
  }
}

/** DeleteRole and DeleteUser refuse while policies remain, in AWS's words. */
export function refuseWhileAttached(entity: RoleState | UserState): string | undefined {
  if (entity.policies.size) return "Cannot delete entity, must delete policies first.";
  if (entity.managedPolicyArns.length) return "Cannot delete entity, must detach all policies first.";
  return undefined;
}
