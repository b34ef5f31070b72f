/**
 * AWS Lambda's Invoke (REST-JSON, `POST /2015-03-31/functions/NAME/invocations`), decided as
 * lambda:InvokeFunction on the function's ARN. The sandbox runs no code: an allowed synchronous
 * invocation answers 200 with an empty JSON payload, an asynchronous one (`Event`) 202, a
 * `DryRun` 204, as Lambda does.
 */
import type { CatalogAction } from "../../catalog/catalog.js";
import { lambda as lambdaService } from "../../services/lambda.js";
import type { Reply, ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { whereOf } from "./access.js";
import { catalogAction, type ResolvedResource } from "./resources.js";
import { restJsonService } from "./rest.js";

/**
 * The function an Invoke names in its path (and its Qualifier), as the Lambda service module
 * reads it (src/services/lambda.ts); a FunctionName it cannot read is Lambda's ValidationException.
 */
function functionOf(request: ServiceRequest, input: Record<string, string>): ResolvedResource {
  const action = catalogAction("lambda", "InvokeFunction") as CatalogAction;
  const resource = lambdaService.sandbox?.resourceOf?.(action, input, whereOf(request));
  if (!resource)
    throw new AwsError(
      400,
      "ValidationException",
      `1 validation error detected: Value '${input.FunctionName ?? ""}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  return resource;
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
