/** Amazon API Gateway: what each access verb grants, the resources it names, its clients and its resource policy. */
import type { Recipe } from "./recipe.js";
import { buildArn } from "../aws/arn.js";
import type { PolicyCollector } from "./policy-collector.js";
import { pythonLiteral as py, shellWord } from "../text/escape.js";
import { type GrantUse, resourceOf } from "./outputs.js";

/** The API's invoke URL: https://{api}.execute-api.{region}.amazonaws.com/{stage}. */
function apiBaseUrl(use: GrantUse): string {
  const stage = resourceOf(use, "stage");
  const suffix = use.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://${resourceOf(use, "api") ?? "API_ID"}.execute-api.${use.region}.${suffix}/${stage && !/[*?]/.test(stage) ? stage : "STAGE"}`;
}

/** An example request path within the granted path (the part before any wildcard). */
function apiPath(use: GrantUse): string {
  const path = resourceOf(use, "path");
  if (!path) return "/";
  const fixed = path.split(/[*?]/)[0] ?? "";
  return fixed.startsWith("/") ? fixed : `/${fixed}`;
}

/**
 * A RestApi's `policy` as API Gateway returns it: the policy's JSON text escaped once more, as
 * inside a JSON string (`{\"Version\":…`, `\/`); read as one. Text that is not so escaped is kept.
 */
export function unescapeApiPolicy(policy: string): string {
  try {
    const text: unknown = JSON.parse(`"${policy}"`);
    return typeof text === "string" ? text : policy;
  } catch {
    return policy;
  }
}

/**
 * Every REST API of the region with its policy (GetRestApis returns each API's `policy`), kept as
 * the policy of `API-ID/*\/*\/*`, the ARN that governs the whole API. API Gateway's management
 * calls are authorized as `apigateway:GET` on `arn:aws:apigateway:REGION::/restapis`.
 */
const collectApiPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["apigateway:GET"],
  async *policies(at, clients) {
    const { APIGatewayClient, paginateGetRestApis } = await import("@aws-sdk/client-api-gateway");
    const client = clients.make((config) => new APIGatewayClient(config));
    for await (const page of paginateGetRestApis({ client }, {}))
      for (const { id, policy } of page.items ?? []) {
        if (!id || !policy) continue;
        const arn = buildArn({
          partition: at.partition,
          service: "execute-api",
          region: at.region,
          account: at.account,
          resource: `${id}/*/*/*`,
        });
        yield { arn, region: at.region, policy: unescapeApiPolicy(policy) };
      }
  },
};

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
  collect: collectApiPolicies,
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
  // A SigV4-signed request: fetch with @smithy/signature-v4 in Node, requests-aws4auth in Python.
  clients: {
    target: (use) => ({ baseUrl: apiBaseUrl(use) }),
    node: {
      header: [
        "// npm install @aws-sdk/credential-providers @smithy/property-provider @smithy/signature-v4 @aws-crypto/sha256-js",
        'import { Sha256 } from "@aws-crypto/sha256-js";',
        'import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";',
        'import { memoize } from "@smithy/property-provider";',
        'import { SignatureV4 } from "@smithy/signature-v4";',
      ],
      body: (first) => [
        "// Renewed five minutes before they expire.",
        "const credentials = provider",
        "  ? memoize(provider, (c) => c.expiration !== undefined && c.expiration.getTime() - Date.now() < 300_000, (c) => c.expiration !== undefined)",
        "  : fromNodeProviderChain();",
        "",
        'const signer = new SignatureV4({ service: "execute-api", region: target.region, credentials, sha256: Sha256 });',
        "",
        "/** fetch() for the API, signed with SigV4. */",
        "export async function apiFetch(path, init = {}) {",
        "  const url = new URL(target.baseUrl + path);",
        "  const signed = await signer.sign({",
        '    method: init.method ?? "GET",',
        "    protocol: url.protocol,",
        "    hostname: url.hostname,",
        "    path: url.pathname,",
        "    query: Object.fromEntries(url.searchParams),",
        "    headers: { ...init.headers, host: url.host },",
        "    ...(init.body === undefined ? {} : { body: init.body }),",
        "  });",
        "  // fetch sets Host itself.",
        "  const { host: _host, ...headers } = signed.headers;",
        "  return fetch(url, { ...init, headers });",
        "}",
        "",
        `const response = await apiFetch(${JSON.stringify(apiPath(first))});`,
        "console.log(response.status, await response.text());",
      ],
    },
    python: {
      header: [
        "# pip install botocore requests requests-aws4auth",
        "import requests",
        "from botocore.session import Session",
        "from requests_aws4auth import AWS4Auth",
      ],
      body: (first) => [
        'auth = AWS4Auth(region=target["region"], service="execute-api", refreshable_credentials=session.get_credentials())',
        "",
        `response = requests.get(target["base_url"] + ${py(apiPath(first))}, auth=auth, timeout=30)`,
        "response.raise_for_status()",
        "print(response.text)",
      ],
    },
  },
};
