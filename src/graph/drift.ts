/**
 * Drift: what is deployed differs from what a model declares. For each role and user the model
 * defines, everything attached to it (trust statements, inline policies, managed policy
 * attachments, permissions boundary, groups); for each customer managed policy the model creates,
 * its document; and in every account the model manages, each resource policy statement that admits
 * a principal outside the resource's own account (another account, an organization, everyone)
 * without the model declaring that statement. Each item names the resource, what differs, and what
 * to do about it.
 */
import { isAccountId, principalAccountId, rootArn } from "../aws/arn.js";
import type { PrincipalName } from "../aws/principal.js";
import type { Statement } from "../policy/policy.js";
import { compileGlob, globMatches } from "../policy/wildcard.js";
import type { AccountEntry, AccountState, PolicyDocument, PolicyStatement, ResourcePolicyState } from "../state/account-state.js";
import { list, requiredValues, statementName } from "./findings/statements.js";
import type { PolicyBook } from "./policies.js";

export interface Drift {
  /** The ARN of what differs: a role, user, managed policy or resource. */
  resource: string;
  /** What differs. */
  problem: string;
  /** What to do: apply the model again, or declare what is deployed in the model. */
  fix: string;
}

const APPLY = "apply the model again (xacct build, then deploy what it writes)";
const DECLARE = "or declare it in the model if the access is wanted";

/** A JSON text with object keys sorted and arrays sorted: the same document written in another order gives the same text. */
function canonicalText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalText).sort().join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalText((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * A statement as AWS keeps it, whatever way it was written: a lone string or a list of one are
 * the same, IAM and the services store a bare account ID in a Principal as the account's root ARN,
 * and the Sid names the statement without changing what it allows.
 */
function statementKey(statement: PolicyStatement, partition: string): string {
  const rest: PolicyStatement = { ...statement };
  delete rest.Sid;
  const principal = (p: PolicyStatement["Principal"]) =>
    p === undefined || p === "*"
      ? p
      : Object.fromEntries(
          Object.entries(p).map(([kind, names]) => [
            kind,
            list(names).map((n) => (kind === "AWS" && isAccountId(n) ? rootArn(partition, n) : n)),
          ]),
        );
  const conditions = rest.Condition
    ? Object.fromEntries(
        Object.entries(rest.Condition).map(([op, tests]) => [
          op,
          Object.fromEntries(Object.entries(tests).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)])),
        ]),
      )
    : undefined;
  return canonicalText({
    ...rest,
    ...(rest.Principal !== undefined ? { Principal: principal(rest.Principal) } : {}),
    ...(rest.NotPrincipal !== undefined ? { NotPrincipal: principal(rest.NotPrincipal) } : {}),
    ...(conditions ? { Condition: conditions } : {}),
    ...Object.fromEntries(
      (["Action", "NotAction", "Resource", "NotResource"] as const).filter((k) => rest[k] !== undefined).map((k) => [k, list(rest[k])]),
    ),
  });
}

const same = (a: PolicyDocument | undefined, b: PolicyDocument | undefined) => canonicalText(a) === canonicalText(b);

/** How a statement is named in a problem: its Sid and what it allows to whom. */
function described(statement: PolicyStatement, index: number): string {
  const who = statement.Principal === undefined ? "" : ` to ${JSON.stringify(statement.Principal)}`;
  return `${statementName(statement, index)} (${statement.Effect} ${JSON.stringify(statement.Action ?? statement.NotAction)}${who})`;
}

/** The trust's statements the model does not declare, and the model's that are not deployed. */
function trustDrift(arn: string, model: PolicyDocument, deployed: PolicyDocument, partition: string): Drift[] {
  const out: Drift[] = [];
  const wanted = model.Statement.map((s) => statementKey(s, partition));
  const have = deployed.Statement.map((s) => statementKey(s, partition));
  deployed.Statement.forEach((s, i) => {
    if (!wanted.includes(have[i] as string))
      out.push({
        resource: arn,
        problem: `the deployed trust policy has an extra statement the model does not declare: ${described(s, i)}`,
        fix: `remove the statement (${APPLY}), ${DECLARE}`,
      });
  });
  model.Statement.forEach((s, i) => {
    if (!have.includes(wanted[i] as string))
      out.push({ resource: arn, problem: `the deployed trust policy is missing the model's ${described(s, i)}`, fix: APPLY });
  });
  // The same statements written in a document that differs otherwise (its Version or Id).
  if (out.length === 0 && !same({ ...model, Statement: [] }, { ...deployed, Statement: [] }))
    out.push({
      resource: arn,
      problem: "the deployed trust policy differs from the model's outside its statements (Version or Id)",
      fix: APPLY,
    });
  return out;
}

/** What the model and a deployed role or user share: inline policies, managed attachments, boundary. */
interface Attached {
  arn: string;
  policies: Map<string, PolicyDocument>;
  managedPolicyArns: string[];
  permissionsBoundaryArn?: string;
}

/**
 * Inline policies, managed policy attachments and the boundary of a role or user, the model's
 * beside the deployed. With `onlyOwnInline` (a role owned elsewhere, MWAA's execution role), only
 * the model's own inline policies are checked: its owner's policies, attachments and boundary are
 * not the model's to declare.
 */
function attachedDrift(model: Attached, deployed: Attached, onlyOwnInline = false): Drift[] {
  const out: Drift[] = [];
  const resource = model.arn;
  for (const [name, doc] of model.policies) {
    const there = deployed.policies.get(name);
    if (!same(there, doc))
      out.push({ resource, problem: `inline policy ${name} ${there ? "differs from the model's" : "is missing"}`, fix: APPLY });
  }
  if (onlyOwnInline) return out;
  for (const name of deployed.policies.keys())
    if (!model.policies.has(name))
      out.push({
        resource,
        problem: `an extra inline policy ${name} is attached that the model does not declare`,
        fix: `delete it (aws iam delete-${resource.includes(":user/") ? "user" : "role"}-policy), ${DECLARE} (statements: of a grant)`,
      });
  for (const arn of deployed.managedPolicyArns)
    if (!model.managedPolicyArns.includes(arn))
      out.push({
        resource,
        problem: `an extra managed policy ${arn} is attached that the model does not declare`,
        fix: `detach it, ${DECLARE} (managed-policies: of the workload)`,
      });
  for (const arn of model.managedPolicyArns)
    if (!deployed.managedPolicyArns.includes(arn))
      out.push({ resource, problem: `the model's managed policy ${arn} is not attached`, fix: APPLY });
  const [want, have] = [model.permissionsBoundaryArn, deployed.permissionsBoundaryArn];
  if (want !== have)
    out.push({
      resource,
      problem: !want
        ? `a permissions boundary ${have ?? ""} is set that the model does not declare`
        : !have
          ? `the model's permissions boundary ${want} is not set`
          : `the permissions boundary is ${have}; the model declares ${want}`,
      fix: want ? APPLY : `remove the boundary (${APPLY}), ${DECLARE} (permissions-boundary: of the workload)`,
    });
  return out;
}

/** The roles and users a model defines, and the customer managed policies it creates, beside what is deployed in one account. */
function identityDrift(account: AccountEntry, there: AccountEntry | undefined): Drift[] {
  const out: Drift[] = [];
  for (const role of account.roles.values()) {
    const actual = there?.roles.get(role.name);
    if (!actual) {
      out.push({ resource: role.arn, problem: "the model defines this role; it is not deployed", fix: APPLY });
      continue;
    }
    // An existing role's trust and attachments are its owner's (MWAA's execution role): only xacct's inline policies are checked.
    if (!role.existing) out.push(...trustDrift(role.arn, role.trustPolicy, actual.trustPolicy, account.partition));
    out.push(...attachedDrift(role, actual, role.existing));
  }
  for (const user of account.users.values()) {
    const actual = there?.users.get(user.name);
    if (!actual) {
      out.push({ resource: user.arn, problem: "the model defines this user; it is not deployed", fix: APPLY });
      continue;
    }
    out.push(...attachedDrift(user, actual));
    for (const group of actual.groups ?? [])
      if (!(user.groups ?? []).includes(group))
        out.push({
          resource: user.arn,
          problem: `the user is in group ${group}, which the model does not declare (the group's policies apply to the user)`,
          fix: `remove the user from the group, ${DECLARE}`,
        });
  }
  for (const [arn, doc] of account.managedPolicies) {
    const actual = there?.managedPolicies.get(arn);
    if (!same(actual, doc))
      out.push({
        resource: arn,
        problem: `the managed policy's default version ${actual ? "differs from the model's" : "is missing"}`,
        fix: APPLY,
      });
  }
  return out;
}

/**
 * Who outside the resource's own account a resource policy statement admits, as the engine read
 * its Principal: other accounts and their principals, and `*` unless a condition keeps it to the
 * account (aws:PrincipalAccount, kms:CallerAccount, or for a service's call aws:SourceAccount and
 * aws:SourceOwner); `*` under an organization condition is named
 * as that organization. Empty when it admits only the account's own principals or services.
 */
function outsiders(compiled: Statement, written: PolicyStatement, own: string, partition: string): string[] {
  if (compiled.effect !== "Allow") return [];
  // An Allow with NotPrincipal admits every principal but those it names, anonymous users included.
  if (compiled.notPrincipal) return [`every principal except ${JSON.stringify(written.NotPrincipal)} (anonymous users included)`];
  if (!compiled.principal) return [];
  const out: string[] = [];
  if (compiled.principal.everyone) {
    const accounts = ["aws:PrincipalAccount", "kms:CallerAccount", "aws:SourceAccount", "aws:SourceOwner"].flatMap(
      (k) => requiredValues(written, k) ?? [],
    );
    const orgs = requiredValues(written, "aws:PrincipalOrgID");
    const paths = requiredValues(written, "aws:PrincipalOrgPaths");
    if (accounts.length && accounts.every((a) => a === own)) return [];
    out.push(
      accounts.length
        ? `accounts ${accounts.join(", ")}`
        : orgs
          ? `every principal of organization ${orgs.join(", ")}`
          : paths
            ? `every principal under ${paths.join(", ")}`
            : 'every AWS principal ("*")',
    );
  }
  for (const name of compiled.principal as Iterable<PrincipalName>) {
    const [account, text] =
      name.kind === "account"
        ? [name.account, rootArn(name.partition ?? partition, name.account)]
        : name.kind === "role"
          ? [name.account, `arn:${name.partition}:iam::${name.account}:role/${name.name}`]
          : name.kind === "arn"
            ? [principalAccountId(name.arn), name.arn]
            : [undefined, ""];
    if (account !== undefined && account !== own) out.push(text);
  }
  return out;
}

/** The model's policy for a deployed resource: under its ARN, or under an ARN pattern that matches it (secret:db-??????). */
function modelPolicies(account: AccountEntry): (arn: string) => ResourcePolicyState | undefined {
  const patterns = [...account.resourcePolicies.values()].filter((p) => /[*?]/.test(p.arn)).map((p) => [compileGlob(p.arn), p] as const);
  return (arn) => account.resourcePolicies.get(arn) ?? patterns.find(([glob]) => globMatches(glob, arn))?.[1];
}

/** A deployed policy's statements compiled, or, where xacct cannot read it, a drift item saying so (never a silent "admits nobody"). */
function readable(
  book: PolicyBook,
  doc: PolicyDocument,
  kind: "resource" | "trust",
  arn: string,
  out: Drift[],
): readonly Statement[] | undefined {
  try {
    return book.policy(doc, kind, kind === "trust" ? `${arn} trust policy` : arn).statements;
  } catch (e) {
    out.push({
      resource: arn,
      problem: `xacct cannot read the deployed ${kind} policy, so it cannot say whom it admits: ${(e as Error).message}`,
      fix: "correct the policy, or leave it out of the inventory and check it by hand",
    });
    return undefined;
  }
}

/** Statements of the deployed resource policies of a model's account that admit outsiders the model does not declare. */
function resourcePolicyDrift(account: AccountEntry, there: AccountEntry, book: PolicyBook): Drift[] {
  const out: Drift[] = [];
  const modelPolicyOf = modelPolicies(account);
  for (const deployed of there.resourcePolicies.values()) {
    const statements = readable(book, deployed.policy, "resource", deployed.arn, out);
    if (!statements) continue;
    const model = modelPolicyOf(deployed.arn);
    const declared = new Set((model?.policy.Statement ?? []).map((s) => statementKey(s, account.partition)));
    statements.forEach((compiled, i) => {
      const written = deployed.policy.Statement[i] as PolicyStatement;
      const who = outsiders(compiled, written, there.id, account.partition);
      if (who.length === 0 || declared.has(statementKey(written, account.partition))) return;
      out.push({
        resource: deployed.arn,
        problem: `${described(written, i)} admits ${who.join(", ")} from outside account ${there.id}, and no grant of the model declares it${model ? " (the model's policy for this resource has no such statement)" : ""}`,
        fix: `remove the statement from the resource policy${model ? ` (${APPLY})` : ""}, ${DECLARE} (a grant with via: resource-policy, or statements:)`,
      });
    });
  }
  return out;
}

/**
 * Roles deployed in a model's account that the model does not define, whose trust admits a
 * principal outside the account: cross-account access the model does not declare, as a resource
 * policy statement would be. Roles trusting only services, identity providers or the account's
 * own principals are the account's own business.
 */
function undeclaredRoleDrift(account: AccountEntry, there: AccountEntry, book: PolicyBook): Drift[] {
  const out: Drift[] = [];
  for (const role of there.roles.values()) {
    if (account.roles.has(role.name)) continue;
    const statements = readable(book, role.trustPolicy, "trust", role.arn, out);
    if (!statements) continue;
    const who = [
      ...new Set(statements.flatMap((c, i) => outsiders(c, role.trustPolicy.Statement[i] as PolicyStatement, there.id, account.partition))),
    ];
    if (who.length)
      out.push({
        resource: role.arn,
        problem: `the role is not defined by the model, and its trust policy admits ${who.join(", ")} from outside account ${there.id}`,
        fix: `delete the role, or remove those principals from its trust, ${DECLARE} (a grant to a role of the model)`,
      });
  }
  return out;
}

/** Everything a model declares in the accounts it manages that is missing or different in what is deployed. */
export function driftOf(model: AccountState, deployed: AccountState, book: PolicyBook): Drift[] {
  const out: Drift[] = [];
  for (const account of model.accounts.values()) {
    if (!account.managed) continue;
    const there = deployed.accounts.get(account.id);
    out.push(...identityDrift(account, there));
    if (there) out.push(...resourcePolicyDrift(account, there, book), ...undeclaredRoleDrift(account, there, book));
  }
  return out;
}
