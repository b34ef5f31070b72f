/** Amazon API Gateway: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { shellWord } from "../text/escape.js";

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
  resourcePolicy: {
    apply: ({ arn, policy, file }) => {
      const api = arn.resource.split("/")[0] ?? arn.resource;
      const region = `--region ${shellWord(arn.region)}`;
      return {
        byHand: {
          why: "A REST API's resource policy is part of AWS::ApiGateway::RestApi, and the API usually exists already. If it has a policy, merge these statements into it (get-rest-api --query policy); the new policy takes effect once the API is deployed again.",
          commands: [
            `jq -n --argjson statements ${shellWord(JSON.stringify(policy.Statement))} '{Version: "2012-10-17", Statement: $statements}' > ${file}.json`,
            `jq -n --rawfile policy ${file}.json '[{op: "replace", path: "/policy", value: $policy}]' > ${file}.patch.json`,
            `aws apigateway update-rest-api ${region} --rest-api-id ${shellWord(api)} --patch-operations file://${file}.patch.json`,
            `aws apigateway create-deployment ${region} --rest-api-id ${shellWord(api)} --stage-name STAGE`,
          ],
        },
      };
    },
  },
};
