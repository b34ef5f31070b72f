/**
 * AWS Lambda's Invoke (REST-JSON, `POST /2015-03-31/functions/NAME/invocations`), decided as
 * lambda:InvokeFunction on the function's ARN. The sandbox runs no code: an allowed synchronous
 * invocation answers 200 with an empty JSON payload, an asynchronous one (`Event`) 202, a
 * `DryRun` 204, as Lambda does.
 *
 * CreateFunction (`POST /2015-03-31/functions`) keeps a function with its execution role, after
 * the checks Lambda makes: lambda:CreateFunction on the function, iam:PassRole on the role (to
 * lambda.amazonaws.com), and a role of the function's account that Lambda may assume
 * (InvalidParameterValueException otherwise); code as a ZipFile only (its size and SHA-256 are
 * kept, not its bytes). DeleteFunction forgets it and its policy.
 *
 * A deploy's GetFunction (`GET /2015-03-31/functions/NAME`) and UpdateFunctionCode
 * (`PUT /2015-03-31/functions/NAME/code`) are decided as lambda:GetFunction and
 * lambda:UpdateFunctionCode on the function's ARN. GetFunction answers a created function's
 * configuration, else the function's name and ARN; UpdateFunctionCode the CodeSha256 and CodeSize
 * of the ZipFile it was sent (LastUpdateStatus InProgress, as Lambda answers an update it has
 * begun); code named in S3 or an image it cannot read is NotImplemented, never a made-up size.
 *
 * A function's policy (AddPermission, GetPolicy, RemovePermission on `/functions/NAME/policy`, a
 * version's or alias's with Qualifier) is kept in the owner's AccountState, as every resource
 * policy of the sandbox (./resource-policies.ts). ListFunctions lists the caller's functions of
 * the region, those created and those that hold a policy (a function the model grants on is
 * known to the sandbox by its policy, without a role: it has no Role), 50 at most a page
 * (MaxItems, Marker, NextMarker), as Lambda pages it.
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
import { requireAccess, whereOf } from "./access.js";
import type { KnownCredential } from "../credentials.js";
import type { SandboxCore } from "../core.js";
import { jsonBody } from "./generic.js";
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
    answer(request, input): Reply {
      const where = whereOf(request);
      const max = maxItems(input.MaxItems);
      if (input.FunctionVersion !== undefined && input.FunctionVersion !== "ALL")
        throw validation(input.FunctionVersion, "functionVersion", "Member must satisfy enum value set: [ALL]");
      const created = [...functionsOf(request.core).values()].filter((f) => f.account === where.account && f.region === where.region);
      const arns = new Set([
        ...created.map((f) => f.arn),
        ...resourcesWithPolicies(request.core, where.account, "lambda", where.region).map(
          (arn) => configuration(request.core, arn).FunctionArn,
        ),
      ]);
      const all = [...arns].sort();
      const start = markerStart(input.Marker, all.length);
      const end = Math.min(start + Math.min(max, LIST_PAGE), all.length);
      const page = all.slice(start, end).map((arn) => configuration(request.core, arn as string));
      return json({ Functions: page, ...(end < all.length ? { NextMarker: Buffer.from(String(end)).toString("base64url") } : {}) });
    },
  },
  {
    method: "POST",
    path: /^\/2015-03-31\/functions\/?$/,
    action: "CreateFunction",
    resource: functionOf,
    // Decided in createFunction, once its input is valid: lambda:CreateFunction, then iam:PassRole on the role.
    authorize: () => undefined,
    answer: createFunction,
  },
  {
    method: "DELETE",
    path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/?$/,
    action: "DeleteFunction",
    resource: functionOf,
    answer(request, input, resource): Reply {
      if (input.Qualifier !== undefined || parseArn(resource.arn)?.resource.split(":").length !== 2)
        throw new AwsError(501, "NotImplemented", "The sandbox deletes functions, not their versions");
      const owner = resource.account ?? whereOf(request).account;
      const functions = functionsOf(request.core);
      const held = functions.get(resource.arn);
      const policy = getResourcePolicy(request.core, owner, resource.arn);
      if (!held && !policy) throw notFound(`Function not found: ${resource.arn}`);
      if (held) {
        functions.delete(resource.arn);
        request.core.budget.give(1, 0);
      }
      if (policy) deleteResourcePolicy(request.core, owner, resource.arn);
      return { status: 204, headers: { "content-type": "application/json" }, body: "" };
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
    answer: (request, _input, resource) => json({ Configuration: configuration(request.core, resource.arn) }),
  },
  {
    method: "PUT",
    path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/code\/?$/,
    action: "UpdateFunctionCode",
    resource: functionOf,
    answer(request, input, resource): Reply {
      // The SDKs send ZipFile base64-encoded in the JSON body (a blob of the REST-JSON protocol).
      if (input.ZipFile === undefined)
        throw new AwsError(
          501,
          "NotImplemented",
          "The sandbox answers UpdateFunctionCode with ZipFile only: it cannot read code from S3 or an image",
        );
      const zip = Buffer.from(input.ZipFile, "base64");
      const code = { CodeSize: zip.length, CodeSha256: createHash("sha256").update(zip).digest("base64") };
      const held = functionsOf(request.core).get(configuration(request.core, resource.arn).FunctionArn as string);
      if (held) Object.assign(held, { codeSize: code.CodeSize, codeSha256: code.CodeSha256 });
      return json({ ...configuration(request.core, resource.arn), ...code, LastUpdateStatus: "InProgress" });
    },
  },
]);

/** A function CreateFunction made: what its configuration shows. */
interface StoredFunction {
  arn: string;
  account: string;
  region: string;
  name: string;
  role: string;
  runtime: string;
  handler: string;
  codeSize: number;
  codeSha256: string;
  lastModified: string;
}

const functionsByCore = new WeakMap<SandboxCore, Map<string, StoredFunction>>();

/** The functions CreateFunction made, by unqualified ARN. */
function functionsOf(core: SandboxCore): Map<string, StoredFunction> {
  let functions = functionsByCore.get(core);
  if (!functions) functionsByCore.set(core, (functions = new Map()));
  return functions;
}

/**
 * A FunctionConfiguration of what the sandbox knows: a created function's (its role, runtime,
 * handler and code), else, for a function known by its policy, its name and unqualified ARN.
 */
function configuration(core: SandboxCore, arn: string): Record<string, string | number> {
  const parsed = parseArn(arn) as Arn;
  const name = parsed.resource.split(":")[1] ?? "";
  const unqualified = buildArn({ ...parsed, resource: `function:${name}` });
  const held = functionsOf(core).get(unqualified);
  if (!held) return { FunctionName: name, FunctionArn: unqualified, Version: "$LATEST" };
  return {
    FunctionName: held.name,
    FunctionArn: held.arn,
    Runtime: held.runtime,
    Role: held.role,
    Handler: held.handler,
    CodeSize: held.codeSize,
    CodeSha256: held.codeSha256,
    LastModified: held.lastModified,
    Version: "$LATEST",
    PackageType: "Zip",
    State: "Active",
    LastUpdateStatus: "Successful",
  };
}

/** Lambda's ListFunctions returns at most 50 functions a page, whatever MaxItems asks. */
const LIST_PAGE = 50;

/** Lambda's 400 for a member that breaks its constraint. */
function validation(value: string | undefined, member: string, constraint: string): AwsError {
  return new AwsError(
    400,
    "ValidationException",
    `1 validation error detected: Value '${value ?? "null"}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** MaxItems: 1 to 10,000 (Lambda's API reference); absent, a full page. */
function maxItems(text: string | undefined): number {
  if (text === undefined) return LIST_PAGE;
  if (!/^\d{1,5}$/.test(text)) throw validation(text, "maxItems", "Member must be a number");
  const n = Number(text);
  if (n < 1) throw validation(text, "maxItems", "Member must have value greater than or equal to 1");
  if (n > 10000) throw validation(text, "maxItems", "Member must have value less than or equal to 10000");
  return n;
}

/** Where a page starts: the Marker an earlier page gave (NextMarker), else the first function. */
function markerStart(marker: string | undefined, length: number): number {
  if (marker === undefined) return 0;
  const text = Buffer.from(marker, "base64url").toString("utf8");
  const start = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(start) || start < 0 || start > length || Buffer.from(text).toString("base64url") !== marker)
    throw new AwsError(400, "InvalidParameterValueException", "Invalid Marker: it is not one a ListFunctions page gave");
  return start;
}

/** CreateFunction's Role (Lambda's API reference's pattern) and Handler. */
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER = /^[^\s]{1,128}$/;
/** A runtime identifier's form (nodejs20.x, python3.12, java21, provided.al2023): Lambda's list grows, the sandbox takes any of this form. */
const RUNTIME = /^[a-z][a-z0-9.]{1,39}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * CreateFunction: the function (unqualified, of the caller's account and the request's region),
 * its role passed to Lambda, its code a ZipFile; kept until DeleteFunction.
 */
function createFunction(request: ServiceRequest, input: Record<string, string>, resource: ResolvedResource): Reply {
  const where = whereOf(request);
  const parsed = parseArn(resource.arn);
  if (!parsed || parsed.resource.split(":").length !== 2)
    throw validation(input.FunctionName, "functionName", "Member must name a function without a version or alias");
  if (parsed.account !== where.account || parsed.region !== where.region)
    throw new AwsError(
      400,
      "InvalidParameterValueException",
      `A function is created in the caller's account and the request's region, not ${resource.arn}`,
    );
  const role = input.Role;
  if (role === undefined || !ROLE.test(role) || role.length > 2048)
    throw validation(
      role,
      "role",
      "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    );
  if (input.Runtime !== undefined && !RUNTIME.test(input.Runtime))
    throw validation(input.Runtime, "runtime", "Member must be a runtime Lambda supports");
  if (input.Handler !== undefined && !HANDLER.test(input.Handler))
    throw validation(input.Handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+");
  const code = jsonBody(request).Code;
  if (typeof code !== "object" || code === null || Array.isArray(code)) throw validation(undefined, "code", "Member must not be null");
  const zipFile = (code as Record<string, unknown>).ZipFile;
  if (zipFile === undefined)
    throw new AwsError(
      501,
      "NotImplemented",
      "The sandbox answers CreateFunction with Code.ZipFile only: it cannot read code from S3 or an image",
    );
  if (typeof zipFile !== "string" || !BASE64.test(zipFile)) throw validation("***", "code.zipFile", "Member must be Base64-encoded bytes");
  if (input.PackageType !== undefined && input.PackageType !== "Zip")
    throw new AwsError(501, "NotImplemented", "The sandbox answers CreateFunction with PackageType Zip only");
  if (input.Runtime === undefined || input.Handler === undefined)
    throw new AwsError(
      400,
      "InvalidParameterValueException",
      "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
    );
  const caller = requireAccess(request, { action: "lambda:CreateFunction", resource: resource.arn, code: "AccessDeniedException" });
  // "PassRole is used when you assign an execution role to a function" (Lambda's developer guide).
  requireAccess(request, {
    action: "iam:PassRole",
    resource: role,
    context: { "iam:PassedToService": "lambda.amazonaws.com" },
    code: "AccessDeniedException",
  });
  if (!lambdaMayAssume(request, caller, role, resource.arn))
    throw new AwsError(400, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
  const functions = functionsOf(request.core);
  const name = parsed.resource.split(":")[1] as string;
  if (functions.has(resource.arn)) throw new AwsError(409, "ResourceConflictException", `Function already exist: ${name}`);
  request.core.budget.take(1, 0, (message) => new AwsError(400, "CodeStorageExceededException", message));
  const zip = Buffer.from(zipFile, "base64");
  const stored: StoredFunction = {
    arn: resource.arn,
    account: where.account,
    region: where.region,
    name,
    role,
    runtime: input.Runtime,
    handler: input.Handler,
    codeSize: zip.length,
    codeSha256: createHash("sha256").update(zip).digest("base64"),
    lastModified: new Date(request.now).toISOString().replace("Z", "+0000"),
  };
  functions.set(resource.arn, stored);
  return {
    status: 201,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      ...configuration(request.core, resource.arn),
      State: "Pending",
      StateReason: "The function is being created.",
      StateReasonCode: "Creating",
    }),
  };
}

/**
 * Whether Lambda could assume the role for the function: a role of the function's account whose
 * trust allows lambda.amazonaws.com sts:AssumeRole (with the function as aws:SourceArn), decided
 * by the engine as the container-credentials endpoint decides a runtime's (../local.ts).
 */
function lambdaMayAssume(request: ServiceRequest, caller: KnownCredential, role: string, functionArn: string): boolean {
  const account = request.core.account(caller.account);
  if (!account || ![...account.roles.values()].some((r) => r.arn === role)) return false;
  const service = "lambda.amazonaws.com";
  const runtime: KnownCredential = { accessKeyId: "", secretAccessKey: "", arn: service, account: account.id, userId: service };
  const context = { "aws:SourceAccount": account.id, "aws:SourceArn": functionArn };
  return request.core.authorize(runtime, "sts:AssumeRole", role, { requestId: request.requestId, context })?.decision === "Allow";
}

function json(value: unknown): Reply {
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}
