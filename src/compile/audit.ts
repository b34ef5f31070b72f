/**
 * The model's `audit:`: the read-only role `xacct collect` assumes, in every managed account, with
 * one trust statement (the collector account's principal, nothing else) and one inline policy
 * allowing exactly the actions collect needs (collectActions: its IAM and Organizations reads, its
 * reads of the functions and instances running as roles, and every registered service module's
 * `collect.actions`, declared once each). The same role in every
 * account, so the StackSet emitter makes one StackSet of it.
 */
import { roleArn } from "../aws/arn.js";
import type { Model } from "../model/schema.js";
import { collectActions } from "../services/index.js";
import { type AccountEntry, type AccountState, policyDocument } from "../state/account-state.js";
import { MAX_SESSION_DURATION } from "../aws/limits.js";

import { DEFAULT_AUDIT_ROLE } from "./audit-name.js";

export { DEFAULT_AUDIT_ROLE };
export const AUDIT_POLICY_NAME = "xacct-collect-read";

/** The principal the audit role trusts: the collector's role, or the collector account's root. */
export function auditPrincipal(audit: NonNullable<Model["audit"]>, collector: AccountEntry): string {
  return audit.principal
    ? roleArn(collector.partition, collector.id, audit.principal)
    : `arn:${collector.partition}:iam::${collector.id}:root`;
}

/** Adds the audit role to every managed account of the state (`collector`: the collector account's entry). */
export function addAuditRoles(audit: NonNullable<Model["audit"]>, state: AccountState, collector: AccountEntry): void {
  const name = audit.role ?? DEFAULT_AUDIT_ROLE;
  const principal = auditPrincipal(audit, collector);
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    account.roles.set(name, {
      name,
      path: "/",
      arn: roleArn(account.partition, account.id, name),
      description: "xacct: read-only audit role for xacct collect",
      trustPolicy: policyDocument([{ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole" }]),
      policies: new Map([
        [AUDIT_POLICY_NAME, policyDocument([{ Sid: "XacctCollectReads", Effect: "Allow", Action: collectActions(), Resource: "*" }])],
      ]),
      managedPolicyArns: [],
      maxSessionDuration: MAX_SESSION_DURATION.default,
      tags: new Map(),
    });
  }
}
