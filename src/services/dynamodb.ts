/** Amazon DynamoDB: what each access verb grants, the resources it names, and the table each operation acts on. */
import { buildArn, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import { shellWord } from "../text/escape.js";
import { mergeCommand } from "./outputs.js";
import type { Recipe } from "./recipe.js";
import { type ResourceNamer, stringOf } from "./resource-namer.js";
import { type PolicyCollector, policyOf } from "./policy-collector.js";

/** Every table of the region (ListTables) and its resource-based policy (GetResourcePolicy; PolicyNotFoundException: none). */
const collectTablePolicies: PolicyCollector = {
  scope: "regional",
  actions: ["dynamodb:ListTables", "dynamodb:GetResourcePolicy"],
  async *policies(at, clients) {
    const { DynamoDBClient, GetResourcePolicyCommand, paginateListTables } = await import("@aws-sdk/client-dynamodb");
    const client = clients.make((config) => new DynamoDBClient(config));
    for await (const page of paginateListTables({ client }, {}))
      for (const name of page.TableNames ?? []) {
        const arn = buildArn({
          partition: at.partition,
          service: "dynamodb",
          region: at.region,
          account: at.account,
          resource: `table/${name}`,
        });
        const read = async () => (await client.send(new GetResourcePolicyCommand({ ResourceArn: arn }))).Policy;
        const found = await policyOf(arn, at.region, read, "PolicyNotFoundException");
        if (found) yield found;
      }
  },
};

/** A table's or its stream's ARN, as ResourceArn names it (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy). */
function tableOrStream(text: string): { arn: string; account: string } | undefined {
  const arn = parseArn(text);
  return arn && arn.service === "dynamodb" && /^table\/[\w.-]{3,255}(?:\/stream\/[^/]+)?$/.test(arn.resource) && arn.account !== ""
    ? { arn: text, account: arn.account }
    : undefined;
}

/**
 * The table (or its stream) a resource-policy call names in ResourceArn; else the table a call names in TableName ("You can specify table ARN in the TableName parameter",
 * DynamoDB's resource-based policy page): a name in the caller's account and region, or the ARN as
 * given; with IndexName (Query, Scan), the index of that table.
 */
const tableNamedBy: ResourceNamer = (_action, input, where) => {
  const policyOf = stringOf(input, "ResourceArn");
  if (policyOf !== undefined) return tableOrStream(policyOf);
  const table = stringOf(input, "TableName");
  if (table === undefined) return undefined;
  const index = stringOf(input, "IndexName");
  const arn = parseArn(table);
  let resolved;
  if (arn) {
    if (arn.service !== "dynamodb" || !arn.resource.startsWith("table/")) return undefined;
    resolved = { arn: table, account: arn.account };
  } else resolved = { arn: resourceArn("dynamodb", "table", where, { TableName: table }), account: where.account };
  return index === undefined ? resolved : { ...resolved, arn: `${resolved.arn}/index/${index}` };
};

/** A policy's revision: DynamoDB's RevisionId is opaque; the sandbox keeps no revisions, so every policy is revision 1. */
const revision = () => "1";

export const dynamodb: Recipe = {
  service: "dynamodb",
  title: "Amazon DynamoDB",
  names: ["table"],
  kinds: {
    table: { type: "table", parts: (n) => ({ TableName: n.table ?? "*" }), needs: ["table"] },
    index: { type: "index", parts: (n) => ({ TableName: n.table ?? "*", IndexName: "*" }), needs: ["table"] },
  },
  access: {
    read: {
      describe: "read items of the table and its indexes",
      rules: [
        {
          filter: { accessLevels: ["Read"], resourceType: "table", names: ["GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable"] },
          on: "table",
        },
        { filter: { accessLevels: ["Read"], resourceType: "index", names: ["Query", "Scan"] }, on: "index" },
      ],
    },
    write: {
      describe: "put, update and delete items",
      rules: [
        {
          filter: { resourceType: "table", names: ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "ConditionCheckItem"] },
          on: "table",
        },
      ],
    },
  },
  // "You can control index permissions using the base table's policy" (PutResourcePolicy).
  policyHolders: { table: "table", index: "table" },
  collect: collectTablePolicies,
  // A table exists in the sandbox while it holds a policy (PutResourcePolicy makes it known).
  sandbox: {
    resourceOf: tableNamedBy,
    policyOperations: {
      PutResourcePolicy: { kind: "put", policy: "Policy", malformed: "ValidationException", reply: () => ({ RevisionId: revision() }) },
      GetResourcePolicy: {
        kind: "get",
        reply: (Policy) => ({ Policy, RevisionId: revision() }),
        missing: { code: "PolicyNotFoundException", message: "Resource-based policy not found for the provided ResourceArn." },
      },
      DeleteResourcePolicy: { kind: "delete", reply: () => ({ RevisionId: revision() }) },
      ListTables: {
        kind: "list",
        reply: (arns) => ({
          TableNames: arns.flatMap((arn) => /^table\/([^/]+)$/.exec(parseArn(arn)?.resource ?? "")?.[1] ?? []),
        }),
      },
    },
  },
  resourcePolicy: {
    // AWS::DynamoDB::Table's ResourcePolicy belongs to the table's own template: xacct does not
    // own the table, so the statements are merged into its current policy with the CLI
    // (PutResourcePolicy replaces the whole policy; a table without one answers PolicyNotFoundException).
    apply: ({ arn, text, policy, file }) => {
      const table = `--region ${shellWord(arn.region)} --resource-arn ${shellWord(text)}`;
      const empty = shellWord(JSON.stringify({ Version: "2012-10-17", Statement: [] }));
      return {
        byHand: {
          why: "A table's resource-based policy is a property of AWS::DynamoDB::Table, which only the table's own template may set, and PutResourcePolicy replaces the whole policy. Merge these statements into the table's current policy.",
          commands: [
            `aws dynamodb get-resource-policy ${table} --query Policy --output text > ${file}.current.json || echo ${empty} > ${file}.current.json`,
            mergeCommand(policy, `${file}.current.json`, `${file}.json`),
            `aws dynamodb put-resource-policy ${table} --policy file://${file}.json`,
          ],
        },
      };
    },
  },
};
