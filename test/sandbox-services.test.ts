/**
 * The sandbox's other AWS services (S3, SQS, Lambda, MWAA, and any JSON- or query-protocol call),
 * driven with the real AWS SDK for JavaScript v3 clients, with sessions obtained through the real
 * STS client. Expected answers come from AWS's API references and what the real services answer
 * (error codes, AWS's "User: … is not authorized to perform: … on resource: …" messages), not from
 * the sandbox's own output.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  CreateBucketCommand,
  ListBucketsCommand,
} from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateCliTokenCommand,
  CreateEnvironmentCommand,
  CreateWebLoginTokenCommand,
  GetEnvironmentCommand,
  MWAAClient,
} from "@aws-sdk/client-mwaa";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel, loadModelFile } from "../src/model/load.js";
import type { Model } from "../src/model/schema.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { modelText } from "./support/models.js";
import {
  assume,
  clientConfig,
  type Keys,
  notAuthorized,
  refusal,
  REGION,
  sandboxPerTest,
  signedJson,
  signedQuery,
  userKeys,
} from "./support/sandbox-clients.js";

const newSandbox = sandboxPerTest();

/** A seed's model with one workload signing in as an IAM user (so the test holds its keys). */
function seedAsUser(file: string, workload: string): Model {
  const model = loadModelFile(file);
  const entry = model.workloads[workload];
  if (!entry) throw new Error(`no workload ${workload} in ${file}`);
  entry.identity = { type: "iam-user" };
  return model;
}

async function start(model: Model): Promise<Sandbox> {
  const sandbox = await newSandbox({ state: compile(model).state });
  return sandbox;
}

const common = clientConfig;
// Path-style addressing: a virtual-hosted name (bucket.127.0.0.1) does not resolve.
const s3 = (s: Sandbox, k: Keys) => new S3Client({ ...common(s, k), forcePathStyle: true });
const sqs = (s: Sandbox, k: Keys) => new SQSClient(common(s, k));
const lambda = (s: Sandbox, k: Keys) => new LambdaClient(common(s, k));
// MWAA's SDK prefixes hostnames (env., api.); a local endpoint takes none.
const mwaa = (s: Sandbox, k: Keys) => new MWAAClient({ ...common(s, k), disableHostPrefix: true });

const md5 = (text: string | Buffer) => createHash("md5").update(text).digest("hex");

// Seed 004: the Spark job (here an IAM user in account A) writes its own bucket, and through
// client-role-2 in account B lists and reads the datalake bucket and sends to MyDeadLetterQueue.
const SEED_004 = "examples/004-emr-eks-chain/xacct.yaml";
const SPARK_USER = "arn:aws:iam::111111111111:user/spark-job";
const CLIENT_ROLE = "arn:aws:iam::222222222222:role/client-role-2";
const CLIENT_SESSION = "arn:aws:sts::222222222222:assumed-role/client-role-2/test";
const OWN_BUCKET = "emr-on-eks-test-111111111111-us-east-1";
const DATALAKE = "datalake-222222222222-us-east-1";

describe("S3 with the real S3 client (path-style)", () => {
  it("reads back what it wrote: PutObject, GetObject, HeadObject, ListObjectsV2, DeleteObject", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const client = s3(s, userKeys(s, SPARK_USER));
    const put = await client.send(
      new PutObjectCommand({
        Bucket: OWN_BUCKET,
        Key: "out/part-0000.json",
        Body: '{"rows": 3}',
        ContentType: "application/json",
        Metadata: { job: "etl" },
      }),
    );
    // S3's ETag of a single-part upload is the MD5 of its bytes, quoted.
    expect(put.ETag).toBe(`"${md5('{"rows": 3}')}"`);
    const got = await client.send(new GetObjectCommand({ Bucket: OWN_BUCKET, Key: "out/part-0000.json" }));
    expect(await got.Body?.transformToString()).toBe('{"rows": 3}');
    expect(got).toMatchObject({ ContentType: "application/json", ETag: put.ETag, Metadata: { job: "etl" } });
    const head = await client.send(new HeadObjectCommand({ Bucket: OWN_BUCKET, Key: "out/part-0000.json" }));
    expect(head.ContentLength).toBe(11);
    await client.send(new PutObjectCommand({ Bucket: OWN_BUCKET, Key: "other/x", Body: "x" }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: OWN_BUCKET, Prefix: "out/" }));
    expect(listed.Contents?.map((c) => [c.Key, c.Size, c.ETag])).toEqual([["out/part-0000.json", 11, put.ETag]]);
    expect(listed.KeyCount).toBe(1);
    await client.send(new DeleteObjectCommand({ Bucket: OWN_BUCKET, Key: "out/part-0000.json" }));
    // The caller may list the bucket: a missing key is NoSuchKey (404), per GetObject's API reference.
    expect(await refusal(client.send(new GetObjectCommand({ Bucket: OWN_BUCKET, Key: "out/part-0000.json" })))).toMatchObject({
      name: "NoSuchKey",
      status: 404,
    });
  });

  it("decodes a streamed upload (aws-chunked with a trailing checksum) and rejects one whose checksum is wrong", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const client = s3(s, userKeys(s, SPARK_USER));
    const bytes = Buffer.alloc(70_000, "abc");
    // A stream of unknown checksum makes the SDK send aws-chunked with x-amz-checksum-crc32 as a trailer.
    await client.send(
      new PutObjectCommand({
        Bucket: OWN_BUCKET,
        Key: "big.bin",
        Body: Readable.from([bytes.subarray(0, 30_000), bytes.subarray(30_000)]),
        ContentLength: bytes.length,
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: OWN_BUCKET, Key: "big.bin", ChecksumMode: "ENABLED" }));
    expect(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(bytes)).toBe(
      true,
    );
    expect(got.ETag).toBe(`"${md5(bytes)}"`);
    // A checksum that is not the body's is S3's BadDigest.
    expect(
      await refusal(
        client.send(
          new PutObjectCommand({
            Bucket: OWN_BUCKET,
            Key: "bad",
            Body: "hello",
            ChecksumSHA256: createHash("sha256").update("other").digest("base64"),
          }),
        ),
      ),
    ).toMatchObject({ name: "BadDigest", status: 400 });
  });

  it("through client-role-2 lists and reads the datalake in account B, and may not write it: AccessDenied quoting the object ARN", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const role = s3(s, await assume(s, userKeys(s, SPARK_USER), CLIENT_ROLE));
    expect((await role.send(new ListObjectsV2Command({ Bucket: DATALAKE }))).KeyCount).toBe(0);
    // S3 quotes the resource in its message: `on resource: "arn:aws:s3:::BUCKET/KEY"`.
    expect(await refusal(role.send(new PutObjectCommand({ Bucket: DATALAKE, Key: "in/x.csv", Body: "a,b" })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: notAuthorized(CLIENT_SESSION, "s3:PutObject", `arn:aws:s3:::${DATALAKE}/in/x.csv`)
        .replace(`resource: arn`, `resource: "arn`)
        .replace(".csv because", '.csv" because'),
    });
    // The user itself holds no grant on B's bucket.
    expect(await refusal(s3(s, userKeys(s, SPARK_USER)).send(new ListObjectsV2Command({ Bucket: DATALAKE })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });

  it("a bucket no policy names and nobody created is NoSuchBucket; CreateBucket without s3:CreateBucket is AccessDenied", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const client = s3(s, userKeys(s, SPARK_USER));
    expect(await refusal(client.send(new ListObjectsV2Command({ Bucket: "nobody-knows-this-bucket" })))).toMatchObject({
      name: "NoSuchBucket",
      status: 404,
    });
    // The user has no s3:CreateBucket.
    expect(await refusal(client.send(new CreateBucketCommand({ Bucket: "new-bucket-111" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });

  it("a presigned GetObject URL, signed with @smithy/signature-v4 as the SDK's presigner does, fetches the object", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const keys = userKeys(s, SPARK_USER);
    await s3(s, keys).send(new PutObjectCommand({ Bucket: OWN_BUCKET, Key: "shared/report.txt", Body: "presigned!" }));
    const url = new URL(s.url);
    const signer = new SignatureV4({
      service: "s3",
      region: REGION,
      credentials: keys,
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const presigned = await signer.presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: `/${OWN_BUCKET}/shared/report.txt`,
        query: {},
        headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      },
      { expiresIn: 300, unsignableHeaders: new Set(["x-amz-content-sha256"]), unhoistableHeaders: new Set(["x-amz-content-sha256"]) },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const answer = await fetch(`${s.url}${presigned.path}?${query}`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("presigned!");
    // The same URL with the object's key changed no longer matches its signature.
    const tampered = await fetch(`${s.url}/${OWN_BUCKET}/shared/other.txt?${query}`);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

// A small model of its own: account A's user reaches, in account B, a bucket through its bucket
// policy (no role), and a role `reader` that may read (not list) another bucket, run the Glue job
// etl, invoke the function fn and get IAM database credentials for Redshift's analytics/dev.
const MODEL = modelText({
  name: "services",
  region: "us-east-1",
  grants: `  - workload: app
    account: b
    service: s3
    access: [list, read]
    resources: { bucket: shared-222222222222 }
    via: resource-policy
  - workload: app
    account: b
    service: s3
    access: [read]
    resources: { bucket: reports-222222222222 }
    role: { name: reader }
  - workload: app
    account: b
    service: glue
    access: [run]
    resources: { job: etl }
    role: { name: reader }
  - workload: app
    account: b
    service: lambda
    access: [invoke]
    resources: { function: fn }
    role: { name: reader }
  - workload: app
    account: b
    service: redshift
    access: [iam-credentials]
    resources: { cluster: analytics, database: dev }
    role: { name: reader }
`,
});
const APP = "arn:aws:iam::111111111111:user/app";
const READER = "arn:aws:iam::222222222222:role/reader";
const READER_SESSION = "arn:aws:sts::222222222222:assumed-role/reader/test";

describe("S3 ownership and S3's documented answers", () => {
  it("a bucket in account B whose bucket policy grants account A's user is read directly, cross-account", async () => {
    const s = await start(loadModel(MODEL));
    const app = s3(s, userKeys(s, APP));
    // The bucket policy lives in B: the cross-account request needs it and the user's policy, and has both.
    expect((await app.send(new ListObjectsV2Command({ Bucket: "shared-222222222222", Prefix: "a/" }))).KeyCount).toBe(0);
    expect(await refusal(app.send(new PutObjectCommand({ Bucket: "shared-222222222222", Key: "a/x", Body: "x" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });

  it("GetObject of a missing key without s3:ListBucket is AccessDenied naming s3:ListBucket on the bucket (GetObject API reference)", async () => {
    const s = await start(loadModel(MODEL));
    const reader = s3(s, await assume(s, userKeys(s, APP), READER));
    expect(await refusal(reader.send(new GetObjectCommand({ Bucket: "reports-222222222222", Key: "missing.csv" })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: ${READER_SESSION} is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::reports-222222222222" because no identity-based policy allows the s3:ListBucket action`,
    });
  });

  it("ListBuckets without s3:ListAllMyBuckets is AccessDenied", async () => {
    const s = await start(loadModel(MODEL));
    const reader = s3(s, await assume(s, userKeys(s, APP), READER));
    expect(await refusal(reader.send(new ListBucketsCommand({})))).toMatchObject({ name: "AccessDenied", status: 403 });
  });
});

describe("SQS with the real SQS client (JSON protocol)", () => {
  it("seed 004: client-role-2 gets MyDeadLetterQueue's URL in account B and sends to it; the SDK checks MD5OfMessageBody", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const role = sqs(s, await assume(s, userKeys(s, SPARK_USER), CLIENT_ROLE));
    const { QueueUrl } = await role.send(
      new GetQueueUrlCommand({ QueueName: "MyDeadLetterQueue", QueueOwnerAWSAccountId: "222222222222" }),
    );
    expect(QueueUrl).toBe(`${s.url}/222222222222/MyDeadLetterQueue`);
    const sent = await role.send(new SendMessageCommand({ QueueUrl, MessageBody: "job 42 failed" }));
    // MD5OfMessageBody is the MD5 of the body's UTF-8 bytes (SendMessage API reference); the SDK verifies it too.
    expect(sent.MD5OfMessageBody).toBe(md5("job 42 failed"));
    const attrs = await role.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn", "ApproximateNumberOfMessages"] }));
    expect(attrs.Attributes).toEqual({
      QueueArn: "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue",
      ApproximateNumberOfMessages: "1",
    });
    // The grant is send only: SQS refuses ReceiveMessage with AccessDenied, writing the action in lower case.
    expect(await refusal(role.send(new ReceiveMessageCommand({ QueueUrl })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: ${CLIENT_SESSION} is not authorized to perform: sqs:receivemessage on resource: arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue because no identity-based policy allows the sqs:receivemessage action`,
    });
  });

  it("client-role-2 may not look up a queue it holds no grant on: AccessDenied, whether or not the queue exists", async () => {
    const s = await start(seedAsUser(SEED_004, "spark-job"));
    const role = sqs(s, await assume(s, userKeys(s, SPARK_USER), CLIENT_ROLE));
    expect(await refusal(role.send(new GetQueueUrlCommand({ QueueName: "Typo" })))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: ${CLIENT_SESSION} is not authorized to perform: sqs:getqueueurl on resource: arn:aws:sqs:us-east-1:222222222222:Typo because no identity-based policy allows the sqs:getqueueurl action`,
    });
  });
});

// A worker that sends to and consumes the queue jobs in its own account, and may send to any
// queue named scratch-* (none of which exists).
const QUEUE_MODEL = `version: 1
name: queues
accounts:
  a: { id: "111111111111", region: us-east-1 }
workloads:
  worker:
    account: a
    identity: { type: iam-user }
grants:
  - workload: worker
    account: a
    service: sqs
    access: [send, receive]
    resources: { queue: jobs }
  - workload: worker
    account: a
    service: sqs
    access: [send]
    resources: { queue: "scratch-*" }
`;
const WORKER = "arn:aws:iam::111111111111:user/worker";

describe("SQS read-after-write", () => {
  it("a message sent is received once with its MD5 and receipt handle, hidden while in flight, and gone once deleted", async () => {
    const s = await start(loadModel(QUEUE_MODEL));
    const worker = sqs(s, userKeys(s, WORKER));
    const QueueUrl = `${s.url}/111111111111/jobs`;
    const sent = await worker.send(new SendMessageCommand({ QueueUrl, MessageBody: "résumé ✓" }));
    const first = await worker.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );
    expect(first.Messages).toHaveLength(1);
    const message = first.Messages?.[0];
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: "résumé ✓",
      MD5OfBody: md5(Buffer.from("résumé ✓", "utf8")),
      Attributes: { ApproximateReceiveCount: "1" },
    });
    // Received messages stay invisible for the visibility timeout (30 s by default).
    expect((await worker.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
    await worker.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    const attrs = await worker.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("a queue IAM allows but nobody named or created is QueueDoesNotExist; CreateQueue without sqs:CreateQueue is AccessDenied", async () => {
    const s = await start(loadModel(QUEUE_MODEL));
    const worker = sqs(s, userKeys(s, WORKER));
    // SQS answers AWS.SimpleQueueService.NonExistentQueue, which the SDK raises as QueueDoesNotExist.
    expect(
      await refusal(worker.send(new SendMessageCommand({ QueueUrl: `${s.url}/111111111111/scratch-1`, MessageBody: "x" }))),
    ).toMatchObject({ name: "QueueDoesNotExist", status: 400 });
    expect(await refusal(worker.send(new GetQueueUrlCommand({ QueueName: "scratch-1" })))).toMatchObject({
      name: "QueueDoesNotExist",
      status: 400,
    });
    expect(await refusal(worker.send(new CreateQueueCommand({ QueueName: "scratch-1" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });
});

describe("Lambda Invoke with the real Lambda client", () => {
  it("reader may invoke fn (200, empty JSON payload, $LATEST) and not another function (AccessDeniedException)", async () => {
    const s = await start(loadModel(MODEL));
    const reader = lambda(s, await assume(s, userKeys(s, APP), READER));
    const out = await reader.send(new InvokeCommand({ FunctionName: "fn", Payload: Buffer.from("not json at all") }));
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString())).toEqual({});
    // The full ARN names the same function.
    expect(
      (await reader.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:222222222222:function:fn", InvocationType: "Event" })))
        .StatusCode,
    ).toBe(202);
    expect(await refusal(reader.send(new InvokeCommand({ FunctionName: "other" })))).toEqual({
      name: "AccessDeniedException",
      status: 403,
      message: notAuthorized(READER_SESSION, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:222222222222:function:other"),
    });
  });
});

// Seed 000: Sparkflows (here an IAM user in account A) reads and drives MWAA in account B through
// AccountB-MWAA-ReadRole: environment read, CLI token, web login as the Airflow role User.
const SEED_000 = "examples/000-sparkflows-mwaa/xacct.yaml";
const SPARKFLOWS = "arn:aws:iam::111111111111:user/sparkflows";
const MWAA_ROLE = "arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole";
const MWAA_SESSION = "arn:aws:sts::222222222222:assumed-role/AccountB-MWAA-ReadRole/test";
const ENV_ARN = "arn:aws:airflow:us-east-1:222222222222:environment/sparkflows-air";

describe("MWAA with the real MWAA client", () => {
  it("seed 000: the read role creates CLI and web login tokens and reads the environment, and may not create one", async () => {
    const s = await start(seedAsUser(SEED_000, "sparkflows"));
    const role = mwaa(s, await assume(s, userKeys(s, SPARKFLOWS), MWAA_ROLE));
    const cli = await role.send(new CreateCliTokenCommand({ Name: "sparkflows-air" }));
    expect(cli.CliToken).toBeTruthy();
    expect(cli.WebServerHostname).toBeTruthy();
    expect((await role.send(new CreateWebLoginTokenCommand({ Name: "sparkflows-air" }))).WebToken).toBeTruthy();
    expect((await role.send(new GetEnvironmentCommand({ Name: "sparkflows-air" }))).Environment).toMatchObject({
      Name: "sparkflows-air",
      Arn: ENV_ARN,
    });
    expect(await refusal(role.send(new CreateCliTokenCommand({ Name: "other-env" })))).toEqual({
      name: "AccessDeniedException",
      status: 403,
      message: notAuthorized(MWAA_SESSION, "airflow:CreateCliToken", "arn:aws:airflow:us-east-1:222222222222:environment/other-env"),
    });
    const created = refusal(
      role.send(
        new CreateEnvironmentCommand({
          Name: "new-env",
          ExecutionRoleArn: "arn:aws:iam::222222222222:role/MWAA-ExecutionRole",
          SourceBucketArn: "arn:aws:s3:::sparkflows-air",
          DagS3Path: "dags",
          NetworkConfiguration: { SubnetIds: ["subnet-1", "subnet-2"], SecurityGroupIds: ["sg-1"] },
        }),
      ),
    );
    expect(await created).toEqual({
      name: "AccessDeniedException",
      status: 403,
      message: notAuthorized(MWAA_SESSION, "airflow:CreateEnvironment", "arn:aws:airflow:us-east-1:222222222222:environment/new-env"),
    });
  });

  it("seed 000: the read role's S3 grant covers dags/ only", async () => {
    const s = await start(seedAsUser(SEED_000, "sparkflows"));
    const role = s3(s, await assume(s, userKeys(s, SPARKFLOWS), MWAA_ROLE));
    await role.send(new PutObjectCommand({ Bucket: "sparkflows-air", Key: "dags/etl.py", Body: "print('hi')" }));
    expect((await role.send(new ListObjectsV2Command({ Bucket: "sparkflows-air", Prefix: "dags/" }))).Contents?.map((c) => c.Key)).toEqual([
      "dags/etl.py",
    ]);
    expect(await refusal(role.send(new PutObjectCommand({ Bucket: "sparkflows-air", Key: "plugins/x.zip", Body: "x" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
  });
});

describe("any JSON-protocol service, decided from AWS's service authorization data", () => {
  it("Glue StartJobRun on the granted job is allowed; on another job it is AccessDeniedException naming the job's ARN", async () => {
    const s = await start(loadModel(MODEL));
    const reader = await assume(s, userKeys(s, APP), READER);
    expect(await signedJson(s, reader, "glue", "AWSGlue.StartJobRun", { JobName: "etl" })).toEqual({ status: 200, json: {} });
    expect(await signedJson(s, reader, "glue", "AWSGlue.StartJobRun", { JobName: "other" })).toEqual({
      status: 403,
      json: {
        __type: "AccessDeniedException",
        message: notAuthorized(READER_SESSION, "glue:StartJobRun", "arn:aws:glue:us-east-1:222222222222:job/other"),
      },
    });
  });

  it("an operation the service does not have is 400 UnknownOperationException", async () => {
    const s = await start(loadModel(MODEL));
    const reader = await assume(s, userKeys(s, APP), READER);
    expect(await signedJson(s, reader, "glue", "AWSGlue.LaunchRockets", {})).toMatchObject({
      status: 400,
      json: { __type: "UnknownOperationException" },
    });
  });

  it.each([
    // Resource ARN formats from the Service Authorization Reference; the parameter that names each.
    [
      "kinesis",
      "Kinesis_20131202.PutRecord",
      { StreamName: "clicks", Data: "eA==", PartitionKey: "k" },
      "kinesis:PutRecord",
      "arn:aws:kinesis:us-east-1:222222222222:stream/clicks",
    ],
    [
      "dynamodb",
      "DynamoDB_20120810.GetItem",
      { TableName: "orders", Key: {} },
      "dynamodb:GetItem",
      "arn:aws:dynamodb:us-east-1:222222222222:table/orders",
    ],
    [
      "states",
      "AWSStepFunctions.StartExecution",
      { stateMachineArn: "arn:aws:states:us-east-1:333333333333:stateMachine:sm" },
      "states:StartExecution",
      "arn:aws:states:us-east-1:333333333333:stateMachine:sm",
    ],
    [
      "elasticmapreduce",
      "ElasticMapReduce.AddJobFlowSteps",
      { JobFlowId: "j-ABC", Steps: [] },
      "elasticmapreduce:AddJobFlowSteps",
      "arn:aws:elasticmapreduce:us-east-1:222222222222:cluster/j-ABC",
    ],
    [
      "athena",
      "AmazonAthena.StartQueryExecution",
      { QueryString: "select 1", WorkGroup: "primary" },
      "athena:StartQueryExecution",
      "arn:aws:athena:us-east-1:222222222222:workgroup/primary",
    ],
    // An action AWS authorizes on no resource type is decided on "*".
    ["glue", "AWSGlue.ListJobs", {}, "glue:ListJobs", "*"],
  ])("%s %s is decided on the resource its request names", async (service, target, body, action, resource) => {
    const s = await start(loadModel(MODEL));
    const reader = await assume(s, userKeys(s, APP), READER);
    expect(await signedJson(s, reader, service, target, body)).toEqual({
      status: 403,
      json: { __type: "AccessDeniedException", message: notAuthorized(READER_SESSION, action, resource) },
    });
  });
});

describe("any query-protocol service", () => {
  it("Redshift GetClusterCredentialsWithIAM on the granted database is allowed, on another it is AccessDenied in the query protocol's ErrorResponse", async () => {
    const s = await start(loadModel(MODEL));
    const reader = await assume(s, userKeys(s, APP), READER);
    const call = (DbName: string) =>
      signedQuery(s, reader, "redshift", {
        Action: "GetClusterCredentialsWithIAM",
        Version: "2012-12-01",
        ClusterIdentifier: "analytics",
        DbName,
      });
    const allowed = await call("dev");
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain("<GetClusterCredentialsWithIAMResponse");
    const denied = await call("prod");
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("<Code>AccessDenied</Code>");
    expect(denied.text).toContain(
      `<Message>${notAuthorized(READER_SESSION, "redshift:GetClusterCredentialsWithIAM", "arn:aws:redshift:us-east-1:222222222222:dbname:analytics/prod")}</Message>`,
    );
    // An action the service does not have is InvalidAction.
    expect(await signedQuery(s, reader, "redshift", { Action: "LaunchRockets", Version: "2012-12-01" })).toMatchObject({ status: 400 });
  });
});
