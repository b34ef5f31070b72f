/** Amazon EMR: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const elasticmapreduce: Recipe = {
  service: "elasticmapreduce",
  title: "Amazon EMR",
  names: ["cluster", "service-role", "instance-profile-role"],
  kinds: { cluster: { type: "cluster", parts: (n) => ({ ClusterId: n.cluster ?? "*" }), needs: [] } },
  access: {
    "run-job-flow": { describe: "create clusters (job flows)", rules: [{ filter: { prefixes: ["RunJobFlow"] }, on: "*" }] },
    terminate: {
      describe: "terminate clusters",
      rules: [{ filter: { resourceType: "cluster", prefixes: ["TerminateJobFlows"] }, on: "cluster" }],
    },
    steps: {
      describe: "add, list, describe and cancel steps",
      rules: [
        {
          filter: {
            resourceType: "cluster",
            prefixes: ["AddJobFlowSteps", "CancelSteps", "DescribeStep", "ListSteps", "DescribeCluster"],
          },
          on: "cluster",
        },
      ],
    },
  },
  companions: (n) =>
    [n["service-role"], n["instance-profile-role"]]
      .filter((r): r is string => r !== undefined)
      .map((role) => ({ service: "iam", access: ["pass-role"], resources: { role } })),
};
