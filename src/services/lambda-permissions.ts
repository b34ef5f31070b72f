/**
 * A Lambda function's resource-based policy cannot be written as a document: it is a list of
 * permissions (AddPermission, AWS::Lambda::Permission, aws_lambda_permission), one per statement ID,
 * principal and action, with only the conditions AddPermission can express.
 */
import { isAccountId, parseIamArn, principalAccountId, rootArn } from "../aws/arn.js";
import type { PolicyDocument } from "../state/account-state.js";
import { shortHash } from "../text/hash.js";

export interface LambdaPermission {
  sid: string;
  functionName: string;
  action: string;
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
  principalOrgId?: string;
  /** Required by AddPermission for lambda:InvokeFunctionUrl. */
  functionUrlAuthType?: "AWS_IAM";
}

/** The permissions of the function `arn`'s policy; a statement a permission cannot express is refused, not dropped. */
export function lambdaPermissions(arn: string, policy: PolicyDocument): LambdaPermission[] {
  return policy.Statement.flatMap((s, i) => {
    const where = `lambda policy of ${arn}, statement ${s.Sid ?? i}`;
    if (s.Effect !== "Allow" || !s.Action || s.NotPrincipal || s.NotResource)
      throw new Error(`${where}: only Allow statements with Action, Principal and Resource become Lambda permissions`);
    const conditions = lambdaConditions(s.Condition ?? {}, where);
    const who = s.Principal === "*" ? ["*"] : Object.values(s.Principal ?? {}).flat();
    const actions = [s.Action].flat();
    const functions = [s.Resource ?? arn].flat();
    return functions.flatMap((functionName) =>
      who.flatMap((p) =>
        actions.map((action) => ({
          // Statement IDs are unique per function: one permission per function, principal and action.
          sid: [
            s.Sid ?? `Statement${i}`,
            ...(actions.length > 1 ? [action.slice(action.indexOf(":") + 1)] : []),
            ...(who.length > 1 ? [shortHash(p)] : []),
            ...(functions.length > 1 ? [shortHash(functionName)] : []),
          ].join("-"),
          functionName,
          action,
          principal: parseIamArn(p)?.kind === "root" ? (principalAccountId(p) ?? p) : p,
          ...conditions,
          ...(action === "lambda:InvokeFunctionUrl" ? { functionUrlAuthType: "AWS_IAM" as const } : {}),
        })),
      ),
    );
  });
}

/** The conditions AWS::Lambda::Permission can express; anything else is refused, not dropped. */
function lambdaConditions(condition: Record<string, Record<string, unknown>>, where: string): Partial<LambdaPermission> {
  const out: Partial<LambdaPermission> = {};
  for (const [operator, entries] of Object.entries(condition)) {
    for (const [key, value] of Object.entries(entries)) {
      const k = key.toLowerCase();
      if (typeof value === "string" && operator === "StringEquals" && k === "aws:sourceaccount") out.sourceAccount = value;
      else if (typeof value === "string" && operator === "StringEquals" && k === "aws:principalorgid") out.principalOrgId = value;
      else if (typeof value === "string" && /^Arn(Like|Equals)$/.test(operator) && k === "aws:sourcearn") out.sourceArn = value;
      else throw new Error(`${where}: a Lambda permission cannot express the condition ${operator} ${key}`);
    }
  }
  return out;
}

/** AddPermission's parameters, as its request names them. */
export interface AddPermissionInput {
  StatementId: string;
  Action: string;
  Principal: string;
  SourceArn?: string;
  SourceAccount?: string;
  EventSourceToken?: string;
  PrincipalOrgID?: string;
  FunctionUrlAuthType?: string;
}

/**
 * The statement AddPermission adds to the function `arn`'s policy, as Lambda writes it (GetPolicy
 * returns it): Principal an account ID as that account's root ARN, an AWS service as `Service`,
 * `*` as itself, any other (an IAM ARN) as `AWS`; SourceAccount, PrincipalOrgID, EventSourceToken
 * and FunctionUrlAuthType as StringEquals conditions and SourceArn as ArnLike.
 */
export function permissionStatement(arn: string, partition: string, p: AddPermissionInput): Record<string, unknown> {
  const principal =
    p.Principal === "*"
      ? "*"
      : isAccountId(p.Principal)
        ? { AWS: rootArn(partition, p.Principal) }
        : /^[a-z0-9.-]+\.amazonaws\.com(?:\.cn)?$/.test(p.Principal)
          ? { Service: p.Principal }
          : { AWS: p.Principal };
  const equals: Record<string, string> = {
    ...(p.SourceAccount !== undefined ? { "AWS:SourceAccount": p.SourceAccount } : {}),
    ...(p.PrincipalOrgID !== undefined ? { "aws:PrincipalOrgID": p.PrincipalOrgID } : {}),
    ...(p.EventSourceToken !== undefined ? { "lambda:EventSourceToken": p.EventSourceToken } : {}),
    ...(p.FunctionUrlAuthType !== undefined ? { "lambda:FunctionUrlAuthType": p.FunctionUrlAuthType } : {}),
  };
  const condition = {
    ...(Object.keys(equals).length > 0 ? { StringEquals: equals } : {}),
    ...(p.SourceArn !== undefined ? { ArnLike: { "AWS:SourceArn": p.SourceArn } } : {}),
  };
  return {
    Sid: p.StatementId,
    Effect: "Allow",
    Principal: principal,
    Action: p.Action,
    Resource: arn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}
