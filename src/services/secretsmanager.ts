/** AWS Secrets Manager: what each access verb grants, and the resources it names. */
import { buildArn, isAccountId, parseArn } from "../aws/arn.js";
import type { Recipe } from "./recipe.js";
import { type ResourceNamer, stringOf } from "./resource-namer.js";
import { type PolicyCollector, policyOf } from "./policy-collector.js";

/** Every secret of the region (ListSecrets) and its resource policy (GetResourcePolicy; a secret without one has no ResourcePolicy). */
const collectSecretPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"],
  async *policies(at, clients) {
    const { GetResourcePolicyCommand, paginateListSecrets, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    const client = clients.make((config) => new SecretsManagerClient(config));
    for await (const page of paginateListSecrets({ client }, {}))
      for (const { ARN } of page.SecretList ?? []) {
        if (!ARN) continue;
        const read = async () => (await client.send(new GetResourcePolicyCommand({ SecretId: ARN }))).ResourcePolicy;
        const found = await policyOf(ARN, at.region, read);
        if (found) yield found;
      }
  },
};

/** A secret's name: 1 to 512 letters, digits and `/_+=.@-`. */
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;

/**
 * The secret a call names in SecretId: its ARN (`…:secret:NAME-SUFFIX`, Secrets Manager adds six
 * random characters to the name), or its name in the caller's account and region, which stands
 * for the secret of that name whatever its suffix: `secret:NAME-??????`, as the model names it.
 */
const secretNamedBy: ResourceNamer = (_action, input, where) => {
  const id = stringOf(input, "SecretId");
  if (id === undefined) return undefined;
  const arn = parseArn(id);
  if (arn) {
    return arn.service === "secretsmanager" && isAccountId(arn.account) && /^secret:[\w/+=.@-]+$/.test(arn.resource)
      ? { arn: id, account: arn.account }
      : undefined;
  }
  if (!SECRET_NAME.test(id)) return undefined;
  const resource = `secret:${id}-??????`;
  return {
    arn: buildArn({ partition: where.partition, service: "secretsmanager", region: where.region, account: where.account, resource }),
    account: where.account,
  };
};

/** A secret's ARN and name, as Secrets Manager's replies give them (the name without the ARN's six-character suffix). */
const secretOf = (ARN: string) => ({ ARN, Name: (parseArn(ARN)?.resource ?? "").replace(/^secret:/, "").replace(/-[\w?]{6}$/, "") });

export const secretsmanager: Recipe = {
  service: "secretsmanager",
  title: "AWS Secrets Manager",
  names: ["secret", "kms-key", "rds-instance", "rds-port"],
  kinds: { secret: { type: "Secret", parts: (n) => ({ SecretId: `${n.secret ?? ""}-??????` }), needs: ["secret"] } },
  access: {
    read: {
      describe: "read the secret's value",
      rules: [{ filter: { resourceType: "Secret", prefixes: ["GetSecretValue", "DescribeSecret"] }, on: "secret" }],
    },
  },
  policyHolders: { secret: "secret" },
  collect: collectSecretPolicies,
  // A secret exists in the sandbox while it holds a policy (PutResourcePolicy makes it known).
  sandbox: {
    resourceOf: secretNamedBy,
    policyOperations: {
      PutResourcePolicy: { kind: "put", policy: "ResourcePolicy", reply: (_, arn) => secretOf(arn) },
      GetResourcePolicy: {
        kind: "get",
        reply: (ResourcePolicy, arn) => ({ ...secretOf(arn), ResourcePolicy }),
        // A secret without a policy answers its ARN and name alone (Secrets Manager's GetResourcePolicy).
        missing: secretOf,
      },
      DeleteResourcePolicy: { kind: "delete", reply: (_, arn) => secretOf(arn) },
      ListSecrets: { kind: "list", reply: (arns) => ({ SecretList: arns.map(secretOf) }) },
    },
  },
  // "you can't use the AWS managed key (aws/secretsmanager) for cross-account access. Instead, you
  // must encrypt your secret with a KMS key that you create" (Secrets Manager's cross-account page).
  checkResources: (n) => {
    const key = n["kms-key"];
    return typeof key === "string" && /^(?:alias\/)?aws\/secretsmanager$/.test(key)
      ? {
          name: "kms-key",
          message:
            "the AWS managed key aws/secretsmanager cannot be used across accounts: encrypt the secret with a customer managed key and name that key's ID",
        }
      : undefined;
  },
  companions: (n) => (n["kms-key"] ? [{ service: "kms", access: ["decrypt"], resources: { key: n["kms-key"] } }] : []),
  externalSecrets: {
    resource: "secret",
    arn: (name, place) => buildArn({ ...place, service: "secretsmanager", resource: `secret:${name}` }),
  },
  resourcePolicy: {
    apply: ({ arn, text }) => {
      // The compiler names secrets with the `-??????` wildcard for the random suffix; a wildcard
      // ARN is no secret ID, so such secrets are named (SecretId accepts the name), and Terraform
      // looks the secret up by name.
      const name = arn.resource.replace(/^secret:/, "");
      const secret = name.replace(/-\?{6}$/, "");
      const exactArn = !/[*?]/.test(name);
      return {
        resources: [
          {
            names: [secret],
            cloudformation: {
              type: "AWS::SecretsManager::ResourcePolicy",
              prefix: "SecretPolicy",
              properties: { SecretId: exactArn ? text : secret },
              policyKey: "ResourcePolicy",
            },
            terraform: {
              type: "aws_secretsmanager_secret_policy",
              arguments: {
                secret_arn: exactArn
                  ? text
                  : { data: { type: "aws_secretsmanager_secret", label: secret, arguments: { name: secret }, attribute: "arn" } },
              },
              policyKey: "policy",
            },
          },
        ],
      };
    },
  },
};
