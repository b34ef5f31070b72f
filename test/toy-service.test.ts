/**
 * Issue 12's "adding a service is one file": a service the built-in list does not have (AWS Systems
 * Manager Parameter Store, ./support/toy-service.ts) is registered, and a model granting on it flows through
 * build (the IAM policy), the access graph (`can`) and the sandbox (a real client's call), as a
 * built-in service does. Without the registration the model does not load at all.
 *
 * Expected values come from AWS's Service Authorization Reference for Systems Manager (GetParameter
 * and GetParameters are Read actions on the `parameter` resource type, `arn:${Partition}:ssm:${Region}:
 * ${Account}:parameter/${ParameterNameWithoutLeadingSlash}`; PutParameter is a Write action) and
 * from SSM's API reference (a refusal is AccessDeniedException), not from xacct's output.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { emitAll } from "../src/emit/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { loadModel } from "../src/model/load.js";
import { recipeFor, registerService } from "../src/services/index.js";
import { modelText, USER } from "./support/models.js";
import { assume, awsCliAt, REGION, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { toyService } from "./support/toy-service.js";

const newSandbox = sandboxPerTest();

// GIVEN workload app (an IAM user of account a, 111111111111) granted read on the SSM parameter
// orders/db-url of account b (222222222222) through a role of b.
const MODEL = modelText({
  name: "toy",
  region: REGION,
  grants: `  - workload: app
    account: b
    service: ssm
    access: [read]
    resources: { parameter: orders/db-url }
    role: { name: orders-reader }
`,
});
const ROLE = "arn:aws:iam::222222222222:role/orders-reader";
const ORDERS = `arn:aws:ssm:${REGION}:222222222222:parameter/orders/db-url`;
const PAYMENTS = `arn:aws:ssm:${REGION}:222222222222:parameter/payments/db-url`;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("a service added in one file (SSM Parameter Store) flows through build, graph and sandbox", () => {
  beforeAll(() => {
    // GIVEN the toy service registered beside the built-in ones (should SSM become one of them,
    // this throws: pick another service the model does not support)
    registerService(toyService);
  });

  it("a service is defined once: registering a prefix already known is refused", () => {
    // WHEN a second module for S3 is registered
    // THEN it is refused, and the built-in S3 stays
    expect(() => registerService({ ...toyService, service: "s3" })).toThrow('the service "s3" is already defined');
    expect(recipeFor("s3")?.title).toBe("Amazon S3");
  });

  it("build: the role's IAM policy names SSM's read actions on the parameter's ARN, and no write action", () => {
    // WHEN the model is loaded, compiled and emitted
    const files = emitAll(compile(loadModel(MODEL)));
    // THEN the role file of account b grants GetParameter and GetParameters on the parameter
    const roleFile = files.find((f) => f.path.endsWith("/iam/roles/orders-reader.json"));
    expect(roleFile).toBeDefined();
    const role = JSON.parse(roleFile?.content ?? "{}") as { Arn: string; Policies: { PolicyDocument: { Statement: Statement[] } }[] };
    expect(role.Arn).toBe(ROLE);
    const onTable = role.Policies.flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => s.Effect === "Allow" && list(s.Resource).includes(ORDERS))
      .flatMap((s) => list(s.Action));
    expect(onTable).toEqual(expect.arrayContaining(["ssm:GetParameter", "ssm:GetParameters"]));
    expect(onTable).not.toContain("ssm:PutParameter");
  });

  it("graph: can answers Allow through the role for the parameter, Deny for another parameter", () => {
    // GIVEN the access graph of the compiled model
    const graph = new AccessGraph(compile(loadModel(MODEL)).state);
    // WHEN it is asked whether app can read the parameter, and another parameter
    const orders = can(graph, { principal: USER, action: "ssm:GetParameter", resource: ORDERS });
    const payments = can(graph, { principal: USER, action: "ssm:GetParameter", resource: PAYMENTS });
    // THEN Allow through orders-reader, and Deny for payments
    expect(orders.decision).toBe("Allow");
    expect(orders.paths.map((p) => p.via)).toContainEqual([ROLE]);
    expect(payments.decision).toBe("Deny");
  });

  it("sandbox: Debian's AWS CLI, with the role's session, reads the parameter and is refused on another", async () => {
    // GIVEN the sandbox serving the compiled model, and a session of the role through the real STS client
    const s = await newSandbox({ state: compile(loadModel(MODEL)).state });
    const session = await assume(s, userKeys(s, USER), ROLE);
    // WHEN the real client calls GetParameter on the parameter (with its leading slash), and on another
    const allowed = await awsCliAt(s, session, ["ssm", "get-parameter", "--name", "/orders/db-url"]);
    const denied = await awsCliAt(s, session, ["ssm", "get-parameter", "--name", "/payments/db-url"]);
    // THEN the first succeeds, the second is SSM's AccessDeniedException naming the session, action and parameter
    expect(allowed).toMatchObject({ code: 0 });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("(AccessDeniedException) when calling the GetParameter operation");
    expect(denied.stderr).toContain(
      `User: arn:aws:sts::222222222222:assumed-role/orders-reader/test is not authorized to perform: ssm:GetParameter on resource: ${PAYMENTS}`,
    );
  });
});
