/** AWS Lambda: what each access verb grants, the resources it names, and the function a call names. */
import { isAccountId, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import type { Recipe } from "./recipe.js";
import { type ResourceNamer, stringOf } from "./resource-namer.js";

const FUNCTION = /^[\w-]{1,64}$/;
const QUALIFIER = /^[\w$-]{1,128}$/;
const REGION = /^[a-z0-9-]+$/;

/**
 * FunctionName as Lambda takes it: a name, `NAME:QUALIFIER`, `ACCOUNT:function:NAME[:QUALIFIER]`,
 * or the full ARN `arn:P:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`; undefined for anything else.
 */
function functionName(
  text: string,
): { partition?: string; region?: string; account?: string; name: string; qualifier?: string } | undefined {
  const arn = parseArn(text);
  let place: { partition?: string; region?: string; account?: string } = {};
  let rest = text;
  if (
    arn &&
    arn.partition !== "" &&
    arn.service === "lambda" &&
    REGION.test(arn.region) &&
    isAccountId(arn.account) &&
    arn.resource.startsWith("function:")
  ) {
    place = { partition: arn.partition, region: arn.region, account: arn.account };
    rest = arn.resource.slice("function:".length);
  } else if (text.split(":")[1] === "function") {
    const account = text.slice(0, text.indexOf(":"));
    if (!isAccountId(account)) return undefined;
    place = { account };
    rest = text.slice(account.length + ":function:".length);
  }
  const [name, qualifier, ...more] = rest.split(":");
  if (name === undefined || !FUNCTION.test(name) || more.length > 0 || (qualifier !== undefined && !QUALIFIER.test(qualifier)))
    return undefined;
  return { ...place, name, ...(qualifier !== undefined ? { qualifier } : {}) };
}

/**
 * The function a call names in FunctionName (and its Qualifier): a name without an account is the
 * caller's account's function, as Lambda resolves it; a qualified call (version or alias) is
 * authorized on the qualified ARN.
 */
const functionNamedBy: ResourceNamer = (_action, input, where) => {
  const named = functionName(stringOf(input, "FunctionName") ?? "");
  if (!named) return undefined;
  const qualifier = named.qualifier ?? stringOf(input, "Qualifier");
  const account = named.account ?? where.account;
  const place = { partition: named.partition ?? where.partition, region: named.region ?? where.region, account };
  const arn = resourceArn("lambda", "function", place, { FunctionName: named.name });
  return { arn: arn + (qualifier !== undefined && qualifier !== "$LATEST" ? `:${qualifier}` : ""), account };
};

export const lambda: Recipe = {
  service: "lambda",
  title: "AWS Lambda",
  names: ["function"],
  kinds: { function: { type: "function", parts: (n) => ({ FunctionName: n.function ?? "*" }), needs: ["function"] } },
  access: {
    invoke: {
      describe: "invoke the function",
      rules: [
        {
          filter: { accessLevels: ["Write"], resourceType: "function", prefixes: ["InvokeFunction"], excluding: ["Url"] },
          on: "function",
        },
      ],
    },
  },
  policyHolders: { function: "function" },
  sandbox: { resourceOf: functionNamedBy },
};
