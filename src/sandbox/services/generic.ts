/**
 * Any service call in the JSON protocol (`X-Amz-Target: Prefix.Operation`) or the query protocol
 * (`Action=Operation`) that the sandbox keeps no state for: the action comes from AWS's service
 * authorization data, the resource from the parameter that names it (the service's own
 * ResourceNamer where the sandbox has one, else the parameters AWS's data names: ./resources.ts),
 * the engine decides, and an allowed call gets the smallest valid success — an empty JSON
 * object, or an empty `<OperationResult>`.
 */
import { randomUUID } from "node:crypto";
import { jsonReply, queryReply, type Reply, type Service, type ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { onResource, requireAccess, whereOf } from "./access.js";
import { byFormatParts, catalogAction, iamPrefix, type ResolvedResource, type ResourceNamer, resourceOf, stringOf } from "./resources.js";
import type { Params, PolicyOperation, Where } from "../../services/resource-namer.js";
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  readResourcePolicy,
  resourcesWithPolicies,
} from "./resource-policies.js";

/** What a service module tells the generic handlers (its `sandbox` part, src/services/recipe.ts). */
export interface GenericService {
  resourceOf?: ResourceNamer;
  policyOperations?: Readonly<Record<string, PolicyOperation>>;
}

/** The module's policy operation of this name, if any. */
function policyOperation(service: GenericService | undefined, operation: string): PolicyOperation | undefined {
  const ops = service?.policyOperations;
  return ops && Object.hasOwn(ops, operation) ? ops[operation] : undefined;
}

/** How a request's resource is named: the policy operation's own namer, else the module's, else the catalog's format parts. */
function namerOf(service: GenericService | undefined, operation: string): ResourceNamer | undefined {
  return policyOperation(service, operation)?.resource ?? service?.resourceOf;
}

/**
 * A resource-policy operation (the module's `policyOperations`), on the resource the engine
 * allowed it on, answered from the sandbox's state; undefined for any other operation.
 */
function policyAnswer(
  request: ServiceRequest,
  service: GenericService | undefined,
  operation: string,
  input: Params,
  resource: ResolvedResource,
  where: Where,
): Record<string, unknown> | undefined {
  const op = policyOperation(service, operation);
  if (!op) return undefined;
  const prefix = iamPrefix(request.service);
  const owner = resource.account ?? where.account;
  if (op.kind === "list")
    return op.reply(resourcesWithPolicies(request.core, owner, prefix, where.region), {
      of: resource.arn,
      policyOf: (arn) => JSON.stringify(getResourcePolicy(request.core, owner, arn)?.policy ?? {}),
    });
  const malformed = (message: string) =>
    new AwsError(400, (op.kind === "put" && op.malformed) || "MalformedPolicyDocumentException", message);
  if (op.kind === "create") {
    const id = randomUUID();
    const arn = op.arn?.(where, id) ?? resource.arn;
    if (arn === "*") throw new AwsError(400, "ValidationException", `The request names no resource of ${prefix} to create`);
    if (op.arn || !getResourcePolicy(request.core, where.account, arn)) {
      const text = op.policy === undefined ? undefined : stringOf(input, op.policy);
      const document = readResourcePolicy(text ?? JSON.stringify(op.defaultPolicy(where, arn)), malformed);
      putResourcePolicy(request.core, where.account, arn, document);
    }
    return op.reply(arn, id);
  }
  if (op.kind === "put" && op.when && !op.when(input)) return undefined;
  const acted = resource.arn === "*" && (op.kind === "put" || op.kind === "delete") ? op.target?.(input, where) : resource.arn;
  if (acted === undefined || acted === "*")
    throw new AwsError(400, "ValidationException", `The request names no resource of ${prefix} to act on`);
  const actedOwner = acted === resource.arn ? owner : where.account;
  const held = getResourcePolicy(request.core, actedOwner, acted);
  switch (op.kind) {
    case "put": {
      const text = stringOf(input, op.policy);
      if (text === undefined) throw new AwsError(400, "ValidationException", `The request must contain the parameter ${op.policy}`);
      const document = readResourcePolicy(text, malformed);
      putResourcePolicy(request.core, actedOwner, acted, document);
      return op.reply?.(JSON.stringify(document), acted) ?? {};
    }
    case "get": {
      if (held) return op.reply(JSON.stringify(held.policy), acted);
      if (typeof op.missing === "function") return op.missing(acted);
      throw new AwsError(400, op.missing.code, op.missing.message);
    }
    case "delete": {
      if (!held) {
        if (op.missing) throw new AwsError(400, op.missing.code, op.missing.message);
        return op.reply?.("", acted) ?? {};
      }
      const sid = op.statement === undefined ? undefined : stringOf(input, op.statement);
      const kept = sid === undefined ? [] : held.policy.Statement.filter((s) => s.Sid !== sid);
      if (sid !== undefined && kept.length === held.policy.Statement.length)
        throw new AwsError(400, op.missing?.code ?? "ResourceNotFoundException", `The policy has no statement ${sid}`);
      if (kept.length) putResourcePolicy(request.core, actedOwner, acted, { ...held.policy, Statement: kept });
      else deleteResourcePolicy(request.core, actedOwner, acted);
      return op.reply?.(JSON.stringify(held.policy), acted) ?? {};
    }
  }
}

/** The JSON body of a JSON-protocol request, or AWS's SerializationException. */
export function jsonBody(request: ServiceRequest): Record<string, unknown> {
  const text = request.body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AwsError(400, "SerializationException", "The request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new AwsError(400, "SerializationException", "The request body must be a JSON object");
  return value as Record<string, unknown>;
}

/** The operation an `X-Amz-Target` names: what follows its last dot (`AmazonSQS.SendMessage` → SendMessage). */
export function targetOperation(request: ServiceRequest): string {
  const target = request.headers["x-amz-target"] ?? "";
  return target.slice(target.lastIndexOf(".") + 1);
}

/**
 * Decides a JSON-protocol call on the resource `namer` reads from its body, refusing with
 * AccessDeniedException, or UnknownOperationException for an operation the service does not have.
 * Returns the parsed body and the resource decided on, which is the one the call may act on.
 */
export function authorizeJson(
  request: ServiceRequest,
  overrides: Partial<Parameters<typeof requireAccess>[1]> = {},
  namer: ResourceNamer = byFormatParts,
): { input: Record<string, unknown>; resource: ResolvedResource } {
  const prefix = iamPrefix(request.service);
  const operation = targetOperation(request);
  const action = catalogAction(prefix, operation);
  if (!action)
    throw new AwsError(400, "UnknownOperationException", `The operation ${operation || "(none)"} is not an operation of ${prefix}`);
  const input = jsonBody(request);
  const resource = resourceOf(action, input, whereOf(request), namer);
  requireAccess(request, { action: `${prefix}:${action.name}`, ...onResource(resource), code: "AccessDeniedException", ...overrides });
  return { input, resource };
}

/** The content type a JSON-protocol service answers in: the version the request was sent in. */
export function jsonVersionOf(request: ServiceRequest): string {
  const type = request.headers["content-type"]?.split(";")[0]?.trim();
  return type === "application/x-amz-json-1.1" ? type : "application/x-amz-json-1.0";
}

/** A JSON-protocol service with no state: every operation the catalog lists, decided and answered `{}`. */
export function genericJson(service?: GenericService): Service {
  return {
    protocol: "json",
    handle(request) {
      const { input, resource } = authorizeJson(request, {}, namerOf(service, targetOperation(request)));
      const answer = policyAnswer(request, service, targetOperation(request), input, resource, whereOf(request));
      return jsonReply(answer ?? {}, 200, jsonVersionOf(request));
    },
  };
}

/** The namespace of a query-protocol service's documents (`https://sns.amazonaws.com/doc/2010-03-31/`). */
function namespaceOf(service: string, version: string | null): string {
  return `https://${service}.amazonaws.com/doc/${version ?? ""}${version ? "/" : ""}`;
}

/** The query protocol's parameters as a request's input: a parameter given more than once is a list, which no namer reads as a resource's name. */
export function queryInput(params: URLSearchParams): Record<string, unknown> {
  const input = new Map<string, string[]>();
  for (const [k, v] of params) input.set(k, [...(input.get(k) ?? []), v]);
  return Object.fromEntries([...input].map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

/** A query-protocol service with no state, for the service a request was signed for (its resources named by `namer`). */
export function genericQuery(signingName: string, version: string | null, service?: GenericService): Service {
  const namespace = namespaceOf(signingName, version);
  return {
    protocol: "query",
    namespace,
    handle(request): Reply {
      const prefix = iamPrefix(request.service);
      const operation = request.params.get("Action") ?? "";
      const action = catalogAction(prefix, operation);
      if (!action)
        throw new AwsError(400, "InvalidAction", `Could not find operation ${operation} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
      const input = queryInput(request.params);
      const where = whereOf(request);
      const resource = resourceOf(action, input, where, namerOf(service, operation));
      requireAccess(request, { action: `${prefix}:${action.name}`, ...onResource(resource), code: "AccessDenied" });
      return queryReply(operation, policyAnswer(request, service, operation, input, resource, where) ?? {}, request.requestId, namespace);
    },
  };
}
