/** Amazon SQS: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";

/** The DNS suffix of a partition's endpoints, where it is not amazonaws.com. */
const DNS_SUFFIX: Record<string, string> = { "aws-cn": "amazonaws.com.cn" };

export const sqs: Recipe = {
  service: "sqs",
  title: "Amazon SQS",
  names: ["queue"],
  kinds: { queue: { type: "queue", parts: (n) => ({ QueueName: n.queue ?? "*" }), needs: ["queue"] } },
  access: {
    send: {
      describe: "send messages",
      rules: [
        {
          filter: {
            accessLevels: ["Write", "Read"],
            resourceType: "queue",
            prefixes: ["SendMessage", "GetQueueUrl", "GetQueueAttributes"],
          },
          on: "queue",
        },
      ],
    },
    receive: {
      describe: "receive and delete messages",
      rules: [
        {
          filter: {
            accessLevels: ["Read", "Write"],
            resourceType: "queue",
            prefixes: ["ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueUrl", "GetQueueAttributes"],
          },
          on: "queue",
        },
      ],
    },
  },
  policyHolders: { queue: "queue" },
  airflowTasks: (use, dag) => {
    const queue = resourceOf(use, "queue");
    if (!use.access.includes("send") || !queue) return undefined;
    const id = dag.taskId(`sqs_send_${queue}_${use.accountName}`);
    const url = `https://sqs.${use.region}.amazonaws.com/${use.account}/${queue}`;
    return [
      {
        id,
        imports: [`${AIRFLOW_PROVIDER}.operators.sqs:SqsPublishOperator`],
        code: dag.operator(id, "SqsPublishOperator", [`sqs_queue=${py(url)}`, `message_content=${py("example message from xacct")}`]),
      },
    ];
  },
  resourcePolicy: {
    apply: ({ arn }) => {
      const queueUrl = `https://sqs.${arn.region}.${DNS_SUFFIX[arn.partition] ?? "amazonaws.com"}/${arn.account}/${arn.resource}`;
      return {
        resources: [
          {
            names: [arn.resource],
            cloudformation: {
              type: "AWS::SQS::QueuePolicy",
              prefix: "QueuePolicy",
              properties: { Queues: [queueUrl] },
              policyKey: "PolicyDocument",
            },
            terraform: { type: "aws_sqs_queue_policy", arguments: { queue_url: queueUrl }, policyKey: "policy" },
          },
        ],
      };
    },
  },
};
