/** Amazon Kinesis Data Streams: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const kinesis: Recipe = {
  service: "kinesis",
  title: "Amazon Kinesis Data Streams",
  names: ["stream"],
  kinds: { stream: { type: "stream", parts: (n) => ({ StreamName: n.stream ?? "*" }), needs: ["stream"] } },
  access: {
    read: {
      describe: "read the stream",
      rules: [
        {
          filter: {
            accessLevels: ["Read", "List"],
            resourceType: "stream",
            prefixes: ["DescribeStream", "GetRecords", "GetShardIterator", "ListShards"],
          },
          on: "stream",
        },
      ],
    },
  },
  policyHolders: { stream: "stream" },
  resourcePolicy: {
    apply: ({ arn, text }) => ({
      resources: [
        {
          names: [arn.resource.slice(arn.resource.lastIndexOf("/") + 1)],
          cloudformation: {
            type: "AWS::Kinesis::ResourcePolicy",
            prefix: "StreamPolicy",
            properties: { ResourceArn: text },
            policyKey: "ResourcePolicy",
          },
          terraform: { type: "aws_kinesis_resource_policy", arguments: { resource_arn: text }, policyKey: "policy" },
        },
      ],
    }),
  },
};
