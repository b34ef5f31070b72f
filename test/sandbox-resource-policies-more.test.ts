/**
 * The resource policies of SNS, Lambda, Kinesis, Secrets Manager and DynamoDB, served by the
 * sandbox from its state and written with the real SDK clients: each is put, read back, listed,
 * refused by the engine to a caller without the action on the resource, and deleted.
 */
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  SNSClient,
} from "@aws-sdk/client-sns";
import {
  AddPermissionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  RemovePermissionCommand,
} from "@aws-sdk/client-lambda";
import {
  DeleteResourcePolicyCommand as DeleteStreamPolicy,
  GetResourcePolicyCommand as GetStreamPolicy,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  PutResourcePolicyCommand as PutStreamPolicy,
} from "@aws-sdk/client-kinesis";
import {
  DeleteResourcePolicyCommand as DeleteSecretPolicy,
  GetResourcePolicyCommand as GetSecretPolicy,
  ListSecretsCommand,
  PutResourcePolicyCommand as PutSecretPolicy,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  DeleteResourcePolicyCommand as DeleteTablePolicy,
  DynamoDBClient,
  GetResourcePolicyCommand as GetTablePolicy,
  ListTablesCommand,
  PutResourcePolicyCommand as PutTablePolicy,
} from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { describe, expect, it } from "vitest";
import { collectState } from "./support/collect.js";
import { rootOf } from "./support/iam-apply.js";
import { clientConfig, type Keys, refusal, sandboxPerTest } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();
const start = () => newSandbox({ state: collectState([A, B]) });
/** The Kinesis client over HTTP/1.1: by default it speaks HTTP/2, which the sandbox does not. */
const kinesis = (s: Parameters<typeof clientConfig>[0], keys: Keys) =>
  new KinesisClient({ ...clientConfig(s, keys), requestHandler: new NodeHttpHandler() });

/** A policy letting account B's root do `action` on `resource`. */
const letB = (action: string, resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: action, Resource: resource }],
});

describe("SNS topic policies", () => {
  it("CreateTopic gives the owner-only default policy; SetTopicAttributes Policy replaces it; ListTopics lists the topic", async () => {
    // GIVEN a topic account A creates
    const s = await start();
    const a = new SNSClient(clientConfig(s, rootOf(s, A)));
    const { TopicArn } = await a.send(new CreateTopicCommand({ Name: "orders" }));
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${A}:orders`);
    // THEN its default policy allows "only the topic owner" (SNS's default access policy: AWS:SourceOwner is the owner)
    const initial = JSON.parse((await a.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.Policy ?? "{}");
    expect(initial.Statement[0].Condition).toEqual({ StringEquals: { "AWS:SourceOwner": A } });
    // AND account B may not change it (sns:SetTopicAttributes is decided on the topic)
    const b = new SNSClient(clientConfig(s, rootOf(s, B)));
    const policy = JSON.stringify(letB("sns:Publish", TopicArn ?? ""));
    // (SNS words it AuthorizationError; the sandbox's query services all answer AccessDenied, 403)
    expect(
      await refusal(b.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: policy }))),
    ).toMatchObject({
      status: 403,
      message: expect.stringContaining(`not authorized to perform: sns:SetTopicAttributes on resource: ${TopicArn}`),
    });
    // WHEN A sets the Policy attribute
    await a.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: policy }));
    // THEN GetTopicAttributes returns it, with the topic's ARN and owner, and ListTopics lists the topic
    const { Attributes } = await a.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(JSON.parse(Attributes?.Policy ?? "{}").Statement).toEqual(letB("sns:Publish", TopicArn ?? "").Statement);
    expect(Attributes).toMatchObject({ TopicArn, Owner: A });
    expect((await a.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn }]);
    // AND setting another attribute leaves the policy as it was
    await a.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: "Orders" }));
    expect(JSON.parse((await a.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.Policy ?? "{}").Statement[0].Sid).toBe("b");
    // AND B, allowed by it to publish, still may not read the attributes
    expect((await refusal(b.send(new GetTopicAttributesCommand({ TopicArn })))).status).toBe(403);
  });
});

describe("Lambda function policies", () => {
  it("AddPermission adds the statement Lambda builds, GetPolicy returns it, RemovePermission removes it", async () => {
    // GIVEN account A's function, which has no policy yet: GetPolicy is ResourceNotFoundException
    const s = await start();
    const a = new LambdaClient(clientConfig(s, rootOf(s, A)));
    const fn = `arn:aws:lambda:us-east-1:${A}:function:resize`;
    expect(await refusal(a.send(new GetPolicyCommand({ FunctionName: "resize" })))).toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
    });
    // AND account B may not add a permission to it
    const b = new LambdaClient(clientConfig(s, rootOf(s, B)));
    const grant = { FunctionName: fn, StatementId: "b-invoke", Action: "lambda:InvokeFunction", Principal: B };
    expect((await refusal(b.send(new AddPermissionCommand(grant)))).name).toBe("AccessDeniedException");
    // WHEN A lets account B invoke it, and S3 invoke it for A's bucket
    const added = await a.send(new AddPermissionCommand({ ...grant, FunctionName: "resize" }));
    await a.send(
      new AddPermissionCommand({
        FunctionName: "resize",
        StatementId: "s3",
        Action: "lambda:InvokeFunction",
        Principal: "s3.amazonaws.com",
        SourceArn: "arn:aws:s3:::uploads",
        SourceAccount: A,
      }),
    );
    // THEN the statements are as Lambda writes them (an account ID as its root ARN; a service as Service;
    // SourceAccount as StringEquals AWS:SourceAccount, SourceArn as ArnLike AWS:SourceArn)
    const b_invoke = {
      Sid: "b-invoke",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${B}:root` },
      Action: "lambda:InvokeFunction",
      Resource: fn,
    };
    expect(JSON.parse(added.Statement ?? "{}")).toEqual(b_invoke);
    const { Policy } = await a.send(new GetPolicyCommand({ FunctionName: fn }));
    expect(JSON.parse(Policy ?? "{}").Statement).toEqual([
      b_invoke,
      {
        Sid: "s3",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "lambda:InvokeFunction",
        Resource: fn,
        Condition: { StringEquals: { "AWS:SourceAccount": A }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::uploads" } },
      },
    ]);
    // AND a statement ID used again is ResourceConflictException; ListFunctions lists the function
    expect((await refusal(a.send(new AddPermissionCommand({ ...grant, FunctionName: "resize" })))).name).toBe("ResourceConflictException");
    expect((await a.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionArn)).toEqual([fn]);
    // AND B may not read the policy (lambda:GetPolicy is not what it was granted)
    expect((await refusal(b.send(new GetPolicyCommand({ FunctionName: fn })))).name).toBe("AccessDeniedException");
    // WHEN A removes both statements, THEN the function has no policy
    await a.send(new RemovePermissionCommand({ FunctionName: "resize", StatementId: "b-invoke" }));
    expect(JSON.parse((await a.send(new GetPolicyCommand({ FunctionName: fn }))).Policy ?? "{}").Statement).toHaveLength(1);
    await a.send(new RemovePermissionCommand({ FunctionName: "resize", StatementId: "s3" }));
    expect((await refusal(a.send(new GetPolicyCommand({ FunctionName: fn })))).name).toBe("ResourceNotFoundException");
  });
});

describe("Kinesis stream and consumer policies", () => {
  it("are put, read back, listed with the stream and its consumers, refused to another account, and deleted", async () => {
    // GIVEN account A's stream and a consumer of it
    const s = await start();
    const a = kinesis(s, rootOf(s, A));
    const stream = `arn:aws:kinesis:us-east-1:${A}:stream/clicks`;
    const consumer = `${stream}/consumer/reader:1700000000`;
    // THEN account B may not put a policy on A's stream
    const b = kinesis(s, rootOf(s, B));
    const streamPolicy = JSON.stringify(letB("kinesis:GetRecords", stream));
    expect((await refusal(b.send(new PutStreamPolicy({ ResourceARN: stream, Policy: streamPolicy })))).name).toBe("AccessDeniedException");
    // WHEN A puts a policy on each
    await a.send(new PutStreamPolicy({ ResourceARN: stream, Policy: streamPolicy }));
    await a.send(new PutStreamPolicy({ ResourceARN: consumer, Policy: JSON.stringify(letB("kinesis:SubscribeToShard", consumer)) }));
    // THEN each reads back, ListStreams lists the stream and ListStreamConsumers the consumer
    expect(JSON.parse((await a.send(new GetStreamPolicy({ ResourceARN: stream }))).Policy ?? "{}").Statement[0].Action).toBe(
      "kinesis:GetRecords",
    );
    expect(JSON.parse((await a.send(new GetStreamPolicy({ ResourceARN: consumer }))).Policy ?? "{}").Statement[0].Action).toBe(
      "kinesis:SubscribeToShard",
    );
    expect((await a.send(new ListStreamsCommand({}))).StreamSummaries?.map((x) => [x.StreamName, x.StreamARN])).toEqual([
      ["clicks", stream],
    ]);
    expect(
      (await a.send(new ListStreamConsumersCommand({ StreamARN: stream }))).Consumers?.map((c) => [c.ConsumerName, c.ConsumerARN]),
    ).toEqual([["reader", consumer]]);
    // WHEN A deletes the stream's policy, THEN it holds none ("{}") and the consumer's is kept
    await a.send(new DeleteStreamPolicy({ ResourceARN: stream }));
    expect((await a.send(new GetStreamPolicy({ ResourceARN: stream }))).Policy).toBe("{}");
    expect((await a.send(new GetStreamPolicy({ ResourceARN: consumer }))).Policy).not.toBe("{}");
  });
});

describe("Secrets Manager secret policies", () => {
  it("are put on a secret named by its ARN (with its six-character suffix), read back, listed, refused to another account, and deleted", async () => {
    // GIVEN account A's secret, whose ARN ends in the six random characters Secrets Manager adds
    const s = await start();
    const a = new SecretsManagerClient(clientConfig(s, rootOf(s, A)));
    const secret = `arn:aws:secretsmanager:us-east-1:${A}:secret:db/password-AbC123`;
    const policy = JSON.stringify(letB("secretsmanager:GetSecretValue", "*"));
    // THEN account B may not put a policy on it
    const b = new SecretsManagerClient(clientConfig(s, rootOf(s, B)));
    expect((await refusal(b.send(new PutSecretPolicy({ SecretId: secret, ResourcePolicy: policy })))).name).toBe("AccessDeniedException");
    // WHEN A puts one
    expect(await a.send(new PutSecretPolicy({ SecretId: secret, ResourcePolicy: policy }))).toMatchObject({
      ARN: secret,
      Name: "db/password",
    });
    // THEN it reads back, and ListSecrets lists the secret by ARN and by its name without the suffix
    const got = await a.send(new GetSecretPolicy({ SecretId: secret }));
    expect(got).toMatchObject({ ARN: secret, Name: "db/password" });
    expect(JSON.parse(got.ResourcePolicy ?? "{}").Statement[0].Action).toBe("secretsmanager:GetSecretValue");
    expect((await a.send(new ListSecretsCommand({}))).SecretList?.map((x) => [x.ARN, x.Name])).toEqual([[secret, "db/password"]]);
    // WHEN A deletes it, THEN GetResourcePolicy answers the secret without a ResourcePolicy
    await a.send(new DeleteSecretPolicy({ SecretId: secret }));
    expect((await a.send(new GetSecretPolicy({ SecretId: secret }))).ResourcePolicy).toBeUndefined();
  });

  it("decides a secret named by its name on the ARN of any suffix (`secret:NAME-??????`)", async () => {
    // GIVEN A's policy on the secret named "db", put by name
    const s = await start();
    const a = new SecretsManagerClient(clientConfig(s, rootOf(s, A)));
    await a.send(new PutSecretPolicy({ SecretId: "db", ResourcePolicy: JSON.stringify(letB("secretsmanager:GetResourcePolicy", "*")) }));
    // THEN it is held for the secret of that name, whatever the suffix
    expect((await a.send(new ListSecretsCommand({}))).SecretList).toEqual([
      { ARN: `arn:aws:secretsmanager:us-east-1:${A}:secret:db-??????`, Name: "db" },
    ]);
  });
});

describe("DynamoDB table policies", () => {
  it("are put, read back, listed, refused to another account, and deleted; a table without one is PolicyNotFoundException", async () => {
    // GIVEN account A's table, which has no policy yet
    const s = await start();
    const a = new DynamoDBClient(clientConfig(s, rootOf(s, A)));
    const table = `arn:aws:dynamodb:us-east-1:${A}:table/orders`;
    expect((await refusal(a.send(new GetTablePolicy({ ResourceArn: table })))).name).toBe("PolicyNotFoundException");
    // AND account B may not put one on it
    const b = new DynamoDBClient(clientConfig(s, rootOf(s, B)));
    const policy = JSON.stringify(letB("dynamodb:GetItem", table));
    expect((await refusal(b.send(new PutTablePolicy({ ResourceArn: table, Policy: policy })))).name).toBe("AccessDeniedException");
    // WHEN A puts one
    await a.send(new PutTablePolicy({ ResourceArn: table, Policy: policy }));
    // THEN it reads back and ListTables lists the table
    expect(JSON.parse((await a.send(new GetTablePolicy({ ResourceArn: table }))).Policy ?? "{}").Statement[0].Action).toBe(
      "dynamodb:GetItem",
    );
    expect((await a.send(new ListTablesCommand({}))).TableNames).toEqual(["orders"]);
    // WHEN A deletes it, THEN the table has none again
    await a.send(new DeleteTablePolicy({ ResourceArn: table }));
    expect((await refusal(a.send(new GetTablePolicy({ ResourceArn: table })))).name).toBe("PolicyNotFoundException");
  });
});
