/**
 * The resource policies xacct collect reads, served by the sandbox from its state and written
 * with the real SDK: S3's Put/Get/DeleteBucketPolicy, KMS's PutKeyPolicy/GetKeyPolicy/ListKeys and
 * SQS's SetQueueAttributes/GetQueueAttributes(Policy)/ListQueues, each decided by the engine on the
 * resource it acts on, and a policy put governing the next call.
 */
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient, ListKeysCommand, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { AUDITOR, collectState, createAuditRole } from "./support/collect.js";
import { rootOf } from "./support/iam-apply.js";
import { assume, clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();
const start = () => newSandbox({ state: collectState([A, B]) });
const s3 = (s: Parameters<typeof clientConfig>[0], k: Keys) => new S3Client({ ...clientConfig(s, k), forcePathStyle: true });

/** A policy letting account B's root do `action` on `resource`. */
const letB = (action: string, resource: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: action, Resource: resource }],
  });

describe("S3 bucket policies", () => {
  it("are put, read back, enforced and deleted; a bucket without one answers NoSuchBucketPolicy", async () => {
    // GIVEN account A's bucket
    const s = await start();
    const a = s3(s, rootOf(s, A));
    await a.send(new CreateBucketCommand({ Bucket: "policy-bucket-a" }));
    // THEN it has no policy yet: "NoSuchBucketPolicy: The bucket policy does not exist" (GetBucketPolicy errors)
    expect((await refusal(a.send(new GetBucketPolicyCommand({ Bucket: "policy-bucket-a" })))).name).toBe("NoSuchBucketPolicy");
    // AND account B may not put one on A's bucket (the engine decides on the bucket)
    const denied = await refusal(
      s3(s, rootOf(s, B)).send(
        new PutBucketPolicyCommand({ Bucket: "policy-bucket-a", Policy: letB("s3:GetBucketPolicy", "arn:aws:s3:::policy-bucket-a") }),
      ),
    );
    expect(denied).toMatchObject({ name: "AccessDenied", status: 403 });
    // WHEN A puts a policy letting B read the bucket's policy
    await a.send(
      new PutBucketPolicyCommand({ Bucket: "policy-bucket-a", Policy: letB("s3:GetBucketPolicy", "arn:aws:s3:::policy-bucket-a") }),
    );
    // THEN A reads it back, and B, now allowed by it, reads it too
    const read = JSON.parse((await a.send(new GetBucketPolicyCommand({ Bucket: "policy-bucket-a" }))).Policy ?? "{}");
    expect(read.Statement).toEqual([expect.objectContaining({ Sid: "b", Action: "s3:GetBucketPolicy" })]);
    await expect(s3(s, rootOf(s, B)).send(new GetBucketPolicyCommand({ Bucket: "policy-bucket-a" }))).resolves.toBeDefined();
    // WHEN A deletes it, THEN it is gone
    await a.send(new DeleteBucketPolicyCommand({ Bucket: "policy-bucket-a" }));
    expect((await refusal(a.send(new GetBucketPolicyCommand({ Bucket: "policy-bucket-a" })))).name).toBe("NoSuchBucketPolicy");
  });

  it("refuses a policy that is not a policy document as MalformedPolicy", async () => {
    // GIVEN account A's bucket
    const s = await start();
    const a = s3(s, rootOf(s, A));
    await a.send(new CreateBucketCommand({ Bucket: "policy-bucket-a" }));
    // WHEN A puts a statement without an Effect
    const bad = JSON.stringify({ Version: "2012-10-17", Statement: [{ Principal: "*", Action: "s3:GetObject", Resource: "*" }] });
    // THEN S3's MalformedPolicy (400)
    expect(await refusal(a.send(new PutBucketPolicyCommand({ Bucket: "policy-bucket-a", Policy: bad })))).toMatchObject({
      name: "MalformedPolicy",
      status: 400,
    });
  });
});

describe("KMS key policies", () => {
  it("are made by CreateKey (the default policy: the account's root may do kms:*), replaced, listed and read back", async () => {
    // GIVEN a key account A creates
    const s = await start();
    const kms = new KMSClient(clientConfig(s, rootOf(s, A)));
    const created = (await kms.send(new CreateKeyCommand({}))).KeyMetadata;
    const keyArn = created?.Arn ?? "";
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${A}:key/`));
    // THEN its default policy lets A's root (and so A's IAM policies) use it
    const initial = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: created?.KeyId, PolicyName: "default" }))).Policy ?? "{}");
    expect(initial.Statement).toEqual([expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "kms:*" })]);
    // AND B may not read it
    const b = new KMSClient(clientConfig(s, rootOf(s, B)));
    expect((await refusal(b.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" })))).name).toBe("AccessDeniedException");
    // WHEN A replaces the policy with one that also lets B read it
    const both = { ...initial, Statement: [...initial.Statement, JSON.parse(letB("kms:GetKeyPolicy", "*")).Statement[0]] };
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: JSON.stringify(both) }));
    // THEN ListKeys lists the key, GetKeyPolicy returns the new policy, and B reads it
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([{ KeyArn: keyArn, KeyId: created?.KeyId }]);
    const policy = JSON.parse((await b.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" }))).Policy ?? "{}");
    expect(policy.Statement).toHaveLength(2);
    // AND B lists no key of its own
    expect((await b.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });
});

describe("SQS queue policies", () => {
  it("are set, listed with the queue and read back as the Policy attribute; the audit role reads them", async () => {
    // GIVEN account A's queue and A's audit role
    const s = await start();
    const sqs = new SQSClient(clientConfig(s, rootOf(s, A)));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
    const queueArn = `arn:aws:sqs:us-east-1:${A}:orders`;
    // WHEN A sets its Policy attribute
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: letB("sqs:SendMessage", queueArn) } }));
    // THEN the audit role lists the queue and reads the policy back
    await createAuditRole(s, A, A);
    const auditor = userKeys(s, `arn:aws:iam::${A}:user/${AUDITOR}`);
    const audit = new SQSClient(clientConfig(s, await assume(s, auditor, `arn:aws:iam::${A}:role/xacct-audit`)));
    expect((await audit.send(new ListQueuesCommand({}))).QueueUrls).toEqual([QueueUrl]);
    const { Attributes } = await audit.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy", "QueueArn"] }));
    expect(Attributes?.QueueArn).toBe(queueArn);
    expect(JSON.parse(Attributes?.Policy ?? "{}").Statement).toEqual([expect.objectContaining({ Sid: "b", Action: "sqs:SendMessage" })]);
    // AND B may not change it (sqs:SetQueueAttributes is decided on the queue)
    const b = new SQSClient(clientConfig(s, rootOf(s, B)));
    expect((await refusal(b.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: "" } })))).name).toBe("AccessDenied");
  });
});
