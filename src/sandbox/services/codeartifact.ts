/**
 * AWS CodeArtifact's permissions policies (REST-JSON, signing name `codeartifact`): ListDomains
 * (POST /v1/domains), ListRepositories (POST /v1/repositories), and Get/Put/Delete of a domain's
 * (`/v1/domain/permissions/policy`) or a repository's (`/v1/repository/permissions/policy`;
 * DELETE: `…/policies`) policy, named by the query's `domain`, `domain-owner` (else the caller's account) and
 * `repository` (PutDomainPermissionsPolicy names them in its body), and decided by the engine on
 * that domain or repository. A domain or repository is known while it holds a policy (a put makes
 * it known); a repository's domain is known with it.
 */
import { buildArn, isAccountId, parseArn } from "../../aws/arn.js";
import { resourceArn } from "../../catalog/catalog.js";
import { jsonReply, type Reply, type ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { whereOf } from "./access.js";
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  readResourcePolicy,
  resourcesWithPolicies,
} from "./resource-policies.js";
import type { ResolvedResource } from "./resources.js";
import { type RestRoute, restJsonService } from "./rest.js";

/** CodeArtifact's names (API reference: domain `[a-z][a-z0-9\-]{0,48}[a-z0-9]`, repository `[A-Za-z0-9][A-Za-z0-9._\-]{1,99}`). */
const DOMAIN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;

function invalid(message: string): AwsError {
  return new AwsError(400, "ValidationException", message);
}

/** The domain or repository a policy call names, in `domain-owner`'s account (else the caller's). */
function named(request: ServiceRequest, input: Record<string, string>, withRepository: boolean): ResolvedResource {
  const where = whereOf(request);
  const domain = input.domain ?? "";
  const account = input["domain-owner"] ?? input.domainOwner ?? where.account;
  if (!DOMAIN.test(domain)) throw invalid("domain must be a CodeArtifact domain name");
  if (!isAccountId(account)) throw invalid("domain-owner must be a 12-digit account ID");
  if (!withRepository) return { arn: resourceArn("codeartifact", "domain", { ...where, account }, { DomainName: domain }), account };
  const repository = input.repository ?? "";
  if (!REPOSITORY.test(repository)) throw invalid("repository must be a CodeArtifact repository name");
  return {
    arn: resourceArn("codeartifact", "repository", { ...where, account }, { DomainName: domain, RepositoryName: repository }),
    account,
  };
}

const NOT_FOUND = (what: string) => new AwsError(404, "ResourceNotFoundException", `The ${what} has no permissions policy`);

/** `{ policy: ResourcePolicy }`, the answer of every policy operation. */
function policyReply(request: ServiceRequest, resource: ResolvedResource, what: string): Reply {
  const held = getResourcePolicy(request.core, resource.account ?? "", resource.arn);
  if (!held) throw NOT_FOUND(what);
  return jsonReply(
    { policy: { resourceArn: resource.arn, revision: "1", document: JSON.stringify(held.policy) } },
    200,
    "application/json",
  );
}

/** Get, Put and Delete of the domain's or repository's policy. */
function policyRoutes(what: "domain" | "repository"): RestRoute[] {
  const Noun = what === "domain" ? "Domain" : "Repository";
  const path = new RegExp(`^/v1/${what}/permissions/policy$`);
  // As the API reference gives it: DeleteRepositoryPermissionsPolicy is DELETE /v1/repository/permissions/policies.
  const deletePath = new RegExp(`^/v1/${what}/permissions/${what === "repository" ? "policies" : "policy"}$`);
  const resource = (request: ServiceRequest, input: Record<string, string>) => named(request, input, what === "repository");
  return [
    { method: "GET", path, action: `Get${Noun}PermissionsPolicy`, resource, answer: (request, _i, r) => policyReply(request, r, what) },
    {
      method: "PUT",
      path,
      action: `Put${Noun}PermissionsPolicy`,
      resource,
      answer: (request, input, r) => {
        if (input.policyDocument === undefined) throw invalid("policyDocument is required");
        putResourcePolicy(request.core, r.account ?? "", r.arn, readResourcePolicy(input.policyDocument, invalid));
        return policyReply(request, r, what);
      },
    },
    {
      method: "DELETE",
      path: deletePath,
      action: `Delete${Noun}PermissionsPolicy`,
      resource,
      answer: (request, _i, r) => {
        const reply = policyReply(request, r, what);
        deleteResourcePolicy(request.core, r.account ?? "", r.arn);
        return reply;
      },
    },
  ];
}

/** The caller's domains and repositories in the request's region that are known (hold a policy, or a repository of theirs does). */
function known(request: ServiceRequest): { domains: Map<string, string>; repositories: string[] } {
  const where = whereOf(request);
  const domains = new Map<string, string>();
  const repositories: string[] = [];
  for (const arn of resourcesWithPolicies(request.core, where.account, "codeartifact", where.region)) {
    const [type, domain = "", repository] = parseArn(arn)?.resource.split("/") ?? [];
    if (type === "repository" && repository) repositories.push(arn);
    if (type === "domain" || type === "repository")
      domains.set(
        domain,
        buildArn({
          partition: where.partition,
          service: "codeartifact",
          region: where.region,
          account: where.account,
          resource: `domain/${domain}`,
        }),
      );
  }
  return { domains, repositories };
}

export const codeartifact = restJsonService("codeartifact", [
  {
    method: "POST",
    path: /^\/v1\/domains$/,
    action: "ListDomains",
    answer: (request) => {
      const owner = whereOf(request).account;
      const domains = [...known(request).domains].sort(([a], [b]) => a.localeCompare(b));
      return jsonReply({ domains: domains.map(([name, arn]) => ({ name, owner, arn, status: "Active" })) }, 200, "application/json");
    },
  },
  {
    method: "POST",
    path: /^\/v1\/repositories$/,
    action: "ListRepositories",
    answer: (request) => {
      const owner = whereOf(request).account;
      const repositories = known(request).repositories.map((arn) => {
        const [, domainName = "", name = ""] = parseArn(arn)?.resource.split("/") ?? [];
        return { name, administratorAccount: owner, domainName, domainOwner: owner, arn };
      });
      return jsonReply({ repositories }, 200, "application/json");
    },
  },
  ...policyRoutes("domain"),
  ...policyRoutes("repository"),
]);
