/**
 * AWS Lambda's Invoke (REST-JSON, `POST /2015-03-31/functions/NAME/invocations`), decided as
 * lambda:InvokeFunction on the function's ARN. The sandbox runs no code: an allowed synchronous
 * invocation answers 200 with an empty JSON payload, an asynchronous one (`Event`) 202, a
 * `DryRun` 204, as Lambda does.
 */
import { resourceArn } from "../../catalog/catalog.js";
import { callerOf, type Reply, type ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import type { ResolvedResource } from "./resources.js";
import { restJsonService } from "./rest.js";

/** FunctionName as Lambda takes it: a name, `NAME:QUALIFIER`, `ACCOUNT:function:NAME[:QUALIFIER]`, or the full ARN. */
const FUNCTION_NAME = /^(?:arn:([^:]+):lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([\w-]{1,64})(?::([\w$-]{1,128}))?$/;

/**
 * The function an Invoke names in its path (and its Qualifier): a name without an account is the
 * caller's account's function, as Lambda resolves it.
 */
function functionOf(request: ServiceRequest, input: Record<string, string>): ResolvedResource {
  const m = FUNCTION_NAME.exec(input.FunctionName ?? "");
  if (!m)
    throw new AwsError(
      400,
      "ValidationException",
      `1 validation error detected: Value '${input.FunctionName ?? ""}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  const [, partitionOfArn, region, arnAccount, partialAccount, name, qualifierInName] = m;
  const qualifier = qualifierInName ?? input.Qualifier;
  const caller = callerOf(request);
  const partition = partitionOfArn ?? request.core.account(caller.account)?.partition ?? "aws";
  const where = { partition, region: region ?? request.region, account: "" };
  const unqualified = (account: string) => resourceArn("lambda", "function", { ...where, account }, { FunctionName: name as string });
  const account = arnAccount ?? partialAccount ?? caller.account;
  // A qualified invocation (version or alias) is authorized on the qualified ARN.
  const arn = unqualified(account) + (qualifier !== undefined && qualifier !== "$LATEST" ? `:${qualifier}` : "");
  return { arn, account };
}

export const lambda = restJsonService("lambda", [
  {
    method: "POST",
    path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/invocations\/?$/,
    action: "InvokeFunction",
    opaqueBody: true,
    resource: functionOf,
    answer(request, input): Reply {
      const type = request.headers["x-amz-invocation-type"] ?? "RequestResponse";
      const version = input.Qualifier && input.Qualifier !== "$LATEST" && /^\d+$/.test(input.Qualifier) ? input.Qualifier : "$LATEST";
      if (type === "DryRun") return { status: 204, headers: { "content-type": "application/json" }, body: "" };
      if (type === "Event") return { status: 202, headers: { "content-type": "application/json" }, body: "" };
      if (type !== "RequestResponse") throw new AwsError(400, "InvalidParameterValueException", `Invalid invocation type: ${type}`);
      return { status: 200, headers: { "content-type": "application/json", "x-amz-executed-version": version }, body: "{}" };
    },
  },
]);
