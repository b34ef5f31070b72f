/** AWS CodeArtifact: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

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
  companions: () => [{ service: "sts", access: ["bearer-token"], resources: {} }],
};
