/**
 * AccountState: the one representation of what IAM holds in each account — roles with their
 * trust and permission policies, users, OIDC providers, resource-based policies, organization
 * placement. The compiler produces it from a model; inventories of real accounts load into it;
 * emitters, the access graph, the sandbox and the report consume it.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  NotPrincipal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface RoleState {
  name: string;
  path: string;
  arn: string;
  description?: string;
  trustPolicy: PolicyDocument;
  /** Inline policies by name (a Map: `__proto__` is a valid policy name). */
  policies: Map<string, PolicyDocument>;
  managedPolicyArns: string[];
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  /** Tags by key, in the order they were set (a Map: any tag key is valid, `__proto__` too). */
  tags: Map<string, string>;
  /** Also create an instance profile of the same name (EC2 instances, EKS nodes). */
  instanceProfile?: boolean;
  /**
   * The role exists and is owned elsewhere (MWAA's execution role): xacct attaches its inline
   * policies to it and never creates it or writes its trust.
   */
  existing?: true;
}

export interface UserState {
  name: string;
  path: string;
  arn: string;
  /** Inline policies by name. */
  policies: Map<string, PolicyDocument>;
  managedPolicyArns: string[];
  /** The user signs in with long-lived access keys. */
  accessKeys: boolean;
  /** Tags by key. */
  tags: Map<string, string>;
  /** Names of the groups the user belongs to (their policies apply to the user). */
  groups?: string[];
  permissionsBoundaryArn?: string;
}

export interface GroupState {
  name: string;
  arn: string;
  /** Inline policies by name. */
  policies: Map<string, PolicyDocument>;
  managedPolicyArns: string[];
}

export interface OidcProviderState {
  arn: string;
  /** Issuer host and path, without https:// (`oidc.eks.us-east-2.amazonaws.com/id/ABC`). */
  issuer: string;
  clientIds: string[];
}

export interface ResourcePolicyState {
  arn: string;
  /** The IAM service prefix that owns the resource (`s3`, `sqs`, `kinesis`). */
  service: string;
  /** The resource's region where its ARN does not say it (an S3 bucket's), as collected. */
  region?: string;
  policy: PolicyDocument;
  /**
   * The resource and its policy are owned elsewhere (declared `existing` in the model): `policy`
   * holds only the statements xacct adds, which are merged into the current policy by hand, never
   * written by a template that would replace it.
   */
  existing?: true;
}

export interface AccountEntry {
  id: string;
  /** The model's name for the account (with its stage, when per-stage), when it has one. */
  name?: string;
  partition: string;
  region?: string;
  stage?: string;
  organization?: { id: string; path: string[] };
  /** False for accounts outside our management: nothing is written for them. */
  managed: boolean;
  roles: Map<string, RoleState>;
  users: Map<string, UserState>;
  groups: Map<string, GroupState>;
  /** Customer managed policies by ARN (their default version); AWS managed ones are shared in AccountState. */
  managedPolicies: Map<string, PolicyDocument>;
  oidcProviders: Map<string, OidcProviderState>;
  samlProviders: Set<string>;
  resourcePolicies: Map<string, ResourcePolicyState>;
  /** What runs as the account's roles, where the inventory read it (compute.json); absent when unknown. */
  running?: RunningState;
}

/**
 * The Lambda functions and EC2 instances running as each role of an account, by role ARN: whoever
 * may change a function's code or send commands to an instance acts as its role.
 */
export interface RunningState {
  functions: Map<string, string[]>;
  instances: Map<string, string[]>;
}

/** AWS Organizations: where each account sits, and the SCPs and RCPs attached at each level. */
export interface OrganizationState {
  id: string;
  managementAccount?: string;
  /** Per account: its parents from the root down (`r-…`, `ou-…`). */
  parents: Map<string, string[]>;
  /** Policies attached to a root, OU or account ID; a target with none has AWS's full-access policy. */
  serviceControlPolicies: Map<string, PolicyDocument[]>;
  resourceControlPolicies: Map<string, PolicyDocument[]>;
}

export interface AccountState {
  accounts: Map<string, AccountEntry>;
  /** AWS managed policies (arn:aws:iam::aws:policy/…) by ARN, as inventories include them. */
  awsManagedPolicies?: Map<string, PolicyDocument>;
  organization?: OrganizationState;
}

/** The user an ARN names in an account (users are kept by name; the ARN's last segment is the name). */
export function userOf(account: AccountEntry, arn: string): UserState | undefined {
  const user = account.users.get(arn.slice(arn.lastIndexOf("/") + 1));
  return user?.arn === arn ? user : undefined;
}

/**
 * The organization an account belongs to: the inventory's organization when it lists the account
 * (or has it as its management account), else the one the model declares for the account.
 */
export function organizationOf(state: AccountState, account: string): string | undefined {
  const org = state.organization;
  if (org && (org.parents.has(account) || org.managementAccount === account)) return org.id;
  return state.accounts.get(account)?.organization?.id;
}

export function emptyAccount(id: string, partition: string, fields: Partial<AccountEntry> = {}): AccountEntry {
  return {
    id,
    partition,
    managed: true,
    roles: new Map(),
    users: new Map(),
    groups: new Map(),
    managedPolicies: new Map(),
    oidcProviders: new Map(),
    samlProviders: new Set(),
    resourcePolicies: new Map(),
    ...fields,
  };
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}
