/**
 * Applying a compiled state through the sandbox's IAM API, account by account, as a deployment
 * tool would, and reading it back with GetAccountAuthorizationDetails as an inventory directory in
 * the AWS CLI's format (what `verify --inventory` reads).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { expect } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { type AccountState, emptyAccount } from "../../src/state/account-state.js";
import { type Keys, userKeys } from "./sandbox-clients.js";

/** The bootstrap keys of an account's root. */
export const rootOf = (s: Sandbox, account: string) => userKeys(s, `arn:aws:iam::${account}:root`);

/** The real IAM client, pointed at the sandbox. */
export function iam(s: Sandbox, credentials: Keys, maxAttempts = 1): IAMClient {
  return new IAMClient({ endpoint: s.url, region: "us-east-1", credentials, maxAttempts });
}

/** A trust policy admitting one AWS principal. */
export const trusting = (principal: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole" }] });

/** Each account of a state, with no IAM in it: what a fresh set of accounts holds. */
export function emptyCopy(state: AccountState): AccountState {
  return {
    accounts: new Map(
      [...state.accounts.values()].map((a) => [
        a.id,
        emptyAccount(a.id, a.partition, { ...(a.name !== undefined ? { name: a.name } : {}), managed: a.managed }),
      ]),
    ),
  };
}

/**
 * Applies a state's IAM through the IAM API, account by account, as a deployment tool would: OIDC
 * providers and managed policies first, roles with a placeholder trust (IAM resolves principals,
 * so roles that trust each other need all of them to exist), then the real trusts and policies. A role declared existing is
 * taken as there already (as CloudFormation's AWS::IAM::RolePolicy takes it): only its inline
 * policies are put, its trust and its owner's policies are left as they are. Users are created with their policies.
 * `maxAttempts` above 1: throttled calls are retried, as deployment tools retry them.
 */
export async function apply(s: Sandbox, state: AccountState, maxAttempts = 1): Promise<void> {
  const managed = [...state.accounts.values()].filter((a) => a.managed);
  for (const account of managed) {
    const client = iam(s, rootOf(s, account.id), maxAttempts);
    for (const p of account.oidcProviders.values())
      await client.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${p.issuer}`, ClientIDList: p.clientIds }));
    for (const [arn, document] of account.managedPolicies) {
      const path = arn.slice(arn.indexOf(":policy") + ":policy".length, arn.lastIndexOf("/") + 1);
      await client.send(
        new CreatePolicyCommand({ PolicyName: arn.slice(arn.lastIndexOf("/") + 1), Path: path, PolicyDocument: JSON.stringify(document) }),
      );
    }
    for (const role of account.roles.values()) {
      if (role.existing) continue;
      const tags = [...role.tags].map(([Key, Value]) => ({ Key, Value }));
      await client.send(
        new CreateRoleCommand({
          RoleName: role.name,
          Path: role.path,
          AssumeRolePolicyDocument: trusting(`arn:aws:iam::${account.id}:root`),
          MaxSessionDuration: role.maxSessionDuration,
          ...(role.description ? { Description: role.description } : {}),
          ...(tags.length ? { Tags: tags } : {}),
        }),
      );
    }
    for (const user of account.users.values()) {
      const tags = [...user.tags].map(([Key, Value]) => ({ Key, Value }));
      await client.send(new CreateUserCommand({ UserName: user.name, Path: user.path, ...(tags.length ? { Tags: tags } : {}) }));
      for (const [PolicyName, document] of user.policies)
        await client.send(new PutUserPolicyCommand({ UserName: user.name, PolicyName, PolicyDocument: JSON.stringify(document) }));
      for (const PolicyArn of user.managedPolicyArns) await client.send(new AttachUserPolicyCommand({ UserName: user.name, PolicyArn }));
      if (user.permissionsBoundaryArn)
        await client.send(new PutUserPermissionsBoundaryCommand({ UserName: user.name, PermissionsBoundary: user.permissionsBoundaryArn }));
    }
  }
  for (const account of managed) {
    const client = iam(s, rootOf(s, account.id), maxAttempts);
    for (const role of account.roles.values()) {
      if (!role.existing)
        await client.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: JSON.stringify(role.trustPolicy) }));
      for (const [PolicyName, document] of role.policies)
        await client.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName, PolicyDocument: JSON.stringify(document) }));
      for (const PolicyArn of role.managedPolicyArns) await client.send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn }));
      if (role.permissionsBoundaryArn)
        await client.send(new PutRolePermissionsBoundaryCommand({ RoleName: role.name, PermissionsBoundary: role.permissionsBoundaryArn }));
    }
  }
}

/** The SDK's answer in the CLI's format: documents decoded from their URL encoding, dates as ISO text. */
export function cliFormat(value: unknown, key = ""): unknown {
  if (["AssumeRolePolicyDocument", "PolicyDocument", "Document"].includes(key) && typeof value === "string")
    return JSON.parse(decodeURIComponent(value));
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => cliFormat(v));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "$metadata")
        .map(([k, v]) => [k, cliFormat(v, k)]),
    );
  return value;
}

/** Reads every managed account back with GetAccountAuthorizationDetails and ListOpenIDConnectProviders into an inventory directory. */
export async function readBack(s: Sandbox, state: AccountState): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "xacct-sandbox-inventory-"));
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    const client = iam(s, rootOf(s, account.id));
    const details = await client.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(details.IsTruncated).toBe(false);
    mkdirSync(join(dir, account.id));
    writeFileSync(join(dir, account.id, "authorization-details.json"), JSON.stringify(cliFormat(details), null, 2));
    const providers = await client.send(new ListOpenIDConnectProvidersCommand({}));
    writeFileSync(join(dir, account.id, "oidc-providers.json"), JSON.stringify(cliFormat(providers)));
  }
  return dir;
}
