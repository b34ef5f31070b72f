/** Amazon Kinesis Data Streams: what each access verb grants, and the resources it names. */
import { parseArn } from "../aws/arn.js";
import type { Recipe } from "./recipe.js";
import { type PolicyCollector, policyOf } from "./policy-collector.js";

/** A policy text that holds no policy: Kinesis's GetResourcePolicy answers `{}` for a stream or consumer without one. */
const held = (policy: string | undefined) => (policy === undefined || policy.trim() === "{}" ? undefined : policy);

/** Every stream of the region (ListStreams), its consumers (ListStreamConsumers), and the resource policy of each (GetResourcePolicy). */
const collectStreamPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["kinesis:ListStreams", "kinesis:ListStreamConsumers", "kinesis:GetResourcePolicy"],
  async *policies(at, clients) {
    const { GetResourcePolicyCommand, KinesisClient, paginateListStreams, paginateListStreamConsumers } =
      await import("@aws-sdk/client-kinesis");
    const { NodeHttpHandler } = await import("@smithy/node-http-handler");
    // The Kinesis client speaks HTTP/2 by default (for SubscribeToShard's event stream); the calls
    // collect makes are plain requests, which Kinesis answers over HTTP/1.1 too, as a local endpoint does.
    const client = clients.make((config) => new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() }));
    const read = (ResourceARN: string) =>
      policyOf(ResourceARN, at.region, async () => held((await client.send(new GetResourcePolicyCommand({ ResourceARN }))).Policy));
    for await (const page of paginateListStreams({ client }, {}))
      for (const { StreamARN } of page.StreamSummaries ?? []) {
        if (!StreamARN) continue;
        const stream = await read(StreamARN);
        if (stream) yield stream;
        for await (const consumers of paginateListStreamConsumers({ client }, { StreamARN }))
          for (const { ConsumerARN } of consumers.Consumers ?? []) {
            if (!ConsumerARN) continue;
            const consumer = await read(ConsumerARN);
            if (consumer) yield consumer;
          }
      }
  },
};

/** A stream's or consumer's ARN as its stream's (`…:stream/NAME/consumer/C:TIME` → `…:stream/NAME`). */
const streamOf = (arn: string) => /^(.*?:stream\/[^/]+)/.exec(arn)?.[1];

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
  collect: collectStreamPolicies,
  // A stream or consumer exists in the sandbox while it holds a policy (PutResourcePolicy makes it known).
  sandbox: {
    policyOperations: {
      PutResourcePolicy: { kind: "put", policy: "Policy", malformed: "InvalidArgumentException" },
      GetResourcePolicy: { kind: "get", reply: (Policy) => ({ Policy }), missing: () => ({ Policy: "{}" }) },
      DeleteResourcePolicy: { kind: "delete" },
      ListStreams: {
        kind: "list",
        reply: (arns) => {
          const streams = [...new Set(arns.map(streamOf).filter((a): a is string => a !== undefined))].sort();
          const name = (arn: string) => parseArn(arn)?.resource.slice("stream/".length) ?? "";
          return {
            StreamNames: streams.map(name),
            HasMoreStreams: false,
            StreamSummaries: streams.map((StreamARN) => ({
              StreamName: name(StreamARN),
              StreamARN,
              StreamStatus: "ACTIVE",
              StreamModeDetails: { StreamMode: "ON_DEMAND" },
              StreamCreationTimestamp: 0,
            })),
          };
        },
      },
      ListStreamConsumers: {
        kind: "list",
        reply: (arns, { of: stream }) => ({
          Consumers: arns
            .filter((arn) => arn.startsWith(`${stream}/consumer/`))
            .map((ConsumerARN) => ({
              ConsumerName: /\/consumer\/([^:]+):/.exec(ConsumerARN)?.[1] ?? "",
              ConsumerARN,
              ConsumerStatus: "ACTIVE",
              ConsumerCreationTimestamp: Number(/:(\d+)$/.exec(ConsumerARN)?.[1] ?? 0),
            })),
        }),
      },
    },
  },
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
