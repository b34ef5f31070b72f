/**
 * The resource policies xacct collect reads from ECR, API Gateway, CodeArtifact, Glue and
 * EventBridge, served by the sandbox from its state and written with the real SDK clients: each
 * put, read back, listed, refused to a caller whose policies do not allow the action (the engine
 * decides on the resource the operation acts on), and deleted.
 */
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  APIGatewayClient,
  CreateRestApiCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  UpdateRestApiCommand,
} from "@aws-sdk/client-api-gateway";
import {
  CodeartifactClient,
  DeleteDomainPermissionsPolicyCommand,
  DeleteRepositoryPermissionsPolicyCommand,
  GetDomainPermissionsPolicyCommand,
  GetRepositoryPermissionsPolicyCommand,
  ListDomainsCommand,
  ListRepositoriesCommand,
  PutDomainPermissionsPolicyCommand,
  PutRepositoryPermissionsPolicyCommand,
} from "@aws-sdk/client-codeartifact";
import {
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  DeleteResourcePolicyCommand,
  GetResourcePolicyCommand,
  GlueClient,
  PutResourcePolicyCommand,
  StartJobRunCommand,
} from "@aws-sdk/client-glue";
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  PutPermissionCommand,
  RemovePermissionCommand,
} from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/index.js";
import { auditorArn, collectState } from "./support/collect.js";
import { iam, rootOf, trusting } from "./support/iam-apply.js";
import { assume, clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const newSandbox = sandboxPerTest();
const start = () => newSandbox({ state: collectState([A, B]) });

/** A policy letting account B's root do `action` on `resource`. */
const letB = (action: string, resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "b", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: action, Resource: resource }],
});

/**
 * Credentials of a role of `account` created through IAM with no policy, so IAM allows it nothing
 * in its account; named as the audit role only because the auditor user may assume roles of that name.
 */
async function nobody(s: Sandbox, account: string): Promise<Keys> {
  await iam(s, rootOf(s, account)).send(
    new CreateRoleCommand({ RoleName: "xacct-audit", AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:root`) }),
  );
  return assume(s, userKeys(s, auditorArn(A)), `arn:aws:iam::${account}:role/xacct-audit`);
}

describe("ECR repository policies", () => {
  it("are set, read back, listed by DescribeRepositories, refused to a caller without the action, and deleted", async () => {
    // GIVEN account A's repository with no policy yet
    const s = await start();
    const ecr = new ECRClient(clientConfig(s, rootOf(s, A)));
    const repositoryArn = `arn:aws:ecr:us-east-1:${A}:repository/images`;
    // THEN GetRepositoryPolicy answers RepositoryPolicyNotFoundException (ECR's API reference, GetRepositoryPolicy errors)
    expect((await refusal(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "images" })))).name).toBe(
      "RepositoryPolicyNotFoundException",
    );
    // WHEN A sets a policy letting B pull
    const policy = letB("ecr:BatchGetImage", repositoryArn);
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "images", policyText: JSON.stringify(policy) }));
    // THEN the answer names the registry and repository, and GetRepositoryPolicy returns the policy
    expect(set).toMatchObject({ registryId: A, repositoryName: "images" });
    const got = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "images" }));
    expect(JSON.parse(got.policyText ?? "{}")).toEqual(policy);
    // AND DescribeRepositories lists the repository
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([
      expect.objectContaining({ repositoryArn, registryId: A, repositoryName: "images" }),
    ]);
    // AND a user of A without ecr:GetRepositoryPolicy is refused on the repository, and so is B on A's registry
    const denied = new ECRClient(clientConfig(s, await nobody(s, A)));
    expect((await refusal(denied.send(new GetRepositoryPolicyCommand({ repositoryName: "images" })))).name).toBe("AccessDeniedException");
    const b = new ECRClient(clientConfig(s, rootOf(s, B)));
    expect((await refusal(b.send(new DeleteRepositoryPolicyCommand({ registryId: A, repositoryName: "images" })))).name).toBe(
      "AccessDeniedException",
    );
    // WHEN A deletes the policy, THEN it is gone
    expect(await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: "images" }))).toMatchObject({ repositoryName: "images" });
    expect((await refusal(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "images" })))).name).toBe(
      "RepositoryPolicyNotFoundException",
    );
  });

  it("refuses a policy that is not a policy document as InvalidParameterException", async () => {
    // GIVEN account A
    const s = await start();
    const ecr = new ECRClient(clientConfig(s, rootOf(s, A)));
    // WHEN A sets a statement without an Effect, THEN ECR's InvalidParameterException (SetRepositoryPolicy errors)
    const bad = JSON.stringify({ Version: "2012-10-17", Statement: [{ Principal: "*", Action: "ecr:*" }] });
    expect((await refusal(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "images", policyText: bad })))).name).toBe(
      "InvalidParameterException",
    );
  });
});

describe("Glue Data Catalog policies", () => {
  it("are put on the caller's catalog, read back, refused to a caller without the action, and deleted", async () => {
    // GIVEN account A, whose catalog has no policy yet: GetResourcePolicy answers EntityNotFoundException
    const s = await start();
    const glue = new GlueClient(clientConfig(s, rootOf(s, A)));
    const catalog = `arn:aws:glue:us-east-1:${A}:catalog`;
    expect((await refusal(glue.send(new GetResourcePolicyCommand({})))).name).toBe("EntityNotFoundException");
    // WHEN A puts a policy letting B read tables (no ResourceArn: "the AWS account ID is used by default")
    const policy = letB("glue:GetTable", `arn:aws:glue:us-east-1:${A}:table/*`);
    const put = await glue.send(new PutResourcePolicyCommand({ PolicyInJson: JSON.stringify(policy) }));
    // THEN the answer carries a PolicyHash, and the policy reads back by the catalog's ARN as without it
    expect(put.PolicyHash).toEqual(expect.any(String));
    expect(JSON.parse((await glue.send(new GetResourcePolicyCommand({ ResourceArn: catalog }))).PolicyInJson ?? "{}")).toEqual(policy);
    expect(JSON.parse((await glue.send(new GetResourcePolicyCommand({}))).PolicyInJson ?? "{}")).toEqual(policy);
    // AND a role of A without glue:GetResourcePolicy is refused, and B may not delete A's catalog policy
    const denied = new GlueClient(clientConfig(s, await nobody(s, A)));
    expect(await refusal(denied.send(new GetResourcePolicyCommand({})))).toMatchObject({ name: "AccessDeniedException" });
    const b = new GlueClient(clientConfig(s, rootOf(s, B)));
    expect(await refusal(b.send(new DeleteResourcePolicyCommand({ ResourceArn: catalog })))).toMatchObject({
      name: "AccessDeniedException",
    });
    // WHEN A deletes it, THEN it is gone
    await glue.send(new DeleteResourcePolicyCommand({}));
    expect((await refusal(glue.send(new GetResourcePolicyCommand({})))).name).toBe("EntityNotFoundException");
  });

  it("leaves Glue's other operations decided on their own resources", async () => {
    // GIVEN a role of A that may start one job only
    const s = await start();
    const keys = await nobody(s, A);
    await iam(s, rootOf(s, A)).send(
      new PutRolePolicyCommand({
        RoleName: "xacct-audit",
        PolicyName: "one-job",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "glue:StartJobRun", Resource: `arn:aws:glue:us-east-1:${A}:job/nightly` }],
        }),
      }),
    );
    // WHEN it starts that job, THEN it is allowed (decided on the job, not on the catalog)
    const glue = new GlueClient(clientConfig(s, keys));
    await expect(glue.send(new StartJobRunCommand({ JobName: "nightly" }))).resolves.toBeDefined();
  });
});

describe("EventBridge bus policies", () => {
  it("are put with PutPermission's Policy, described, listed, refused to a caller without the action, and removed statement by statement", async () => {
    // GIVEN account A's default bus, which has no policy: DescribeEventBus answers without one
    const s = await start();
    const events = new EventBridgeClient(clientConfig(s, rootOf(s, A)));
    const busArn = `arn:aws:events:us-east-1:${A}:event-bus/default`;
    const before = await events.send(new DescribeEventBusCommand({}));
    expect(before).toMatchObject({ Name: "default", Arn: busArn });
    expect(before.Policy).toBeUndefined();
    // WHEN A puts a policy of two statements on it (no EventBusName: "the default event bus is used")
    const policy = {
      Version: "2012-10-17",
      Statement: [
        ...letB("events:PutEvents", busArn).Statement,
        { Sid: "c", Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "events:PutEvents", Resource: busArn },
      ],
    };
    await events.send(new PutPermissionCommand({ Policy: JSON.stringify(policy) }));
    // THEN DescribeEventBus and ListEventBuses return it as the bus's Policy
    expect(JSON.parse((await events.send(new DescribeEventBusCommand({ Name: "default" }))).Policy ?? "{}")).toEqual(policy);
    const listed = (await events.send(new ListEventBusesCommand({}))).EventBuses ?? [];
    expect(listed.map((b) => [b.Name, b.Arn, JSON.parse(b.Policy ?? "{}")])).toEqual([["default", busArn, policy]]);
    // AND a role of A without events:PutPermission is refused
    const denied = new EventBridgeClient(clientConfig(s, await nobody(s, A)));
    expect((await refusal(denied.send(new PutPermissionCommand({ Policy: JSON.stringify(policy) })))).name).toBe("AccessDeniedException");
    // WHEN A removes statement "b", THEN only "c" is left; WHEN it removes all, THEN the bus has none
    await events.send(new RemovePermissionCommand({ StatementId: "b" }));
    const left = JSON.parse((await events.send(new DescribeEventBusCommand({}))).Policy ?? "{}");
    expect(left.Statement.map((st: { Sid: string }) => st.Sid)).toEqual(["c"]);
    await events.send(new RemovePermissionCommand({ RemoveAllPermissions: true }));
    expect((await events.send(new DescribeEventBusCommand({}))).Policy).toBeUndefined();
    // AND removing again is EventBridge's ResourceNotFoundException (RemovePermission errors)
    expect((await refusal(events.send(new RemovePermissionCommand({ RemoveAllPermissions: true })))).name).toBe(
      "ResourceNotFoundException",
    );
  });
});

describe("API Gateway REST API policies", () => {
  it("are put with UpdateRestApi (replace /policy), read back escaped as API Gateway returns them, listed, refused without apigateway:PATCH, and removed", async () => {
    // GIVEN a REST API account A creates without a policy
    const s = await start();
    const apigw = new APIGatewayClient(clientConfig(s, rootOf(s, A)));
    const { id } = await apigw.send(new CreateRestApiCommand({ name: "orders" }));
    expect(id).toMatch(/^[a-z0-9]+$/);
    // WHEN A replaces its /policy with one letting B invoke it
    const policy = letB("execute-api:Invoke", `arn:aws:execute-api:us-east-1:${A}:${id}/*/GET/*`);
    const updated = await apigw.send(
      new UpdateRestApiCommand({ restApiId: id, patchOperations: [{ op: "replace", path: "/policy", value: JSON.stringify(policy) }] }),
    );
    // THEN the API's `policy` is the policy's JSON text escaped once more, quotes and slashes
    // (what real API Gateway returns and clients unescape, e.g. Terraform's "Normalize REST API Policy JSON before unquoting")
    expect(updated.policy).toContain('{\\"Version\\":\\"2012-10-17\\"');
    expect(updated.policy).toContain(`${id}\\/*\\/GET\\/*`);
    expect(JSON.parse(JSON.parse(`"${updated.policy}"`))).toEqual(policy);
    // AND GetRestApi and GetRestApis return it
    expect((await apigw.send(new GetRestApiCommand({ restApiId: id }))).policy).toBe(updated.policy);
    expect((await apigw.send(new GetRestApisCommand({}))).items).toEqual([expect.objectContaining({ id, policy: updated.policy })]);
    // AND a role of A without apigateway:PATCH is refused (AccessDeniedException)
    const denied = new APIGatewayClient(clientConfig(s, await nobody(s, A)));
    const patch = [{ op: "replace" as const, path: "/policy", value: "" }];
    expect((await refusal(denied.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: patch })))).name).toBe(
      "AccessDeniedException",
    );
    // WHEN A replaces the policy with nothing, THEN the API has none
    expect((await apigw.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: patch }))).policy).toBeUndefined();
  });
});

describe("CodeArtifact domain and repository policies", () => {
  it("are put, read back, listed with their domain and repository, refused to a caller without the action, and deleted", async () => {
    // GIVEN account A's domain "shared" and its repository "pypi", neither with a policy yet
    const s = await start();
    const ca = new CodeartifactClient(clientConfig(s, rootOf(s, A)));
    const domainArn = `arn:aws:codeartifact:us-east-1:${A}:domain/shared`;
    const repositoryArn = `arn:aws:codeartifact:us-east-1:${A}:repository/shared/pypi`;
    const repo = { domain: "shared", domainOwner: A, repository: "pypi" };
    // THEN reading the repository's policy is ResourceNotFoundException (GetRepositoryPermissionsPolicy errors)
    expect(await refusal(ca.send(new GetRepositoryPermissionsPolicyCommand(repo)))).toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
    });
    // WHEN A puts a policy on each (the domain's owner given, and not: "the ID of the AWS account that owns the domain")
    const domainPolicy = letB("codeartifact:GetAuthorizationToken", domainArn);
    const repositoryPolicy = letB("codeartifact:ReadFromRepository", repositoryArn);
    const put = await ca.send(new PutDomainPermissionsPolicyCommand({ domain: "shared", policyDocument: JSON.stringify(domainPolicy) }));
    await ca.send(new PutRepositoryPermissionsPolicyCommand({ ...repo, policyDocument: JSON.stringify(repositoryPolicy) }));
    // THEN each reads back as its policy's document, with the resource's ARN
    expect(put.policy?.resourceArn).toBe(domainArn);
    const gotDomain = await ca.send(new GetDomainPermissionsPolicyCommand({ domain: "shared", domainOwner: A }));
    expect(JSON.parse(gotDomain.policy?.document ?? "{}")).toEqual(domainPolicy);
    const gotRepository = await ca.send(new GetRepositoryPermissionsPolicyCommand(repo));
    expect(gotRepository.policy?.resourceArn).toBe(repositoryArn);
    expect(JSON.parse(gotRepository.policy?.document ?? "{}")).toEqual(repositoryPolicy);
    // AND ListDomains and ListRepositories list them
    expect((await ca.send(new ListDomainsCommand({}))).domains).toEqual([
      expect.objectContaining({ name: "shared", owner: A, arn: domainArn }),
    ]);
    expect((await ca.send(new ListRepositoriesCommand({}))).repositories).toEqual([
      expect.objectContaining({ name: "pypi", domainName: "shared", domainOwner: A, arn: repositoryArn }),
    ]);
    // AND a role of A without the action is refused, and so is B on A's repository
    const denied = new CodeartifactClient(clientConfig(s, await nobody(s, A)));
    expect((await refusal(denied.send(new GetDomainPermissionsPolicyCommand({ domain: "shared" })))).name).toBe("AccessDeniedException");
    const b = new CodeartifactClient(clientConfig(s, rootOf(s, B)));
    expect((await refusal(b.send(new DeleteRepositoryPermissionsPolicyCommand(repo)))).name).toBe("AccessDeniedException");
    // WHEN A deletes both, THEN neither has a policy
    await ca.send(new DeleteRepositoryPermissionsPolicyCommand(repo));
    await ca.send(new DeleteDomainPermissionsPolicyCommand({ domain: "shared" }));
    expect((await refusal(ca.send(new GetRepositoryPermissionsPolicyCommand(repo)))).name).toBe("ResourceNotFoundException");
    expect((await refusal(ca.send(new GetDomainPermissionsPolicyCommand({ domain: "shared" })))).name).toBe("ResourceNotFoundException");
  });
});
