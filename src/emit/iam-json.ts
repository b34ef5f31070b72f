/**
 * IAM JSON, per managed account, under `accounts/<account>/iam/`:
 *
 * - for review, each role (trust policy, inline policies, managed policy ARNs, session limit),
 *   user, OIDC provider and resource-based policy as IAM shows it (`roles/`, `users/`,
 *   `oidc-providers/`, `resource-policies/`): documents as JSON objects, with ARNs;
 * - to apply with the AWS CLI, `cli/`: one `--cli-input-json` file per call, holding that call's
 *   parameters only, documents as JSON strings (`create-role`, `put-role-policy`,
 *   `attach-role-policy`, `create-instance-profile`, `add-role-to-instance-profile`,
 *   `create-user`, `put-user-policy`, `attach-user-policy`, `create-open-id-connect-provider`), and
 *   `apply.sh`, the exact commands in the order IAM takes them: providers, users, then roles (a
 *   role whose trust names another role of the account after that role; where trusts make a cycle,
 *   or a role trusts itself, it is made with a trust that admits no one and given its own last,
 *   with `update-assume-role-policy`).
 *
 * IAM refuses a trust naming a role that does not exist yet, so accounts are applied in
 * `applyOrder`: an account's scripts after those of the accounts whose roles its trusts name.
 */
import { parseIamArn } from "../aws/arn.js";
import type { AccountEntry, AccountState, PolicyDocument, RoleState, UserState } from "../state/account-state.js";
import { commentLine, shellWord } from "../text/escape.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

export const emitIamJson: Emitter = ({ state }) => {
  const files: EmittedFile[] = [];
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    const dir = `accounts/${accountDir(account)}/iam`;
    files.push(...reviewFiles(account, dir));
    if (hasCliIam(account)) files.push(...cliFiles(account, dir));
  }
  return files;
};

/** Whether an account has IAM the CLI creates or changes (its resource-based policies are its services'). */
function hasCliIam(account: AccountEntry): boolean {
  return account.oidcProviders.size + account.roles.size + account.users.size > 0;
}

/** The directory name of an account's outputs. */
function accountDir(account: AccountEntry): string {
  return slug(account.name ?? account.id);
}

function reviewFiles(account: AccountEntry, dir: string): EmittedFile[] {
  const files: EmittedFile[] = [];
  for (const role of account.roles.values()) {
    const policies = [...role.policies].map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument }));
    const named = { RoleName: role.name, Path: role.path, Arn: role.arn };
    if (role.existing) {
      // A role owned elsewhere (MWAA's execution role): its trust, description, session limit and
      // tags are its owner's and unknown to xacct, so only what xacct attaches is written.
      files.push({
        path: `${dir}/roles/${slug(role.name)}.json`,
        content: json({
          ...named,
          Existing:
            "owned elsewhere: attach these policies (aws iam put-role-policy, attach-role-policy); leave its trust and other policies as they are",
          Policies: policies,
          ManagedPolicyArns: role.managedPolicyArns,
        }),
      });
      continue;
    }
    files.push({
      path: `${dir}/roles/${slug(role.name)}.json`,
      content: json({
        ...named,
        Description: role.description,
        MaxSessionDuration: role.maxSessionDuration,
        AssumeRolePolicyDocument: role.trustPolicy,
        Policies: policies,
        ManagedPolicyArns: role.managedPolicyArns,
        ...(role.permissionsBoundaryArn ? { PermissionsBoundary: role.permissionsBoundaryArn } : {}),
        Tags: [...role.tags].map(([Key, Value]) => ({ Key, Value })),
      }),
    });
  }
  for (const user of account.users.values()) {
    files.push({
      path: `${dir}/users/${slug(user.name)}.json`,
      content: json({
        UserName: user.name,
        Path: user.path,
        Arn: user.arn,
        Policies: [...user.policies].map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
      }),
    });
  }
  for (const provider of account.oidcProviders.values()) {
    files.push({
      path: `${dir}/oidc-providers/${slug(provider.issuer)}.json`,
      content: json({ Arn: provider.arn, Url: `https://${provider.issuer}`, ClientIDList: provider.clientIds }),
    });
  }
  for (const policy of account.resourcePolicies.values()) {
    files.push({
      path: `${dir}/resource-policies/${slug(`${policy.service}-${policy.arn.split(/[:/]/).pop() ?? "resource"}`)}.json`,
      content: json({ ResourceArn: policy.arn, Policy: policy.policy }),
    });
  }
  return files;
}

/** A policy document as the IAM API and the CLI's --cli-input-json take it: JSON text. */
function documentText(document: PolicyDocument): string {
  return JSON.stringify(document);
}

const tagList = (tags: Map<string, string>) => [...tags].map(([Key, Value]) => ({ Key, Value }));

/** The CLI input files of an account and the script that applies them. */
function cliFiles(account: AccountEntry, dir: string): EmittedFile[] {
  const files: EmittedFile[] = [];
  const commands: string[] = [];
  // Each call's input file, and the command that reads it (paths relative to the iam directory).
  const call = (command: string, file: string, input: Record<string, unknown>) => {
    files.push({ path: `${dir}/${file}`, content: json(input) });
    commands.push(`aws iam ${command} --cli-input-json ${shellWord(`file://${file}`)}`);
  };
  // An identity's inline policies (put-role-policy, put-user-policy) and managed ones (attach-…).
  const policiesOf = (kind: "role" | "user", identity: RoleState | UserState, base: string) => {
    const named = { [kind === "role" ? "RoleName" : "UserName"]: identity.name };
    [...identity.policies].forEach(([PolicyName, document], i) =>
      call(`put-${kind}-policy`, `${base}/put-${kind}-policy-${i + 1}.json`, {
        ...named,
        PolicyName,
        PolicyDocument: documentText(document),
      }),
    );
    identity.managedPolicyArns.forEach((PolicyArn, i) =>
      call(`attach-${kind}-policy`, `${base}/attach-${kind}-policy-${i + 1}.json`, { ...named, PolicyArn }),
    );
  };
  const providers = [...account.oidcProviders.values()];
  if (providers.length > 0)
    commands.push(
      "",
      "# OIDC providers, which the roles below trust. An AWS CLI whose IAM model still requires",
      "# ThumbprintList (Debian 12's 2.9 does) also needs --thumbprint-list with the issuer's certificate",
      "# thumbprint; for EKS, eksctl utils associate-iam-oidc-provider creates the provider too.",
    );
  for (const provider of providers)
    call("create-open-id-connect-provider", `cli/oidc-providers/${slug(provider.issuer)}.json`, {
      Url: `https://${provider.issuer}`,
      ClientIDList: provider.clientIds,
    });
  for (const user of account.users.values()) {
    const base = `cli/users/${slug(user.name)}`;
    commands.push(
      "",
      commentLine(
        `User ${user.name}${user.accessKeys ? ": its access keys are made by hand (aws iam create-access-key), never here" : ""}`,
      ),
    );
    call("create-user", `${base}/create-user.json`, {
      UserName: user.name,
      Path: user.path,
      ...(user.permissionsBoundaryArn ? { PermissionsBoundary: user.permissionsBoundaryArn } : {}),
      ...(user.tags.size > 0 ? { Tags: tagList(user.tags) } : {}),
    });
    policiesOf("user", user, base);
  }
  // Users first: a role's trust may name one. A role whose trust names a role made after it (two
  // roles that trust each other, a role that trusts itself) is made with a trust that admits no
  // one, and given its own once every role exists.
  const { order, deferred } = rolesInOrder(account);
  for (const role of order) {
    const base = `cli/roles/${slug(role.name)}`;
    commands.push("", commentLine(`Role ${role.name}${role.existing ? " (owned elsewhere: only what xacct attaches)" : ""}`));
    if (!role.existing)
      call("create-role", `${base}/create-role.json`, {
        RoleName: role.name,
        Path: role.path,
        AssumeRolePolicyDocument: documentText(deferred.has(role) ? admitsNoOne(account) : role.trustPolicy),
        ...(role.description ? { Description: role.description } : {}),
        MaxSessionDuration: role.maxSessionDuration,
        ...(role.permissionsBoundaryArn ? { PermissionsBoundary: role.permissionsBoundaryArn } : {}),
        ...(role.tags.size > 0 ? { Tags: tagList(role.tags) } : {}),
      });
    policiesOf("role", role, base);
    if (role.instanceProfile && !role.existing) {
      call("create-instance-profile", `${base}/create-instance-profile.json`, { InstanceProfileName: role.name, Path: role.path });
      call("add-role-to-instance-profile", `${base}/add-role-to-instance-profile.json`, {
        InstanceProfileName: role.name,
        RoleName: role.name,
      });
    }
  }
  for (const role of deferred) {
    commands.push("", commentLine(`Role ${role.name}: its own trust, now that the roles it names exist`));
    call("update-assume-role-policy", `cli/roles/${slug(role.name)}/update-assume-role-policy.json`, {
      RoleName: role.name,
      PolicyDocument: documentText(role.trustPolicy),
    });
  }
  const header = [
    "#!/bin/sh",
    commentLine(
      `Generated by xacct for account ${account.name ?? account.id} (${account.id}). Do not edit; change xacct.yaml and run xacct build.`,
    ),
    "#",
    "# This account's IAM with the AWS CLI, as an administrator of the account: each command reads the",
    "# parameters of one call from the file it names under cli/ (roles/ and users/ hold the same for review).",
    "# IAM refuses a trust naming a role that does not exist yet: run the accounts' scripts in the order",
    "# the README's IAM section gives. Resource-based policies (resource-policies/) are set by each",
    "# service's own API: apply them with ../cloudformation.json or ../terraform/, or as the README says.",
    "set -eu",
    'cd "$(dirname "$0")"',
  ];
  files.push({ path: `${dir}/apply.sh`, content: `${[...header, ...commands].join("\n")}\n`, mode: 0o755 });
  return files;
}

/** The role, user and provider ARNs a trust policy names (its AWS and Federated principals). */
function trustedArns(role: RoleState): string[] {
  const arns: string[] = [];
  for (const { Principal: principal } of role.trustPolicy.Statement) {
    if (typeof principal !== "object") continue;
    for (const type of ["AWS", "Federated"]) arns.push(...[principal[type] ?? []].flat());
  }
  return arns;
}

/**
 * An account's roles, each after the roles of the same account its trust names. Where trusts make
 * a cycle (two roles that trust each other), no order does: `deferred` holds the roles whose trust
 * names a role made after them.
 */
function rolesInOrder(account: AccountEntry): { order: RoleState[]; deferred: Set<RoleState> } {
  const byArn = new Map([...account.roles.values()].map((r) => [r.arn, r]));
  const done = new Set<RoleState>();
  const visiting = new Set<RoleState>();
  const deferred = new Set<RoleState>();
  const order: RoleState[] = [];
  const visit = (role: RoleState) => {
    if (done.has(role) || visiting.has(role)) return;
    visiting.add(role);
    for (const arn of trustedArns(role)) {
      const trusted = byArn.get(arn);
      if (!trusted) continue;
      // Itself (a role that may assume itself again) or a role on the path here: made after it.
      if (visiting.has(trusted) && !role.existing) deferred.add(role);
      visit(trusted);
    }
    visiting.delete(role);
    done.add(role);
    order.push(role);
  };
  for (const role of account.roles.values()) visit(role);
  return { order, deferred };
}

/**
 * A trust that admits no one, for a role made before a role its own trust names: IAM refuses a
 * trust naming a role that does not exist yet, and a trust must name someone. The account's root
 * always exists; the statement denies, and nothing allows.
 */
function admitsNoOne(account: AccountEntry): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "XacctPendingTrust",
        Effect: "Deny",
        Principal: { AWS: `arn:${account.partition}:iam::${account.id}:root` },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * The managed accounts with IAM to apply, in the order it can be applied: an account after those whose roles,
 * users or providers its roles' trusts name (not their roots, which always exist). `cycle` names accounts that trust each other's roles,
 * which no order satisfies (create such roles with a trust that admits no one first, then
 * `aws iam update-assume-role-policy`, as the README says).
 */
export function applyOrder(state: AccountState): { accounts: AccountEntry[]; cycle: AccountEntry[] } {
  const managed = [...state.accounts.values()].filter((a) => a.managed && hasCliIam(a));
  const needs = new Map<AccountEntry, Set<string>>();
  for (const account of managed) {
    const ids = new Set<string>();
    for (const role of account.roles.values()) {
      if (role.existing) continue;
      for (const arn of trustedArns(role)) {
        // An account's root always exists: a trust naming it waits for nothing.
        const named = parseIamArn(arn);
        if (named && named.kind !== "root" && named.account !== account.id) ids.add(named.account);
      }
    }
    needs.set(account, ids);
  }
  const accounts: AccountEntry[] = [];
  const placed = new Set<string>();
  let pending = managed;
  while (pending.length > 0) {
    const ready = pending.filter((a) => [...(needs.get(a) ?? [])].every((id) => placed.has(id) || !managed.some((m) => m.id === id)));
    if (ready.length === 0) return { accounts: [...accounts, ...pending], cycle: pending };
    for (const a of ready) {
      accounts.push(a);
      placed.add(a.id);
    }
    pending = pending.filter((a) => !ready.includes(a));
  }
  return { accounts, cycle: [] };
}

/** Where an account's apply.sh is, relative to the output directory. */
export function applyScript(account: AccountEntry): string {
  return `accounts/${accountDir(account)}/iam/apply.sh`;
}
