/**
 * `xacct collect` reads the SNS, Lambda, Kinesis, Secrets Manager and DynamoDB resource policies
 * put through the services' own APIs with the real SDK, through the audit role's actions (each
 * service module's collect hook names them), and records each with its owner and region.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { AddPermissionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { KinesisClient, PutResourcePolicyCommand as PutStreamPolicy } from "@aws-sdk/client-kinesis";
import { PutResourcePolicyCommand as PutSecretPolicy, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBClient, PutResourcePolicyCommand as PutTablePolicy } from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { describe, expect, it } from "vitest";
import { collect } from "../src/collect/collect.js";
import { loadInventory } from "../src/state/inventory.js";
import { auditorArn, collectState, createAuditRole } from "./support/collect.js";
import { rootOf } from "./support/iam-apply.js";
import { clientConfig, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();

/** A policy letting account B's root do `action` on `resource`. */
const letB = (action: string, resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: action, Resource: resource }],
});

describe("xacct collect: SNS, Lambda, Kinesis, Secrets Manager and DynamoDB policies", () => {
  it("finds each policy put through the service's API in the inventory, with its owner and region", async () => {
    // GIVEN account B's topic, function, stream, consumer, secret and table, each with a policy put through the real SDK
    const s = await newSandbox({ state: collectState([A, B]) });
    const root = clientConfig(s, rootOf(s, B));
    const topic = `arn:aws:sns:us-east-1:${B}:alerts`;
    const sns = new SNSClient(root);
    await sns.send(new CreateTopicCommand({ Name: "alerts" }));
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topic,
        AttributeName: "Policy",
        AttributeValue: JSON.stringify(letB("sns:Publish", topic)),
      }),
    );
    const fn = `arn:aws:lambda:us-east-1:${B}:function:resize`;
    await new LambdaClient(root).send(
      new AddPermissionCommand({ FunctionName: "resize", StatementId: "b", Action: "lambda:InvokeFunction", Principal: B }),
    );
    const kinesis = new KinesisClient({ ...root, requestHandler: new NodeHttpHandler() });
    const stream = `arn:aws:kinesis:us-east-1:${B}:stream/clicks`;
    const consumer = `${stream}/consumer/reader:1700000000`;
    await kinesis.send(new PutStreamPolicy({ ResourceARN: stream, Policy: JSON.stringify(letB("kinesis:GetRecords", stream)) }));
    await kinesis.send(new PutStreamPolicy({ ResourceARN: consumer, Policy: JSON.stringify(letB("kinesis:SubscribeToShard", consumer)) }));
    const secret = `arn:aws:secretsmanager:us-east-1:${B}:secret:db-AbC123`;
    await new SecretsManagerClient(root).send(
      new PutSecretPolicy({ SecretId: secret, ResourcePolicy: JSON.stringify(letB("secretsmanager:GetSecretValue", "*")) }),
    );
    const table = `arn:aws:dynamodb:us-east-1:${B}:table/orders`;
    await new DynamoDBClient(root).send(
      new PutTablePolicy({ ResourceArn: table, Policy: JSON.stringify(letB("dynamodb:GetItem", table)) }),
    );
    // AND B's audit role, allowed only the audit actions, trusting account A
    await createAuditRole(s, B, A);
    // WHEN A's auditor collects account B through the audit role
    const out = join(mkdtempSync(join(tmpdir(), "xacct-collect-a-")), "inventory");
    const result = await collect({
      out,
      endpoint: s.url,
      regions: ["us-east-1"],
      accounts: [B],
      roleName: "xacct-audit",
      credentials: async () => userKeys(s, auditorArn(A)),
    });
    // THEN the account is complete and every policy is in the inventory as it was put
    expect(result.notComplete).toEqual([]);
    const policies = loadInventory(out).accounts.get(B)?.resourcePolicies;
    expect(policies?.get(topic)?.policy.Statement).toEqual(letB("sns:Publish", topic).Statement);
    expect(policies?.get(fn)?.policy.Statement).toEqual([
      { Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: "lambda:InvokeFunction", Resource: fn },
    ]);
    expect(policies?.get(stream)?.policy.Statement).toEqual(letB("kinesis:GetRecords", stream).Statement);
    expect(policies?.get(consumer)?.policy.Statement).toEqual(letB("kinesis:SubscribeToShard", consumer).Statement);
    expect(policies?.get(secret)?.policy.Statement).toEqual(letB("secretsmanager:GetSecretValue", "*").Statement);
    expect(policies?.get(table)?.policy.Statement).toEqual(letB("dynamodb:GetItem", table).Statement);
    // AND each is recorded with its owner and region
    const file = JSON.parse(readFileSync(join(out, B, "resource-policies.json"), "utf8"));
    for (const arn of [topic, fn, stream, consumer, secret, table])
      expect(file.resources).toContainEqual(expect.objectContaining({ arn, account: B, region: "us-east-1" }));
  });

  it("reports a resource whose policy denies the audit role, and reads the others", async () => {
    // GIVEN two secrets of account B; the policy of one denies B's audit role secretsmanager:GetResourcePolicy
    const s = await newSandbox({ state: collectState([A, B]) });
    const secrets = new SecretsManagerClient(clientConfig(s, rootOf(s, B)));
    const open = `arn:aws:secretsmanager:us-east-1:${B}:secret:open-AbC123`;
    const closed = `arn:aws:secretsmanager:us-east-1:${B}:secret:closed-XyZ789`;
    await secrets.send(new PutSecretPolicy({ SecretId: open, ResourcePolicy: JSON.stringify(letB("secretsmanager:GetSecretValue", "*")) }));
    const deny = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: { AWS: `arn:aws:iam::${B}:role/xacct-audit` },
          Action: "secretsmanager:GetResourcePolicy",
          Resource: "*",
        },
      ],
    };
    await secrets.send(new PutSecretPolicy({ SecretId: closed, ResourcePolicy: JSON.stringify(deny) }));
    await createAuditRole(s, B, A);
    // WHEN A's auditor collects account B
    const out = join(mkdtempSync(join(tmpdir(), "xacct-collect-a-")), "inventory");
    const result = await collect({
      out,
      endpoint: s.url,
      regions: ["us-east-1"],
      accounts: [B],
      roleName: "xacct-audit",
      credentials: async () => userKeys(s, auditorArn(A)),
    });
    // THEN the account is incomplete: Secrets Manager's read failed, naming the secret refused and why
    const read = result.notComplete.find((r) => r.account === B)?.reads.find((r) => r.service === "secretsmanager");
    expect(read).toMatchObject({ status: "failed", why: expect.stringContaining(`${closed}: AccessDeniedException`) });
    // AND the other secret's policy was read
    const policies = loadInventory(out).accounts.get(B)?.resourcePolicies;
    expect(policies?.get(open)?.policy.Statement).toEqual(letB("secretsmanager:GetSecretValue", "*").Statement);
    expect(policies?.has(closed)).toBe(false);
  });
});
