/** AWS Lambda: what each access verb grants, the resources it names, and the function a call names. */
import { buildArn, isAccountId, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import type { Recipe } from "./recipe.js";
import { type ResourceNamer, stringOf } from "./resource-namer.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";
import { lambdaPermissions } from "./lambda-permissions.js";
import { type PolicyCollector, policyOf } from "./policy-collector.js";

/** Every function of the region (ListFunctions) and its policy (GetPolicy; ResourceNotFoundException: it has none). */
const collectFunctionPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["lambda:ListFunctions", "lambda:GetPolicy"],
  async *policies(at, clients) {
    const { GetPolicyCommand, LambdaClient, paginateListFunctions } = await import("@aws-sdk/client-lambda");
    const client = clients.make((config) => new LambdaClient(config));
    for await (const page of paginateListFunctions({ client }, {}))
      for (const { FunctionArn } of page.Functions ?? []) {
        if (!FunctionArn) continue;
        const read = async () => (await client.send(new GetPolicyCommand({ FunctionName: FunctionArn }))).Policy;
        const found = await policyOf(FunctionArn, at.region, read, "ResourceNotFoundException");
        if (found) yield found;
      }
  },
};

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
  // `role`: the function's execution role, in the function's account ("You cannot use the
  // PassRole permission to pass a cross-account role", IAM's PassRole page).
  names: ["function", "role"],
  kinds: {
    function: { type: "function", parts: (n) => ({ FunctionName: n.function ?? "*" }), needs: ["function"] },
    role: { type: "role", arnService: "iam", parts: (n) => ({ RoleNameWithPath: n.role ?? "*" }), needs: ["role"] },
  },
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
    deploy: {
      describe: "update the function's code and configuration, publish versions and aliases, passing its execution role",
      rules: [
        {
          filter: {
            resourceType: "function",
            names: [
              "UpdateFunctionCode",
              "UpdateFunctionConfiguration",
              "PublishVersion",
              "CreateAlias",
              "UpdateAlias",
              "GetFunction",
              "GetFunctionConfiguration",
            ],
          },
          on: "function",
        },
        // "PassRole is used when you assign an execution role to a function" (Lambda's
        // identity-based policies page), only to Lambda (iam:PassedToService, IAM's PassRole page).
        {
          service: "iam",
          filter: { names: ["PassRole"] },
          on: "role",
          condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        },
      ],
      notByResourcePolicy:
        "a function policy cannot grant UpdateFunctionConfiguration to another account (Lambda supports cross-account UpdateFunctionCode and PublishVersion through function policies, not configuration), and iam:PassRole is never granted by a resource policy",
    },
  },
  policyHolders: { function: "function" },
  sandbox: { resourceOf: functionNamedBy },
  collect: collectFunctionPolicies,
  airflowTasks: (use, dag) => {
    const fn = resourceOf(use, "function");
    if (!fn || !use.access.includes("invoke")) return undefined;
    const id = dag.taskId(`lambda_${fn}_${use.accountName}`);
    return [
      {
        id,
        imports: [`${AIRFLOW_PROVIDER}.operators.lambda_function:LambdaInvokeFunctionOperator`],
        code: dag.operator(id, "LambdaInvokeFunctionOperator", [`function_name=${py(fn)}`, `payload=${py("{}")}`]),
      },
    ];
  },
  cliCommand: (use, place) => {
    const fn = resourceOf(use, "function");
    // The ARN, not the name: a name resolves in the caller's own account.
    if (!fn) return undefined;
    const arn = buildArn({ ...place, service: "lambda", resource: `function:${fn}` });
    // A deploy grant may read the configuration, not invoke.
    if (!use.access.includes("invoke")) return { argv: ["aws", "lambda", "get-function-configuration", "--function-name", arn] };
    return { argv: ["aws", "lambda", "invoke", "--function-name", arn, "/tmp/out.json"] };
  },
  // One AWS::Lambda::Permission (aws_lambda_permission) per function, principal and action.
  resourcePolicy: {
    apply: ({ arn, text, policy }) => {
      const fn = arn.resource.split(":")[1] ?? arn.resource;
      return {
        resources: lambdaPermissions(text, policy).map((p) => ({
          names: [fn, p.sid],
          cloudformation: {
            type: "AWS::Lambda::Permission",
            prefix: "Permission",
            properties: {
              FunctionName: p.functionName,
              Action: p.action,
              Principal: p.principal,
              ...(p.sourceArn ? { SourceArn: p.sourceArn } : {}),
              ...(p.sourceAccount ? { SourceAccount: p.sourceAccount } : {}),
              ...(p.principalOrgId ? { PrincipalOrgID: p.principalOrgId } : {}),
              ...(p.functionUrlAuthType ? { FunctionUrlAuthType: p.functionUrlAuthType } : {}),
            },
          },
          terraform: {
            type: "aws_lambda_permission",
            arguments: {
              statement_id: p.sid,
              action: p.action,
              function_name: p.functionName,
              principal: p.principal,
              ...(p.sourceArn ? { source_arn: p.sourceArn } : {}),
              ...(p.sourceAccount ? { source_account: p.sourceAccount } : {}),
              ...(p.principalOrgId ? { principal_org_id: p.principalOrgId } : {}),
              ...(p.functionUrlAuthType ? { function_url_auth_type: p.functionUrlAuthType } : {}),
            },
          },
        })),
      };
    },
  },
};
