/**
 * A service the model does not support, added the way issue 12 says a service is added: one
 * module. Amazon DynamoDB, from AWS's service authorization data (its `table` resource type,
 * `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`), with one access verb and
 * the table each operation acts on in the sandbox (DynamoDB's API reference: TableName, which
 * may be the table's name or its ARN). Registered with `registerService` by the test that uses it.
 */
import { parseArn } from "../../src/aws/arn.js";
import { resourceArn } from "../../src/catalog/catalog.js";
import type { Recipe } from "../../src/services/index.js";
import { type ResourceNamer, stringOf } from "../../src/services/resource-namer.js";

/** The table a call names in TableName: a name in the caller's account and region, or a table's ARN as given. */
const tableNamedBy: ResourceNamer = (_action, input, where) => {
  const table = stringOf(input, "TableName");
  if (table === undefined) return undefined;
  const arn = parseArn(table);
  if (arn) return arn.service === "dynamodb" && arn.resource.startsWith("table/") ? { arn: table, account: arn.account } : undefined;
  return { arn: resourceArn("dynamodb", "table", where, { TableName: table }), account: where.account };
};

export const dynamodb: Recipe = {
  service: "dynamodb",
  title: "Amazon DynamoDB",
  names: ["table"],
  kinds: { table: { type: "table", parts: (n) => ({ TableName: n.table ?? "*" }), needs: ["table"] } },
  access: {
    read: {
      describe: "read items",
      rules: [
        {
          filter: {
            accessLevels: ["Read"],
            resourceType: "table",
            prefixes: ["GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable"],
          },
          on: "table",
        },
      ],
    },
  },
  sandbox: { resourceOf: tableNamedBy },
};
