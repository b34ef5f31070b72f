/**
 * The sandbox decides each call on the resource the operation acts on — the parameter the
 * service's API reference names (SQS's QueueUrl, SNS's TopicArn, the path of S3, Lambda and
 * MWAA, Glue's JobName, Step Functions' stateMachineArn, …) — never on some other field of the
 * request that happens to hold an ARN. Each case sends a real call with an extra parameter naming
 * a resource the caller may use (the decoy): it is refused on the real resource, and the decision
 * log records the real resource.
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetEnvironmentCommand, MWAAClient } from "@aws-sdk/client-mwaa";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import { type LogEntry, type Sandbox } from "../src/sandbox/index.js";
import {
  assume,
  awsCliAt,
  clientConfig,
  notAuthorized,
  refusal,
  sandboxPerTest,
  signedJson,
  signedQuery,
  userKeys,
} from "./support/sandbox-clients.js";
import { APP_USER, modelText } from "./support/models.js";

const A = "111111111111";
const B = "222222222222";
const ROOT_A = `arn:aws:iam::${A}:root`;
const APP = `arn:aws:iam::${A}:user/app`;
const WORKER = `arn:aws:iam::${B}:user/worker`;
const READER = `arn:aws:iam::${B}:role/reader`;
const READER_SESSION = `arn:aws:sts::${B}:assumed-role/reader/test`;

// Account B's worker sends to and consumes B's queue jobs and reads B's bucket private-B; account A's user `app` reaches B
// through the role reader, which may read the MWAA environment air, run the Glue job etl, invoke
// the function fn, get Redshift credentials for analytics/dev and read the bucket reports-B.
// Account A's root may do anything in A, and nothing in B (no resource policy names it).
const MODEL = modelText({
  name: "decoys",
  region: "us-east-1",
  workloads: `${APP_USER}  worker:
    account: b
    identity: { type: iam-user }
`,
  grants: `  - workload: worker
    account: b
    service: sqs
    access: [send, receive]
    resources: { queue: jobs }
  - { workload: worker, account: b, service: s3, access: [read], resources: { bucket: private-${B} } }
  - { workload: app, account: b, service: airflow, access: [read], resources: { environment: air }, role: { name: reader } }
  - { workload: app, account: b, service: glue, access: [run], resources: { job: etl }, role: { name: reader } }
  - { workload: app, account: b, service: lambda, access: [invoke], resources: { function: fn }, role: { name: reader } }
  - { workload: app, account: b, service: redshift, access: [iam-credentials], resources: { cluster: analytics, database: dev }, role: { name: reader } }
  - { workload: app, account: b, service: s3, access: [read], resources: { bucket: reports-${B} }, role: { name: reader } }
`,
});

const newSandbox = sandboxPerTest();

/** GIVEN the model's sandbox, and every decision it logs from now on. */
async function start(): Promise<{ s: Sandbox; log: LogEntry[] }> {
  const sandbox = await newSandbox({ state: compile(loadModel(MODEL)).state });
  const log: LogEntry[] = [];
  sandbox.onLog((e) => log.push(e));
  return { s: sandbox, log };
}

/** The resources the log's decisions of `action` were made on. */
const decidedOn = (log: LogEntry[], action: string) => log.filter((e) => e.action === action).map((e) => e.resource);

interface Stackable {
  middlewareStack: {
    add(
      middleware: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: "build"; name: string },
    ): void;
  };
}

/**
 * The client sends `Decoy: decoy` with every request, added before the SDK signs it: as the
 * first member of its JSON body, a query parameter, or an `x-amz-decoy` header.
 */
function withDecoy<C>(client: C, decoy: string, where: "body" | "query" | "header"): C {
  (client as Stackable).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; query: Record<string, string>; headers: Record<string, string> };
      if (where === "query") request.query.Decoy = decoy;
      else if (where === "header") request.headers["x-amz-decoy"] = decoy;
      else {
        const text = typeof request.body === "string" ? request.body : Buffer.from(request.body as Uint8Array).toString("utf8");
        request.body = JSON.stringify({ Decoy: decoy, ...(JSON.parse(text) as object) });
        if (request.headers["content-length"] !== undefined)
          request.headers["content-length"] = String(Buffer.byteLength(request.body as string));
      }
      return next(args);
    },
    { step: "build", name: "decoy" },
  );
  return client;
}

describe("SQS (the real SQS client): decided on the queue its QueueUrl names", () => {
  const QUEUE = `arn:aws:sqs:us-east-1:${B}:jobs`;
  const DECOY = `arn:aws:sqs:us-east-1:${A}:anything`;

  it.each([
    ["ReceiveMessage", "sqs:ReceiveMessage", (QueueUrl: string) => new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 })],
    ["SendMessage", "sqs:SendMessage", (QueueUrl: string) => new SendMessageCommand({ QueueUrl, MessageBody: "from A" })],
    ["DeleteMessage", "sqs:DeleteMessage", (QueueUrl: string) => new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "AQEBhandle" })],
    [
      "GetQueueAttributes",
      "sqs:GetQueueAttributes",
      (QueueUrl: string) => new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }),
    ],
  ])("%s by account A's root on B's queue, with a decoy naming a queue of A, is AccessDenied on B's queue", async (_, action, command) => {
    // GIVEN B's worker has sent a message to B's queue jobs
    const { s, log } = await start();
    const QueueUrl = `${s.url}/${B}/jobs`;
    await new SQSClient(clientConfig(s, userKeys(s, WORKER))).send(new SendMessageCommand({ QueueUrl, MessageBody: "B's secret" }));
    log.length = 0;
    // WHEN account A's root calls B's queue with a decoy naming A's queue in the body
    const rootA = withDecoy(new SQSClient(clientConfig(s, userKeys(s, ROOT_A))), DECOY, "body");
    const answer = await refusal(rootA.send(command(QueueUrl) as never));
    // THEN SQS's refusal names B's queue (SQS writes the action in lower case), and so does the log
    expect(answer).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: ${ROOT_A} is not authorized to perform: ${action.toLowerCase()} on resource: ${QUEUE} because no resource-based policy allows the ${action.toLowerCase()} action`,
    });
    expect(decidedOn(log, action)).toEqual([QUEUE]);
    // ... and B's message is still there, unread
    const left = await new SQSClient(clientConfig(s, userKeys(s, WORKER))).send(new ReceiveMessageCommand({ QueueUrl }));
    expect(left.Messages?.map((m) => m.Body)).toEqual(["B's secret"]);
  });
});

describe("SNS (query protocol): decided on the topic its TopicArn names", () => {
  const TOPIC = `arn:aws:sns:us-east-1:${B}:alerts`;

  it("Publish by account A's root to B's topic is refused on B's topic, with or without a decoy naming A's topic", async () => {
    const { s, log } = await start();
    const rootA = userKeys(s, ROOT_A);
    // WHEN the AWS CLI publishes to B's topic as A's root
    const cli = await awsCliAt(s, rootA, ["sns", "publish", "--topic-arn", TOPIC, "--message", "hi"]);
    // THEN it fails with SNS's AuthorizationError-style refusal naming B's topic
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`not authorized to perform: sns:Publish on resource: ${TOPIC}`);
    // WHEN the same call, signed as the SDKs sign it, carries a decoy naming a topic of A first
    const decoyed = await signedQuery(s, rootA, "sns", [
      ["Decoy", `arn:aws:sns:us-east-1:${A}:anything`],
      ["Action", "Publish"],
      ["Version", "2010-03-31"],
      ["TopicArn", TOPIC],
      ["Message", "hi"],
    ]);
    // THEN it is refused on B's topic too
    expect(decoyed.status).toBe(403);
    expect(decoyed.text).toContain(`on resource: ${TOPIC}`);
    expect(decidedOn(log, "sns:Publish")).toEqual([TOPIC, TOPIC]);
  });
});

describe("REST services: decided on the resource their path names", () => {
  it("MWAA GetEnvironment (the real MWAA client) of an environment the role may not read, with a decoy naming one it may, is AccessDeniedException", async () => {
    const { s, log } = await start();
    const reader = await assume(s, userKeys(s, APP), READER);
    const OTHER = `arn:aws:airflow:us-east-1:${B}:environment/other`;
    // WHEN the reader asks for the environment other with a decoy naming air in the query
    const client = withDecoy(
      new MWAAClient({ ...clientConfig(s, reader), disableHostPrefix: true }),
      `arn:aws:airflow:us-east-1:${B}:environment/air`,
      "query",
    );
    // THEN it is refused on other
    expect(await refusal(client.send(new GetEnvironmentCommand({ Name: "other" })))).toEqual({
      name: "AccessDeniedException",
      status: 403,
      message: notAuthorized(READER_SESSION, "airflow:GetEnvironment", OTHER),
    });
    expect(decidedOn(log, "airflow:GetEnvironment")).toEqual([OTHER]);
  });

  it("Lambda Invoke (the real Lambda client) of a function the role may not invoke, with a decoy naming fn, is AccessDeniedException", async () => {
    const { s, log } = await start();
    const reader = await assume(s, userKeys(s, APP), READER);
    const OTHER = `arn:aws:lambda:us-east-1:${B}:function:other`;
    const client = withDecoy(new LambdaClient(clientConfig(s, reader)), `arn:aws:lambda:us-east-1:${B}:function:fn`, "query");
    expect(await refusal(client.send(new InvokeCommand({ FunctionName: "other" })))).toEqual({
      name: "AccessDeniedException",
      status: 403,
      message: notAuthorized(READER_SESSION, "lambda:InvokeFunction", OTHER),
    });
    expect(decidedOn(log, "lambda:InvokeFunction")).toEqual([OTHER]);
  });

  it("S3 GetObject (the real S3 client) of a bucket the role may not read, with a decoy naming the one it may, is AccessDenied", async () => {
    const { s, log } = await start();
    const reader = await assume(s, userKeys(s, APP), READER);
    const client = withDecoy(new S3Client({ ...clientConfig(s, reader), forcePathStyle: true }), `arn:aws:s3:::reports-${B}/x`, "header");
    const OBJECT = `arn:aws:s3:::private-${B}/x`;
    expect(await refusal(client.send(new GetObjectCommand({ Bucket: `private-${B}`, Key: "x" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
    expect(decidedOn(log, "s3:GetObject")).toEqual([OBJECT]);
  });
});

describe("any other JSON- or query-protocol service: decided on the parameter AWS's data names", () => {
  it("Glue StartJobRun of a job the role may not run, with a decoy naming etl, is AccessDeniedException on that job", async () => {
    const { s, log } = await start();
    const reader = await assume(s, userKeys(s, APP), READER);
    const OTHER = `arn:aws:glue:us-east-1:${B}:job/other`;
    expect(
      await signedJson(s, reader, "glue", "AWSGlue.StartJobRun", { Decoy: `arn:aws:glue:us-east-1:${B}:job/etl`, JobName: "other" }),
    ).toEqual({
      status: 403,
      json: { __type: "AccessDeniedException", message: notAuthorized(READER_SESSION, "glue:StartJobRun", OTHER) },
    });
    expect(decidedOn(log, "glue:StartJobRun")).toEqual([OTHER]);
  });

  it("Step Functions StartExecution by account A's root of B's state machine, with a decoy naming one of A, is refused on B's", async () => {
    const { s, log } = await start();
    const MACHINE = `arn:aws:states:us-east-1:${B}:stateMachine:sm`;
    const answer = await signedJson(s, userKeys(s, ROOT_A), "states", "AWSStepFunctions.StartExecution", {
      Decoy: `arn:aws:states:us-east-1:${A}:stateMachine:mine`,
      stateMachineArn: MACHINE,
    });
    expect(answer.status).toBe(403);
    expect(answer.json.message).toContain(`on resource: ${MACHINE}`);
    expect(decidedOn(log, "states:StartExecution")).toEqual([MACHINE]);
  });

  it("Redshift GetClusterCredentialsWithIAM (query protocol) for a database the role may not use, with a decoy naming dev, is AccessDenied", async () => {
    const { s, log } = await start();
    const reader = await assume(s, userKeys(s, APP), READER);
    const PROD = `arn:aws:redshift:us-east-1:${B}:dbname:analytics/prod`;
    const answer = await signedQuery(s, reader, "redshift", [
      ["Decoy", `arn:aws:redshift:us-east-1:${B}:dbname:analytics/dev`],
      ["Action", "GetClusterCredentialsWithIAM"],
      ["Version", "2012-12-01"],
      ["ClusterIdentifier", "analytics"],
      ["DbName", "prod"],
    ]);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain(`<Message>${notAuthorized(READER_SESSION, "redshift:GetClusterCredentialsWithIAM", PROD)}</Message>`);
    expect(decidedOn(log, "redshift:GetClusterCredentialsWithIAM")).toEqual([PROD]);
  });

  it('an operation whose resource no known parameter names is decided on "*", and the log says so; an ARN elsewhere in the request is not taken', async () => {
    const { s, log } = await start();
    const reader = await assume(s, userKeys(s, APP), READER);
    // WHEN EC2's RebootInstances names its instances in a list (InstanceId.1), which the sandbox does not read, beside a decoy naming an instance
    await signedQuery(s, reader, "ec2", [
      ["Decoy", `arn:aws:ec2:us-east-1:${B}:instance/i-0123456789abcdef0`],
      ["Action", "RebootInstances"],
      ["Version", "2016-11-15"],
      ["InstanceId.1", "i-0fedcba9876543210"],
    ]);
    // THEN the decision is on "*", with a note naming the resource type it could not tell
    const entry = log.find((e) => e.action === "ec2:RebootInstances");
    expect(entry?.resource).toBe("*");
    expect(entry?.note).toContain("instance");
  });

  it("a request naming two different resources of the type its operation acts on is AWS's InvalidParameterCombination", async () => {
    const { s } = await start();
    // Kinesis takes a stream by StreamName or StreamARN; these two name different streams.
    const answer = await signedJson(s, userKeys(s, ROOT_A), "kinesis", "Kinesis_20131202.PutRecord", {
      StreamName: "mine",
      StreamARN: `arn:aws:kinesis:us-east-1:${B}:stream/theirs`,
      Data: "eA==",
      PartitionKey: "k",
    });
    expect(answer).toMatchObject({ status: 400, json: { __type: "InvalidParameterCombination" } });
  });
});
