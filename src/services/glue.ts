/** AWS Glue: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

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
};
