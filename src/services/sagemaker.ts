/** Amazon SageMaker: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { pythonLiteral as py, shellWord } from "../text/escape.js";
import { resourceOf } from "./outputs.js";

/** Where the trigger pod writes its request body; /tmp is the pod's writable emptyDir. */
export const REQUEST_BODY_FILE = "/tmp/xacct-request-body.json";

/** The Python function the example DAG's SageMaker tasks call. */
const INVOKE_ENDPOINT = [
  "def invoke_endpoint(aws_conn_id, endpoint_name):",
  '    """Invokes the SageMaker endpoint with an example JSON body."""',
  '    runtime = AwsBaseHook(aws_conn_id=aws_conn_id, client_type="sagemaker-runtime").get_conn()',
  '    response = runtime.invoke_endpoint(EndpointName=endpoint_name, ContentType="application/json", Body=b"{}")',
  '    print(response["Body"].read()[:1000])',
];

export const sagemaker: Recipe = {
  service: "sagemaker",
  title: "Amazon SageMaker",
  names: ["endpoint", "training-job"],
  kinds: {
    endpoint: { type: "endpoint", parts: (n) => ({ EndpointName: n.endpoint ?? "*" }), needs: ["endpoint"] },
    "training-job": { type: "training-job", parts: (n) => ({ TrainingJobName: n["training-job"] ?? "*" }), needs: [] },
  },
  access: {
    invoke: {
      describe: "invoke the endpoint",
      rules: [{ filter: { resourceType: "endpoint", prefixes: ["InvokeEndpoint"] }, on: "endpoint" }],
    },
    train: {
      describe: "create, describe and stop training jobs",
      rules: [
        {
          filter: {
            accessLevels: ["Write", "Read"],
            resourceType: "training-job",
            prefixes: ["CreateTrainingJob", "DescribeTrainingJob", "StopTrainingJob"],
          },
          on: "training-job",
        },
      ],
    },
  },
  airflowTasks: (use, dag) => {
    const endpoint = resourceOf(use, "endpoint");
    if (!use.access.includes("invoke") || !endpoint) return undefined;
    const id = dag.taskId(`sagemaker_invoke_${endpoint}_${use.accountName}`);
    const code = `${id} = PythonOperator(\n    task_id=${py(id)},\n    python_callable=invoke_endpoint,\n    op_kwargs={"aws_conn_id": ${py(dag.connId)}, "endpoint_name": ${py(endpoint)}},\n)`;
    return [{ id, imports: [], code, helper: INVOKE_ENDPOINT }];
  },
  cliCommand: (use) => {
    const endpoint = resourceOf(use, "endpoint");
    if (endpoint) {
      // Binary parameters as fileb://: AWS CLI v2 would read a literal --body as base64.
      return {
        setup: `printf '%s' '{}' > ${shellWord(REQUEST_BODY_FILE)}`,
        argv: [
          "aws",
          "sagemaker-runtime",
          "invoke-endpoint",
          "--endpoint-name",
          endpoint,
          "--content-type",
          "application/json",
          "--body",
          `fileb://${REQUEST_BODY_FILE}`,
          "/tmp/out.json",
        ],
      };
    }
    const job = resourceOf(use, "training-job");
    return job ? { argv: ["aws", "sagemaker", "describe-training-job", "--training-job-name", job] } : undefined;
  },
};
