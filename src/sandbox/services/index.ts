/**
 * Every service other than STS and IAM: which handler answers a request, from the service it was
 * signed for and the protocol it speaks.
 *
 * - `ec2` → EC2's instances in its own query protocol (./ec2.ts);
 * - `s3` → S3 (REST-XML, path-style), `lambda` → Lambda's functions, `airflow` (MWAA's signing name) →
 *   MWAA's REST calls, `apigateway` → REST APIs and their policies (./apigateway.ts), `codeartifact` →
 *   domain and repository policies (./codeartifact.ts), `sqs` in the
 *   JSON protocol → SQS with queues;
 * - any other request with `X-Amz-Target` → the JSON protocol, with an `Action` parameter → the
 *   query protocol: decided on the resource its request names (by the service module's
 *   `sandbox.resourceOf` (src/services/) where it has one, else the parameters
 *   AWS's service authorization data names), answered with an empty success;
 * - any other REST call → NotImplemented, saying what the sandbox answers.
 */
import type { Service } from "../protocol.js";
import { AwsError } from "../xml.js";
import { apigateway } from "./apigateway.js";
import { codeartifact } from "./codeartifact.js";
import { ec2 } from "./ec2.js";
import { genericJson, genericQuery, type GenericService } from "./generic.js";
import { lambda } from "./lambda.js";
import { mwaa } from "./mwaa.js";
import { recipeFor } from "../../services/index.js";
import { iamPrefix } from "./resources.js";
import { s3 } from "./s3.js";
import { sqs } from "./sqs.js";

const REST_SERVICES: Readonly<Record<string, Service>> = { s3, lambda, airflow: mwaa, apigateway, codeartifact };

/**
 * What the service module (src/services/, registered ones included) tells the sandbox: how it reads
 * the resource of each operation (else the catalog's format parts, ./resources.ts) and which
 * operations put, get, delete or list resource policies.
 */
function sandboxPartOf(prefix: string): GenericService | undefined {
  return recipeFor(prefix)?.sandbox;
}

/** REST calls to services the sandbox has no routes for: a clear refusal in REST-JSON's shape. */
function unsupportedRest(service: string): Service {
  return {
    protocol: "rest-json",
    handle() {
      throw new AwsError(
        501,
        "NotImplemented",
        `The sandbox does not implement the REST API of ${service}; it answers every service's JSON (X-Amz-Target) and query (Action=) calls, and S3, Lambda (functions, Invoke, policies), MWAA, API Gateway REST API and CodeArtifact policy REST calls`,
      );
    },
  };
}

/** The service answering a request signed for `service` (its credential scope's service name). */
export function serviceFor(service: string, headers: Record<string, string>, params: URLSearchParams): Service | undefined {
  if (Object.hasOwn(REST_SERVICES, service)) return REST_SERVICES[service];
  if (service === "ec2") return ec2;
  const prefix = iamPrefix(service);
  if (headers["x-amz-target"] !== undefined) return service === "sqs" ? sqs : genericJson(sandboxPartOf(prefix));
  if (params.has("Action")) return genericQuery(service, params.get("Version"), sandboxPartOf(prefix));
  return unsupportedRest(service);
}
