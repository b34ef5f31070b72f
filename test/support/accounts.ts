/**
 * Hand-built account states for graph and findings tests: two managed accounts A and B, and
 * builders for roles, users and the policy statements they carry.
 */
import { roleArn, userArn } from "../../src/aws/arn.js";
import {
  type AccountEntry,
  type AccountState,
  emptyAccount,
  type GroupState,
  policyDocument,
  type PolicyStatement,
  type RoleState,
  type UserState,
} from "../../src/state/account-state.js";

export const A = "111111111111";
export const B = "222222222222";

export function stateOf(...accounts: AccountEntry[]): AccountState {
  return { accounts: new Map(accounts.map((a) => [a.id, a])) };
}

export function accounts(): { a: AccountEntry; b: AccountEntry; state: AccountState } {
  const a = emptyAccount(A, "aws", { name: "a" });
  const b = emptyAccount(B, "aws", { name: "b" });
  return { a, b, state: stateOf(a, b) };
}

export function addRole(
  account: AccountEntry,
  name: string,
  trust: PolicyStatement[],
  permissions: PolicyStatement[] = [],
  extra: Partial<RoleState> = {},
): RoleState {
  const role: RoleState = {
    name,
    path: "/",
    arn: roleArn(account.partition, account.id, name),
    trustPolicy: policyDocument(trust),
    policies: new Map(permissions.length ? [["permissions", policyDocument(permissions)]] : []),
    managedPolicyArns: [],
    maxSessionDuration: 3600,
    tags: new Map(),
    ...extra,
  };
  account.roles.set(name, role);
  return role;
}

export function addUser(
  account: AccountEntry,
  name: string,
  permissions: PolicyStatement[] = [],
  extra: Partial<UserState> = {},
): UserState {
  const user: UserState = {
    name,
    path: "/",
    arn: userArn(account.partition, account.id, name),
    policies: new Map(permissions.length ? [["permissions", policyDocument(permissions)]] : []),
    managedPolicyArns: [],
    accessKeys: true,
    tags: new Map(),
    ...extra,
  };
  account.users.set(name, user);
  return user;
}

export function addGroup(account: AccountEntry, name: string, permissions: PolicyStatement[] = []): GroupState {
  const group: GroupState = {
    name,
    arn: `arn:${account.partition}:iam::${account.id}:group/${name}`,
    policies: new Map(permissions.length ? [["permissions", policyDocument(permissions)]] : []),
    managedPolicyArns: [],
  };
  account.groups.set(name, group);
  return group;
}

/** What runs as roles of the account, as compute.json lists it: [function or instance ARN, role ARN]. */
export function runs(account: AccountEntry, functions: [string, string][] = [], instances: [string, string][] = []): void {
  const byRole = (list: [string, string][]) => {
    const out = new Map<string, string[]>();
    for (const [arn, role] of list) out.set(role, [...(out.get(role) ?? []), arn]);
    return out;
  };
  account.running = { functions: byRole(functions), instances: byRole(instances) };
}

export const trusts = (principal: string, extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: "Allow",
  Principal: { AWS: principal },
  Action: "sts:AssumeRole",
  ...extra,
});
export const mayAssume = (...roles: string[]): PolicyStatement => ({ Effect: "Allow", Action: "sts:AssumeRole", Resource: roles });
export const allow = (action: string | string[], resource: string | string[], extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
  ...extra,
});
export const ec2Trust: PolicyStatement = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };

/** Puts every account of the state in one organization under one SCP: the given statements beside FullAWSAccess. */
export function underScp(state: AccountState, ...statements: PolicyStatement[]): void {
  const ids = [...state.accounts.keys()];
  state.organization = {
    id: "o-example",
    parents: new Map(ids.map((id) => [id, ["r-root"]])),
    serviceControlPolicies: new Map([["r-root", [policyDocument([...statements, { Effect: "Allow", Action: "*", Resource: "*" }])]]]),
    resourceControlPolicies: new Map(),
  };
}
