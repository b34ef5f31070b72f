/** Amazon ECR: what each access verb grants, the repositories it names, and the repository each operation acts on. */
import { isAccountId, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import { shellWord } from "../text/escape.js";
import { mergeCommand } from "./outputs.js";
import type { PolicyCollector } from "./policy-collector.js";
import type { Recipe } from "./recipe.js";
import { type PolicyOperation, type ResourceNamer, stringOf } from "./resource-namer.js";

/**
 * The repository of an ECR call: repositoryName in the registry registryId names (another
 * account's, for a cross-account pull), the caller's own registry without it (ECR's API reference:
 * "If you do not specify a registry, the default registry is assumed").
 */
const repositoryNamedBy: ResourceNamer = (_action, input, where) => {
  const name = stringOf(input, "repositoryName");
  const account = stringOf(input, "registryId") ?? where.account;
  if (name === undefined || !isAccountId(account)) return undefined;
  return { arn: resourceArn("ecr", "repository", { ...where, account }, { RepositoryName: name }), account };
};

/** Every repository of the region's registry (DescribeRepositories) and its policy (GetRepositoryPolicy; RepositoryPolicyNotFoundException: none). */
const collectRepositoryPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["ecr:DescribeRepositories", "ecr:GetRepositoryPolicy"],
  async *policies(at, clients) {
    const { ECRClient, GetRepositoryPolicyCommand, paginateDescribeRepositories } = await import("@aws-sdk/client-ecr");
    const client = clients.make((config) => new ECRClient(config));
    for await (const page of paginateDescribeRepositories({ client }, {}))
      for (const { repositoryArn, repositoryName, registryId } of page.repositories ?? []) {
        if (!repositoryArn || !repositoryName) continue;
        try {
          const { policyText } = await client.send(new GetRepositoryPolicyCommand({ repositoryName, registryId }));
          if (policyText) yield { arn: repositoryArn, region: at.region, policy: policyText };
        } catch (error) {
          if ((error as { name?: unknown }).name !== "RepositoryPolicyNotFoundException") throw error;
        }
      }
  },
};

/** A repository's name and registry from its ARN (`arn:P:ecr:REGION:ACCOUNT:repository/NAME`). */
function repositoryOf(arn: string): { registryId: string; repositoryName: string } {
  const parsed = parseArn(arn);
  return { registryId: parsed?.account ?? "", repositoryName: parsed?.resource.replace(/^repository\//, "") ?? "" };
}

/** What ECR's policy operations answer: the repository and its policy text (ECR's API reference). */
const repositoryPolicy = (policyText: string, arn: string) => ({ ...repositoryOf(arn), policyText });
const NO_POLICY = {
  code: "RepositoryPolicyNotFoundException",
  message: "The specified repository and registry combination does not have an associated repository policy.",
};

/**
 * For the sandbox: a repository is known while it holds a policy (SetRepositoryPolicy makes it
 * known); DescribeRepositories lists those of the caller's registry in the region.
 */
const repositoryPolicyOperations: Readonly<Record<string, PolicyOperation>> = {
  SetRepositoryPolicy: { kind: "put", policy: "policyText", malformed: "InvalidParameterException", reply: repositoryPolicy },
  GetRepositoryPolicy: { kind: "get", reply: repositoryPolicy, missing: NO_POLICY },
  DeleteRepositoryPolicy: { kind: "delete", reply: repositoryPolicy, missing: NO_POLICY },
  DescribeRepositories: {
    kind: "list",
    reply: (arns) => ({
      repositories: arns.map((repositoryArn) => {
        const { registryId, repositoryName } = repositoryOf(repositoryArn);
        const region = parseArn(repositoryArn)?.region ?? "";
        return {
          repositoryArn,
          registryId,
          repositoryName,
          repositoryUri: `${registryId}.dkr.ecr.${region}.amazonaws.com/${repositoryName}`,
        };
      }),
    }),
  },
};

export const ecr: Recipe = {
  service: "ecr",
  title: "Amazon ECR",
  names: ["repository"],
  kinds: { repository: { type: "repository", parts: (n) => ({ RepositoryName: n.repository ?? "*" }), needs: ["repository"] } },
  access: {
    pull: {
      describe: "pull images",
      rules: [
        // The repository policy's pull example: ecr:BatchGetImage, ecr:GetDownloadUrlForLayer (and
        // the layer check clients make first).
        {
          filter: { resourceType: "repository", names: ["BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"] },
          on: "repository",
        },
        // "Amazon ECR requires that users have permission to make calls to the ecr:GetAuthorizationToken
        // API through an IAM policy" — on "*", the identity side only.
        { filter: { names: ["GetAuthorizationToken"] }, on: "*" },
      ],
    },
  },
  policyHolders: { repository: "repository" },
  collect: collectRepositoryPolicies,
  sandbox: { resourceOf: repositoryNamedBy, policyOperations: repositoryPolicyOperations },
  resourcePolicy: {
    // CloudFormation holds a repository policy only inside AWS::ECR::Repository (RepositoryPolicyText),
    // which xacct does not own; SetRepositoryPolicy replaces the whole policy, so merge.
    apply: ({ arn, policy, file }) => {
      const repo = `--region ${shellWord(arn.region)} --registry-id ${shellWord(arn.account)} --repository-name ${shellWord(arn.resource.replace(/^repository\//, ""))}`;
      const empty = shellWord(JSON.stringify({ Version: "2012-10-17", Statement: [] }));
      return {
        byHand: {
          why: "A repository policy is part of AWS::ECR::Repository (RepositoryPolicyText), which only the repository's own template may set, and SetRepositoryPolicy replaces the whole policy. Merge these statements into the repository's current policy.",
          commands: [
            `aws ecr get-repository-policy ${repo} --query policyText --output text > ${file}.current.json || echo ${empty} > ${file}.current.json`,
            mergeCommand(policy, `${file}.current.json`, `${file}.json`),
            `aws ecr set-repository-policy ${repo} --policy-text file://${file}.json`,
          ],
        },
      };
    },
  },
};
