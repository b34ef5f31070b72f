/**
 * The inventory format as JSON Schemas, one per file (schema/inventory/*.schema.json, documented
 * in docs/inventory.md), from one source: the zod schemas below, describing what
 * src/state/inventory.ts loads and src/state/inventory-writer.ts writes. AWS's own outputs
 * (authorization-details.json, the providers' lists) are described by the members xacct reads;
 * other members AWS adds are allowed. The loader stays the judge of a file (it reports the JSON
 * path of a problem); the schemas are for people, editors and other tools that write inventories.
 */
import { z } from "zod";

const ACCOUNT_ID = "^[0-9]{12}$";
const accountId = z.string().regex(new RegExp(ACCOUNT_ID)).describe("A 12-digit AWS account ID.");

const statement = z.looseObject({}).describe("A policy statement (Effect, Principal, Action, Resource, Condition, …).");
const documentObject = z
  .looseObject({
    Version: z.string().optional().describe('The policy language version, "2012-10-17".'),
    Id: z.string().optional(),
    Statement: z.union([statement, z.array(statement)]).describe("A statement, or a list of them."),
  })
  .describe("An IAM policy document.");
/** As the AWS CLI prints it (an object) or as the API returns it (URL-encoded JSON text). */
const document = z.union([
  documentObject,
  z.string().describe("The policy document as JSON text, URL-encoded as the IAM API returns it (or plain)."),
]);

const inlinePolicies = z.array(z.looseObject({ PolicyName: z.string(), PolicyDocument: document })).describe("Inline policies.");
const attached = z
  .array(z.looseObject({ PolicyName: z.string().optional(), PolicyArn: z.string() }))
  .describe("Managed policies attached, by ARN.");
const boundary = z
  .looseObject({ PermissionsBoundaryType: z.string().optional(), PermissionsBoundaryArn: z.string() })
  .describe("The permissions boundary: a managed policy's ARN.");
const tags = z.array(z.looseObject({ Key: z.string(), Value: z.string() }));
const identity = { Path: z.string().optional(), Arn: z.string().describe("The entity's ARN."), CreateDate: z.string().optional() };

const role = z.looseObject({
  ...identity,
  RoleName: z.string(),
  AssumeRolePolicyDocument: document.describe("The role's trust policy."),
  RolePolicyList: inlinePolicies.optional(),
  AttachedManagedPolicies: attached.optional(),
  PermissionsBoundary: boundary.optional(),
  MaxSessionDuration: z.int().optional().describe("Seconds; AWS's default (one hour) when absent."),
  InstanceProfileList: z.array(z.looseObject({})).optional().describe("Non-empty: the role is in an instance profile (EC2)."),
  Tags: tags.optional(),
});
const user = z.looseObject({
  ...identity,
  UserName: z.string(),
  UserPolicyList: inlinePolicies.optional(),
  GroupList: z.array(z.string()).optional().describe("The names of the user's groups."),
  AttachedManagedPolicies: attached.optional(),
  PermissionsBoundary: boundary.optional(),
  Tags: tags.optional(),
});
const group = z.looseObject({
  ...identity,
  GroupName: z.string(),
  GroupPolicyList: inlinePolicies.optional(),
  AttachedManagedPolicies: attached.optional(),
});
const managedPolicy = z.looseObject({
  Arn: z.string().describe("The policy's ARN (arn:aws:iam::aws:policy/… for an AWS managed policy)."),
  PolicyName: z.string().optional(),
  DefaultVersionId: z.string().optional(),
  PolicyVersionList: z
    .array(z.looseObject({ Document: document, VersionId: z.string().optional(), IsDefaultVersion: z.boolean() }))
    .describe("The policy's versions; the one with IsDefaultVersion: true is in force."),
});

const AuthorizationDetails = z
  .looseObject({
    UserDetailList: z.array(user).optional(),
    GroupDetailList: z.array(group).optional(),
    RoleDetailList: z.array(role).optional(),
    Policies: z.array(managedPolicy).optional().describe("Customer managed policies (and AWS managed ones in use)."),
  })
  .describe(
    "ACCOUNT_ID/authorization-details.json: the output of `aws iam get-account-authorization-details` (every page merged), unmodified.",
  );

const collectedPolicy = z.strictObject({
  arn: z.string().regex(/^arn:/).describe("The resource's ARN."),
  account: accountId.describe("The resource's owner: the account whose folder holds the file."),
  region: z.string().describe('The resource\'s region; "" for a resource of none.'),
  policy: document.describe("The resource's policy."),
});
const ResourcePolicies = z
  .union([
    z.strictObject({ resources: z.array(collectedPolicy) }).describe("As xacct collect writes it: each policy with its owner and region."),
    z
      .record(z.string().regex(/^arn:/), document)
      .describe("The older form, written by hand: each resource's ARN to its policy (region from the ARN, owner the folder's account)."),
  ])
  .describe("ACCOUNT_ID/resource-policies.json: the account's resource policies (optional).");

const providers = (list: string, kind: "oidc" | "saml") =>
  z
    .looseObject({
      [list]: z.array(
        z.looseObject({
          Arn: z
            .string()
            .regex(new RegExp(`^arn:[a-z-]+:iam::[0-9]{12}:${kind}-provider/.+$`))
            .describe(`The provider's ARN (arn:PARTITION:iam::ACCOUNT:${kind}-provider/…).`),
        }),
      ),
    })
    .describe(
      `ACCOUNT_ID/${kind}-providers.json: the output of \`aws iam list-${kind === "oidc" ? "open-id-connect" : "saml"}-providers\` (optional).`,
    );

const runsAs = (what: string, arn: string) =>
  z.array(
    z.strictObject({
      arn: z.string().regex(/^arn:/).describe(`The ${what}'s ARN (${arn}).`),
      role: z
        .string()
        .regex(/^arn:[a-z-]+:iam::[0-9]{12}:role\/.+$/)
        .describe(`The role the ${what} runs as.`),
    }),
  );
const Compute = z
  .strictObject({
    functions: runsAs("function", "arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME"),
    instances: runsAs("instance", "arn:PARTITION:ec2:REGION:ACCOUNT:instance/ID").describe(
      "Instances with an instance profile; role is the profile's role.",
    ),
  })
  .describe(
    "ACCOUNT_ID/compute.json: the Lambda functions and EC2 instances running as the account's roles (optional: without it, taking over what runs as a role is a conditional edge).",
  );

const attachments = z
  .record(z.string(), z.array(documentObject))
  .describe("Per target (a root r-…, an OU ou-… or an account ID): the policy documents attached to it.");
const Organization = z
  .strictObject({
    organizationId: z.string().describe("The organization's ID (o-…)."),
    managementAccount: accountId.optional().describe("The management account (SCPs and RCPs do not apply to it)."),
    accounts: z
      .record(
        z.string().regex(new RegExp(ACCOUNT_ID)),
        z.strictObject({ parents: z.array(z.string()).describe("The account's parents from the root down: r-…, then ou-… .") }),
      )
      .optional()
      .describe("The organization's accounts, by ID."),
    serviceControlPolicies: attachments.optional().describe("SCPs, by target."),
    resourceControlPolicies: attachments.optional().describe("RCPs, by target."),
  })
  .describe("organization.json: the organization (optional): its accounts and where each sits, its SCPs and RCPs.");

const readStatus = z.enum(["read", "skipped", "failed"]);
const CollectReport = z
  .strictObject({
    organization: z
      .strictObject({ status: readStatus, why: z.string().optional() })
      .optional()
      .describe("Whether the organization was read (xacct collect --all)."),
    accounts: z.array(
      z.strictObject({
        account: accountId,
        status: z
          .enum(["complete", "incomplete", "failed"])
          .describe(
            "complete: everything read; incomplete: some service failed; failed: nothing read (the audit role could not be assumed).",
          ),
        why: z.string().optional(),
        reads: z.array(
          z.strictObject({
            service: z
              .string()
              .describe("The service's prefix (iam, s3, kms, …), or compute: the functions and instances running as roles (compute.json)."),
            region: z.string().describe('The region read; "" for a global read (IAM, S3\'s listing).'),
            status: readStatus,
            resources: z
              .int()
              .min(0)
              .optional()
              .describe("How many resources (policies; for compute, functions and instances running as a role) were read."),
            why: z
              .string()
              .optional()
              .describe("Why it was skipped or failed (the service's error, on one line); for a read, what was left out and why."),
          }),
        ),
      }),
    ),
  })
  .describe("collect-report.json: what xacct collect read, skipped or failed, per account and service, and why.");

/** Each inventory file's schema, by its file name in schema/inventory/ (and the file it describes). */
const SCHEMAS: readonly { name: string; file: string; schema: z.ZodType }[] = [
  { name: "authorization-details", file: "ACCOUNT_ID/authorization-details.json", schema: AuthorizationDetails },
  { name: "resource-policies", file: "ACCOUNT_ID/resource-policies.json", schema: ResourcePolicies },
  { name: "oidc-providers", file: "ACCOUNT_ID/oidc-providers.json", schema: providers("OpenIDConnectProviderList", "oidc") },
  { name: "saml-providers", file: "ACCOUNT_ID/saml-providers.json", schema: providers("SAMLProviderList", "saml") },
  { name: "compute", file: "ACCOUNT_ID/compute.json", schema: Compute },
  { name: "organization", file: "organization.json", schema: Organization },
  { name: "collect-report", file: "collect-report.json", schema: CollectReport },
];

/** The JSON Schemas, by file name (`authorization-details.schema.json`, …), each with its title. */
export function inventoryJsonSchemas(): Map<string, Record<string, unknown>> {
  return new Map(
    SCHEMAS.map(({ name, file, schema }) => [
      `${name}.schema.json`,
      { ...z.toJSONSchema(schema, { target: "draft-2020-12" }), title: `xacct inventory: ${file}` },
    ]),
  );
}
