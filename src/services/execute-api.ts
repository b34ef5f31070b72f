/** Amazon API Gateway: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const executeApi: Recipe = {
  service: "execute-api",
  title: "Amazon API Gateway",
  names: ["api", "stage", "path"],
  kinds: {
    api: {
      type: "execute-api-general",
      parts: (n) => ({ ApiId: n.api ?? "*", Stage: n.stage ?? "*", Method: "GET", ApiSpecificResourcePath: n.path ?? "*" }),
      needs: ["api"],
    },
    "rest-api": {
      type: "execute-api-general",
      parts: (n) => ({ ApiId: n.api ?? "*", Stage: "*", Method: "*", ApiSpecificResourcePath: "*" }),
      needs: ["api"],
    },
  },
  access: {
    "invoke-read": { describe: "call the API's read-only (GET) methods", rules: [{ filter: { prefixes: ["Invoke"] }, on: "api" }] },
  },
  // A REST API's resource policy covers every stage, method and path of the API.
  policyHolders: { api: "rest-api" },
};
