/**
 * The round trip of issue 14: an example model, with the model's `audit:` role added, applied to
 * the sandbox as a deployment would (IAM through the IAM API, resource policies through each
 * service's own API with the real SDK clients), then collected with `xacct collect --all` by a
 * collector role of the organization's management account, as a team would run it.
 *
 * Examples whose accounts are in no organization are put in one (`o-roundtrip01`, every managed
 * account under its root) for the sandbox: `--all` reads the accounts through AWS Organizations.
 * What is there before the deployment is in the sandbox from the start: accounts outside the
 * model's management as the model holds them, roles the model declares existing, the KMS keys it
 * puts policies on (with KMS's default key policy), and IAM Identity Center's part as AWS does it
 * (its SAML provider and each permission set's role: verify.ts modelAsApplied gives the roles).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodeartifactClient, PutDomainPermissionsPolicyCommand, PutRepositoryPermissionsPolicyCommand } from "@aws-sdk/client-codeartifact";
import { KinesisClient, PutResourcePolicyCommand } from "@aws-sdk/client-kinesis";
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, type BucketLocationConstraint, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { SetQueueAttributesCommand, SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { parseArn } from "../../src/aws/arn.js";
import { DEFAULT_AUDIT_ROLE } from "../../src/compile/audit.js";
import { compile, type Compiled } from "../../src/compile/compile.js";
import { modelAsApplied } from "../../src/graph/verify.js";
import { loadModel } from "../../src/model/load.js";
import type { Sandbox, SandboxOptions } from "../../src/sandbox/index.js";
import { type AccountEntry, type AccountState, emptyAccount, policyDocument } from "../../src/state/account-state.js";
import { AUDIT_POLICY } from "./collect.js";
import { apply, rootOf } from "./iam-apply.js";
import { MAIN, type Ran, runProgram } from "./chain-cli.js";
import { assume, type Keys, userKeys } from "./sandbox-clients.js";
import { examplesDir } from "./state.js";

/** The role of the collector account that runs collect, and the user who assumes it (the sandbox makes the user's keys). */
export const COLLECTOR_ROLE = "xacct-collector";
export const OPERATOR = "operator";
const SYNTHETIC_ORG = "o-roundtrip01";
/** The account added to collect from when a model has only accounts of one ID per stage. */
const AUDIT_HOME = "audit-home";
const AUDIT_HOME_ID = "300000000009";

export interface Applied {
  /** The example's model with `audit:` added, compiled. */
  compiled: Compiled;
  modelText: string;
  /** The collector (management) account. */
  collector: string;
  /** The regions of the model's accounts: where collect reads. */
  regions: string[];
  /** What the sandbox starts with: the accounts with nothing in them but the collector and Identity Center's part. */
  sandbox: Pick<SandboxOptions, "state" | "managementAccounts">;
}

/**
 * An example's model with the audit role added (`audit: { collector, principal: xacct-collector }`):
 * the collector is an account of the organization named as its management account, else the first
 * managed account of the model.
 */
export function withAudit(example: string): Applied {
  const file = join(examplesDir, example, "xacct.yaml");
  let text = readFileSync(file, "utf8");
  const original = compile(loadModel(text, file));
  const managed = [...original.state.accounts.values()].filter((a) => a.managed);
  const single = (name: string | undefined) => name !== undefined && typeof original.model.accounts[name]?.id === "string";
  let collector = managed.find((a) => a.id === original.state.organization?.managementAccount) ?? managed.find((a) => single(a.name));
  if (!collector?.name) {
    // Every account is one per stage: the audit role trusts one collector, so the team adds an account to collect from.
    const region = managed[0]?.region ?? "us-east-1";
    text = text.replace(/^accounts:\n/m, `accounts:\n  ${AUDIT_HOME}: { id: "${AUDIT_HOME_ID}", region: ${region} }\n`);
    collector = { ...emptyAccount(AUDIT_HOME_ID, "aws"), name: AUDIT_HOME, region };
  }
  const modelText = `${text}\naudit:\n  collector: ${collector.name}\n  principal: ${COLLECTOR_ROLE}\n`;
  const compiled = compile(loadModel(modelText, file));
  const regions = [...new Set(managed.map((a) => a.region).filter((r): r is string => r !== undefined))].sort();
  return { compiled, modelText, collector: collector.id, regions, sandbox: sandboxStart(compiled, collector.id) };
}

/** The accounts with no IAM in them, each in an organization, and what is there before any deployment. */
function sandboxStart(compiled: Compiled, collector: string): Applied["sandbox"] {
  const accounts = new Map(
    [...compiled.state.accounts.values()].map((a) => [
      a.id,
      emptyAccount(a.id, a.partition, {
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.region !== undefined ? { region: a.region } : {}),
        managed: a.managed,
        ...(a.organization
          ? { organization: a.organization }
          : a.managed && !compiled.state.organization
            ? { organization: { id: SYNTHETIC_ORG, path: ["r-roun"] } }
            : {}),
      }),
    ]),
  );
  for (const account of compiled.state.accounts.values()) {
    const entry = accounts.get(account.id);
    if (!entry) continue;
    // An account outside the model's management is there as it is, with each of its roles a trust names (a vendor's role exists).
    if (!account.managed) {
      const copy = { ...account, roles: new Map(account.roles) };
      accounts.set(account.id, copy);
      for (const name of namedRoles(compiled.state, account.id))
        if (!copy.roles.has(name))
          copy.roles.set(name, {
            name,
            path: "/",
            arn: `arn:${account.partition}:iam::${account.id}:role/${name}`,
            trustPolicy: policyDocument([
              { Effect: "Allow", Principal: { AWS: `arn:${account.partition}:iam::${account.id}:root` }, Action: "sts:AssumeRole" },
            ]),
            policies: new Map(),
            managedPolicyArns: [],
            maxSessionDuration: 3600,
            tags: new Map(),
          });
    }
    // A role the model declares existing is there before the deployment, with its own trust and none of the model's policies.
    else
      for (const role of account.roles.values())
        if (role.existing) entry.roles.set(role.name, { ...role, policies: new Map(), managedPolicyArns: [] });
  }
  // A key the model puts a policy on exists already, with the default key policy KMS gives it (src/services/kms.ts).
  for (const account of compiled.state.accounts.values())
    for (const [arn, held] of account.resourcePolicies)
      if (held.service === "kms") accounts.get(account.id)?.resourcePolicies.set(arn, { ...held, policy: defaultKeyPolicy(account) });
  // IAM Identity Center's SAML provider and its permission sets' roles: AWS makes them, not the deployment.
  const applied = modelAsApplied(compiled).state;
  for (const account of applied.accounts.values())
    for (const role of account.roles.values()) {
      if (!role.path.startsWith("/aws-reserved/sso.amazonaws.com/")) continue;
      const entry = accounts.get(account.id);
      if (!entry) continue;
      entry.roles.set(role.name, role);
      for (const statement of role.trustPolicy.Statement)
        for (const provider of [statement.Principal ?? {}].flatMap((p) => (typeof p === "object" ? [p.Federated ?? []].flat() : [])))
          entry.samlProviders.add(provider);
    }
  // The collector: a role that may read the organization and assume the audit roles, and the operator who assumes it.
  const home = accounts.get(collector);
  if (!home) throw new Error(`no collector account ${collector}`);
  const here = (kind: string, name: string) => `arn:${home.partition}:iam::${collector}:${kind}/${name}`;
  home.roles.set(COLLECTOR_ROLE, {
    name: COLLECTOR_ROLE,
    path: "/",
    arn: here("role", COLLECTOR_ROLE),
    trustPolicy: policyDocument([{ Effect: "Allow", Principal: { AWS: here("user", OPERATOR) }, Action: "sts:AssumeRole" }]),
    policies: new Map([
      ["read", JSON.parse(AUDIT_POLICY)],
      [
        "assume-audit",
        policyDocument([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::*:role/${DEFAULT_AUDIT_ROLE}` }]),
      ],
    ]),
    managedPolicyArns: [],
    maxSessionDuration: 3600,
    tags: new Map(),
  });
  home.users.set(OPERATOR, {
    name: OPERATOR,
    path: "/",
    arn: here("user", OPERATOR),
    policies: new Map([
      ["collect", policyDocument([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: here("role", COLLECTOR_ROLE) }])],
    ]),
    managedPolicyArns: [],
    accessKeys: true,
    tags: new Map(),
  });
  return {
    state: {
      accounts,
      ...(compiled.state.organization ? { organization: compiled.state.organization } : {}),
      ...(compiled.state.awsManagedPolicies ? { awsManagedPolicies: compiled.state.awsManagedPolicies } : {}),
    },
    managementAccounts: [collector],
  };
}

/** The names of an account's roles that the trust policies of the state's roles name. */
function namedRoles(state: AccountState, account: string): Set<string> {
  const names = new Set<string>();
  for (const entry of state.accounts.values())
    for (const role of entry.roles.values())
      for (const statement of role.trustPolicy.Statement) {
        const principal = statement.Principal;
        for (const arn of typeof principal === "object" ? [principal.AWS ?? []].flat() : []) {
          const m = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
          if (m?.[1] === account && m[2]) names.add(m[2]);
        }
      }
  return names;
}

/** "The default key policy … gives the AWS account that owns the KMS key full access to the KMS key" (KMS developer guide). */
const defaultKeyPolicy = (account: AccountEntry) =>
  policyDocument([
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: `arn:${account.partition}:iam::${account.id}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ]);

/** The region a resource policy's resource is in: its ARN's, else (an S3 bucket) its account's. */
function regionOf(state: AccountState, account: string, region: string): string {
  return region || state.accounts.get(account)?.region || "us-east-1";
}

/**
 * Puts one resource policy through its service's own API, as its owner's root, with the real
 * SDK client: S3 (CreateBucket, PutBucketPolicy), KMS (merged into the key's policy: GetKeyPolicy, PutKeyPolicy), SQS (CreateQueue,
 * SetQueueAttributes), Kinesis (PutResourcePolicy) and CodeArtifact (domain and repository
 * permissions policies) — the services the examples put policies on.
 */
export async function putResourcePolicy(
  s: Sandbox,
  state: AccountState,
  account: string,
  arn: string,
  policy: object,
  maxAttempts = 1,
): Promise<void> {
  const parsed = parseArn(arn);
  if (!parsed) throw new Error(`not an ARN: ${arn}`);
  const config = { endpoint: s.url, region: regionOf(state, account, parsed.region), credentials: rootOf(s, account), maxAttempts };
  const Policy = JSON.stringify(policy);
  switch (parsed.service) {
    case "s3": {
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      const Bucket = parsed.resource;
      // A bucket the sandbox's state already names is there (its owner made it): BucketAlreadyOwnedByYou is no failure.
      await s3
        .send(
          new CreateBucketCommand({
            Bucket,
            ...(config.region === "us-east-1"
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: config.region as BucketLocationConstraint } }),
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== "BucketAlreadyOwnedByYou") throw error;
        });
      await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
      return;
    }
    case "kms": {
      // As the build's manual step says: the statements merged into the key's current policy, which keeps the account's own.
      const kms = new KMSClient(config);
      const current = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: "default" }))).Policy ?? "{}");
      const merged = { ...current, Statement: [...(current.Statement ?? []), ...(policy as { Statement: unknown[] }).Statement] };
      await kms.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: "default", Policy: JSON.stringify(merged) }));
      return;
    }
    case "sqs": {
      const sqs = new SQSClient(config);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: parsed.resource }));
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
      return;
    }
    case "kinesis":
      await new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() }).send(
        new PutResourcePolicyCommand({ ResourceARN: arn, Policy }),
      );
      return;
    case "codeartifact": {
      const client = new CodeartifactClient(config);
      const [type, domain, repository] = parsed.resource.split("/");
      if (type === "domain" && domain)
        await client.send(new PutDomainPermissionsPolicyCommand({ domain, domainOwner: account, policyDocument: Policy }));
      else if (type === "repository" && domain && repository)
        await client.send(new PutRepositoryPermissionsPolicyCommand({ domain, domainOwner: account, repository, policyDocument: Policy }));
      else throw new Error(`no CodeArtifact domain or repository in ${arn}`);
      return;
    }
    default:
      throw new Error(`the round trip does not put ${parsed.service} policies yet: ${arn}`);
  }
}

/**
 * Deploys the compiled model: IAM through the IAM API, then every resource policy through its
 * service's API (`maxAttempts` above 1: throttled calls retried, as deployment tools do).
 */
export async function deploy(s: Sandbox, applied: Applied, maxAttempts = 1): Promise<void> {
  const state = applied.compiled.state;
  await apply(s, state, maxAttempts);
  for (const account of state.accounts.values()) {
    if (!account.managed) continue;
    for (const [arn, held] of account.resourcePolicies) await putResourcePolicy(s, state, account.id, arn, held.policy, maxAttempts);
  }
}

/** The collector role's session, as the operator gets it: the credentials collect runs with. */
export const collectorKeys = (s: Sandbox, applied: Applied, maxAttempts = 1): Promise<Keys> =>
  assume(
    s,
    userKeys(s, `arn:aws:iam::${applied.collector}:user/${OPERATOR}`),
    `arn:aws:iam::${applied.collector}:role/${COLLECTOR_ROLE}`,
    maxAttempts,
  );

/** A new directory for collect to write. */
export const inventoryOut = () => join(mkdtempSync(join(tmpdir(), "xacct-roundtrip-")), "inventory");

/** `xacct collect --all --endpoint-url …` as a user runs it, with only the collector's session in its environment. */
export function collectAll(s: Sandbox, applied: Applied, keys: Keys, out: string, more: string[] = []): Promise<Ran> {
  return runProgram(
    process.execPath,
    [MAIN, "collect", "--all", "--out", out, "--endpoint-url", s.url, "--regions", applied.regions.join(","), ...more],
    {
      PATH: process.env.PATH,
      HOME: out,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
      AWS_REGION: applied.regions[0] ?? "us-east-1",
      AWS_CONFIG_FILE: join(out, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(out, "none"),
    },
  );
}
