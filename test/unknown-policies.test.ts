/**
 * Attached customer managed policies whose documents xacct does not hold: `can`, `who-can`,
 * `reach` and `verify` say the answer depends on them, never a silent Deny, "nobody" or "no role".
 * AWS: "Managed policies are standalone identity-based policies that you can attach to multiple
 * users, groups, and roles" (IAM User Guide, "Managed policies and inline policies"); a model names
 * a customer managed policy by ARN only, so what it allows is unknown until an inventory holds it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can, reach, whoCan } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { loadModel } from "../src/model/load.js";
import { type AccountState, emptyAccount, policyDocument, type RoleState } from "../src/state/account-state.js";
import { PROD, VENDOR_ACCOUNT, VENDOR_ROLE, vendorModel } from "./support/vendor-model.js";
import { xacct } from "./support/xacct-cli.js";

const EXTRA = `arn:aws:iam::${PROD}:policy/vendor-extra`;
const VENDOR = `arn:aws:iam::${VENDOR_ACCOUNT}:root`;
/** The vendor model with a customer managed policy of prod that the model names only by ARN. */
const withExtra = vendorModel({ managedPolicies: `[ReadOnlyAccess, "${EXTRA}"]` });
const build = (text: string) => compile(loadModel(text, "xacct.yaml"));
const CREATE_USER = { action: "iam:CreateUser", resource: `arn:aws:iam::${PROD}:user/new`, context: { "sts:ExternalId": "acme-7f3a" } };

describe("who-can with an unknown customer managed policy", () => {
  it("names the role holding it, and the vendor upstream of it, as unknown rather than answering nobody", () => {
    // GIVEN the vendor role with ReadOnlyAccess and a customer managed policy whose document xacct lacks
    const graph = new AccessGraph(build(withExtra).state);
    // WHEN who-can asks about iam:CreateUser, which ReadOnlyAccess does not allow
    const answer = whoCan(graph, CREATE_USER);
    // THEN no one is said to be able, and the role (and the vendor that reaches it) are unknown, naming the policy
    expect(answer.principals).toEqual([]);
    expect(answer.unknown).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principal: VENDOR_ROLE, via: [], policies: [EXTRA] }),
        expect.objectContaining({ principal: VENDOR, via: [VENDOR_ROLE], policies: [EXTRA] }),
      ]),
    );
  });

  it("answers as before where every attached document is known", () => {
    // GIVEN the vendor role with AWS managed policies only
    const graph = new AccessGraph(build(vendorModel()).state);
    // WHEN who-can asks about iam:CreateUser
    const answer = whoCan(graph, CREATE_USER);
    // THEN nobody, with nothing unknown
    expect(answer).toEqual({ principals: [] });
  });

  it("prints the unknown principals on the command line", () => {
    // GIVEN the model in a file
    const file = join(mkdtempSync(join(tmpdir(), "xacct-unknown-")), "xacct.yaml");
    writeFileSync(file, withExtra);
    // WHEN a user asks who can create a user in prod
    const run = xacct(["who-can", "--model", file, "--action", "iam:CreateUser", "--resource", CREATE_USER.resource]);
    // THEN the answer is not a bare "nobody": it names the role and the policy it cannot read
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/^nobody$/m);
    expect(run.stdout).toContain("Unknown:");
    expect(run.stdout).toContain(`${VENDOR_ROLE}: ${EXTRA}`);
  });
});

describe("reach with an unknown customer managed policy", () => {
  const OTHER = "444455556666";
  const TARGET = `arn:aws:iam::${OTHER}:role/deployer`;
  /** GIVEN role auditor of prod, with only customer managed policy ops (no document), and role deployer of another account trusting prod's root. */
  function state(): AccountState {
    const role = (account: string, name: string, trusted: Record<string, string>, attached: string[]): RoleState => ({
      name,
      path: "/",
      arn: `arn:aws:iam::${account}:role/${name}`,
      trustPolicy: policyDocument([{ Effect: "Allow", Principal: trusted, Action: "sts:AssumeRole" }]),
      policies: new Map(),
      managedPolicyArns: attached,
      maxSessionDuration: 3600,
      tags: new Map(),
    });
    const prod = emptyAccount(PROD, "aws");
    prod.roles.set("auditor", role(PROD, "auditor", { Service: "ec2.amazonaws.com" }, [`arn:aws:iam::${PROD}:policy/ops`]));
    const other = emptyAccount(OTHER, "aws");
    other.roles.set("deployer", role(OTHER, "deployer", { AWS: `arn:aws:iam::${PROD}:root` }, []));
    return {
      accounts: new Map([
        [PROD, prod],
        [OTHER, other],
      ]),
    };
  }

  it("lists the role the unknown policy may let it assume, rather than no role", () => {
    // GIVEN the two accounts
    const graph = new AccessGraph(state());
    // WHEN reach asks what auditor can become
    const answer = reach(graph, `arn:aws:iam::${PROD}:role/auditor`);
    // THEN no role is certain (the trust names prod's account, so auditor's own policies must allow sts:AssumeRole),
    // and deployer is unknown, depending on ops
    expect(answer.roles).toEqual([]);
    expect(answer.unknown).toEqual([{ role: TARGET, via: [TARGET], policies: [`arn:aws:iam::${PROD}:policy/ops`] }]);
    // AND `can` agrees that assuming it is unknown, not denied
    expect(can(graph, { principal: `arn:aws:iam::${PROD}:role/auditor`, action: "sts:AssumeRole", resource: TARGET }).decision).toBe(
      "Unknown",
    );
  });
});

describe("verify with an unknown customer managed policy", () => {
  it("says a grant whose permission moved into an unknown policy is unknown, not impossible", () => {
    // GIVEN the vendor model, and deployed IAM where vendor-readonly holds no inline policy but the customer managed policy
    const compiled = build(vendorModel({ managedPolicies: `["${EXTRA}"]` }));
    const deployed = build(vendorModel({ managedPolicies: `["${EXTRA}"]` })).state;
    const role = deployed.accounts.get(PROD)?.roles.get("vendor-readonly") as RoleState;
    role.policies.clear();
    // WHEN verify checks the model against it
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN the s3 read grant is not proven, and the check names the policy it depends on
    expect(result.ok).toBe(false);
    expect(result.grants[0]).toMatchObject({ possible: false, unknown: [EXTRA] });
    expect(result.grants[0]?.reason).toMatch(/^unknown: /);
  });

  it("lists a cross-account role the unknown policy may let a role assume as undeclared, saying it depends on the policy", () => {
    // GIVEN the vendor model with the customer managed policy, deployed beside an account whose role deployer trusts prod's root
    const compiled = build(withExtra);
    const deployed = structuredClone(compiled.state);
    const other = emptyAccount("444455556666", "aws");
    other.roles.set("deployer", {
      name: "deployer",
      path: "/",
      arn: "arn:aws:iam::444455556666:role/deployer",
      trustPolicy: policyDocument([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: "sts:AssumeRole" }]),
      policies: new Map(),
      managedPolicyArns: [],
      maxSessionDuration: 3600,
      tags: new Map(),
    });
    deployed.accounts.set("444455556666", other);
    // WHEN verify checks the model against it
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN the possible edge is undeclared, naming the policy it depends on, and the model does not hold
    expect(result.undeclared).toEqual([
      expect.objectContaining({ from: VENDOR_ROLE, to: "arn:aws:iam::444455556666:role/deployer", why: expect.stringContaining(EXTRA) }),
    ]);
    expect(result.ok).toBe(false);
  });
});
