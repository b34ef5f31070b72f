/** Amazon Redshift: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const redshift: Recipe = {
  service: "redshift",
  title: "Amazon Redshift",
  names: ["cluster", "database"],
  kinds: { dbname: { type: "dbname", parts: (n) => ({ ClusterName: n.cluster ?? "*", DbName: n.database ?? "*" }), needs: ["cluster"] } },
  access: {
    "iam-credentials": {
      describe: "get database credentials for the caller's IAM identity",
      rules: [{ filter: { prefixes: ["GetClusterCredentialsWithIAM"] }, on: "dbname" }],
    },
  },
};
