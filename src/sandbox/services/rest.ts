/**
 * REST-JSON services (Lambda, MWAA): the method and path name the operation. A service is a short
 * list of routes; each is decided by the engine on the resource its path names (through the
 * catalog's ARN formats, ./resources.ts) and refused as AccessDeniedException.
 */
import type { CatalogAction } from "../../catalog/catalog.js";
import type { Reply, Service, ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { requireAccess, whereOf } from "./access.js";
import { jsonBody } from "./generic.js";
import { catalogAction, type ResolvedResource, resourceOf } from "./resources.js";

export interface RestRoute {
  method: string;
  /** Matched against the decoded path; its groups are named as the request parameters they are. */
  path: RegExp;
  /** The body is the caller's own bytes (Lambda's invocation payload), not the operation's JSON input. */
  opaqueBody?: boolean;
  /** The IAM action's name (`InvokeFunction` for Lambda's Invoke). */
  action: string;
  /** The resource decided on, when the catalog's formats cannot tell it from the parameters. */
  resource?: (request: ServiceRequest, input: Record<string, string>) => ResolvedResource;
  /** Decides the call itself, instead of one check of the action on the resource. */
  authorize?: (request: ServiceRequest, input: Record<string, string>, action: CatalogAction) => unknown;
  answer: (request: ServiceRequest, input: Record<string, string>, resource: ResolvedResource) => Reply;
}

/** A REST-JSON service of routes, for the service whose IAM prefix is `prefix`. */
export function restJsonService(prefix: string, routes: readonly RestRoute[]): Service {
  return {
    protocol: "rest-json",
    handle(request) {
      let path: string;
      try {
        path = decodeURIComponent(request.url.pathname);
      } catch {
        throw new AwsError(400, "ValidationException", "The request path is not valid percent-encoding");
      }
      for (const route of routes) {
        const m = request.method === route.method ? route.path.exec(path) : null;
        if (!m) continue;
        const action = catalogAction(prefix, route.action);
        if (!action) throw new Error(`the service authorization data has no ${prefix}:${route.action}`);
        const body = request.method === "GET" || request.method === "HEAD" || route.opaqueBody ? {} : jsonBody(request);
        const input: Record<string, string> = { ...Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string")), ...Object.fromEntries(request.url.searchParams), ...m.groups };
        const resource = route.resource?.(request, input) ?? resourceOf(request.core, action, input, whereOf(request));
        if (route.authorize) route.authorize(request, input, action);
        else requireAccess(request, { action: `${prefix}:${action.name}`, resource: resource.arn, ...(resource.account ? { resourceAccount: resource.account } : {}), code: "AccessDeniedException" });
        return route.answer(request, input, resource);
      }
      throw new AwsError(501, "NotImplemented", `The sandbox does not implement ${request.method} ${request.url.pathname} of ${prefix}; it answers: ${routes.map((r) => r.action).join(", ")}`);
    },
  };
}
