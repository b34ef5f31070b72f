/** AWS Lambda: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const lambda: Recipe = {
  service: "lambda",
  title: "AWS Lambda",
  names: ["function"],
  kinds: { function: { type: "function", parts: (n) => ({ FunctionName: n.function ?? "*" }), needs: ["function"] } },
  access: {
    invoke: {
      describe: "invoke the function",
      rules: [
        {
          filter: { accessLevels: ["Write"], resourceType: "function", prefixes: ["InvokeFunction"], excluding: ["Url"] },
          on: "function",
        },
      ],
    },
  },
  policyHolders: { function: "function" },
};
