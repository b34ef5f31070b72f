/**
 * What tests of `xacct collect` share: a model of accounts with nothing in them, and the
 * read-only audit role created in an account through the real IAM client, as a deployment would.
 */
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { compile } from "../../src/compile/compile.js";
import { loadModel } from "../../src/model/load.js";
import { collectActions } from "../../src/services/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import type { AccountState } from "../../src/state/account-state.js";
import { iam, rootOf, trusting } from "./iam-apply.js";

/** A model of these accounts (us-east-1) and nothing else: each root may do anything in its own account. */
export function accountsModel(ids: readonly string[]): string {
  return `version: 1
name: collect
accounts:
${ids.map((id, i) => `  a${i}: { id: "${id}", region: us-east-1 }`).join("\n")}
workloads: {}
grants: []
`;
}

/** The read-only audit policy collect needs (README: the audit role): every action collect calls, declared once (collectActions). */
export const AUDIT_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: collectActions(), Resource: "*" }],
});

/** Creates the audit role `name` in `account`, trusting `trusted` (an account's root), through IAM. */
export async function createAuditRole(s: Sandbox, account: string, trusted: string, name = "xacct-audit"): Promise<void> {
  const client = iam(s, rootOf(s, account));
  await client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trusting(`arn:aws:iam::${trusted}:root`) }));
  await client.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "read-only-audit", PolicyDocument: AUDIT_POLICY }));
}

/** The user who runs collect in the first account: roles cannot be assumed by a root user (STS). */
export const AUDITOR = "auditor";
export const auditorArn = (account: string) => `arn:aws:iam::${account}:user/${AUDITOR}`;

/**
 * The accounts, and in the first one the user `auditor`, who may assume any account's audit role
 * and read its own account as the audit role does (the sandbox makes its keys: userKeys).
 */
export function collectState(ids: readonly string[]): AccountState {
  const state = compile(loadModel(accountsModel(ids))).state;
  const first = state.accounts.get(ids[0] as string);
  if (!first) throw new Error("no first account");
  const read = JSON.parse(AUDIT_POLICY) as { Statement: object[] };
  first.users.set(AUDITOR, {
    name: AUDITOR,
    path: "/",
    arn: auditorArn(first.id),
    policies: new Map([
      [
        "collect",
        {
          Version: "2012-10-17",
          Statement: [
            ...(read.Statement as never[]),
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/xacct-audit" },
          ],
        },
      ],
    ]),
    managedPolicyArns: [],
    accessKeys: true,
    tags: new Map(),
  });
  return state;
}
