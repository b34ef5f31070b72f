/**
 * Condition set operators, from the IAM User Guide's "Creating a condition with multiple keys or
 * values" (ForAllValues / ForAnyValue with multivalued context keys). The large cases (issue 11,
 * item 11: 100,000 policy values against 10,000 request values took 14 s) assert decisions only: an
 * equality operator looks each request value up in a set of the policy's values, and a product-cost
 * evaluation of these sizes does not finish within the suite's test timeout.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../src/policy/index.js";

const POLICY_VALUES = 300_000;
const REQUEST_VALUES = 30_000;
const range = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => name(i));

/** A DynamoDB request on the docs' `Thread` table with `dynamodb:Attributes`, under one identity policy. */
function threadRequest(action: string, statements: unknown[], attributes: string[]) {
  return {
    principal: "arn:aws:iam::111111111111:user/alice",
    action,
    resource: "arn:aws:dynamodb:us-east-1:111111111111:table/Thread",
    identityPolicies: [{ Version: "2012-10-17", Statement: statements }],
    context: { "dynamodb:Attributes": attributes },
  };
}

const allowOnlyListed = {
  Effect: "Allow",
  Action: "dynamodb:GetItem",
  Resource: "arn:aws:dynamodb:*:*:table/Thread",
  Condition: { "ForAllValues:StringEquals": { "dynamodb:Attributes": ["ID", "Message", "Tags"] } },
};
const allowPutItem = { Effect: "Allow", Action: "dynamodb:PutItem", Resource: "*" };
const denyForbidden = {
  Effect: "Deny",
  Action: "dynamodb:PutItem",
  Resource: "arn:aws:dynamodb:*:*:table/Thread",
  Condition: { "ForAnyValue:StringEquals": { "dynamodb:Attributes": ["ID", "PostDateTime"] } },
};

describe("ForAllValues and ForAnyValue, the docs' DynamoDB examples", () => {
  it("ForAllValues:StringEquals allows a request whose attributes are all listed", () => {
    // GIVEN the docs' policy allowing GetItem only for the attributes ID, Message and Tags
    // WHEN the user gets Message and Tags (and ID, the table key): "all match values specified in the policy"
    const result = simulate(threadRequest("dynamodb:GetItem", [allowOnlyListed], ["ID", "Message", "Tags"]));
    // THEN the request is allowed
    expect(result.decision).toBe("Allow");
  });

  it("ForAllValues:StringEquals refuses a request with an attribute not listed", () => {
    // GIVEN the same policy
    // WHEN the request includes UserName: "UserName is not within the list of allowed attributes"
    const result = simulate(threadRequest("dynamodb:GetItem", [allowOnlyListed], ["ID", "UserName"]));
    // THEN the request fails (no statement allows it)
    expect(result.decision).toBe("ImplicitDeny");
  });

  it("ForAnyValue:StringEquals denies a PutItem touching one forbidden attribute", () => {
    // GIVEN the docs' Deny of PutItem when any attribute is ID or PostDateTime, beside an Allow
    // WHEN the user updates PostDateTime and Message: "there is one match (PostDateTime), so the condition is true"
    const result = simulate(threadRequest("dynamodb:PutItem", [allowPutItem, denyForbidden], ["PostDateTime", "Message"]));
    // THEN the request is explicitly denied
    expect(result.decision).toBe("ExplicitDeny");
  });

  it("ForAnyValue:StringEquals does not deny a PutItem of UserName only", () => {
    // GIVEN the same policies
    // WHEN the user puts only UserName: "None of the attributes in the request ... match"
    const result = simulate(threadRequest("dynamodb:PutItem", [allowPutItem, denyForbidden], ["UserName"]));
    // THEN the Deny does not apply, and the other statement allows it
    expect(result.decision).toBe("Allow");
  });
});

describe("set operators over large sets", () => {
  const policyValues = range(POLICY_VALUES, (i) => `attribute-${i}`);

  it("ForAnyValue:StringEquals finds the one request value (of 30,000) among 300,000 policy values", () => {
    // GIVEN a Deny whose ForAnyValue:StringEquals lists 300,000 attributes, beside an Allow
    const deny = { ...denyForbidden, Condition: { "ForAnyValue:StringEquals": { "dynamodb:Attributes": policyValues } } };
    // WHEN 30,000 attributes are put, of which only the last is listed
    const attributes = [...range(REQUEST_VALUES - 1, (i) => `other-${i}`), `attribute-${POLICY_VALUES - 1}`];
    const result = simulate(threadRequest("dynamodb:PutItem", [allowPutItem, deny], attributes));
    // THEN "at least one member of the set of request values matches": the Deny applies
    expect(result.decision).toBe("ExplicitDeny");
  });

  it("ForAnyValue:StringEquals with no request value among 300,000 policy values does not apply", () => {
    // GIVEN the same Deny
    const deny = { ...denyForbidden, Condition: { "ForAnyValue:StringEquals": { "dynamodb:Attributes": policyValues } } };
    // WHEN none of the 30,000 attributes put is listed
    const result = simulate(
      threadRequest(
        "dynamodb:PutItem",
        [allowPutItem, deny],
        range(REQUEST_VALUES, (i) => `other-${i}`),
      ),
    );
    // THEN the Deny does not apply
    expect(result.decision).toBe("Allow");
  });

  it("ForAllValues:StringEquals allows 30,000 request values all among 300,000 policy values, and refuses one more", () => {
    // GIVEN an Allow whose ForAllValues:StringEquals lists 300,000 attributes
    const allow = { ...allowOnlyListed, Condition: { "ForAllValues:StringEquals": { "dynamodb:Attributes": policyValues } } };
    // WHEN 30,000 listed attributes are requested, and then the same with one not listed
    const listed = range(REQUEST_VALUES, (i) => `attribute-${POLICY_VALUES - 1 - i}`);
    const all = simulate(threadRequest("dynamodb:GetItem", [allow], listed));
    const oneMore = simulate(threadRequest("dynamodb:GetItem", [allow], [...listed, "UserName"]));
    // THEN "every key value in the request matches at least one value in the policy" holds only for the first
    expect(all.decision).toBe("Allow");
    expect(oneMore.decision).toBe("ImplicitDeny");
  });

  it("ForAnyValue:StringEqualsIgnoreCase matches across case among 300,000 policy values", () => {
    // GIVEN a Deny whose ForAnyValue:StringEqualsIgnoreCase lists 300,000 lower-case attributes
    const deny = { ...denyForbidden, Condition: { "ForAnyValue:StringEqualsIgnoreCase": { "dynamodb:Attributes": policyValues } } };
    // WHEN 30,000 attributes are put, the last one listed but written in upper case
    const attributes = [...range(REQUEST_VALUES - 1, (i) => `other-${i}`), `ATTRIBUTE-${POLICY_VALUES - 1}`];
    const result = simulate(threadRequest("dynamodb:PutItem", [allowPutItem, deny], attributes));
    // THEN the values match without regard to case, and the Deny applies
    expect(result.decision).toBe("ExplicitDeny");
  });

  it("ForAnyValue:StringEquals also matches a value given by a policy variable", () => {
    // GIVEN a Deny listing 300,000 attributes and ${aws:username}
    const deny = {
      ...denyForbidden,
      Condition: { "ForAnyValue:StringEquals": { "dynamodb:Attributes": [...policyValues, "${aws:username}"] } },
    };
    // WHEN alice puts 30,000 attributes, the last being "alice"
    const attributes = [...range(REQUEST_VALUES - 1, (i) => `other-${i}`), "alice"];
    const request = threadRequest("dynamodb:PutItem", [allowPutItem, deny], attributes);
    const result = simulate({ ...request, context: { ...request.context, "aws:username": "alice" } });
    // THEN the variable is replaced by the request's value, which matches, and the Deny applies
    expect(result.decision).toBe("ExplicitDeny");
  });
});
