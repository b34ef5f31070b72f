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
 *
 * A function's policy (AddPermission, GetPolicy, RemovePermission on `/functions/NAME/policy`, a
 * version's or alias's with Qualifier) is kept in the owner's AccountState, as every resource
 * policy of the sandbox (./resource-policies.ts); ListFunctions lists the caller's functions of
 * the region that hold one: a function is known to the sandbox by its policy.
 */
import { createHash } from "node:crypto";
import { type Arn, buildArn, parseArn } from "../../aws/arn.js";
import type { CatalogAction } from "../../catalog/catalog.js";
import { lambda as lambdaService } from "../../services/lambda.js";
import { type AddPermissionInput, permissionStatement } from "../../services/lambda-permissions.js";
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  readResourcePolicy,
  resourcesWithPolicies,
} from "./resource-policies.js";
import type { Reply, ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { whereOf } from "./access.js";
import type { PolicyDocument } from "../../state/account-state.js";
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

const POLICY_PATH = /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/policy\/?$/;

/** Lambda's 404 for a function without a policy, or a statement its policy does not hold. */
const notFound = (message = "The resource you requested does not exist.") => new AwsError(404, "ResourceNotFoundException", message);

/** The policy the function (or its version or alias) holds, with its owner. */
function policyAt(request: ServiceRequest, resource: ResolvedResource): { owner: string; policy?: PolicyDocument } {
  const owner = resource.account ?? whereOf(request).account;
  const held = getResourcePolicy(request.core, owner, resource.arn)?.policy;
  return { owner, ...(held ? { policy: held } : {}) };
}

/** AddPermission's parameter `name`, required by Lambda, or its ValidationException. */
function required(input: Record<string, string>, name: string, pattern: RegExp): string {
  const value = input[name];
  if (value === undefined || !pattern.test(value))
    throw new AwsError(
      400,
      "ValidationException",
      `1 validation error detected: Value '${value ?? "null"}' at '${name}' failed to satisfy constraint`,
    );
  return value;
}

export const lambda = restJsonService("lambda", [
  {
    method: "GET",
    path: /^\/2015-03-31\/functions\/?$/,
    action: "ListFunctions",
    answer(request): Reply {
      const where = whereOf(request);
      const functions = new Set(
        resourcesWithPolicies(request.core, where.account, "lambda", where.region).map((arn) => configuration(arn).FunctionArn),
      );
      return json({ Functions: [...functions].sort().map((arn) => configuration(arn as string)) });
    },
  },
  {
    method: "GET",
    path: POLICY_PATH,
    action: "GetPolicy",
    resource: functionOf,
    answer(request, _input, resource): Reply {
      const { policy } = policyAt(request, resource);
      if (!policy) throw notFound();
      return json({ Policy: JSON.stringify(policy), RevisionId: "1" });
    },
  },
  {
    method: "POST",
    path: POLICY_PATH,
    action: "AddPermission",
    resource: functionOf,
    answer(request, input, resource): Reply {
      const permission: AddPermissionInput = {
        ...(input as Partial<AddPermissionInput>),
        StatementId: required(input, "StatementId", /^[\w.-]{1,100}$/),
        Action: required(input, "Action", /^(?:lambda:\*|lambda:[a-zA-Z]+|\*)$/),
        Principal: required(input, "Principal", /^[^\s]+$/),
      };
      const { owner, policy } = policyAt(request, resource);
      if (policy?.Statement.some((s) => s.Sid === permission.StatementId))
        throw new AwsError(
          409,
          "ResourceConflictException",
          `The statement id (${permission.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      const statement = permissionStatement(resource.arn, whereOf(request).partition, permission);
      const next = { Version: "2012-10-17", Id: "default", Statement: [...(policy?.Statement ?? []), statement] };
      const malformed = (message: string) => new AwsError(400, "InvalidParameterValueException", message);
      putResourcePolicy(request.core, owner, resource.arn, readResourcePolicy(JSON.stringify(next), malformed));
      return {
        status: 201,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ Statement: JSON.stringify(statement) }),
      };
    },
  },
  {
    method: "DELETE",
    path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/policy\/(?<StatementId>[^/]+)\/?$/,
    action: "RemovePermission",
    resource: functionOf,
    answer(request, input, resource): Reply {
      const { owner, policy } = policyAt(request, resource);
      if (!policy) throw notFound("No policy is associated with the given resource.");
      const rest = policy.Statement.filter((s) => s.Sid !== input.StatementId);
      if (rest.length === policy.Statement.length) throw notFound(`Statement ${input.StatementId ?? ""} is not found in resource policy.`);
      if (rest.length === 0) deleteResourcePolicy(request.core, owner, resource.arn);
      else putResourcePolicy(request.core, owner, resource.arn, { ...policy, Statement: rest });
      return { status: 204, headers: { "content-type": "application/json" }, body: "" };
    },
  },
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
