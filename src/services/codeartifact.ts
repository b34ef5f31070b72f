/** AWS CodeArtifact: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { shellWord } from "../text/escape.js";
import { mergeCommand } from "./outputs.js";
import type { PolicyCollector } from "./policy-collector.js";

/** CodeArtifact's answer for a domain or repository without a permissions policy. */
const noPolicy = (error: unknown) => (error as { name?: unknown }).name === "ResourceNotFoundException";

/**
 * The region's domains (ListDomains) and repositories (ListRepositories), each with its
 * permissions policy (Get…PermissionsPolicy; ResourceNotFoundException: none).
 */
const collectPermissionsPolicies: PolicyCollector = {
  scope: "regional",
  actions: [
    "codeartifact:ListDomains",
    "codeartifact:ListRepositories",
    "codeartifact:GetDomainPermissionsPolicy",
    "codeartifact:GetRepositoryPermissionsPolicy",
  ],
  async *policies(at, clients) {
    const sdk = await import("@aws-sdk/client-codeartifact");
    const client = clients.make((config) => new sdk.CodeartifactClient(config));
    const read = async (get: () => Promise<{ policy?: { document?: string } }>) => {
      try {
        return (await get()).policy?.document;
      } catch (error) {
        if (noPolicy(error)) return undefined;
        throw error;
      }
    };
    for await (const page of sdk.paginateListDomains({ client }, {}))
      for (const { name, owner, arn } of page.domains ?? []) {
        if (!name || !arn) continue;
        const policy = await read(() => client.send(new sdk.GetDomainPermissionsPolicyCommand({ domain: name, domainOwner: owner })));
        if (policy) yield { arn, region: at.region, policy };
      }
    for await (const page of sdk.paginateListRepositories({ client }, {}))
      for (const { name, domainName, domainOwner, arn } of page.repositories ?? []) {
        if (!name || !domainName || !arn) continue;
        const policy = await read(() =>
          client.send(new sdk.GetRepositoryPermissionsPolicyCommand({ domain: domainName, domainOwner, repository: name })),
        );
        if (policy) yield { arn, region: at.region, policy };
      }
  },
};

export const codeartifact: Recipe = {
  service: "codeartifact",
  title: "AWS CodeArtifact",
  names: ["domain", "repository"],
  kinds: {
    domain: { type: "domain", parts: (n) => ({ DomainName: n.domain ?? "*" }), needs: ["domain"] },
    repository: {
      type: "repository",
      parts: (n) => ({ DomainName: n.domain ?? "*", RepositoryName: n.repository ?? "*" }),
      needs: ["domain", "repository"],
    },
    package: {
      type: "package",
      parts: (n) => ({
        DomainName: n.domain ?? "*",
        RepositoryName: n.repository ?? "*",
        PackageFormat: "*",
        PackageNamespace: "*",
        PackageName: "*",
      }),
      needs: ["domain", "repository"],
    },
  },
  access: {
    read: {
      describe: "read packages",
      rules: [
        { filter: { resourceType: "domain", prefixes: ["GetAuthorizationToken"] }, on: "domain" },
        {
          filter: {
            resourceType: "repository",
            prefixes: ["ReadFromRepository", "GetRepositoryEndpoint", "DescribeRepository", "ListPackages"],
          },
          on: "repository",
        },
        {
          filter: {
            resourceType: "package",
            prefixes: ["DescribePackageVersion", "ListPackageVersions", "GetPackageVersionAsset", "GetPackageVersionReadme"],
          },
          on: "package",
        },
      ],
    },
  },
  policyHolders: { domain: "domain", repository: "repository", package: "repository" },
  collect: collectPermissionsPolicies,
  companions: () => [{ service: "sts", access: ["bearer-token"], resources: {} }],
  resourcePolicy: {
    apply: ({ arn, policy, file }) => {
      // repository/DOMAIN/REPO or domain/DOMAIN: the policy of a repository, or of its domain.
      const [type, domain = "", repository = ""] = arn.resource.split("/");
      const what = type === "domain" ? "domain" : "repository";
      const region = `--region ${shellWord(arn.region)}`;
      const target = `--domain ${shellWord(domain)} --domain-owner ${shellWord(arn.account)}${what === "repository" ? ` --repository ${shellWord(repository)}` : ""}`;
      return {
        byHand: {
          why: `A ${what} policy is part of AWS::CodeArtifact::${what === "domain" ? "Domain" : "Repository"}, and the ${what} usually exists already; put-${what}-permissions-policy replaces its whole policy, so merge into the current one (none yet: start from an empty policy).`,
          commands: [
            `aws codeartifact get-${what}-permissions-policy ${region} ${target} --query policy.document --output text > ${file}.current.json || echo '{"Version":"2012-10-17","Statement":[]}' > ${file}.current.json`,
            mergeCommand(policy, `${file}.current.json`, `${file}.json`),
            `aws codeartifact put-${what}-permissions-policy ${region} ${target} --policy-document file://${file}.json`,
          ],
        },
      };
    },
  },
};
