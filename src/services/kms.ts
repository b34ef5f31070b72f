/** AWS KMS: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
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
