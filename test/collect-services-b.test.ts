/**
 * `xacct collect` reads the resource policies of ECR, API Gateway, CodeArtifact, Glue and
 * EventBridge: each put through the service's real SDK client into the sandbox, found in the
 * collected inventory with the resource's owner and region, read by the audit user whose policy
 * allows only the read actions each service's collect hook declares.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APIGatewayClient, CreateRestApiCommand, UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { CodeartifactClient, PutDomainPermissionsPolicyCommand, PutRepositoryPermissionsPolicyCommand } from "@aws-sdk/client-codeartifact";
import { ECRClient, SetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import { EventBridgeClient, PutPermissionCommand } from "@aws-sdk/client-eventbridge";
import { GlueClient, PutResourcePolicyCommand } from "@aws-sdk/client-glue";
import { describe, expect, it } from "vitest";
import { collect } from "../src/collect/collect.js";
import { recipeFor } from "../src/services/index.js";
import { loadInventory } from "../src/state/inventory.js";
import { AUDIT_POLICY, auditorArn, collectState } from "./support/collect.js";
import { rootOf } from "./support/iam-apply.js";
import { clientConfig, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();

/** A policy letting account B's root do `action` on `resource`. */
const letB = (action: string, resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: action, Resource: resource }],
});

describe("xacct collect: ECR, API Gateway, CodeArtifact, Glue and EventBridge policies", () => {
  it("reads back one policy of each service, put through its API, with the resource's owner and region", async () => {
    // GIVEN account A's ECR repository, REST API, CodeArtifact domain and repository, Data Catalog and default bus, each with a policy
    const s = await newSandbox({ state: collectState([A, B]) });
    const root = clientConfig(s, rootOf(s, A));
    const expected = new Map<string, ReturnType<typeof letB>>();
    const repository = `arn:aws:ecr:us-east-1:${A}:repository/images`;
    expected.set(repository, letB("ecr:BatchGetImage", repository));
    await new ECRClient(root).send(
      new SetRepositoryPolicyCommand({ repositoryName: "images", policyText: JSON.stringify(expected.get(repository)) }),
    );
    const apigw = new APIGatewayClient(root);
    const { id } = await apigw.send(new CreateRestApiCommand({ name: "orders" }));
    // An API's policy governs every stage, method and path: it is kept as the policy of ID/*/*/* (src/graph/resource-policy.ts)
    const api = `arn:aws:execute-api:us-east-1:${A}:${id}/*/*/*`;
    expected.set(api, letB("execute-api:Invoke", `arn:aws:execute-api:us-east-1:${A}:${id}/*/GET/*`));
    await apigw.send(
      new UpdateRestApiCommand({
        restApiId: id,
        patchOperations: [{ op: "replace", path: "/policy", value: JSON.stringify(expected.get(api)) }],
      }),
    );
    const ca = new CodeartifactClient(root);
    const domain = `arn:aws:codeartifact:us-east-1:${A}:domain/shared`;
    const caRepository = `arn:aws:codeartifact:us-east-1:${A}:repository/shared/pypi`;
    expected.set(domain, letB("codeartifact:GetAuthorizationToken", domain));
    expected.set(caRepository, letB("codeartifact:ReadFromRepository", caRepository));
    await ca.send(new PutDomainPermissionsPolicyCommand({ domain: "shared", policyDocument: JSON.stringify(expected.get(domain)) }));
    await ca.send(
      new PutRepositoryPermissionsPolicyCommand({
        domain: "shared",
        repository: "pypi",
        policyDocument: JSON.stringify(expected.get(caRepository)),
      }),
    );
    const catalog = `arn:aws:glue:us-east-1:${A}:catalog`;
    expected.set(catalog, letB("glue:GetTable", `arn:aws:glue:us-east-1:${A}:table/*`));
    await new GlueClient(root).send(new PutResourcePolicyCommand({ PolicyInJson: JSON.stringify(expected.get(catalog)) }));
    const bus = `arn:aws:events:us-east-1:${A}:event-bus/default`;
    expected.set(bus, letB("events:PutEvents", bus));
    await new EventBridgeClient(root).send(new PutPermissionCommand({ Policy: JSON.stringify(expected.get(bus)) }));
    // WHEN the auditor user, whose policy allows only collect's read actions, collects A
    const out = join(mkdtempSync(join(tmpdir(), "xacct-collect-b-")), "inventory");
    const result = await collect({
      out,
      endpoint: s.url,
      regions: ["us-east-1"],
      credentials: async () => userKeys(s, auditorArn(A)),
    });
    // THEN A is complete, and every policy is in the inventory as it was put, with its owner and region
    expect(result.notComplete).toEqual([]);
    const policies = loadInventory(out).accounts.get(A)?.resourcePolicies;
    for (const [arn, policy] of expected) expect(policies?.get(arn)?.policy, arn).toEqual(policy);
    const file = JSON.parse(readFileSync(join(out, A, "resource-policies.json"), "utf8"));
    for (const arn of expected.keys())
      expect(file.resources).toContainEqual(expect.objectContaining({ arn, account: A, region: "us-east-1" }));
  });

  it("declares in each hook the actions the audit role allows", () => {
    // GIVEN the audit role's policy (test/support/collect.ts, as the README deploys it)
    const allowed = new Set<string>(JSON.parse(AUDIT_POLICY).Statement[0].Action);
    // THEN each of these services has a collect hook, and every action it declares is one the role allows
    for (const service of ["ecr", "execute-api", "codeartifact", "glue", "events"]) {
      const actions = recipeFor(service)?.collect?.actions;
      expect(actions, service).toBeDefined();
      for (const action of actions ?? []) expect(allowed.has(action), action).toBe(true);
    }
  });
});
