/** AWS Secrets Manager: what each access verb grants, and the resources it names. */
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
  companions: (n) => (n["kms-key"] ? [{ service: "kms", access: ["decrypt"], resources: { key: n["kms-key"] } }] : []),
};
