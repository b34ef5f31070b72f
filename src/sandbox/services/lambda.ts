/**
 * AWS Lambda's Invoke (REST-JSON, `POST /2015-03-31/functions/NAME/invocations`), decided as
 * lambda:InvokeFunction on the function's ARN. The sandbox runs no code: an allowed synchronous
 * invocation answers 200 with an empty JSON payload, an asynchronous one (`Event`) 202, a
 * `DryRun` 204, as Lambda does.
 *
 * A deploy's GetFunction (`GET /2015-03-31/functions/NAME`) and UpdateFunctionCode
 * (`PUT /2015-03-31/functions/NAME/code`) are decided as lambda:GetFunction and
 * lambda:UpdateFunctionCode on the function's ARN. The sandbox keeps no function: GetFunction
 * answers the function's name and ARN, UpdateFunctionCode the CodeSha256 and CodeSize of the
 * ZipFile it was sent (LastUpdateStatus InProgress, as Lambda answers an update it has begun); code
 * named in S3 or an image it cannot read is NotImplemented, never a made-up size.
 */
import { createHash } from "node:crypto";
import { type Arn, buildArn, parseArn } from "../../aws/arn.js";
import type { CatalogAction } from "../../catalog/catalog.js";
import { lambda as lambdaService } from "../../services/lambda.js";
import type { Reply, ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { whereOf } from "./access.js";
import { catalogAction, type ResolvedResource } from "./resources.js";
import { restJsonService } from "./rest.js";

/**
 * The function a call names in its path (and its Qualifier), as the Lambda service module
 * reads it (src/services/lambda.ts); a FunctionName it cannot read is Lambda's ValidationException.
 */
function functionOf(request: ServiceRequest, input: Record<string, string>): ResolvedResource {
  const action = catalogAction("lambda", "GetFunction") as CatalogAction;
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
  {
    method: "GET",
    path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/?$/,
    action: "GetFunction",
    resource: functionOf,
    answer: (_request, _input, resource) => json({ Configuration: configuration(resource.arn) }),
  },
  {
    method: "PUT",
    path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/code\/?$/,
    action: "UpdateFunctionCode",
    resource: functionOf,
    answer(_request, input, resource): Reply {
      // The SDKs send ZipFile base64-encoded in the JSON body (a blob of the REST-JSON protocol).
      if (input.ZipFile === undefined)
        throw new AwsError(
          501,
          "NotImplemented",
          "The sandbox answers UpdateFunctionCode with ZipFile only: it cannot read code from S3 or an image",
        );
      const zip = Buffer.from(input.ZipFile, "base64");
      return json({
        ...configuration(resource.arn),
        CodeSize: zip.length,
        CodeSha256: createHash("sha256").update(zip).digest("base64"),
        LastUpdateStatus: "InProgress",
      });
    },
  },
]);

/** A FunctionConfiguration of what the sandbox knows: the function's name and unqualified ARN. */
function configuration(arn: string): Record<string, string> {
  const parsed = parseArn(arn) as Arn;
  const name = parsed.resource.split(":")[1] ?? "";
  return { FunctionName: name, FunctionArn: buildArn({ ...parsed, resource: `function:${name}` }), Version: "$LATEST" };
}

function json(value: unknown): Reply {
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}
