/**
 * `decideGrant`, the allow rules once no explicit deny and no guardrail stands in the way, one
 * rule per test, from AWS's policy evaluation logic:
 * - cross-account (IAM User Guide, "Cross-account policy evaluation logic"): the resource-based
 *   policy in the trusting account must name the principal, and the principal's identity-based
 *   policy must allow the access too;
 * - one account ("Policy evaluation for requests within a single account"): if either the
 *   identity-based or the resource-based policy allows, the request is allowed; a resource-based
 *   policy naming a user or a role session is not limited by an implicit deny in the permissions
 *   boundary or session policy, one naming the role's ARN is; role trust policies and KMS key
 *   policies must allow even in the same account.
 */
import { describe, expect, it } from "vitest";
import { decideGrant } from "../src/policy/evaluate.js";
import { Strength } from "../src/policy/principal.js";

/** Every layer of the caller's side allows; no resource-based policy says anything. */
const callerSideAllows = {
  hasIdentity: true,
  crossAccount: false,
  identity: true,
  boundary: true,
  session: true,
  resource: Strength.None,
  resourceRequired: false,
};

describe("decideGrant across accounts", () => {
  it("needs the resource-based policy: the caller's side alone is not enough", () => {
    // GIVEN a caller whose identity policy, boundary and session allow, and no resource policy naming it
    const inputs = { ...callerSideAllows, crossAccount: true };
    // WHEN the allow rules decide
    const outcome = decideGrant(inputs);
    // THEN the resource-based policy is what denies
    expect(outcome.deniedBy).toBe("resource");
  });

  it("needs the caller's identity policy: a resource policy naming the account is not enough", () => {
    // GIVEN a resource policy naming the caller's account, and no identity policy statement allowing it
    const inputs = { ...callerSideAllows, crossAccount: true, identity: false, resource: Strength.Account };
    // WHEN the allow rules decide
    const outcome = decideGrant(inputs);
    // THEN the identity side denies
    expect(outcome.deniedBy).toBe("identity");
  });

  it("needs the caller's identity policy even when the resource policy names the caller itself", () => {
    // GIVEN a resource policy naming the caller directly, and no identity policy statement allowing it
    const inputs = { ...callerSideAllows, crossAccount: true, identity: false, resource: Strength.Direct };
    // WHEN the allow rules decide
    const outcome = decideGrant(inputs);
    // THEN the identity side denies: across accounts both sides must allow
    expect(outcome.deniedBy).toBe("identity");
  });

  it("is limited by the caller's permissions boundary and session policy", () => {
    // GIVEN both sides allow, but the boundary (then the session policy) does not
    const noBoundary = { ...callerSideAllows, crossAccount: true, resource: Strength.Direct, boundary: false };
    const noSession = { ...callerSideAllows, crossAccount: true, resource: Strength.Direct, session: false };
    // WHEN the allow rules decide
    // THEN each denies
    expect(decideGrant(noBoundary).deniedBy).toBe("boundary");
    expect(decideGrant(noSession).deniedBy).toBe("session");
  });

  it("allows when both the caller's side and the resource-based policy allow, using both", () => {
    // GIVEN every layer of the caller's side allows and the resource policy names the account
    const inputs = { ...callerSideAllows, crossAccount: true, resource: Strength.Account };
    // WHEN the allow rules decide
    const outcome = decideGrant(inputs);
    // THEN it is allowed, by the identity and the resource side together
    expect(outcome.deniedBy).toBeUndefined();
    expect(outcome.uses).toEqual(expect.arrayContaining(["identity", "resource"]));
  });
});

describe("decideGrant in one account", () => {
  it("the identity side alone allows when no resource-based policy is needed", () => {
    // GIVEN the caller's side allows and no resource policy says anything
    // WHEN the allow rules decide
    const outcome = decideGrant(callerSideAllows);
    // THEN it is allowed by the identity side, not the resource
    expect(outcome.deniedBy).toBeUndefined();
    expect(outcome.uses).toContain("identity");
    expect(outcome.uses).not.toContain("resource");
  });

  it("a resource-based policy naming the caller itself allows with no identity, boundary or session allow", () => {
    // GIVEN a resource policy naming the caller (a user or role session), and nothing else allowing
    const inputs = { ...callerSideAllows, identity: false, boundary: false, session: false, resource: Strength.Direct };
    // WHEN the allow rules decide
    const outcome = decideGrant(inputs);
    // THEN the resource-based policy alone allows
    expect(outcome.deniedBy).toBeUndefined();
    expect(outcome.uses).toEqual(["resource"]);
  });

  it("a resource-based policy naming the caller's role is still limited by the boundary and the session policy", () => {
    // GIVEN a resource policy naming the role's ARN, and no identity policy allowing
    const byRole = { ...callerSideAllows, identity: false, resource: Strength.Role };
    // WHEN the allow rules decide, with and without the boundary and the session policy allowing
    // THEN it is allowed within both, and denied by whichever does not allow
    expect(decideGrant(byRole).deniedBy).toBeUndefined();
    expect(decideGrant({ ...byRole, boundary: false }).deniedBy).toBe("boundary");
    expect(decideGrant({ ...byRole, session: false }).deniedBy).toBe("session");
  });

  it("a resource-based policy naming only the account delegates to the caller's identity side", () => {
    // GIVEN a resource policy naming the caller's account
    const byAccount = { ...callerSideAllows, resource: Strength.Account };
    // WHEN the allow rules decide, with and without an identity policy allowing
    // THEN the identity policy decides
    expect(decideGrant(byAccount).deniedBy).toBeUndefined();
    expect(decideGrant({ ...byAccount, identity: false }).deniedBy).toBe("identity");
  });

  it("a role trust or KMS key policy must allow even when the identity side does", () => {
    // GIVEN an action whose resource policy is required (sts:AssumeRole on a role) and a trust that does not name the caller
    const inputs = { ...callerSideAllows, resourceRequired: true };
    // WHEN the allow rules decide
    const outcome = decideGrant(inputs);
    // THEN the resource-based policy denies
    expect(outcome.deniedBy).toBe("resource");
  });
});

describe("decideGrant for a caller with no identity policies", () => {
  it("only a resource-based policy naming it allows (a service, a web identity, anonymous)", () => {
    // GIVEN a caller that has no identity policies, in the same account and across accounts
    const service = { ...callerSideAllows, hasIdentity: false };
    // WHEN the allow rules decide, with and without a resource policy naming it
    // THEN the resource policy decides
    expect(decideGrant({ ...service, resource: Strength.Direct }).deniedBy).toBeUndefined();
    expect(decideGrant(service).deniedBy).toBe("resource");
    expect(decideGrant({ ...service, crossAccount: true }).deniedBy).toBe("resource");
  });
});
