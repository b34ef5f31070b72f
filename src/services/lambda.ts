/** AWS Lambda: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { buildArn } from "../aws/arn.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, resourceOf } from "./outputs.js";
import { lambdaPermissions } from "./lambda-permissions.js";

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
  airflowTasks: (use, dag) => {
    const fn = resourceOf(use, "function");
    if (!fn) return undefined;
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
    return {
      argv: [
        "aws",
        "lambda",
        "invoke",
        "--function-name",
        buildArn({ ...place, service: "lambda", resource: `function:${fn}` }),
        "/tmp/out.json",
      ],
    };
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
