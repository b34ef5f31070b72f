/**
 * Terraform, per managed account, in Terraform's JSON syntax (`main.tf.json`): the AWS provider
 * pinned to the account (`allowed_account_ids`), its roles with inline policies, attachments and
 * instance profiles, users, OIDC providers, the resource-based policies Terraform can own on their
 * own, and every role's ARN as an output. Policies are JSON strings, as `jsonencode` would give.
 *
 * Terraform reads every JSON string as a template: literal `${` and `%{` (IAM policy variables)
 * are written `$${` and `%%{`.
 */
import type { AccountEntry, AccountState, PolicyDocument } from "../state/account-state.js";
import { accountsNamedIn, Names, type Placement, placeResourcePolicy, principals } from "./cloudformation.js";
import { shortHash } from "../text/hash.js";
import type { TerraformValue } from "../services/outputs.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

type Obj = Record<string, unknown>;

/** The provider release that made `thumbprint_list` optional (hashicorp/terraform-provider-aws#37255). */
export const AWS_PROVIDER_VERSION = ">= 5.81.0";

/** A literal string in Terraform's template language. */
export function literal(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

function policy(doc: PolicyDocument): string {
  return literal(JSON.stringify(doc));
}

function tags(values: ReadonlyMap<string, string>): Obj {
  const entries = [...values];
  return entries.length ? { tags: Object.fromEntries(entries.map(([k, v]) => [literal(k), literal(v)])) } : {};
}

/** `oidc.eks…/id/ABC` → `oidc_eks…_id_ABC`: a Terraform identifier (letters, digits, `_`, `-`). */
export function identifier(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_-]+/g, "_");
  const start = /^[A-Za-z_]/.test(id) ? id : `_${id}`;
  return start.length > 64 ? `${start.slice(0, 64)}_${shortHash(text)}` : start;
}

/** A JSON object keyed by names (block labels), without a prototype: a role named `__proto__` or `constructor` is a block like any other. */
function labelled<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

class Config {
  readonly resource = labelled<Record<string, Obj>>();
  readonly data = labelled<Record<string, Obj>>();
  readonly output = labelled<Obj>();
  private readonly names = new Map<string, Names>();

  /** Adds `TYPE.NAME` (or `data.TYPE.NAME`); returns its address. */
  add(type: string, text: string, body: Obj, kind: "resource" | "data" = "resource"): string {
    const key = `${kind}.${type}`;
    const names = this.names.get(key) ?? new Names(identifier, "_");
    this.names.set(key, names);
    const name = names.name(text);
    (this[kind][type] ??= labelled<Obj>())[name] = body;
    return kind === "data" ? `data.${type}.${name}` : `${type}.${name}`;
  }

  /** The body of the resource at `TYPE.NAME`. */
  block(address: string): Obj {
    const [type = "", name = ""] = address.split(".");
    const body = this.resource[type]?.[name];
    if (!body) throw new Error(`no resource ${address}`);
    return body;
  }
}

/** The blocks of one resource-based policy, with the resources the AWS provider has for it; returns their addresses. */
function addResourcePolicy(tf: Config, placement: Placement, doc: PolicyDocument): string[] {
  const value = (v: TerraformValue): string =>
    typeof v === "string"
      ? literal(v)
      : `\${${tf.add(v.data.type, v.data.label, mapValues(v.data.arguments, literal), "data")}.${v.data.attribute}}`;
  return (placement.resources ?? []).flatMap(({ names, terraform: block }) =>
    block
      ? [
          tf.add(block.type, names.join("_"), {
            ...mapValues(block.arguments, value),
            ...(block.policyKey ? { [block.policyKey]: policy(doc) } : {}),
          }),
        ]
      : [],
  );
}

function mapValues<T>(record: Record<string, T>, f: (value: T) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

function accountConfig(account: AccountEntry, state: AccountState): Obj | undefined {
  const tf = new Config();
  const principalAddresses = new Map<string, string>();
  const byHand: string[] = [];
  const outputs = new Names(identifier, "_");
  /** Blocks whose policy names principals: once all are known, they depend on those made here. */
  const naming: [Obj, PolicyDocument][] = [];

  for (const provider of account.oidcProviders.values()) {
    const address = tf.add("aws_iam_openid_connect_provider", provider.issuer, {
      url: literal(`https://${provider.issuer}`),
      client_id_list: provider.clientIds.map(literal),
    });
    principalAddresses.set(provider.arn, address);
  }
  for (const role of account.roles.values()) {
    if (role.existing) {
      // A role owned elsewhere (MWAA's execution role) is not created here: its policies are attached to it by name.
      for (const [name, doc] of role.policies)
        tf.add("aws_iam_role_policy", `${role.name}_${name}`, { name: literal(name), role: literal(role.name), policy: policy(doc) });
      continue;
    }
    const address = tf.add("aws_iam_role", role.name, {
      name: literal(role.name),
      path: literal(role.path),
      ...(role.description ? { description: literal(role.description) } : {}),
      assume_role_policy: policy(role.trustPolicy),
      max_session_duration: role.maxSessionDuration,
      ...(role.permissionsBoundaryArn ? { permissions_boundary: literal(role.permissionsBoundaryArn) } : {}),
      ...tags(role.tags),
    });
    naming.push([tf.block(address), role.trustPolicy]);
    principalAddresses.set(role.arn, address);
    for (const [name, doc] of role.policies) {
      tf.add("aws_iam_role_policy", `${role.name}_${name}`, { name: literal(name), role: `\${${address}.id}`, policy: policy(doc) });
    }
    for (const arn of role.managedPolicyArns) {
      tf.add("aws_iam_role_policy_attachment", `${role.name}_${arn.slice(arn.lastIndexOf("/") + 1)}`, {
        role: `\${${address}.name}`,
        policy_arn: literal(arn),
      });
    }
    if (role.instanceProfile)
      tf.add("aws_iam_instance_profile", role.name, { name: literal(role.name), path: literal(role.path), role: `\${${address}.name}` });
    tf.output[outputs.name(`${role.name}_arn`)] = { description: literal(`ARN of role ${role.name}`), value: `\${${address}.arn}` };
  }
  for (const user of account.users.values()) {
    // Access keys are never created here: their secret would land in the Terraform state.
    const address = tf.add("aws_iam_user", user.name, { name: literal(user.name), path: literal(user.path), ...tags(user.tags) });
    principalAddresses.set(user.arn, address);
    for (const [name, doc] of user.policies) {
      tf.add("aws_iam_user_policy", `${user.name}_${name}`, { name: literal(name), user: `\${${address}.name}`, policy: policy(doc) });
    }
    for (const arn of user.managedPolicyArns) {
      tf.add("aws_iam_user_policy_attachment", `${user.name}_${arn.slice(arn.lastIndexOf("/") + 1)}`, {
        user: `\${${address}.name}`,
        policy_arn: literal(arn),
      });
    }
  }
  for (const resourcePolicy of account.resourcePolicies.values()) {
    const placement = placeResourcePolicy(resourcePolicy, account);
    if (placement.byHand) byHand.push(`${placement.byHand.service} ${placement.byHand.resourceArn}`);
    for (const address of addResourcePolicy(tf, placement, resourcePolicy.policy)) naming.push([tf.block(address), resourcePolicy.policy]);
  }
  if (Object.keys(tf.resource).length === 0) return undefined;
  for (const [body, doc] of naming) {
    const own = [...principals(doc, "AWS"), ...principals(doc, "Federated")].map((p) => principalAddresses.get(p));
    const dependsOn = [...new Set(own.filter((a): a is string => a !== undefined && tf.block(a) !== body))].sort();
    if (dependsOn.length) body.depends_on = dependsOn;
  }

  const after = accountsNamedIn(account, state);
  const comment = [
    `xacct: IAM for account ${account.name ?? account.id} (${account.id}): terraform init && terraform apply.`,
    after.length ? `Apply after the configurations of ${after.join(", ")}: their roles and users are named as principals here.` : "",
    byHand.length ? `Not managed here (see ../resource-policies-to-apply.json): ${byHand.join("; ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return {
    "//": literal(comment),
    terraform: { required_version: ">= 1.3.0", required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } },
    provider: { aws: { region: account.region ?? "us-east-1", allowed_account_ids: [account.id] } },
    ...(Object.keys(tf.data).length ? { data: tf.data } : {}),
    resource: tf.resource,
    ...(Object.keys(tf.output).length ? { output: tf.output } : {}),
  };
}

export const emitTerraform: Emitter = ({ state }) => {
  const files: EmittedFile[] = [];
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    const config = accountConfig(account, state);
    if (config) files.push({ path: `accounts/${slug(account.name ?? account.id)}/terraform/main.tf.json`, content: json(config) });
  }
  return files;
};
