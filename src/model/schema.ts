/**
 * The xacct.yaml model: accounts, stages, clusters, workloads and grants. Small on purpose: each
 * grant names a service and what to do there, and xacct expands it into actions and resources from
 * AWS's service authorization data. The JSON Schema published for editors is derived from this.
 */
import { ACCOUNT_ID } from "../aws/arn.js";
import { z } from "zod";
import { recipeServices, serviceTitle } from "../services/index.js";
import { DEFAULT_ROLE_SESSION_SECONDS, MAX_SESSION_DURATION, ROLE_MANAGED_POLICIES, ROLE_SESSION_SECONDS } from "../aws/limits.js";
import {
  AWS_PROFILE_TEMPLATE,
  cronProblem,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  EKS_CLUSTER_NAME,
  EXTERNAL_ID,
  IAM_POLICY_NAME,
  IAM_PRINCIPAL_ARN,
  IAM_ROLE_NAME,
  IAM_ROLE_TEMPLATE,
  IAM_USER_NAME,
  IMAGE_REFERENCE,
  MWAA_ENVIRONMENT_NAME,
  type NameRule,
  PERMISSION_SET_NAME,
  POLICY_TEXT,
  SERVICE_ACCOUNT_PATTERN,
} from "./names.js";
import { admitsEverySubject, defaultAudience, GITHUB_ACTIONS_ISSUER, OIDC_ISSUER_RULE, OIDC_ISSUER_URL } from "./oidc-issuers.js";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, '-', '_' and '.'");
const accountId = z.string().regex(ACCOUNT_ID, "must be a 12-digit AWS account ID in quotes");
/** A name that lands in another system, checked against that system's rule (names.ts). */
const named = (rule: NameRule) => z.string().regex(rule.pattern, `must be ${rule.what}: ${rule.allowed}`);
/** Role names may hold {stage}, {app}, {consumer} and {consumerStage} templates; so may resource names. */
const roleTemplate = named(IAM_ROLE_TEMPLATE);
const resourceTemplate = named(POLICY_TEXT).min(1);
const profileTemplate = named(AWS_PROFILE_TEMPLATE);
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-2");

export const Account = z.strictObject({
  id: z.union([accountId, z.record(z.string(), accountId)]).describe("The account ID, or one ID per stage ({stage: id})."),
  region: region.describe("The default region."),
  partition: z.enum(["aws", "aws-cn", "aws-us-gov"]).optional().describe("@default the model's partition"),
  organization: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, "must be an organization ID such as o-a1b2c3d4e5")
    .optional(),
  ou: z
    .array(z.string().regex(/^(r-[a-z0-9]{4,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/, "must be r-… or ou-…-…"))
    .optional()
    .describe("The organizational unit path from the root (r-…) down to the account's OU (ou-…)."),
  stage: name.optional().describe("The stage this account serves, when it serves one."),
  external: z
    .boolean()
    .optional()
    .describe("An account outside our management (a consumer or third party): xacct writes nothing for it. @default false"),
  existing: z
    .record(z.string(), z.array(resourceTemplate).min(1))
    .optional()
    .describe(
      "Resources of this account that exist and are owned elsewhere, by the kind grants name them with ({bucket: [logs], key: [1234abcd-…], queue: [jobs]}): xacct adds its statements to their policies as merge-and-apply steps, never as a template resource that would replace the policy.",
    ),
});

export const Stages = z.strictObject({
  app: z.array(name).min(1).describe("The application's stages, in order (dev, alpha, beta, prod)."),
  consumers: z
    .record(name, z.record(name, name.nullable()))
    .optional()
    .describe("Per consumer: each app stage mapped to the consumer's stage, or null where the stage is never connected."),
});

export const Cluster = z.strictObject({
  account: name,
  region: region.optional().describe("@default the account's region"),
  oidcIssuer: z
    .string()
    .regex(
      /^(https:\/\/)?oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/,
      "must be the cluster's OIDC issuer, oidc.eks.REGION.amazonaws.com/id/ID",
    )
    .optional()
    .describe("The EKS cluster's OIDC issuer, for IRSA service accounts."),
});

const IdentityBase = {
  role: roleTemplate.optional().describe("Name of the workload's own role. @default the workload's name"),
  existing: z
    .literal(true)
    .optional()
    .describe(
      "The role (`role`) exists and is owned elsewhere, such as MWAA's execution role: xacct attaches its policies to it (AWS::IAM::RolePolicy, aws_iam_role_policy) instead of creating it, so the role keeps its own permissions and trust.",
    ),
};

/** A `sub` the trust admits: exact, or a StringLike pattern that still pins something (never `*` alone). */
const subjectPattern = named(POLICY_TEXT)
  .min(1)
  .max(1024)
  .refine((s) => !admitsEverySubject(s), {
    message:
      'a subject of only "*" admits every identity the issuer signs tokens for: name the subject (repo:ORG/REPO:ref:refs/heads/BRANCH), or declare {any: true, reason: "…"} on purpose',
  });

const OidcIdentity = z
  .strictObject({
    type: z.literal("oidc"),
    issuer: z
      .string()
      .regex(OIDC_ISSUER_URL, `must be ${OIDC_ISSUER_RULE}`)
      .describe("The issuer URL, as the tokens' iss claim holds it (https://token.actions.githubusercontent.com)."),
    audience: named(POLICY_TEXT)
      .min(1)
      .max(255)
      .optional()
      .describe(
        "The aud the tokens carry, a client ID of the IAM OIDC provider. @default sts.amazonaws.com for GitHub Actions, aws.workload.identity for HCP Terraform, https://gitlab.com for gitlab.com; required for any other issuer",
      ),
    subject: z
      .union([
        subjectPattern,
        z.array(subjectPattern).min(1).max(100),
        z.strictObject({
          any: z.literal(true),
          reason: z.string().min(10).describe("Why every subject of the issuer may assume the role; finding XA006 says so."),
        }),
      ])
      .describe("The sub the trust admits (StringEquals, or StringLike with * and ?), one or several: repo:acme/app:ref:refs/heads/main."),
    tokenFile: z
      .string()
      .regex(/^\/[\x21-\x7E]{1,1023}$/, "must be an absolute path of printable ASCII without spaces")
      .optional()
      .describe("Where the job writes the issuer's ID token for the AWS config to read. @default /tmp/xacct-web-identity-token"),
    ...IdentityBase,
  })
  .superRefine((identity, ctx) => {
    if (identity.audience === undefined && defaultAudience(identity.issuer) === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["audience"],
        message: `${identity.issuer} is not a well-known issuer: give the audience its tokens carry for AWS (the client ID of the IAM OIDC provider)`,
      });
    if (
      identity.issuer.replace(/^https:\/\//, "").split("/")[0] === GITHUB_ACTIONS_ISSUER &&
      !Array.isArray(identity.subject) &&
      typeof identity.subject === "object"
    )
      ctx.addIssue({
        code: "custom",
        path: ["subject"],
        message: `IAM refuses a trust on GitHub's provider whose ${GITHUB_ACTIONS_ISSUER}:sub is not scoped: name the repositories (repo:ORG/*, repo:ORG/REPO:ref:refs/heads/BRANCH)`,
      });
  });

export const Identity = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("irsa"),
    cluster: name,
    namespace: named(DNS_LABEL),
    serviceAccount: named(SERVICE_ACCOUNT_PATTERN).describe(
      "The service account; `*` patterns allowed (EMR on EKS: emr-containers-sa-*-*-ACCOUNT-*).",
    ),
    ...IdentityBase,
  }),
  z.strictObject({
    type: z.literal("pod-identity"),
    cluster: name,
    namespace: named(DNS_LABEL),
    serviceAccount: named(DNS_SUBDOMAIN),
    ...IdentityBase,
  }),
  z.strictObject({ type: z.literal("ecs-task"), ...IdentityBase }),
  z.strictObject({ type: z.literal("ec2-instance"), ...IdentityBase }),
  z.strictObject({ type: z.literal("eks-node"), cluster: name.optional(), ...IdentityBase }),
  z.strictObject({ type: z.literal("lambda"), ...IdentityBase }),
  z.strictObject({ type: z.literal("mwaa"), environment: named(MWAA_ENVIRONMENT_NAME), ...IdentityBase }),
  z.strictObject({ type: z.literal("iam-user"), user: named(IAM_USER_NAME).optional().describe("@default the workload's name") }),
  OidcIdentity,
  z.strictObject({
    type: z.literal("sso"),
    permissionSet: named(PERMISSION_SET_NAME).describe(
      "The IAM Identity Center permission set assigned in the workload's account; AWS makes its role AWSReservedSSO_<set>_<suffix>.",
    ),
    startUrl: z
      .string()
      .regex(
        /^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~#/-]*)?$/,
        "must be the AWS access portal URL, https://d-xxxxxxxxxx.awsapps.com/start",
      )
      .optional()
      .describe(
        "The AWS access portal URL users sign in at (sso_start_url); `xacct build` needs it for the profiles it writes, `verify` and the proof commands do not (`xacct import` cannot read it from an inventory).",
      ),
    region: region.optional().describe("The region of IAM Identity Center (sso_region). @default the account's region"),
  }),
  z.strictObject({
    type: z.literal("external"),
    principal: named(IAM_PRINCIPAL_ARN)
      .optional()
      .describe("A role ARN in the external account, or omitted for the account itself (root)."),
    externalId: named(EXTERNAL_ID).optional().describe("The sts:ExternalId the third party must pass."),
  }),
]);

export const Runtime = z.strictObject({
  kind: z
    .enum(["cronjob", "job", "deployment", "airflow", "spark", "ecs", "lambda", "none"])
    .describe("What xacct generates to run the workload."),
  schedule: z
    .string()
    .superRefine((schedule, ctx) => {
      const problem = cronProblem(schedule);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .describe('Cron schedule, for cronjob. @default "0 0 * * *"'),
  image: named(IMAGE_REFERENCE).optional().describe("Container image with the AWS CLI or SDK."),
  language: z
    .enum(["python", "node", "jvm", "shell"])
    .optional()
    .describe("The workload's SDK language; jvm matters for chained profiles."),
  profile: profileTemplate.optional().describe("Name of the final profile in the generated AWS config. @default the grant's profile name"),
  credentials: z
    .enum(["sidecar", "profile"])
    .optional()
    .describe(
      "How the pods of an IRSA workload get a chain that assumes roles: sidecar (`xacct serve-credentials` beside the app, read through AWS_CONTAINER_CREDENTIALS_FULL_URI by every SDK, the JVM included) or profile (the AWS config file and AWS_PROFILE only). @default sidecar",
    ),
  credentialsImage: named(IMAGE_REFERENCE)
    .optional()
    .describe(
      "Image of the credentials sidecar, in a registry the cluster pulls from: built from xacct's docker/credentials-sidecar/Dockerfile (Node.js with `xacct` on its PATH), e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/xacct:0.1.0. `xacct build` requires it for a workload whose pods run the sidecar (no public image holds it).",
    ),
});

export const Workload = z.strictObject({
  account: name,
  identity: Identity,
  runtime: Runtime.optional(),
  stages: z.boolean().optional().describe("The workload exists once per stage of its account. @default false"),
});

const RoleOptions = z.strictObject({
  name: roleTemplate
    .optional()
    .describe("The role's name in the target account; templates allowed. @default <workload>-<service>-<account>"),
  externalId: named(EXTERNAL_ID).optional(),
  sessionDuration: z
    .number()
    .int()
    .min(ROLE_SESSION_SECONDS.min)
    .max(ROLE_SESSION_SECONDS.max)
    .optional()
    .describe(`Seconds asked for when assuming the role. @default ${DEFAULT_ROLE_SESSION_SECONDS}`),
  maxSessionDuration: z
    .number()
    .int()
    .min(MAX_SESSION_DURATION.min)
    .max(MAX_SESSION_DURATION.max)
    .optional()
    .describe(`The role's MaxSessionDuration. @default ${MAX_SESSION_DURATION.default}`),
  orgOnly: z.boolean().optional().describe("Add aws:PrincipalOrgID to the trust (both accounts in one organization)."),
  policyName: named(IAM_POLICY_NAME)
    .optional()
    .describe(
      "The name of the inline policy the grant writes on the role (an existing setup's own name, as xacct import keeps it). @default the grant's service, or managed",
    ),
  managedPolicies: z
    .array(z.string().min(1))
    .max(
      ROLE_MANAGED_POLICIES.max,
      `IAM attaches at most ${ROLE_MANAGED_POLICIES.max} managed policies to a role (quota: ${ROLE_MANAGED_POLICIES.default} by default, ${ROLE_MANAGED_POLICIES.max} at most)`,
    )
    .optional()
    .describe(
      "Managed policies attached to the role: AWS managed by name (ReadOnlyAccess, ViewOnlyAccess) or ARN (arn:aws:iam::aws:policy/SecurityAudit), customer managed by ARN in the role's account.",
    ),
});

/** An OU by its ID (found in an account's `ou` path) or by its path from the root, r-…/ou-…/ou-…. */
const OU_REFERENCE = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}(\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})*)$/;

export const Grantees = z
  .strictObject({
    organization: z.literal(true).optional().describe("Every principal of the organization of the grant's account (aws:PrincipalOrgID)."),
    ous: z
      .array(z.string().regex(OU_REFERENCE, "must be an OU ID (ou-…-…) that an account's ou path holds, or a path r-…/ou-…-…"))
      .min(1)
      .optional()
      .describe("Every principal of these OUs and their children (aws:PrincipalOrgPaths, with the organization ID)."),
  })
  .refine((g) => (g.organization === true) !== (g.ous !== undefined), "give either organization: true or ous: [...]");

export const Grant = z.strictObject({
  workload: name.optional().describe("Who acts (or grantees, for whole organizations and OUs)."),
  grantees: Grantees.optional().describe(
    "Instead of a workload, for via: resource-policy: whole organizations or OUs, which the resource policy admits by aws:PrincipalOrgID or aws:PrincipalOrgPaths.",
  ),
  account: name.describe("Where the resources are."),
  service: z
    .string()
    .optional()
    .describe(
      `The service, by its IAM prefix: ${recipeServices()
        .map((s) => `${s} (${serviceTitle(s)})`)
        .join(", ")}. Leave it out (with access and resources) for a role that only attaches role.managedPolicies.`,
    ),
  access: z
    .array(z.string())
    .min(1)
    .optional()
    .describe("What to do, in the service's words (read, write, list, run, watch, invoke, …); required with service."),
  resources: z
    .record(z.string(), z.union([resourceTemplate, z.array(resourceTemplate).min(1)]))
    .optional()
    .describe("Resources by kind: {bucket: data, prefix: reports/}, {job: nightly-etl}; required with service."),
  via: z.enum(["role", "chain", "resource-policy"]).optional().describe("How access crosses accounts. @default role"),
  role: RoleOptions.optional(),
  through: z
    .array(z.strictObject({ account: name, role: roleTemplate }))
    .optional()
    .describe("For via: chain, the roles between the workload and the target role, in order."),
  stages: z.boolean().optional().describe("Expand the grant per mapped stage (see stages.consumers). @default false"),
  profile: profileTemplate.optional().describe("Name of the AWS config profile for this grant. @default <account>-<service>"),
  statements: z
    .array(z.record(z.string(), z.unknown()))
    .optional()
    .describe("Raw IAM statements to add to the target role (escape hatch)."),
});

export const Acceptance = z.strictObject({
  rule: z
    .string()
    .regex(/^XA\d{3}$/, "must be a finding rule ID such as XA012")
    .describe("The finding rule accepted."),
  resource: z.string().optional().describe("The resource (ARN, `*` wildcards allowed) it is accepted for. @default every resource"),
  reason: z.string().min(10).describe("Why the risk is accepted; shown wherever the finding is."),
});

export const Audit = z
  .strictObject({
    role: named(IAM_ROLE_NAME)
      .optional()
      .describe("The audit role's name in every managed account (xacct collect --role-name). @default xacct-audit"),
    collector: name.describe("The account (a key of accounts, not staged) from which xacct collect runs: the only one the role trusts."),
    principal: named(IAM_ROLE_NAME)
      .optional()
      .describe(
        "The role in the collector account that may assume the audit role. @default the collector account (its root: any principal it allows)",
      ),
  })
  .describe(
    "The read-only audit role xacct collect assumes: created in every managed account, trusting only the collector, with one inline policy allowing exactly the calls collect makes. One StackSet deploys it.",
  );

export const Model = z.strictObject({
  version: z.literal(1),
  name: name.describe("The application or platform this model describes; {app} in templates."),
  partition: z.enum(["aws", "aws-cn", "aws-us-gov"]).optional().describe("@default aws"),
  accounts: z.record(name, Account),
  stages: Stages.optional(),
  clusters: z.record(named(EKS_CLUSTER_NAME), Cluster).optional(),
  workloads: z.record(name, Workload),
  grants: z.array(Grant),
  audit: Audit.optional(),
  accept: z.array(Acceptance).optional().describe("Findings the team accepts, each with its reason: verify does not fail on them."),
});

export type Model = z.infer<typeof Model>;
export type ModelWorkload = z.infer<typeof Workload>;
export type ModelGrant = z.infer<typeof Grant>;
/** A grant a workload acts on (every grant but those to whole organizations or OUs). */
export type WorkloadGrant = ModelGrant & { workload: string };
export type ModelGrantees = z.infer<typeof Grantees>;

/** The JSON Schema editors use to validate and complete xacct.yaml. */
export function modelJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Model, { target: "draft-2020-12" }),
    title: "xacct model (xacct.yaml)",
  };
}
