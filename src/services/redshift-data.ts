/** Amazon Redshift Data API: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";

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
  airflowTasks: (use, dag) => {
    const cluster = resourceOf(use, "cluster");
    if (!use.access.includes("query") || !cluster) return undefined;
    const id = dag.taskId(`redshift_query_${cluster}_${use.accountName}`);
    const args = [`cluster_identifier=${py(cluster)}`, `database=${py("dev")}`, `sql=${py("SELECT 1")}`];
    return [
      {
        id,
        imports: [`${AIRFLOW_PROVIDER}.operators.redshift_data:RedshiftDataOperator`],
        code: `# database "dev" is an example: use yours\n${dag.operator(id, "RedshiftDataOperator", args)}`,
      },
    ];
  },
  cliCommand: (use) => {
    const cluster = resourceOf(use, "cluster");
    if (!cluster) return undefined;
    return {
      argv: ["aws", "redshift-data", "execute-statement", "--cluster-identifier", cluster, "--database", "<database>", "--sql", "<sql>"],
    };
  },
};
