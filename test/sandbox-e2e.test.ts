/**
 * The seeds' scenarios end to end: a sandbox started from each seed's example model, driven only
 * by real clients with their own credential chains — the AWS SDK for JavaScript v3 reading a
 * profile file through its default chain with AWS_ENDPOINT_URL, and Debian's AWS CLI. What each
 * call should answer is the seed's intent (what the grant says), not the sandbox's output.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateCliTokenCommand, CreateEnvironmentCommand, MWAAClient } from "@aws-sdk/client-mwaa";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModelFile } from "../src/model/load.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { sandboxPerTest } from "./support/sandbox-clients.js";
import { debian } from "./support/chain-cli.js";

/** Debian's AWS CLI (/usr/bin/aws; .ci/run installs it). */
const DEBIAN_AWS = debian("aws", ["--version"]);

const newSandbox = sandboxPerTest();

async function start(example: string): Promise<Sandbox> {
  const compiled = compile(loadModelFile(`examples/${example}/xacct.yaml`));
  const sandbox = await newSandbox({ state: compiled.state, workloads: workloadsOf(compiled) });
  return sandbox;
}

function fetchText(s: Sandbox, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`${s.url}${path}`, { headers: { authorization: s.token } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
    }).on("error", reject);
  });
}

/** The SDK's default credential chain, reading only the given environment (no ~/.aws of the machine). */
function defaultChain(env: Record<string, string>) {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith("AWS_")) delete process.env[k];
  Object.assign(process.env, env);
  // The provider reads the environment when it runs, so the environment stays set until it has.
  const provider = fromNodeProviderChain();
  return async () => {
    try {
      return await provider();
    } finally {
      process.env = saved;
    }
  };
}

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error("the call succeeded");
}

describe("seed 004: a Spark job's web identity chained to client-role-2 in account B as the default profile", () => {
  it("the SDK's default chain reads the seed's profile file, sends to B's queue, and is refused an object it holds no grant on", async () => {
    const s = await start("004-emr-eks-chain");
    const dir = mkdtempSync(join(tmpdir(), "xacct-e2e-"));
    // The pod's projected service account token, as EKS mounts it (here from the sandbox's issuer).
    mkdirSync(join(dir, "serviceaccount"));
    const tokenFile = join(dir, "serviceaccount", "token");
    writeFileSync(tokenFile, await fetchText(s, "/_xacct/token?workload=spark-job"), { mode: 0o600 });
    // Seed 004's profile file, as the seed writes it, with its accounts filled in.
    writeFileSync(
      join(dir, "config"),
      [
        "[profile default]",
        "source_profile = irsa-role-1",
        "role_arn=arn:aws:iam::222222222222:role/client-role-2",
        "",
        "[profile irsa-role-1]",
        `web_identity_token_file = ${tokenFile}`,
        "role_arn=arn:aws:iam::111111111111:role/job-execution-role-1",
        "",
      ].join("\n"),
    );
    const credentials = defaultChain({
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_ENDPOINT_URL: s.url,
      AWS_REGION: "us-east-1",
    });
    const config = { region: "us-east-1", endpoint: s.url, credentials, maxAttempts: 1 };

    const me = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/client-role-2\//);

    // The grant: sqs send on MyDeadLetterQueue in account B.
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "MyDeadLetterQueue", QueueOwnerAWSAccountId: "222222222222" }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job finished" }));
    expect(sent.MessageId).toBeTruthy();

    // No grant covers account A's job bucket for client-role-2: AccessDenied, raised by the SDK.
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const denied = await refusal(
      s3.send(new GetObjectCommand({ Bucket: "emr-on-eks-test-111111111111-us-east-1", Key: "output/part-0000" })),
    );
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toContain("client-role-2");
  });
});

describe("seed 000: Sparkflows' ECS task role reaches the MWAA read role in account B", () => {
  it("through the container credentials and credential_source = EcsContainer, creates a CLI token and may not create an environment", async () => {
    const s = await start("000-sparkflows-mwaa");
    const task = s.workloads.find((w) => w.name === "sparkflows");
    if (!task?.credentialsPath || !task.authorizationToken) throw new Error("the sandbox serves no container credentials for sparkflows");
    const dir = mkdtempSync(join(tmpdir(), "xacct-e2e-"));
    writeFileSync(
      join(dir, "config"),
      [
        "[profile mwaa]",
        "credential_source = EcsContainer",
        "role_arn = arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole",
        "region = us-east-1",
        "",
      ].join("\n"),
    );
    const credentials = defaultChain({
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_PROFILE: "mwaa",
      AWS_ENDPOINT_URL: s.url,
      // What ECS sets in the task's containers (the full-URI form, as on ECS Anywhere and Pod Identity).
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${s.url}${task.credentialsPath}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: task.authorizationToken,
    });
    // MWAA prefixes some operations' host names (env.…); a local endpoint is reached without it.
    const mwaa = new MWAAClient({ region: "us-east-1", endpoint: s.url, credentials, maxAttempts: 1, disableHostPrefix: true });
    const token = await mwaa.send(new CreateCliTokenCommand({ Name: "sparkflows-air" }));
    expect(token.CliToken).toBeTruthy();
    const denied = await refusal(
      mwaa.send(
        new CreateEnvironmentCommand({
          Name: "another-env",
          ExecutionRoleArn: "arn:aws:iam::222222222222:role/x",
          SourceBucketArn: "arn:aws:s3:::b",
          DagS3Path: "dags",
          NetworkConfiguration: {},
        }),
      ),
    );
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toContain("airflow:CreateEnvironment");
  });
});

describe.skipIf(DEBIAN_AWS === undefined && !process.env.CI)("Debian's AWS CLI against the sandbox", () => {
  it("sts assume-role and sts get-caller-identity with --endpoint-url and credentials in the environment", async () => {
    const s = await start("003-airflow-multi-account");
    const user = s.bootstrap.find((b) => b.userArn.includes(":user/"));
    if (!user) throw new Error("seed 003's model has no IAM user");
    const compiled = compile(loadModelFile("examples/003-airflow-multi-account/xacct.yaml"));
    const chain = compiled.chains.find((c) => c.start.userArn === user.userArn && c.hops.length > 0);
    if (!chain) throw new Error("no chain starts from the IAM user");
    const hop = chain.hops[0] as (typeof chain.hops)[number];
    const dir = mkdtempSync(join(tmpdir(), "xacct-e2e-"));
    const env = {
      PATH: "/usr/bin:/bin",
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_PAGER: "",
    };
    // Asynchronously: the sandbox answers from this process. Keys go by environment, never argv.
    const aws = (args: string[], keys: Record<string, string>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        execFile(
          DEBIAN_AWS ?? "aws",
          [...args, "--endpoint-url", s.url, "--output", "json"],
          { encoding: "utf8", env: { ...env, ...keys } },
          (error, stdout, stderr) => {
            if (error) reject(new Error(`aws ${args.join(" ")}: ${stderr}`));
            else resolve(JSON.parse(stdout) as Record<string, unknown>);
          },
        );
      });
    const keys = { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey };
    const me = await aws(["sts", "get-caller-identity"], keys);
    expect(me.Arn).toBe(user.userArn);
    const assumed = await aws(
      [
        "sts",
        "assume-role",
        "--role-arn",
        hop.roleArn,
        "--role-session-name",
        "cli",
        ...(hop.externalId ? ["--external-id", hop.externalId] : []),
      ],
      keys,
    );
    const c = assumed.Credentials as Record<string, string>;
    const session = await aws(["sts", "get-caller-identity"], {
      AWS_ACCESS_KEY_ID: c.AccessKeyId as string,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey as string,
      AWS_SESSION_TOKEN: c.SessionToken as string,
    });
    expect(session.Arn).toBe(`arn:aws:sts::${hop.account}:assumed-role/${hop.roleArn.split("/").pop()}/cli`);
  });
});
