/** Amazon SQS: what each access verb grants, the resources it names, and the queue each operation acts on. */
import { buildArn, isAccountId, parseArn } from "../aws/arn.js";
import type { AccessVerb, Recipe } from "./recipe.js";
import { type ResolvedResource, type ResourceNamer, stringOf, type Where } from "./resource-namer.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";
import type { PolicyCollector } from "./policy-collector.js";

/** Every queue of the region (ListQueues, 1,000 a page) and its Policy attribute; a queue without one has no policy. */
const collectQueuePolicies: PolicyCollector = {
  scope: "regional",
  actions: ["sqs:ListQueues", "sqs:GetQueueAttributes"],
  async *policies(at, clients) {
    const { GetQueueAttributesCommand, paginateListQueues, SQSClient } = await import("@aws-sdk/client-sqs");
    const client = clients.make((config) => new SQSClient(config));
    for await (const page of paginateListQueues({ client }, { MaxResults: 1000 }))
      for (const QueueUrl of page.QueueUrls ?? []) {
        const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy", "QueueArn"] }));
        if (Attributes?.Policy && Attributes.QueueArn) yield { arn: Attributes.QueueArn, region: at.region, policy: Attributes.Policy };
      }
  },
};

/** A queue's name: 1 to 80 letters, digits, hyphens and underscores, `.fifo` at the end of a FIFO queue's. */
const QUEUE_NAME = /^[\w-]{1,80}(?:\.fifo)?$/;

/** A queue's ARN read (`arn:P:sqs:REGION:ACCOUNT:NAME`), or undefined for anything else. */
export function parseQueueArn(text: string): { arn: string; region: string; account: string; name: string } | undefined {
  const arn = parseArn(text);
  if (
    !arn ||
    arn.partition === "" ||
    arn.service !== "sqs" ||
    arn.region === "" ||
    !isAccountId(arn.account) ||
    !QUEUE_NAME.test(arn.resource)
  )
    return undefined;
  return { arn: text, region: arn.region, account: arn.account, name: arn.resource };
}

/** A queue URL's account and name (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or the sandbox's own). */
export function queueOfUrl(url: string): { account: string; name: string } | undefined {
  const m = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+?)\/?$/.exec(url);
  const [account, name] = [m?.[1], m?.[2]];
  return account !== undefined && name !== undefined && isAccountId(account) && QUEUE_NAME.test(name) ? { account, name } : undefined;
}

/** A queue's ARN in `where`'s partition and region. */
function queueArn(where: Where, account: string, name: string): ResolvedResource {
  return { arn: buildArn({ partition: where.partition, service: "sqs", region: where.region, account, resource: name }), account };
}

/**
 * The queue each SQS operation acts on, as the SQS API reference names it: QueueUrl; but
 * QueueName (and QueueOwnerAWSAccountId) for GetQueueUrl, QueueName in the caller's account for
 * CreateQueue, and SourceArn for StartMessageMoveTask and ListMessageMoveTasks.
 * CancelMessageMoveTask names its queue inside an opaque TaskHandle: undefined, as ListQueues.
 */
const queueNamedBy: ResourceNamer = (action, input, where) => {
  switch (action.name) {
    case "ListQueues":
    case "CancelMessageMoveTask":
      return undefined;
    case "GetQueueUrl":
    case "CreateQueue": {
      const name = stringOf(input, "QueueName");
      const owner = action.name === "GetQueueUrl" ? (stringOf(input, "QueueOwnerAWSAccountId") ?? where.account) : where.account;
      return name !== undefined && isAccountId(owner) ? queueArn(where, owner, name) : undefined;
    }
    case "StartMessageMoveTask":
    case "ListMessageMoveTasks": {
      const queue = parseQueueArn(stringOf(input, "SourceArn") ?? "");
      return queue && { arn: queue.arn, account: queue.account };
    }
    default: {
      const at = queueOfUrl(stringOf(input, "QueueUrl") ?? "");
      return at && queueArn(where, at.account, at.name);
    }
  }
};

/** Receiving a queue's messages: receive, delete, and change their visibility timeout. */
const CONSUME = {
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
} as const satisfies AccessVerb;

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
    receive: CONSUME,
    // The word for receive: the same actions.
    consume: CONSUME,
  },
  policyHolders: { queue: "queue" },
  sandbox: { resourceOf: queueNamedBy },
  collect: collectQueuePolicies,
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
