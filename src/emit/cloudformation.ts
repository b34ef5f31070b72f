/**
 * CloudFormation, per managed account: one template holding its roles (with instance profiles),
 * users, OIDC providers and the resource-based policies CloudFormation can own as resources of
 * their own; a StackSet-ready template per cross-account role, to roll it out to every account of
 * an OU; and, for policies CloudFormation can only set by owning the resource (KMS keys,
 * CodeArtifact repositories), a file of the exact CLI commands that apply them. Which resource
 * holds a service's policy, or which commands apply it, is its module's `resourcePolicy`
 * (src/services/); this file wraps them.
 *
 * The helpers the Terraform emitter shares (unique names, where each resource policy goes, what a
 * template depends on) are exported from here.
 */
import { buildArn, isAccountId, isAwsManagedPolicyArn, parseArn } from "../aws/arn.js";
import { recipeFor } from "../services/index.js";
import { type ByHandSteps, mergeCommand, type PolicyResource } from "../services/outputs.js";
import type { AccountEntry, AccountState, PolicyDocument, ResourcePolicyState, RoleState } from "../state/account-state.js";
import { mdCode, mdFence, mdText, shellWord } from "../text/escape.js";
import { shortHash } from "../text/hash.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Shared with the Terraform emitter
// ---------------------------------------------------------------------------------------------

/** Hands out names of one form, unique within the table: a clash gets the source text's hash. */
export class Names {
  private readonly taken = new Set<string>();
  constructor(
    private readonly form: (text: string) => string,
    private readonly separator = "",
  ) {}

  name(text: string): string {
    const base = this.form(text);
    let name = this.taken.has(base) ? `${base}${this.separator}${shortHash(text)}` : base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${this.separator}${shortHash(text)}${this.separator}${i}`;
    this.taken.add(name);
    return name;
  }
}

/** `data-reader.v2` → `DataReaderV2`: a CloudFormation logical ID part (alphanumeric). */
export function pascal(text: string): string {
  const id = text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  return id.length > 200 ? `${id.slice(0, 200)}${shortHash(text)}` : id || "X";
}

/** The account a principal (ARN or 12-digit ID) belongs to. */
export function principalAccount(principal: string): string | undefined {
  return isAccountId(principal) ? principal : parseArn(principal)?.account || undefined;
}

/** Every value under `Principal.<key>` ("AWS", "Federated", "Service") in a policy. */
export function principals(doc: PolicyDocument, key: string): string[] {
  return doc.Statement.flatMap((s) => (s.Principal && s.Principal !== "*" ? [s.Principal[key] ?? []].flat() : []));
}

/** Roles whose trust names an AWS principal of another account: the roles grants create. */
export function isCrossAccountRole(role: RoleState, accountId: string): boolean {
  return principals(role.trustPolicy, "AWS").some((p) => {
    const owner = principalAccount(p);
    return owner !== undefined && owner !== accountId;
  });
}

/** The names of managed accounts whose roles or users a policy of this account names. */
export function accountsNamedIn(account: AccountEntry, state: AccountState): string[] {
  const docs = [...account.roles.values()].map((r) => r.trustPolicy).concat([...account.resourcePolicies.values()].map((p) => p.policy));
  const names = new Set<string>();
  for (const arn of docs.flatMap((d) => principals(d, "AWS"))) {
    const other = state.accounts.get(principalAccount(arn) ?? "");
    const name = arn.slice(arn.lastIndexOf("/") + 1);
    if (other && other !== account && other.managed && (other.roles.has(name) || other.users.has(name))) names.add(other.name ?? other.id);
  }
  return [...names].sort();
}

/** A policy neither CloudFormation nor Terraform should own here: applied with CLI commands. */
export interface ByHand extends ByHandSteps {
  service: string;
  resourceArn: string;
  policy: PolicyDocument;
}

/** Where a resource-based policy goes: resources of their own (as its service says), or by hand. */
export type Placement = { resources: PolicyResource[]; byHand?: undefined } | { resources?: undefined; byHand: ByHand };

export function placeResourcePolicy(policy: ResourcePolicyState, account: AccountEntry): Placement {
  const arn = parseArn(policy.arn);
  if (!arn) throw new Error(`account ${account.name ?? account.id}: resource policy for "${policy.arn}", which is not an ARN`);
  const region = account.region ?? "us-east-1";
  if (arn.region && arn.region !== region) {
    throw new Error(
      `account ${account.name ?? account.id}: the ${policy.service} policy of ${policy.arn} is in ${arn.region}, but the account's templates deploy in ${region}`,
    );
  }
  const base = { service: policy.service, resourceArn: policy.arn, policy: policy.policy };
  const file = slug(`${policy.service}-${arn.resource}`).replace(/\//g, "-");
  const rule = recipeFor(policy.service)?.resourcePolicy;
  if (policy.existing) {
    const target = { arn, text: policy.arn, policy: policy.policy, file };
    const own = rule?.merge?.(target) ?? (rule ? rule.apply(target) : undefined);
    if (own && !("resources" in own)) return { byHand: { ...base, ...("byHand" in own ? own.byHand : own) } };
    const why = `The resource exists and is owned elsewhere: merge these statements into its current ${policy.service} resource policy (replacing statements with the same Sids, keeping the others) and apply it with the service's own API; a template would replace the owner's policy.`;
    return { byHand: { ...base, why, commands: [mergeCommand(policy.policy, `${file}.current.json`, `${file}.json`)] } };
  }
  if (!rule) {
    const why = `xacct knows no CloudFormation resource for a ${policy.service} resource policy: apply it with the service's own API.`;
    return { byHand: { ...base, why, commands: [] } };
  }
  const applied = rule.apply({ arn, text: policy.arn, policy: policy.policy, file });
  return "byHand" in applied ? { byHand: { ...base, ...applied.byHand } } : applied;
}

// ---------------------------------------------------------------------------------------------
// CloudFormation
// ---------------------------------------------------------------------------------------------

function inlinePolicies(policies: ReadonlyMap<string, PolicyDocument>): Obj {
  const list = [...policies].map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument }));
  return list.length ? { Policies: list } : {};
}

function tags(values: ReadonlyMap<string, string>): Obj {
  const list = [...values].map(([Key, Value]) => ({ Key, Value }));
  return list.length ? { Tags: list } : {};
}

function roleResource(role: RoleState, dependsOn: string[] = []): Obj {
  return {
    Type: "AWS::IAM::Role",
    ...(dependsOn.length ? { DependsOn: dependsOn } : {}),
    Properties: {
      RoleName: role.name,
      Path: role.path,
      ...(role.description ? { Description: role.description } : {}),
      AssumeRolePolicyDocument: role.trustPolicy,
      MaxSessionDuration: role.maxSessionDuration,
      ...inlinePolicies(role.policies),
      ...(role.managedPolicyArns.length ? { ManagedPolicyArns: role.managedPolicyArns } : {}),
      ...(role.permissionsBoundaryArn ? { PermissionsBoundary: role.permissionsBoundaryArn } : {}),
      ...tags(role.tags),
    },
  };
}

function instanceProfile(role: RoleState, roleId: string): Obj {
  return { Type: "AWS::IAM::InstanceProfile", Properties: { InstanceProfileName: role.name, Path: role.path, Roles: [{ Ref: roleId }] } };
}

/** Logical IDs of this template's roles, users and OIDC providers named as principals in `doc`. */
function principalDependencies(doc: PolicyDocument, ids: Map<string, string>, self?: string): string[] {
  const named = [...principals(doc, "AWS"), ...principals(doc, "Federated")].map((arn) => ids.get(arn));
  return [...new Set(named.filter((id): id is string => id !== undefined && id !== self))].sort();
}

function resourcePolicyResources(
  placement: Placement,
  policy: ResourcePolicyState,
  add: (base: string, resource: Obj) => void,
  dependsOn: string[],
): void {
  const deps = dependsOn.length ? { DependsOn: dependsOn } : {};
  for (const { names, cloudformation: cfn } of placement.resources ?? []) {
    if (!cfn) continue;
    add(`${cfn.prefix}${names.map(pascal).join("")}`, {
      Type: cfn.type,
      ...deps,
      Properties: { ...cfn.properties, ...(cfn.policyKey ? { [cfn.policyKey]: policy.policy } : {}) },
    });
  }
}

function stackName(text: string): string {
  return `xacct-${text}`.replace(/[^A-Za-z0-9-]+/g, "-").slice(0, 128);
}

/** The account's template (none when nothing goes in one), and the resource policies applied by hand. */
function accountTemplate(account: AccountEntry, state: AccountState): { template?: Obj; byHand: ByHand[] } {
  const ids = new Names((t) => t);
  const resources: Obj = {};
  const outputs: Obj = {};
  const add = (base: string, resource: Obj) => void (resources[ids.name(base)] = resource);
  const principalIds = new Map<string, string>();
  // A role owned elsewhere (MWAA's execution role) is not created here: its policies are attached to it by name.
  for (const role of account.roles.values())
    if (role.existing)
      for (const [PolicyName, PolicyDocument] of role.policies)
        add(`RolePolicy${pascal(role.name)}${pascal(PolicyName)}`, {
          Type: "AWS::IAM::RolePolicy",
          Properties: { PolicyName, RoleName: role.name, PolicyDocument },
        });
  const roleIds = new Map([...account.roles.values()].filter((r) => !r.existing).map((r) => [r, ids.name(`Role${pascal(r.name)}`)]));
  for (const [role, id] of roleIds) principalIds.set(role.arn, id);
  const userIds = new Map([...account.users.values()].map((u) => [u, ids.name(`User${pascal(u.name)}`)]));
  for (const [user, id] of userIds) principalIds.set(user.arn, id);
  const oidcIds = new Map([...account.oidcProviders.values()].map((p) => [p, ids.name(`OidcProvider${pascal(p.issuer)}`)]));
  for (const [provider, id] of oidcIds) principalIds.set(provider.arn, id);

  for (const [provider, id] of oidcIds) {
    resources[id] = { Type: "AWS::IAM::OIDCProvider", Properties: { Url: `https://${provider.issuer}`, ClientIdList: provider.clientIds } };
  }
  for (const [role, id] of roleIds) {
    resources[id] = roleResource(role, principalDependencies(role.trustPolicy, principalIds, id));
    if (role.instanceProfile) add(`InstanceProfile${pascal(role.name)}`, instanceProfile(role, id));
    outputs[`${id}Arn`] = { Description: `ARN of role ${role.name}`, Value: { "Fn::GetAtt": [id, "Arn"] } };
  }
  for (const [user, id] of userIds) {
    resources[id] = {
      Type: "AWS::IAM::User",
      ...(user.accessKeys
        ? {
            Metadata: {
              "xacct:accessKeys": `Create this user's access keys by hand (aws iam create-access-key --user-name ${user.name}) and keep them only in the workload's secret store; a template never holds them.`,
            },
          }
        : {}),
      Properties: {
        UserName: user.name,
        Path: user.path,
        ...inlinePolicies(user.policies),
        ...(user.managedPolicyArns.length ? { ManagedPolicyArns: user.managedPolicyArns } : {}),
        ...tags(user.tags),
      },
    };
  }
  const byHand: ByHand[] = [];
  for (const policy of account.resourcePolicies.values()) {
    const placement = placeResourcePolicy(policy, account);
    if (placement.byHand) byHand.push(placement.byHand);
    resourcePolicyResources(placement, policy, add, principalDependencies(policy.policy, principalIds));
  }
  if (Object.keys(resources).length === 0) return { byHand };

  const name = account.name ?? account.id;
  const region = account.region ?? "us-east-1";
  const after = accountsNamedIn(account, state);
  const description = `xacct: IAM for account ${name} (${account.id}). Deploy in ${region} with CAPABILITY_NAMED_IAM${after.length ? `, after the stacks of ${after.join(", ")} (their roles and users are named as principals here)` : ""}.`;
  const metadata = {
    account: account.id,
    region,
    deploy: `aws cloudformation deploy --template-file cloudformation.json --stack-name ${stackName(name)} --capabilities CAPABILITY_NAMED_IAM --region ${region}`,
    ...(after.length ? { deployAfter: after } : {}),
    ...(byHand.length
      ? { notInTemplate: byHand.map((b) => ({ service: b.service, resource: b.resourceArn, see: "resource-policies-to-apply.json" })) }
      : {}),
  };
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: description.slice(0, 1024),
    Metadata: { xacct: metadata },
    Resources: resources,
    Outputs: outputs,
  };
  return { template, byHand };
}

// ---------------------------------------------------------------------------------------------
// StackSets
// ---------------------------------------------------------------------------------------------

/**
 * The deploying account's own ARNs and ID become `${AWS::Partition}`/`${AWS::AccountId}`, and AWS
 * managed policies' ARNs `arn:${AWS::Partition}:iam::aws:policy/…`, so the template deploys into
 * any account of any partition; principals and resources of other accounts stay literal.
 */
export function parameterise(value: unknown, account: string): unknown {
  if (typeof value === "string") {
    if (value === account) return { Ref: "AWS::AccountId" };
    const arn = parseArn(value);
    const own = arn?.account === account;
    if (!arn || arn.partition === "" || !(own || isAwsManagedPolicyArn(value))) return value;
    // Fn::Sub reads ${…} as its own variables: IAM policy variables are written ${!…}.
    const literal = (text: string): string => text.replace(/\$\{/g, "${!");
    return {
      "Fn::Sub": buildArn({
        partition: "${AWS::Partition}",
        service: literal(arn.service),
        region: literal(arn.region),
        account: own ? "${AWS::AccountId}" : arn.account,
        resource: literal(arn.resource),
      }),
    };
  }
  if (Array.isArray(value)) return value.map((v) => parameterise(v, account));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, parameterise(v, account)]));
  return value;
}

function stackSetTemplate(role: RoleState, account: AccountEntry): Obj {
  const id = `Role${pascal(role.name)}`;
  const resources: Obj = { [id]: parameterise(roleResource(role), account.id) };
  if (role.instanceProfile) resources[`InstanceProfile${pascal(role.name)}`] = instanceProfile(role, id);
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      `xacct: the cross-account role ${role.name}, for every account of an OU. Deploy as a service-managed StackSet to one region (IAM is global); see ${slug(role.name)}.md.`.slice(
        0,
        1024,
      ),
    Resources: resources,
    Outputs: { [`${id}Arn`]: { Description: `ARN of role ${role.name}`, Value: { "Fn::GetAtt": [id, "Arn"] } } },
  };
}

function stackSetReadme(role: RoleState, file: string, accounts: AccountEntry[]): string {
  const set = stackName(role.name);
  const ous = [...new Set(accounts.map((a) => a.organization?.path.at(-1)).filter((ou): ou is string => ou !== undefined))];
  const region = accounts[0]?.region ?? "us-east-1";
  const trusted = [...new Set(principals(role.trustPolicy, "AWS"))];
  return [
    `# StackSet: ${mdText(role.name)}`,
    "",
    `${mdCode(`${file}.json`)} creates the IAM role ${mdCode(role.name)} in every account it is deployed to, trusting ${trusted.map(mdCode).join(", ")}.`,
    `The deploying account's ID and partition are \`AWS::AccountId\` and \`AWS::Partition\`; principals in other accounts are literal.`,
    `In the model it is the role of ${mdText(accounts.map((a) => `${a.name ?? a.id} (${a.id})`).join(", "))}.`,
    "",
    "Run from the organization's management account (or a delegated administrator, adding `--call-as DELEGATED_ADMIN`), with trusted access for CloudFormation StackSets enabled in AWS Organizations:",
    "",
    mdFence(
      "sh",
      [
        `aws cloudformation create-stack-set \\`,
        `  --stack-set-name ${shellWord(set)} \\`,
        `  --template-body ${shellWord(`file://${file}.json`)} \\`,
        `  --permission-model SERVICE_MANAGED \\`,
        `  --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false \\`,
        `  --capabilities CAPABILITY_NAMED_IAM`,
        "",
        `aws cloudformation create-stack-instances \\`,
        `  --stack-set-name ${shellWord(set)} \\`,
        `  --deployment-targets ${shellWord(`OrganizationalUnitIds=${ous.length ? ous.join(",") : "ou-REPLACE-WITH-YOUR-OU-ID"}`)} \\`,
        `  --regions ${shellWord(region)}`,
      ].join("\n"),
    ),
    "",
    ous.length
      ? "The OU is the one the model gives for the account(s) above."
      : "The model gives no OU for these accounts (`ou:` in xacct.yaml): put the OU (or root) ID in `--deployment-targets`.",
    "Deploy to one region only: a role name exists once per account, so a second region's stack instance would fail.",
    "Service-managed StackSets never deploy to the management account itself.",
    "",
  ].join("\n");
}

function stackSetFiles(state: AccountState): EmittedFile[] {
  const byName = new Map<string, { role: RoleState; account: AccountEntry; body: string }[]>();
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    for (const role of account.roles.values()) {
      if (!isCrossAccountRole(role, account.id)) continue;
      const list = byName.get(role.name) ?? [];
      list.push({ role, account, body: json(stackSetTemplate(role, account)) });
      byName.set(role.name, list);
    }
  }
  const files: EmittedFile[] = [];
  for (const [name, list] of byName) {
    // The same role in several accounts is one StackSet when it parameterises to the same template.
    const groups = new Map<string, typeof list>();
    for (const entry of list) groups.set(entry.body, [...(groups.get(entry.body) ?? []), entry]);
    for (const group of groups.values()) {
      const first = group[0]!;
      const file = groups.size === 1 ? slug(name) : slug(`${name}-${first.account.name ?? first.account.id}`);
      files.push({ path: `stacksets/${file}.json`, content: first.body });
      files.push({
        path: `stacksets/${file}.md`,
        content: stackSetReadme(
          first.role,
          file,
          group.map((g) => g.account),
        ),
      });
    }
  }
  return files;
}

// ---------------------------------------------------------------------------------------------

export const emitCloudFormation: Emitter = ({ state }) => {
  const files: EmittedFile[] = [];
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    const built = accountTemplate(account, state);
    const dir = `accounts/${slug(account.name ?? account.id)}`;
    if (built.template) {
      const metadata = (built.template.Metadata as { xacct: { deploy: string } }).xacct;
      // Templates over 51,200 bytes cannot be passed inline: `deploy` must upload them to S3 first.
      if (Buffer.byteLength(json(built.template)) > 51_200) metadata.deploy += " --s3-bucket YOUR-ARTIFACT-BUCKET";
      files.push({ path: `${dir}/cloudformation.json`, content: json(built.template) });
    }
    // An account with only by-hand policies (a DynamoDB table's, a KMS key's) still gets its steps.
    if (built.byHand.length) {
      files.push({
        path: `${dir}/resource-policies-to-apply.json`,
        content: json({
          description:
            "Resource-based policies neither cloudformation.json nor terraform/ applies: run each entry's commands in order (AWS CLI and jq), in the account below.",
          account: account.id,
          region: account.region ?? "us-east-1",
          policies: built.byHand,
        }),
      });
    }
  }
  return [...files, ...stackSetFiles(state)];
};
