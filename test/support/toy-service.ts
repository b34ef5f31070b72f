/**
 * A service the model does not support, added the way issue 12 says a service is added: one
 * module. AWS Systems Manager Parameter Store, from AWS's service authorization data (its
 * `parameter` resource type, `arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}`),
 * with one access verb and the parameter each operation acts on in the sandbox (SSM's API
 * reference: Name, a parameter's name, with or without its leading slash, or its ARN). Registered
 * with `registerService` by the test that uses it.
 */
import { parseArn } from "../../src/aws/arn.js";
import { resourceArn } from "../../src/catalog/catalog.js";
import type { Recipe } from "../../src/services/index.js";
import { type ResourceNamer, stringOf } from "../../src/services/resource-namer.js";

/** The parameter a call names in Name: a name in the caller's account and region, or a parameter's ARN as given. */
const parameterNamedBy: ResourceNamer = (_action, input, where) => {
  const name = stringOf(input, "Name");
  if (name === undefined) return undefined;
  const arn = parseArn(name);
  if (arn) return arn.service === "ssm" && arn.resource.startsWith("parameter/") ? { arn: name, account: arn.account } : undefined;
  return {
    arn: resourceArn("ssm", "parameter", where, { ParameterNameWithoutLeadingSlash: name.replace(/^\//, "") }),
    account: where.account,
  };
};

export const toyService: Recipe = {
  service: "ssm",
  title: "AWS Systems Manager Parameter Store",
  names: ["parameter"],
  kinds: {
    parameter: {
      type: "parameter",
      parts: (n) => ({ ParameterNameWithoutLeadingSlash: (n.parameter ?? "*").replace(/^\//, "") }),
      needs: ["parameter"],
    },
  },
  access: {
    read: {
      describe: "read the parameter",
      rules: [{ filter: { accessLevels: ["Read"], resourceType: "parameter", names: ["GetParameter", "GetParameters"] }, on: "parameter" }],
    },
  },
  sandbox: { resourceOf: parameterNamedBy },
};
