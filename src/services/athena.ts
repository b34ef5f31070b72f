/** Amazon Athena: what each access verb grants, and the resources it names. */
import type { Companion, Recipe } from "./recipe.js";

export const athena: Recipe = {
  service: "athena",
  title: "Amazon Athena",
  names: ["workgroup", "database", "results-bucket", "data-bucket"],
  kinds: { workgroup: { type: "workgroup", parts: (n) => ({ WorkGroupName: n.workgroup ?? "primary" }), needs: [] } },
  access: {
    query: {
      describe: "run queries and read their results",
      rules: [
        {
          filter: {
            resourceType: "workgroup",
            prefixes: ["StartQueryExecution", "StopQueryExecution", "GetQueryExecution", "GetQueryResults", "GetWorkGroup"],
          },
          on: "workgroup",
        },
      ],
    },
  },
  companions: (n) => {
    const also: Companion[] = [{ service: "glue", access: ["catalog-read"], resources: { database: n.database ?? "*" } }];
    if (n["results-bucket"]) also.push({ service: "s3", access: ["read", "write", "list"], resources: { bucket: n["results-bucket"] } });
    if (n["data-bucket"]) also.push({ service: "s3", access: ["read", "list"], resources: { bucket: n["data-bucket"] } });
    return also;
  },
};
