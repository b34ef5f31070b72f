/** Amazon Athena: what each access verb grants, and the resources it names. */
import type { Companion, Recipe } from "./recipe.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";

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
    // AWS's Athena cross-account bucket policy: GetBucketLocation, GetObject, ListBucket,
    // ListBucketMultipartUploads, ListMultipartUploadParts, AbortMultipartUpload, PutObject
    // (docs.aws.amazon.com/athena/latest/ug/cross-account-permissions.html).
    if (n["results-bucket"])
      also.push({ service: "s3", access: ["read", "write", "put", "list", "locate"], resources: { bucket: n["results-bucket"] } });
    if (n["data-bucket"]) also.push({ service: "s3", access: ["read", "list"], resources: { bucket: n["data-bucket"] } });
    return also;
  },
  airflowTasks: (use, dag) => {
    const r = (name: string) => resourceOf(use, name);
    const id = dag.taskId(`athena_query_${use.accountName}`);
    const args = [`query=${py("SELECT 1")}`, `database=${py(r("database") ?? "default")}`];
    if (r("workgroup")) args.push(`workgroup=${py(r("workgroup"))}`);
    if (r("results-bucket")) args.push(`output_location=${py(`s3://${r("results-bucket")}/athena-results/`)}`);
    return [{ id, imports: [`${AIRFLOW_PROVIDER}.operators.athena:AthenaOperator`], code: dag.operator(id, "AthenaOperator", args) }];
  },
};
