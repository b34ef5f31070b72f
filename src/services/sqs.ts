/** Amazon SQS: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

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
};
