/**
 * Plain IAM policy JSON, per account: each role (trust policy, inline policies, managed policy
 * ARNs, session limit), each user, each OIDC provider and each resource-based policy — what an
 * admin applies by hand or reviews.
 */
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

export const emitIamJson: Emitter = ({ state }) => {
  const files: EmittedFile[] = [];
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    const dir = `accounts/${slug(account.name ?? account.id)}/iam`;
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
  }
  return files;
};
