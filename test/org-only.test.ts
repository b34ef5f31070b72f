/**
 * `orgOnly: true` on a grant's role (issue 11, item 13): the role's trust requires
 * `aws:PrincipalOrgID` to be the caller's organization. AWS puts aws:PrincipalOrgID in the request
 * context of every principal whose account is a member of an organization ("aws:PrincipalOrgID:
 * ... This key is included in the request context for all signed requests ... when the principal
 * is a member of an organization"), so a model that declares its accounts' organization must prove
 * its own grants: verify holds, can allows, and the sandbox lets the real SDK assume the role.
 * Without an organization declared, orgOnly cannot be honoured: a located error at load.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { loadModel, ModelError } from "../src/model/load.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { USER, userAndRoleModel } from "./support/models.js";

const ORG = "o-a1b2c3d4e5";
const ROLE = "arn:aws:iam::222222222222:role/org-runner";
const JOB = "arn:aws:glue:eu-west-1:222222222222:job/etl";

// GIVEN user `app` in account a and role `org-runner` in account b, both accounts in organization
// o-a1b2c3d4e5, the grant's role only for that organization (orgOnly: true).
const compiled = () => compile(loadModel(userAndRoleModel({ name: "org", role: "org-runner", organization: ORG, orgOnly: true })));

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("orgOnly with the accounts' organization declared", () => {
  it("the trust requires the organization, and verify holds", () => {
    // GIVEN the compiled model
    const c = compiled();
    const trust = c.state.accounts.get("222222222222")?.roles.get("org-runner")?.trustPolicy;
    expect(JSON.stringify(trust)).toContain(`"aws:PrincipalOrgID":"${ORG}"`);
    // WHEN it is verified on its own graph
    const result = verify(c, new AccessGraph(c.state));
    // THEN every grant is possible
    expect(result.grants.filter((g) => !g.possible)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("can allows the user to run the job through the role", () => {
    // GIVEN the model's graph
    const c = compiled();
    // WHEN asked whether app may start the Glue job
    const answer = can(new AccessGraph(c.state), { principal: USER, action: "glue:StartJobRun", resource: JOB });
    // THEN it may, by assuming the role (its caller is in the organization)
    expect(answer.decision).toBe("Allow");
    expect(answer.paths.map((p) => p.via)).toEqual([[ROLE]]);
  });

  it("the sandbox lets the real SDK assume the role with the user's keys", async () => {
    // GIVEN the sandbox serving the model's state
    sandbox = await startSandbox({ state: compiled().state, port: 0, host: "127.0.0.1" });
    const keys = sandbox.bootstrap.find((b) => b.userArn === USER);
    if (!keys) throw new Error("no bootstrap keys for the user");
    const sts = new STSClient({
      endpoint: sandbox.url,
      region: "eu-west-1",
      credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    });
    // WHEN the user assumes the role
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "org-check" }));
    // THEN STS answers with the role's session
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::222222222222:assumed-role/org-runner/org-check");
  });
});

describe("orgOnly without an organization", () => {
  it("is a located error at load", () => {
    // GIVEN the same model with no organization declared for its accounts
    const text = userAndRoleModel({ name: "org", role: "org-runner", orgOnly: true });
    // WHEN it is loaded
    let error: unknown;
    try {
      loadModel(text, "xacct.yaml");
    } catch (e) {
      error = e;
    }
    // THEN it is refused at the line of the grant's orgOnly, asking for the organization of the workload's account
    expect(error).toBeInstanceOf(ModelError);
    const problems = (error as ModelError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      line: text.split("\n").findIndex((l) => l.includes("orgOnly")) + 1,
      path: "grants[0].role.orgOnly",
    });
    expect(problems[0]?.message).toContain("accounts.a.organization");
  });
});
