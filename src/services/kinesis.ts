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
  // Across accounts, Kinesis takes the stream's ARN (StreamARN), not its name.
  clients: {
    target: (_use, holderArn) => ({ streamArn: holderArn() }),
    note: (first) =>
      first.via === "resource-policy" && first.start.type === "lambda"
        ? "For a Lambda consumer, create the event source mapping with the stream's ARN (the function's execution role is the consumer role the stream's policy names). To read the stream directly:"
        : undefined,
    node: {
      header: [
        "// npm install @aws-sdk/client-kinesis @aws-sdk/credential-providers",
        'import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";',
        'import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";',
      ],
      body: () => [
        "// The client caches the credentials and renews them before they expire; without roles it uses",
        "// this process's own credentials (the role the stream's policy names).",
        "const kinesis = new KinesisClient({ region: target.region, ...(provider ? { credentials: provider } : {}) });",
        "",
        "// Across accounts, Kinesis takes the stream's ARN (StreamARN), not its name.",
        "const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamARN: target.streamArn }));",
        "for (const { ShardId } of Shards) {",
        '  const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamARN: target.streamArn, ShardId, ShardIteratorType: "TRIM_HORIZON" }));',
        "  const { Records = [] } = await kinesis.send(new GetRecordsCommand({ StreamARN: target.streamArn, ShardIterator }));",
        "  for (const record of Records) console.log(ShardId, record.SequenceNumber, new TextDecoder().decode(record.Data));",
        "}",
      ],
    },
    python: {
      header: ["# pip install botocore", "from botocore.session import Session"],
      body: () => [
        'kinesis = session.create_client("kinesis", region_name=target["region"])',
        "",
        "# Across accounts, Kinesis takes the stream's ARN (StreamARN), not its name.",
        'stream = target["stream_arn"]',
        'for shard in kinesis.list_shards(StreamARN=stream)["Shards"]:',
        '    iterator = kinesis.get_shard_iterator(StreamARN=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]',
        '    for record in kinesis.get_records(StreamARN=stream, ShardIterator=iterator)["Records"]:',
        '        print(shard["ShardId"], record["SequenceNumber"], record["Data"][:200])',
      ],
    },
  },
};
