/** AWS KMS: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { buildArn, parseArn, rootArn } from "../aws/arn.js";
import { shellWord } from "../text/escape.js";
import { mergeCommand } from "./outputs.js";
import type { PolicyCollector } from "./policy-collector.js";

/** Every key of the region (ListKeys) and its key policy (GetKeyPolicy; "default" is a key's only policy name). */
const collectKeyPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["kms:ListKeys", "kms:GetKeyPolicy"],
  async *policies(at, clients) {
    const { GetKeyPolicyCommand, KMSClient, paginateListKeys } = await import("@aws-sdk/client-kms");
    const client = clients.make((config) => new KMSClient(config));
    for await (const page of paginateListKeys({ client }, {}))
      for (const key of page.Keys ?? []) {
        if (!key.KeyArn || !key.KeyId) continue;
        const { Policy } = await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: "default" }));
        if (Policy) yield { arn: key.KeyArn, region: at.region, policy: Policy };
      }
  },
};

export const kms: Recipe = {
  service: "kms",
  title: "AWS KMS",
  names: ["key"],
  kinds: { key: { type: "key", parts: (n) => ({ KeyId: n.key ?? "*" }), needs: ["key"] } },
  access: {
    decrypt: {
      describe: "decrypt with the key",
      rules: [{ filter: { accessLevels: ["Write"], resourceType: "key", prefixes: ["Decrypt"] }, on: "key" }],
    },
    // "To upload an object encrypted with an AWS KMS key to Amazon S3, you need kms:GenerateDataKey
    // permissions on the key" (S3's SSE-KMS page); both are cryptographic operations, which a key
    // policy can grant to another account (KMS's "Allowing users in other accounts" page).
    encrypt: {
      describe: "encrypt with the key",
      rules: [{ filter: { accessLevels: ["Write"], resourceType: "key", names: ["Encrypt"] }, on: "key" }],
    },
    "generate-data-key": {
      describe: "generate data keys under the key",
      rules: [{ filter: { accessLevels: ["Write"], resourceType: "key", names: ["GenerateDataKey"] }, on: "key" }],
    },
  },
  policyHolders: { key: "key" },
  collect: collectKeyPolicies,
  // A key exists in the sandbox while it has a policy: CreateKey gives it the default one.
  sandbox: {
    policyOperations: {
      CreateKey: {
        kind: "create",
        policy: "Policy",
        arn: (where, id) =>
          buildArn({ partition: where.partition, service: "kms", region: where.region, account: where.account, resource: `key/${id}` }),
        // "The default key policy … gives the AWS account that owns the KMS key full access to the KMS key" (KMS developer guide, Default key policy).
        defaultPolicy: (where) => ({
          Version: "2012-10-17",
          Id: "key-default-1",
          Statement: [
            {
              Sid: "Enable IAM User Permissions",
              Effect: "Allow",
              Principal: { AWS: rootArn(where.partition, where.account) },
              Action: "kms:*",
              Resource: "*",
            },
          ],
        }),
        reply: (Arn, KeyId) => ({
          KeyMetadata: {
            KeyId,
            Arn,
            AWSAccountId: parseArn(Arn)?.account,
            Enabled: true,
            KeyState: "Enabled",
            KeyUsage: "ENCRYPT_DECRYPT",
            KeySpec: "SYMMETRIC_DEFAULT",
            KeyManager: "CUSTOMER",
            Origin: "AWS_KMS",
          },
        }),
      },
      PutKeyPolicy: { kind: "put", policy: "Policy" },
      GetKeyPolicy: {
        kind: "get",
        reply: (Policy) => ({ Policy, PolicyName: "default" }),
        missing: {
          code: "NotFoundException",
          message: "The request was rejected because the specified entity or resource could not be found.",
        },
      },
      ListKeys: {
        kind: "list",
        reply: (arns) => ({ Keys: arns.map((KeyArn) => ({ KeyArn, KeyId: KeyArn.slice(KeyArn.lastIndexOf("/") + 1) })), Truncated: false }),
      },
    },
  },
  resourcePolicy: {
    apply: ({ arn, text, policy, file }) => {
      const key = `--key-id ${shellWord(text)} --policy-name default`;
      const region = `--region ${shellWord(arn.region)}`;
      return {
        byHand: {
          why: "A key policy is part of AWS::KMS::Key; CloudFormation has no separate key-policy resource, and PutKeyPolicy replaces the whole policy. Merge these statements into the key's current policy, keeping the statements that let the account administer the key.",
          commands: [
            `aws kms get-key-policy ${region} ${key} --query Policy --output text > ${file}.current.json`,
            mergeCommand(policy, `${file}.current.json`, `${file}.json`),
            `aws kms put-key-policy ${region} ${key} --policy file://${file}.json`,
          ],
        },
      };
    },
  },
};
