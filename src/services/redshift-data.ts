/** Amazon Redshift Data API: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const redshiftData: Recipe = {
  service: "redshift-data",
  title: "Amazon Redshift Data API",
  names: ["cluster", "database"],
  kinds: { cluster: { type: "cluster", parts: (n) => ({ ClusterName: n.cluster ?? "*" }), needs: ["cluster"], arnService: "redshift" } },
  access: {
    query: {
      describe: "run statements on the cluster",
      rules: [
        {
          filter: { accessLevels: ["Write"], resourceType: "cluster", prefixes: ["ExecuteStatement", "BatchExecuteStatement"] },
          on: "cluster",
        },
        { filter: { prefixes: ["CancelStatement"] }, on: "*" },
      ],
    },
    results: {
      describe: "read statements' status and results",
      rules: [
        { filter: { accessLevels: ["Read", "List"], prefixes: ["DescribeStatement", "GetStatementResult", "ListStatements"] }, on: "*" },
      ],
    },
    browse: {
      describe: "list databases, schemas and tables",
      rules: [
        {
          filter: {
            accessLevels: ["Read", "List"],
            resourceType: "cluster",
            prefixes: ["ListDatabases", "ListSchemas", "ListTables", "DescribeTable"],
          },
          on: "cluster",
        },
      ],
    },
  },
  // The Data API connects as the caller's IAM identity: that needs temporary database credentials.
  companions: (n) => [
    { service: "redshift", access: ["iam-credentials"], resources: { cluster: n.cluster ?? "*", database: n.database ?? "*" } },
  ],
};
