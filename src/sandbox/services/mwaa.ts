/**
 * Amazon MWAA (REST-JSON, signing name `airflow`): CreateCliToken, CreateWebLoginToken,
 * GetEnvironment, CreateEnvironment and ListEnvironments, decided on the environment's ARN
 * (`arn:aws:airflow:REGION:ACCOUNT:environment/NAME`) or, for a web login, on the Airflow role's
 * (`…:role/NAME/ROLE`). The sandbox runs no Airflow: tokens are opaque random strings.
 *
 * The SDKs send some MWAA operations to prefixed hostnames (`env.…` for the token calls,
 * `api.…` for the others): against a local endpoint, clients must set `disableHostPrefix: true`.
 */
import { randomBytes } from "node:crypto";
import { parseArn } from "../../aws/arn.js";
import { callerOf, jsonReply, type ServiceRequest } from "../protocol.js";
import { allows, onResource, requireAccess, whereOf } from "./access.js";
import { namedResources, resourceOf } from "./resources.js";
import type { CatalogAction } from "../../catalog/catalog.js";
import { restJsonService } from "./rest.js";

/** Airflow's default RBAC roles, most privileged first: a web login gets the first one IAM allows. */
const AIRFLOW_ROLES = ["Admin", "Op", "User", "Viewer", "Public"] as const;

const token = () => randomBytes(32).toString("base64url");

function webServer(request: ServiceRequest): string {
  return request.headers.host ?? "127.0.0.1";
}

/** The Airflow role a web login token is for: the first IAM allows, else AccessDeniedException on the least privileged. */
function authorizeWebLogin(request: ServiceRequest, path: Record<string, string>, action: CatalogAction): string {
  const where = whereOf(request);
  const check = (role: string) => ({
    action: `airflow:${action.name}`,
    ...onResource(resourceOf(action, { ...path, RoleName: role }, where)),
  });
  const chosen = AIRFLOW_ROLES.slice(0, -1).find((role) => allows(request, check(role)));
  if (chosen) return chosen;
  requireAccess(request, { ...check("Public"), code: "AccessDeniedException" });
  return "Public";
}

export const mwaa = restJsonService("airflow", [
  {
    method: "POST",
    path: /^\/clitoken\/(?<EnvironmentName>[^/]+)$/,
    action: "CreateCliToken",
    answer: (request) => jsonReply({ CliToken: token(), WebServerHostname: webServer(request) }, 200, "application/json"),
  },
  {
    method: "POST",
    path: /^\/webtoken\/(?<EnvironmentName>[^/]+)$/,
    action: "CreateWebLoginToken",
    authorize: (request, input, action, path) => {
      input.AirflowRole = authorizeWebLogin(request, path, action);
    },
    answer: (request, input) => {
      const caller = callerOf(request);
      return jsonReply(
        {
          WebToken: token(),
          WebServerHostname: webServer(request),
          IamIdentity: caller.arn,
          AirflowIdentity: `${caller.arn.split(":").at(-1) ?? ""} (${input.AirflowRole})`,
        },
        200,
        "application/json",
      );
    },
  },
  {
    method: "GET",
    path: /^\/environments\/(?<EnvironmentName>[^/]+)$/,
    action: "GetEnvironment",
    answer: (request, input, resource) =>
      jsonReply(
        {
          Environment: {
            Name: input.EnvironmentName,
            Arn: resource.arn,
            Status: "AVAILABLE",
            WebserverUrl: webServer(request),
            EnvironmentClass: "mw1.small",
          },
        },
        200,
        "application/json",
      ),
  },
  {
    method: "PUT",
    path: /^\/environments\/(?<EnvironmentName>[^/]+)$/,
    action: "CreateEnvironment",
    answer: (_request, _input, resource) => jsonReply({ Arn: resource.arn }, 200, "application/json"),
  },
  {
    method: "GET",
    path: /^\/environments\/?$/,
    action: "ListEnvironments",
    answer: (request) => {
      const { account, region } = whereOf(request);
      const names = namedResources(request.core).flatMap((r) => {
        const arn = parseArn(r.arn);
        const name = arn?.resource.startsWith("environment/") ? arn.resource.slice("environment/".length) : "";
        return arn?.service === "airflow" && arn.region === region && arn.account === account && /^[\w-]+$/.test(name) ? [name] : [];
      });
      return jsonReply({ Environments: [...new Set(names)].sort() }, 200, "application/json");
    },
  },
]);
