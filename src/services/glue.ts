/** AWS Glue: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";

export const glue: Recipe = {
  service: "glue",
  title: "AWS Glue",
  names: ["job", "database"],
  kinds: {
    job: { type: "job", parts: (n) => ({ JobName: n.job ?? "*" }), needs: ["job"] },
    catalog: { type: "rootcatalog", parts: () => ({}), needs: [] },
    database: { type: "database", parts: (n) => ({ DatabaseName: n.database ?? "*" }), needs: [] },
    table: { type: "table", parts: (n) => ({ DatabaseName: n.database ?? "*", TableName: "*" }), needs: [] },
  },
  access: {
    run: {
      describe: "start and stop job runs",
      rules: [{ filter: { accessLevels: ["Write"], resourceType: "job", prefixes: ["StartJobRun", "BatchStopJobRun"] }, on: "job" }],
    },
    watch: {
      describe: "read the job and its runs",
      rules: [{ filter: { accessLevels: ["Read"], resourceType: "job", prefixes: ["GetJob", "BatchGetJobs"] }, on: "job" }],
    },
    "catalog-read": {
      describe: "read the Data Catalog (for Athena)",
      rules: [
        {
          filter: { accessLevels: ["Read"], resourceType: "rootcatalog", prefixes: ["GetDatabase", "GetTable", "GetPartition"] },
          on: "catalog",
        },
        {
          filter: { accessLevels: ["Read"], resourceType: "database", prefixes: ["GetDatabase", "GetTable", "GetPartition"] },
          on: "database",
        },
        { filter: { accessLevels: ["Read"], resourceType: "table", prefixes: ["GetTable", "GetPartition"] }, on: "table" },
      ],
    },
  },
  airflowTasks: (use, dag) => {
    const job = resourceOf(use, "job");
    if (!use.access.includes("run") || !job) return undefined;
    const id = dag.taskId(`glue_${job}_${use.accountName}`);
    const wait = use.access.includes("watch") ? "True" : "False";
    return [
      {
        id,
        imports: [`${AIRFLOW_PROVIDER}.operators.glue:GlueJobOperator`],
        code: dag.operator(id, "GlueJobOperator", [`job_name=${py(job)}`, `wait_for_completion=${wait}`]),
      },
    ];
  },
  cliCommand: (use) => {
    const job = resourceOf(use, "job");
    return job ? { argv: ["aws", "glue", "start-job-run", "--job-name", job] } : undefined;
  },
};
