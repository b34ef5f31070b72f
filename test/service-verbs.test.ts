/**
 * Issue 13's services and verbs: each verb's actions on each resource ARN, and which side gets
 * them, as AWS documents it (quoted per case), through build (CloudFormation, Terraform, by-hand
 * steps), the access graph and, where the sandbox serves the service, Debian's AWS CLI.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { emitAll } from "../src/emit/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { recipeFor } from "../src/services/index.js";
import { actionsOn, grantModel, grantSides } from "./support/grant-sides.js";
import { awsCli, awsPart, cliAccepts } from "./support/aws-cli.js";
import { validateTemplate } from "./support/cfn-validate.js";
import { cfnLint, hasCfnLint } from "./support/cfn-lint.js";
import { problems } from "./support/model-problems.js";
import { USER } from "./support/models.js";
import { assume, awsCliAt, REGION, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const B = "222222222222";
const at = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${B}:${resource}`;
const TABLE_ARN = (table: string) => at("dynamodb", `table/${table}`);
const grant = (lines: string) => `  - workload: app\n    account: b\n${lines.replace(/^/gm, "    ")}\n`;
const files = (grants: string) => emitAll(compile(loadModel(grantModel(grants))));
const fileOf = (grants: string, suffix: string) => files(grants).find((f) => f.path.endsWith(suffix))?.content ?? "";

describe("Lambda deploy", () => {
  const FN = at("lambda", "function:api");
  const EXEC = `arn:aws:iam::${B}:role/api-exec`;
  const DEPLOY = grant(`service: lambda\naccess: [deploy]\nresources: { function: api, role: api-exec }\nrole: { name: deployer }`);

  it("grants code, configuration, versions and aliases on the function, and PassRole of its execution role to Lambda only", () => {
    // GIVEN a deploy grant through a role of the function's account
    // WHEN it is compiled
    const { identity, resource } = grantSides(DEPLOY);
    // THEN the function's actions (UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion,
    // CreateAlias, UpdateAlias act on the `function` resource type in the Service Authorization Reference)
    expect(actionsOn(identity, FN)).toEqual(
      expect.arrayContaining([
        "lambda:CreateAlias",
        "lambda:PublishVersion",
        "lambda:UpdateAlias",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
      ]),
    );
    expect(actionsOn(identity, FN)).not.toContain("lambda:DeleteFunction");
    // AND "PassRole is used when you assign an execution role to a function", passed to Lambda alone
    expect(identity.filter((g) => g.action === "iam:PassRole")).toEqual([
      { action: "iam:PassRole", resource: EXEC, condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
    ]);
    // AND no function policy: the role is in the function's account
    expect(resource).toEqual([]);
  });

  it("graph: the role may update the configuration and pass the execution role to Lambda, not to EC2", () => {
    // GIVEN the access graph of the compiled grant
    const graph = new AccessGraph(grantSides(DEPLOY).state);
    // WHEN asked through the deployer role
    const update = can(graph, { principal: USER, action: "lambda:UpdateFunctionConfiguration", resource: FN });
    const toLambda = can(graph, {
      principal: USER,
      action: "iam:PassRole",
      resource: EXEC,
      context: { "iam:PassedToService": "lambda.amazonaws.com" },
    });
    const toEc2 = can(graph, {
      principal: USER,
      action: "iam:PassRole",
      resource: EXEC,
      context: { "iam:PassedToService": "ec2.amazonaws.com" },
    });
    // THEN Allow, Allow, Deny
    expect(update.decision).toBe("Allow");
    expect(toLambda.decision).toBe("Allow");
    expect(toEc2.decision).toBe("Deny");
  });

  it("verify proves the grant, PassRole made as Lambda makes it (with iam:PassedToService)", () => {
    // GIVEN the compiled deploy grant
    const compiled = compile(loadModel(grantModel(DEPLOY)));
    // WHEN verify checks it on its own model
    const result = verify(compiled, new AccessGraph(compiled.state));
    // THEN the grant is possible through the deployer role
    expect(result.grants.map((g) => ({ possible: g.possible, reason: g.reason }))).toEqual([{ possible: true }]);
  });

  it("a Kubernetes trigger of a deploy grant reads the function's configuration (which deploy allows) instead of invoking it; no Airflow invoke task", () => {
    // GIVEN a deploy grant as the emitters see it
    const use = {
      workload: "app",
      accountName: "b",
      account: B,
      region: REGION,
      service: "lambda",
      access: ["deploy"],
      resources: { function: "api", role: "api-exec" },
      via: "role",
      start: { type: "iam-user" },
    };
    // WHEN the Lambda module gives its trigger command and tasks
    const command = recipeFor("lambda")?.cliCommand?.(use, { partition: "aws", region: REGION, account: B });
    const tasks = recipeFor("lambda")?.airflowTasks?.(use, { connId: "c", taskId: (t) => t, operator: () => "" });
    // THEN lambda get-function-configuration on the function's ARN, and no task
    expect(command?.argv).toEqual(["aws", "lambda", "get-function-configuration", "--function-name", FN]);
    expect(tasks).toBeUndefined();
  });

  it("via: resource-policy is refused: a function policy cannot grant UpdateFunctionConfiguration across accounts", () => {
    // GIVEN deploy through the function's policy ("Lambda doesn't support cross-account actions
    // for all of its APIs via resource-based policies": UpdateFunctionConfiguration is not listed)
    const text = grantModel(grant(`service: lambda\naccess: [deploy]\nresources: { function: api, role: api-exec }\nvia: resource-policy`));
    // WHEN it is loaded / THEN it is refused at the verb, saying to use a role or a chain
    expect(problems(text).map((p) => p.message)).toEqual([
      expect.stringMatching(/"deploy" cannot go via: resource-policy: .*UpdateFunctionConfiguration.*use via: role or via: chain$/),
    ]);
  });

  it("deploy needs the execution role's name", () => {
    // GIVEN deploy without resources.role / THEN the model says which name is missing
    const text = grantModel(grant(`service: lambda\naccess: [deploy]\nresources: { function: api }`));
    expect(problems(text).map((p) => p.message)).toContain("AWS Lambda needs resources.role for this access");
  });
});

describe("KMS encrypt and generate-data-key", () => {
  const KEY = at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");
  it('both the key policy and the caller\'s IAM policy allow them ("Neither the key policy nor the IAM policy alone is sufficient")', () => {
    // GIVEN encrypt and generate-data-key via the key policy
    const { identity, resource } = grantSides(
      grant(
        `service: kms\naccess: [encrypt, generate-data-key]\nresources: { key: 1234abcd-12ab-34cd-56ef-1234567890ab }\nvia: resource-policy`,
      ),
    );
    // THEN both sides name kms:Encrypt and kms:GenerateDataKey on the key, and not Decrypt
    expect(actionsOn(identity, KEY)).toEqual(["kms:Encrypt", "kms:GenerateDataKey"]);
    expect(actionsOn(resource, KEY)).toEqual(["kms:Encrypt", "kms:GenerateDataKey"]);
    expect(resource.every((g) => JSON.stringify(g.principal) === JSON.stringify({ AWS: USER }))).toBe(true);
  });

  it("through a role of the key's account, the key policy names the role (a key policy must allow its own account's principals too)", () => {
    const { resource } = grantSides(grant(`service: kms\naccess: [encrypt]\nresources: { key: k1 }\nrole: { name: encrypter }`));
    expect(resource).toEqual([
      { action: "kms:Encrypt", resource: at("kms", "key/k1"), principal: { AWS: `arn:aws:iam::${B}:role/encrypter` } },
    ]);
  });
});

describe("S3 put and delete", () => {
  const OBJECTS = "arn:aws:s3:::logs/AWSLogs/*";
  it("put writes objects (multipart included) without any delete; delete is its own verb", () => {
    const put = grantSides(grant(`service: s3\naccess: [put]\nresources: { bucket: logs, prefix: AWSLogs/ }\nvia: resource-policy`));
    const del = grantSides(grant(`service: s3\naccess: [delete]\nresources: { bucket: logs, prefix: AWSLogs/ }\nvia: resource-policy`));
    // THEN put: PutObject, AbortMultipartUpload, ListMultipartUploadParts (S3's multipart upload actions), on both sides
    expect(actionsOn(put.identity, OBJECTS)).toEqual(["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"]);
    expect(actionsOn(put.resource, OBJECTS)).toEqual(actionsOn(put.identity, OBJECTS));
    expect(put.identity.some((g) => g.action.startsWith("s3:Delete"))).toBe(false);
    // AND delete: DeleteObject and DeleteObjectVersion, no put
    expect(actionsOn(del.identity, OBJECTS)).toEqual(["s3:DeleteObject", "s3:DeleteObjectVersion"]);
  });
});

describe("DynamoDB read and write", () => {
  const TABLE = at("dynamodb", "table/orders");
  const RW = grant(`service: dynamodb\naccess: [read, write]\nresources: { table: orders }\nvia: resource-policy`);
  it("the table's policy covers the table and its indexes (\"You can control index permissions using the base table's policy\")", () => {
    const { identity, resource, resourceArns } = grantSides(RW);
    // THEN the item operations the cross-account table lists (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan)
    expect(actionsOn(resource, TABLE)).toEqual(
      expect.arrayContaining([
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
      ]),
    );
    expect(actionsOn(resource, `${TABLE}/index/*`)).toEqual(["dynamodb:Query", "dynamodb:Scan"]);
    expect(actionsOn(identity, TABLE)).toEqual(actionsOn(resource, TABLE));
    expect(resourceArns).toEqual([TABLE]);
  });

  it("graph and verify: a query on an index is decided by the table's policy", () => {
    // GIVEN the compiled grant through the table's policy
    const compiled = compile(loadModel(grantModel(RW)));
    const graph = new AccessGraph(compiled.state);
    // WHEN app queries an index of the table, and of another table
    const index = can(graph, { principal: USER, action: "dynamodb:Query", resource: `${TABLE}/index/by-date` });
    const other = can(graph, { principal: USER, action: "dynamodb:Query", resource: `${at("dynamodb", "table/payments")}/index/by-date` });
    // THEN Allow for the table's index (its policy governs it), Deny for the other; verify proves the grant
    expect(index.decision).toBe("Allow");
    expect(other.decision).toBe("Deny");
    expect(verify(compiled, graph).grants.map((g) => g.possible)).toEqual([true]);
  });

  it("build: the policy of a table xacct does not own is merged with put-resource-policy by hand, not set in a template", () => {
    const out = files(RW);
    const steps = out.find((f) => f.path.endsWith("resource-policies-to-apply.json"))?.content ?? "";
    expect(steps).toContain(`aws dynamodb put-resource-policy --region us-east-1 --resource-arn ${TABLE}`);
    expect(steps).toContain("aws dynamodb get-resource-policy");
    expect(out.map((f) => f.content).join("\n")).not.toMatch(/"Type": "AWS::DynamoDB::/);
  });
});

describe("resource names checked against the rules of the service they land in", () => {
  it.each([
    ["dynamodb", "read", "table", "ab", "a DynamoDB table name"],
    ["sns", "publish", "topic", "alerts.v2", "an SNS topic name"],
    ["states", "start", "state-machine", "etl/nightly", "a Step Functions state machine name"],
    ["events", "put-events", "event-bus", "central bus", "an EventBridge event bus name"],
  ])("%s %s: %s %j is refused as not %s", (service, verb, kind, name, what) => {
    // GIVEN a name AWS's API reference does not accept (DynamoDB TableName 3–255 of [a-zA-Z0-9_.-];
    // SNS topic names of letters, digits, - and _; no / in a state machine's; no space in a bus's)
    const text = grantModel(grant(`service: ${service}\naccess: [${verb}]\nresources: { ${kind}: "${name}" }\nrole: { name: r }`));
    // WHEN it is loaded / THEN one problem, at that resource, naming the rule
    expect(problems(text)).toEqual([expect.objectContaining({ message: expect.stringContaining(what) })]);
  });
});

describe("SNS publish and subscribe", () => {
  const TOPIC = at("sns", "alerts");
  const PUB = grant(`service: sns\naccess: [publish, subscribe]\nresources: { topic: alerts }\nvia: resource-policy`);
  it("the topic policy allows sns:Publish and sns:Subscribe on the topic (AddPermission's example: sns:Publish on the topic for the other account)", () => {
    const { identity, resource } = grantSides(PUB);
    expect(actionsOn(resource, TOPIC)).toEqual(["sns:Publish", "sns:Subscribe"]);
    expect(actionsOn(identity, TOPIC)).toEqual(["sns:Publish", "sns:Subscribe"]);
  });
  it("build: AWS::SNS::TopicPolicy and aws_sns_topic_policy hold it", () => {
    const cfn = JSON.parse(fileOf(PUB, "accounts/b/cloudformation.json")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const policy = Object.values(cfn.Resources).find((r) => r.Type === "AWS::SNS::TopicPolicy");
    expect(policy?.Properties.Topics).toEqual([TOPIC]);
    const tf = JSON.parse(fileOf(PUB, "accounts/b/terraform/main.tf.json")) as {
      resource: Record<string, Record<string, { arn: string }>>;
    };
    expect(Object.values(tf.resource.aws_sns_topic_policy ?? {}).map((r) => r.arn)).toEqual([TOPIC]);
  });
});

describe("SQS consume", () => {
  it("consume receives, deletes and changes visibility, as receive does", () => {
    const QUEUE = at("sqs", "jobs");
    const consume = grantSides(grant(`service: sqs\naccess: [consume]\nresources: { queue: jobs }\nvia: resource-policy`));
    expect(actionsOn(consume.resource, QUEUE)).toEqual(
      expect.arrayContaining(["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"]),
    );
    expect(actionsOn(consume.resource, QUEUE)).not.toContain("sqs:SendMessage");
  });
});

describe("Step Functions start and describe", () => {
  it("StartExecution on the state machine, DescribeExecution on its executions (execution:NAME:*), identity side only", () => {
    const { identity, resource } = grantSides(
      grant(`service: states\naccess: [start, describe]\nresources: { state-machine: etl }\nrole: { name: runner }`),
    );
    expect(actionsOn(identity, at("states", "stateMachine:etl"))).toEqual(["states:DescribeStateMachine", "states:StartExecution"]);
    expect(actionsOn(identity, at("states", "execution:etl:*"))).toEqual(["states:DescribeExecution"]);
    expect(resource).toEqual([]);
  });
  it("via: resource-policy is refused: Step Functions has no resource-based policies", () => {
    const text = grantModel(grant(`service: states\naccess: [start]\nresources: { state-machine: etl }\nvia: resource-policy`));
    expect(problems(text).map((p) => p.message)).toEqual([
      "AWS Step Functions has no resource-based policy xacct can write; use via: role",
    ]);
  });
});

describe("ECR pull", () => {
  const REPO = at("ecr", "repository/app");
  const PULL = grant(`service: ecr\naccess: [pull]\nresources: { repository: app }\nvia: resource-policy`);
  it('the repository policy allows BatchGetImage and GetDownloadUrlForLayer; GetAuthorizationToken is on "*" in the IAM policy only', () => {
    const { identity, resource } = grantSides(PULL);
    expect(actionsOn(resource, REPO)).toEqual(expect.arrayContaining(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]));
    expect(actionsOn(identity, "*")).toEqual(["ecr:GetAuthorizationToken"]);
    expect(resource.some((g) => g.action === "ecr:GetAuthorizationToken")).toBe(false);
  });
  it("build: merged into the repository's policy with set-repository-policy (CloudFormation has it only inside AWS::ECR::Repository)", () => {
    const steps = fileOf(PULL, "resource-policies-to-apply.json");
    expect(steps).toContain(`aws ecr set-repository-policy --region us-east-1 --registry-id ${B} --repository-name app`);
  });
});

describe("EventBridge put-events", () => {
  const BUS = at("events", "event-bus/central");
  const PUT = grant(`service: events\naccess: [put-events]\nresources: { event-bus: central }\nvia: resource-policy`);
  it('the bus policy allows events:PutEvents on the bus ("you can allow PutEvents … from another account")', () => {
    const { identity, resource } = grantSides(PUT);
    expect(actionsOn(resource, BUS)).toEqual(["events:PutEvents"]);
    expect(actionsOn(identity, BUS)).toEqual(["events:PutEvents"]);
  });
  it("build: one AWS::Events::EventBusPolicy per statement, and one aws_cloudwatch_event_bus_policy with the whole policy", () => {
    const cfn = JSON.parse(fileOf(PUT, "accounts/b/cloudformation.json")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const policies = Object.values(cfn.Resources).filter((r) => r.Type === "AWS::Events::EventBusPolicy");
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties).toMatchObject({
      EventBusName: "central",
      Statement: { Effect: "Allow", Action: ["events:PutEvents"], Resource: [BUS] },
    });
    expect(policies[0]?.Properties.Statement).not.toHaveProperty("Sid");
    const tf = JSON.parse(fileOf(PUT, "accounts/b/terraform/main.tf.json")) as {
      resource: Record<string, Record<string, { event_bus_name: string; policy: string }>>;
    };
    const bus = Object.values(tf.resource.aws_cloudwatch_event_bus_policy ?? {});
    expect(bus.map((r) => r.event_bus_name)).toEqual(["central"]);
  });
});

describe("Athena complete", () => {
  it("the results bucket gets GetBucketLocation and ListMultipartUploadParts (AWS's Athena cross-account page), the workgroup GetQueryExecution and GetQueryResults", () => {
    // GIVEN a query grant with a workgroup and a results bucket, through a role of b
    const { identity } = grantSides(
      grant(`service: athena\naccess: [query]\nresources: { workgroup: analysts, results-bucket: results }\nrole: { name: querier }`),
    );
    // THEN each action is on the resource AWS's example policies put it on
    expect(actionsOn(identity, "arn:aws:s3:::results")).toContain("s3:GetBucketLocation");
    expect(actionsOn(identity, "arn:aws:s3:::results/*")).toEqual(
      expect.arrayContaining(["s3:ListMultipartUploadParts", "s3:PutObject", "s3:GetObject"]),
    );
    expect(actionsOn(identity, at("athena", "workgroup/analysts"))).toEqual(
      expect.arrayContaining(["athena:GetQueryExecution", "athena:GetQueryResults", "athena:StartQueryExecution"]),
    );
  });
});

describe("Secrets Manager with its KMS key", () => {
  it("the key policy and the caller both allow kms:Decrypt on the secret's customer managed key", () => {
    const KEY = at("kms", "key/k-secrets");
    const { identity, resource } = grantSides(
      grant(`service: secretsmanager\naccess: [read]\nresources: { secret: db, kms-key: k-secrets }\nvia: resource-policy`),
    );
    expect(actionsOn(identity, KEY)).toEqual(["kms:Decrypt"]);
    expect(actionsOn(resource, KEY)).toEqual(["kms:Decrypt"]);
  });
  it('the AWS managed key aws/secretsmanager is refused ("you can\'t use the AWS managed key (aws/secretsmanager) for cross-account access")', () => {
    const text = grantModel(grant(`service: secretsmanager\naccess: [read]\nresources: { secret: db, kms-key: alias/aws/secretsmanager }`));
    expect(problems(text).map((p) => p.message)).toEqual([expect.stringContaining("aws/secretsmanager cannot be used across accounts")]);
  });
});

// GIVEN one grant of each new service the sandbox serves
const ALL = [
  grant(`service: dynamodb\naccess: [read]\nresources: { table: orders }\nvia: resource-policy`),
  grant(`service: sns\naccess: [publish]\nresources: { topic: alerts }\nvia: resource-policy`),
  grant(`service: events\naccess: [put-events]\nresources: { event-bus: central }\nvia: resource-policy`),
  grant(`service: ecr\naccess: [pull]\nresources: { repository: app }\nvia: resource-policy`),
  grant(`service: states\naccess: [start]\nresources: { state-machine: etl }\nrole: { name: runner }`),
  grant(`service: kms\naccess: [encrypt]\nresources: { key: k1 }\nvia: resource-policy`),
].join("");

describe("the build of every new service, checked by the tools' own rules", () => {
  const out = files(ALL);
  it("every CloudFormation template conforms to AWS's resource specification (AWS::SNS::TopicPolicy, AWS::Events::EventBusPolicy)", async () => {
    const templates = out.filter((f) => f.path.endsWith("cloudformation.json"));
    expect(templates.map((f) => f.path).sort()).toEqual(["accounts/a/cloudformation.json", "accounts/b/cloudformation.json"]);
    for (const t of templates)
      expect({ path: t.path, errors: await validateTemplate(JSON.parse(t.content)) }).toEqual({ path: t.path, errors: [] });
  });

  it.skipIf(!hasCfnLint)("and cfn-lint, AWS's template linter, finds nothing (skipped when cfn-lint is not installed)", () => {
    expect(cfnLint(out.filter((f) => f.path.endsWith("cloudformation.json")).map((f) => f.content))).toEqual({ output: "", status: 0 });
  });

  it.skipIf(!awsCli)(
    "every by-hand aws command is one the AWS CLI accepts (run against an unreachable endpoint; skipped without the CLI)",
    () => {
      const steps = JSON.parse(out.find((f) => f.path === "accounts/b/resource-policies-to-apply.json")?.content ?? "{}") as {
        policies: { service: string; policy: unknown; commands: string[] }[];
      };
      expect(steps.policies.map((p) => p.service).sort()).toEqual(["dynamodb", "ecr", "kms"]);
      for (const p of steps.policies) {
        for (const line of p.commands.filter((c) => c.startsWith("aws "))) {
          const command = awsPart(line);
          const files = Object.fromEntries([...command.matchAll(/file:\/\/(\S+)/g)].map((m) => [m[1] as string, JSON.stringify(p.policy)]));
          expect({ command, accepted: cliAccepts(command, files).accepted }).toEqual({ command, accepted: true });
        }
      }
    },
  );
});

describe("sandbox: Debian's AWS CLI on the new services, each call decided on the resource it names", () => {
  const newSandbox = sandboxPerTest();

  it("one allowed and one denied call per service", async () => {
    // GIVEN the sandbox serving all five grants, and app's own keys (the resource policies name app)
    const s = await newSandbox({ state: compile(loadModel(grantModel(ALL))).state });
    const keys = userKeys(s, USER);
    const runner = await assume(s, keys, `arn:aws:iam::${B}:role/runner`);
    const entry = (bus: string) => JSON.stringify([{ Source: "app", DetailType: "t", Detail: "{}", EventBusName: bus }]);
    const calls: [typeof keys, string[], string[], string][] = [
      [
        keys,
        ["dynamodb", "get-item", "--table-name", at("dynamodb", "table/orders"), "--key", '{"id":{"S":"1"}}'],
        ["dynamodb", "get-item", "--table-name", at("dynamodb", "table/payments"), "--key", '{"id":{"S":"1"}}'],
        "dynamodb:GetItem",
      ],
      [
        keys,
        ["sns", "publish", "--topic-arn", at("sns", "alerts"), "--message", "hi"],
        ["sns", "publish", "--topic-arn", at("sns", "other"), "--message", "hi"],
        "sns:Publish",
      ],
      [
        keys,
        ["events", "put-events", "--entries", entry(at("events", "event-bus/central"))],
        ["events", "put-events", "--entries", entry(at("events", "event-bus/other"))],
        "events:PutEvents",
      ],
      [
        keys,
        ["ecr", "batch-get-image", "--registry-id", B, "--repository-name", "app", "--image-ids", "imageTag=latest"],
        ["ecr", "batch-get-image", "--registry-id", B, "--repository-name", "other", "--image-ids", "imageTag=latest"],
        "ecr:BatchGetImage",
      ],
      [
        runner,
        ["stepfunctions", "start-execution", "--state-machine-arn", at("states", "stateMachine:etl")],
        ["stepfunctions", "start-execution", "--state-machine-arn", at("states", "stateMachine:other")],
        "states:StartExecution",
      ],
      [
        keys,
        [
          "dynamodb",
          "query",
          "--table-name",
          TABLE_ARN("orders"),
          "--index-name",
          "by-date",
          "--key-condition-expression",
          "d = :d",
          "--expression-attribute-values",
          '{":d":{"S":"x"}}',
        ],
        [
          "dynamodb",
          "query",
          "--table-name",
          TABLE_ARN("payments"),
          "--index-name",
          "by-date",
          "--key-condition-expression",
          "d = :d",
          "--expression-attribute-values",
          '{":d":{"S":"x"}}',
        ],
        "dynamodb:Query",
      ],
      [
        keys,
        ["kms", "encrypt", "--key-id", at("kms", "key/k1"), "--plaintext", "aGk="],
        ["kms", "encrypt", "--key-id", at("kms", "key/k2"), "--plaintext", "aGk="],
        "kms:Encrypt",
      ],
    ];
    for (const [who, allowed, denied, action] of calls) {
      // WHEN the real client makes the granted call and the same call on another resource
      const yes = await awsCliAt(s, who, allowed);
      const no = await awsCliAt(s, who, denied);
      // THEN the first succeeds and the second is refused for that action
      expect({ action, code: yes.code, stderr: yes.stderr }).toMatchObject({ action, code: 0 });
      expect(no.code).not.toBe(0);
      expect(no.stderr).toContain(`is not authorized to perform: ${action}`);
    }
  });
});
