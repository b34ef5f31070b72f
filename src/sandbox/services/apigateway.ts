/**
 * Amazon API Gateway's REST APIs (REST-JSON, signing name `apigateway`): their resource policy,
 * the `policy` field of each RestApi. CreateRestApi (POST /restapis), GetRestApis (GET /restapis),
 * GetRestApi (GET /restapis/{id}) and UpdateRestApi (PATCH /restapis/{id}, patch operation
 * `replace /policy`), decided by the engine as AWS maps management calls: the HTTP method as the
 * action (`apigateway:GET`) on the resource the path names (`arn:aws:apigateway:REGION::/restapis`,
 * `…::/restapis/ID`).
 *
 * The policy is kept where the graph looks for it (`arn:aws:execute-api:REGION:ACCOUNT:ID/*\/*\/*`,
 * src/graph/resource-policy.ts), so an API is known while it holds a policy; its answer carries
 * only `id` and `policy` beside the name it was created with, if any. As API Gateway returns it,
 * `policy` is the policy's JSON text escaped once more (`{\"Version\":…`, `\/`).
 */
import { randomBytes } from "node:crypto";
import { buildArn } from "../../aws/arn.js";
import { resourceArn } from "../../catalog/catalog.js";
import { jsonReply, type ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { whereOf } from "./access.js";
import { jsonBody } from "./generic.js";
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  readResourcePolicy,
  resourcesWithPolicies,
} from "./resource-policies.js";
import { restJsonService } from "./rest.js";

/** Where a REST API's policy is kept: the ARN whose policy governs every stage, method and path of the API. */
function policyArn(request: ServiceRequest, id: string): string {
  const where = whereOf(request);
  return buildArn({
    partition: where.partition,
    service: "execute-api",
    region: where.region,
    account: where.account,
    resource: `${id}/*/*/*`,
  });
}

/** A policy's JSON text as API Gateway returns it: escaped as inside a JSON string, `/` too. */
export function escapedPolicy(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(/\//g, "\\/");
}

/** The RestApi the sandbox answers for an API: its id, and its policy when it has one. */
function restApi(request: ServiceRequest, id: string, name?: string) {
  const held = getResourcePolicy(request.core, whereOf(request).account, policyArn(request, id));
  return { id, ...(name ? { name } : {}), ...(held ? { policy: escapedPolicy(JSON.stringify(held.policy)) } : {}) };
}

const malformed = (message: string) => new AwsError(400, "BadRequestException", `Invalid policy document. ${message}`);

/** An API Gateway resource: its ARN carries no account, and it is the caller's (one account manages its own APIs). */
const callers = (request: ServiceRequest, type: string, parts: Record<string, string> = {}) => {
  const where = whereOf(request);
  return { arn: resourceArn("apigateway", type, where, parts), account: where.account };
};
const apis = (request: ServiceRequest) => callers(request, "restapis");
const api = (request: ServiceRequest, input: Record<string, string>) => callers(request, "restapi", { RestApiId: input.RestApiId ?? "" });
const ID = "(?<RestApiId>[a-z0-9]{1,32})";

export const apigateway = restJsonService("apigateway", [
  {
    method: "POST",
    path: /^\/restapis$/,
    action: "POST",
    resource: apis,
    answer: (request, input) => {
      const id = randomBytes(5).toString("hex");
      if (input.policy !== undefined)
        putResourcePolicy(request.core, whereOf(request).account, policyArn(request, id), readResourcePolicy(input.policy, malformed));
      return jsonReply(restApi(request, id, input.name), 201, "application/json");
    },
  },
  {
    method: "GET",
    path: /^\/restapis$/,
    action: "GET",
    resource: apis,
    answer: (request) => {
      const where = whereOf(request);
      const ids = resourcesWithPolicies(request.core, where.account, "execute-api", where.region).map((arn) =>
        arn.slice(arn.lastIndexOf(":") + 1).replace(/\/\*\/\*\/\*$/, ""),
      );
      return jsonReply({ item: ids.map((id) => restApi(request, id)) }, 200, "application/json");
    },
  },
  {
    method: "GET",
    path: new RegExp(`^/restapis/${ID}$`),
    action: "GET",
    resource: api,
    answer: (request, input) => {
      const id = input.RestApiId ?? "";
      if (!getResourcePolicy(request.core, whereOf(request).account, policyArn(request, id)))
        throw new AwsError(404, "NotFoundException", "Invalid API identifier specified");
      return jsonReply(restApi(request, id), 200, "application/json");
    },
  },
  {
    method: "PATCH",
    path: new RegExp(`^/restapis/${ID}$`),
    action: "PATCH",
    resource: api,
    answer: (request, input) => {
      const id = input.RestApiId ?? "";
      const owner = whereOf(request).account;
      const operations = jsonBody(request).patchOperations;
      if (!Array.isArray(operations)) throw new AwsError(400, "BadRequestException", "patchOperations must be a list");
      for (const operation of operations as { op?: unknown; path?: unknown; value?: unknown }[]) {
        if (operation?.path !== "/policy" || (operation.op !== "replace" && operation.op !== "remove"))
          throw new AwsError(
            400,
            "BadRequestException",
            "The sandbox patches only the REST API's policy: op replace (or remove), path /policy",
          );
        if (operation.op === "remove" || operation.value === undefined || operation.value === "")
          deleteResourcePolicy(request.core, owner, policyArn(request, id));
        else if (typeof operation.value !== "string")
          throw new AwsError(400, "BadRequestException", "The value of /policy must be a string");
        else putResourcePolicy(request.core, owner, policyArn(request, id), readResourcePolicy(operation.value, malformed));
      }
      return jsonReply(restApi(request, id), 200, "application/json");
    },
  },
]);
