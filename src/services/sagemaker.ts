/** Amazon SageMaker: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const sagemaker: Recipe = {
  service: "sagemaker",
  title: "Amazon SageMaker",
  names: ["endpoint", "training-job"],
  kinds: {
    endpoint: { type: "endpoint", parts: (n) => ({ EndpointName: n.endpoint ?? "*" }), needs: ["endpoint"] },
    "training-job": { type: "training-job", parts: (n) => ({ TrainingJobName: n["training-job"] ?? "*" }), needs: [] },
  },
  access: {
    invoke: {
      describe: "invoke the endpoint",
      rules: [{ filter: { resourceType: "endpoint", prefixes: ["InvokeEndpoint"] }, on: "endpoint" }],
    },
    train: {
      describe: "create, describe and stop training jobs",
      rules: [
        {
          filter: {
            accessLevels: ["Write", "Read"],
            resourceType: "training-job",
            prefixes: ["CreateTrainingJob", "DescribeTrainingJob", "StopTrainingJob"],
          },
          on: "training-job",
        },
      ],
    },
  },
};
