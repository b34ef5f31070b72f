/** AWS STS: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const sts: Recipe = {
  service: "sts",
  title: "AWS STS",
  names: [],
  kinds: {},
  access: {
    "bearer-token": {
      describe: "get service bearer tokens (CodeArtifact)",
      rules: [{ filter: { prefixes: ["GetServiceBearerToken"] }, on: "*" }],
    },
  },
};
