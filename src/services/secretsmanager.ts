/** AWS Secrets Manager: what each access verb grants, and the resources it names. */
import { buildArn } from "../aws/arn.js";
import type { Recipe } from "./recipe.js";

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
