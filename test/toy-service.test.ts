/**
 * Issue 12's "adding a service is one file": a service the built-in list does not have (Amazon
 * DynamoDB, ./support/toy-service.ts) is registered, and a model granting on it flows through
 * build (the IAM policy), the access graph (`can`) and the sandbox (a real client's call), as a
 * built-in service does. Without the registration the model does not load at all.
 *
 * Expected values come from AWS's Service Authorization Reference for DynamoDB (GetItem and Query
 * are Read actions on the `table` resource type, `arn:${Partition}:dynamodb:${Region}:${Account}:
 * table/${TableName}`; PutItem is a Write action) and from DynamoDB's API reference (a refusal is
 * AccessDeniedException), not from xacct's output.
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
import { dynamodb } from "./support/toy-service.js";

const newSandbox = sandboxPerTest();

// GIVEN workload app (an IAM user of account a, 111111111111) granted read on the DynamoDB table
// orders of account b (222222222222) through a role of b.
const MODEL = modelText({
  name: "toy",
  region: REGION,
  grants: `  - workload: app
    account: b
    service: dynamodb
    access: [read]
    resources: { table: orders }
    role: { name: orders-reader }
`,
});
const ROLE = "arn:aws:iam::222222222222:role/orders-reader";
const ORDERS = `arn:aws:dynamodb:${REGION}:222222222222:table/orders`;
const PAYMENTS = `arn:aws:dynamodb:${REGION}:222222222222:table/payments`;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("a service added in one file (DynamoDB) flows through build, graph and sandbox", () => {
  beforeAll(() => {
    // GIVEN the toy service registered beside the built-in ones (should DynamoDB become one of
    // them, this throws: pick another service the model does not support)
    registerService(dynamodb);
  });

  it("a service is defined once: registering a prefix already known is refused", () => {
    // WHEN a second module for S3 is registered
    // THEN it is refused, and the built-in S3 stays
    expect(() => registerService({ ...dynamodb, service: "s3" })).toThrow('the service "s3" is already defined');
    expect(recipeFor("s3")?.title).toBe("Amazon S3");
  });

  it("build: the role's IAM policy names DynamoDB's read actions on the table's ARN, and no write action", () => {
    // WHEN the model is loaded, compiled and emitted
    const files = emitAll(compile(loadModel(MODEL)));
    // THEN the role file of account b grants GetItem and Query on the table
    const roleFile = files.find((f) => f.path.endsWith("/iam/roles/orders-reader.json"));
    expect(roleFile).toBeDefined();
    const role = JSON.parse(roleFile?.content ?? "{}") as { Arn: string; Policies: { PolicyDocument: { Statement: Statement[] } }[] };
    expect(role.Arn).toBe(ROLE);
    const onTable = role.Policies.flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => s.Effect === "Allow" && list(s.Resource).includes(ORDERS))
      .flatMap((s) => list(s.Action));
    expect(onTable).toEqual(expect.arrayContaining(["dynamodb:GetItem", "dynamodb:Query"]));
    expect(onTable).not.toContain("dynamodb:PutItem");
  });

  it("graph: can answers Allow through the role for the table, Deny for another table", () => {
    // GIVEN the access graph of the compiled model
    const graph = new AccessGraph(compile(loadModel(MODEL)).state);
    // WHEN it is asked whether app can read the table, and another table
    const orders = can(graph, { principal: USER, action: "dynamodb:GetItem", resource: ORDERS });
    const payments = can(graph, { principal: USER, action: "dynamodb:GetItem", resource: PAYMENTS });
    // THEN Allow through orders-reader, and Deny for payments
    expect(orders.decision).toBe("Allow");
    expect(orders.paths.map((p) => p.via)).toContainEqual([ROLE]);
    expect(payments.decision).toBe("Deny");
  });

  it("sandbox: Debian's AWS CLI, with the role's session, reads the table and is refused on another", async () => {
    // GIVEN the sandbox serving the compiled model, and a session of the role through the real STS client
    const s = await newSandbox({ state: compile(loadModel(MODEL)).state });
    const session = await assume(s, userKeys(s, USER), ROLE);
    const key = JSON.stringify({ id: { S: "1" } });
    // WHEN the real client calls GetItem on the table, and on another table
    const allowed = await awsCliAt(s, session, ["dynamodb", "get-item", "--table-name", "orders", "--key", key]);
    const denied = await awsCliAt(s, session, ["dynamodb", "get-item", "--table-name", "payments", "--key", key]);
    // THEN the first succeeds, the second is DynamoDB's AccessDeniedException naming the session, action and table
    expect(allowed).toMatchObject({ code: 0 });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("(AccessDeniedException) when calling the GetItem operation");
    expect(denied.stderr).toContain(
      `User: arn:aws:sts::222222222222:assumed-role/orders-reader/test is not authorized to perform: dynamodb:GetItem on resource: ${PAYMENTS}`,
    );
  });
});
