/** Amazon ECR: what each access verb grants, the repositories it names, and the repository each operation acts on. */
import { isAccountId } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import { shellWord } from "../text/escape.js";
import { mergeCommand } from "./outputs.js";
import type { Recipe } from "./recipe.js";
import { type ResourceNamer, stringOf } from "./resource-namer.js";

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
  sandbox: { resourceOf: repositoryNamedBy },
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
