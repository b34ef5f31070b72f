/**
 * What AWS decides whatever the policies say (src/policy/aws-rules.ts), as the graph's questions
 * and the sandbox answer it: sts:GetCallerIdentity needs no permission, and AWS managed policies,
 * service-linked roles, IAM Identity Center's roles and alias/aws/ KMS aliases are no one's to
 * change. The engine's cases are in test/cases/aws-decides.json; here the commands built on it.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { AccessGraph } from "../src/graph/graph.js";
import { can, whoCan } from "../src/graph/query.js";
import { A, accounts, addRole, addUser, allow } from "./support/accounts.js";
import { clientConfig, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const newSandbox = sandboxPerTest();

describe("can and who-can: nobody changes what AWS protects, and the explanation says so", () => {
  /** Account A with an administrator, a service-linked role and a permission set's role. */
  const setup = () => {
    const { a, state } = accounts();
    const admin = addUser(a, "admin", [allow("*", "*")]);
    const linked = addRole(a, "AWSServiceRoleForECS", [], [], { path: "/aws-service-role/ecs.amazonaws.com/" });
    const sso = addRole(a, "AWSReservedSSO_Admin_0123456789abcdef", [], [], { path: "/aws-reserved/sso.amazonaws.com/" });
    return { state, admin, linked, sso };
  };

  for (const [what, action, resource] of [
    ["an AWS managed policy", "iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess"],
    [
      "a service-linked role's trust",
      "iam:UpdateAssumeRolePolicy",
      `arn:aws:iam::${A}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    ],
    [
      "IAM Identity Center's role",
      "iam:PutRolePolicy",
      `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`,
    ],
    ["an alias/aws/ KMS alias", "kms:DeleteAlias", `arn:aws:kms:us-east-1:${A}:alias/aws/s3`],
  ] as const)
    it(`${action} on ${what}: the administrator cannot, who-can lists nobody`, () => {
      // GIVEN an administrator allowed everything
      const { state, admin } = setup();
      const graph = new AccessGraph(state);
      // WHEN can and who-can are asked
      const answer = can(graph, { principal: admin.arn, action, resource, resourceAccount: A });
      const who = whoCan(graph, { action, resource, resourceAccount: A });
      // THEN the answer is no, saying AWS protects the resource, and nobody is listed
      expect(answer.decision).toBe("Deny");
      expect(answer.explain?.summary).toContain("AWS protects the resource");
      expect(who.principals).toEqual([]);
      expect(who.unknown).toBeUndefined();
    });

  it("the administrator still changes what is its own (a control: the rule is not a blanket deny)", () => {
    const { state, admin } = setup();
    const graph = new AccessGraph(state);
    expect(
      can(graph, { principal: admin.arn, action: "iam:CreatePolicyVersion", resource: `arn:aws:iam::${A}:policy/mine` }).decision,
    ).toBe("Allow");
  });
});

describe("the sandbox: sts:GetCallerIdentity needs no permission", () => {
  it("a user whose only policy denies everything still learns who it is", async () => {
    // GIVEN a user whose policy explicitly denies every action (the STS API reference: "you can still perform this operation")
    const { a, state } = accounts();
    const user = addUser(a, "locked", [{ Effect: "Deny", Action: "*", Resource: "*" }]);
    const s = await newSandbox({ state });
    // WHEN it calls GetCallerIdentity with the real SDK
    const me = await new STSClient(clientConfig(s, userKeys(s, user.arn))).send(new GetCallerIdentityCommand({}));
    // THEN it is answered with its own ARN and account
    expect({ arn: me.Arn, account: me.Account }).toEqual({ arn: user.arn, account: A });
  });
});
