/**
 * REST-JSON services (Lambda, MWAA): the method and path name the operation. A service is a short
 * list of routes; each is decided by the engine on the resource its path names — the route's
 * own `resource`, else the path's groups named as the catalog's ARN format parts
 * (./resources.ts), never the body or the query — and refused as AccessDeniedException.
 */
import type { CatalogAction } from "../../catalog/catalog.js";
import type { Reply, Service, ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { onResource, requireAccess, whereOf } from "./access.js";
import { jsonBody } from "./generic.js";
import { catalogAction, type ResolvedResource, resourceOf } from "./resources.js";

export interface RestRoute {
  method: string;
  /** Matched against the decoded path; its groups are named as the ARN format parts they are (`EnvironmentName`). */
  path: RegExp;
  /** The body is the caller's own bytes (Lambda's invocation payload), not the operation's JSON input. */
  opaqueBody?: boolean;
  /** The IAM action's name (`InvokeFunction` for Lambda's Invoke). */
  action: string;
  /** The resource decided on, when the catalog's formats cannot tell it from the parameters. */
  resource?: (request: ServiceRequest, input: Record<string, string>) => ResolvedResource;
  /** Decides the call itself, on resources named by the path's groups (`path`), instead of one check of the action on the resource. */
  authorize?: (request: ServiceRequest, input: Record<string, string>, action: CatalogAction, path: Record<string, string>) => unknown;
  answer: (request: ServiceRequest, input: Record<string, string>, resource: ResolvedResource) => Reply;
}

/** A REST-JSON service of routes, for the service whose IAM prefix is `prefix`. */
export function restJsonService(prefix: string, routes: readonly RestRoute[]): Service {
  return {
    protocol: "rest-json",
    handle(request) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(request.url.pathname);
      } catch {
        throw new AwsError(400, "ValidationException", "The request path is not valid percent-encoding");
      }
      for (const route of routes) {
        const m = request.method === route.method ? route.path.exec(decoded) : null;
        if (!m) continue;
        const action = catalogAction(prefix, route.action);
        if (!action) throw new Error(`the service authorization data has no ${prefix}:${route.action}`);
        const body = request.method === "GET" || request.method === "HEAD" || route.opaqueBody ? {} : jsonBody(request);
        const path: Record<string, string> = { ...m.groups };
        const input: Record<string, string> = {
          ...Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string")),
          ...Object.fromEntries(request.url.searchParams),
          ...path,
        };
        const resource = route.resource?.(request, input) ?? resourceOf(action, path, whereOf(request));
        if (route.authorize) route.authorize(request, input, action, path);
        else requireAccess(request, { action: `${prefix}:${action.name}`, ...onResource(resource), code: "AccessDeniedException" });
        return route.answer(request, input, resource);
      }
      throw new AwsError(
        501,
        "NotImplemented",
        `The sandbox does not implement ${request.method} ${request.url.pathname} of ${prefix}; it answers: ${routes.map((r) => r.action).join(", ")}`,
      );
    },
  };
}
