/**
 * The access graph's trust-caller index (src/graph/trust-callers.ts) and its one decision
 * (src/graph/decide.ts), on small hand-built states. Expectations come from the IAM User Guide:
 * - "AWS account principals": "you can use the account ARN (arn:aws:iam::account-ID:root), or a
 *   shortened form that consists of the "AWS": prefix followed by the account ID … Both delegate
 *   permissions to the account … an administrator in that account must then grant access to an
 *   identity (IAM user or role) in that account";
 * - "IAM role principals": a trust naming a role's ARN names that role, not its account;
 * - "How to use an external ID": a trust with an sts:ExternalId condition admits only a caller
 *   that passes that ID.
 */
import { describe, expect, it } from "vitest";
import { rootArn } from "../src/aws/arn.js";
import { decide } from "../src/graph/decide.js";
import { GraphNodes } from "../src/graph/nodes.js";
import { PolicyBook } from "../src/graph/policies.js";
import { TrustCallers } from "../src/graph/trust-callers.js";
import { emptyAccount, type RoleState } from "../src/state/account-state.js";
import { A, accounts, addRole, B, ec2Trust, mayAssume, trusts } from "./support/accounts.js";

const C = "333333333333";

/** A, B and C (all managed): in A a role allowed to assume B's target and one with no permissions; in C one allowed too. */
function scene(trustedPrincipal: string) {
  const { a, b, state } = accounts();
  const c = emptyAccount(C, "aws", { name: "c" });
  state.accounts.set(C, c);
  const target: RoleState = addRole(b, "target", [trusts(trustedPrincipal)]);
  const permitted = addRole(a, "permitted", [ec2Trust], [mayAssume(target.arn)]);
  const idle = addRole(a, "idle", [ec2Trust]);
  const stranger = addRole(c, "stranger", [ec2Trust], [mayAssume(target.arn)]);
  const book = new PolicyBook(state);
  const nodes = new GraphNodes(state, book);
  const callers = new TrustCallers(state, nodes);
  const candidates = () => callers.of(target, b, book.policy(target.trustPolicy, "trust", "target trust"));
  return { target, permitted, idle, stranger, candidates, nodes, book, b };
}

describe("trust-caller index: whom a role's trust could admit", () => {
  it("a trust naming an account by its root ARN admits that account's principals whose own policies allow sts:AssumeRole", () => {
    // GIVEN B's role trusts arn:aws:iam::A:root
    const { permitted, idle, stranger, candidates } = scene(rootArn("aws", A));
    // WHEN its candidate callers are listed
    const found = candidates();
    // THEN A's role with sts:AssumeRole is one; A's role without it and C's role are not
    expect(found.has(permitted.arn)).toBe(true);
    expect(found.has(idle.arn)).toBe(false);
    expect(found.has(stranger.arn)).toBe(false);
  });

  it("a trust naming an account by its bare ID behaves as its root ARN", () => {
    // GIVEN B's role trusts "AWS": "111111111111"
    const { permitted, idle, stranger, candidates } = scene(A);
    // WHEN its candidate callers are listed
    const found = candidates();
    // THEN the same principals as for arn:aws:iam::A:root
    expect([...found]).toEqual([permitted.arn]);
    expect(found.has(idle.arn) || found.has(stranger.arn)).toBe(false);
  });

  it("a trust naming a role's ARN admits that role, not the other principals of its account", () => {
    // GIVEN B's role trusts A's role `idle` by ARN
    const { permitted, idle, candidates } = scene(`arn:aws:iam::${A}:role/idle`);
    // WHEN its candidate callers are listed
    const found = candidates();
    // THEN `idle` is a candidate (the engine then asks for its side); `permitted`, not named, is not
    expect([...found]).toEqual([idle.arn]);
    expect(found.has(permitted.arn)).toBe(false);
  });

  it("a trust naming another account admits none of this account's principals", () => {
    // GIVEN B's role trusts C's root only
    const { permitted, stranger, candidates } = scene(rootArn("aws", C));
    // WHEN its candidate callers are listed
    const found = candidates();
    // THEN C's role allowed to assume it is a candidate, and A's is not
    expect(found.has(stranger.arn)).toBe(true);
    expect(found.has(permitted.arn)).toBe(false);
  });
});

describe("decide: may this principal do this request", () => {
  it("a trust asking for sts:ExternalId denies without it; settling the caller's keys allows and says which", () => {
    // GIVEN B's role trusts A's root on condition sts:ExternalId = "ext-1", and A's role may assume it
    const { a, b, state } = accounts();
    const target = addRole(b, "target", [trusts(rootArn("aws", A), { Condition: { StringEquals: { "sts:ExternalId": "ext-1" } } })]);
    const caller = addRole(a, "caller", [ec2Trust], [mayAssume(target.arn)]);
    const book = new PolicyBook(state);
    const nodes = new GraphNodes(state, book);
    const node = nodes.byId.get(caller.arn);
    if (!node) throw new Error("no node for the caller");
    const q = {
      action: "sts:AssumeRole",
      resource: target.arn,
      account: b,
      policy: book.policy(target.trustPolicy, "trust", "target trust"),
      context: { "aws:ResourceAccount": B },
    };
    // WHEN it is decided as asked, then with the caller's keys settled
    const asked = decide(nodes, book, node, q, { explain: true });
    const settled = decide(nodes, book, node, q, { explain: true, callerKeys: true });
    const given = decide(nodes, book, node, { ...q, context: { ...q.context, "sts:ExternalId": "ext-1" } });
    // THEN without the ID it is denied; settled, it is allowed needing that ID; given, allowed needing nothing more
    expect(asked.result.decision).toBe("ImplicitDeny");
    expect(settled.result.decision).toBe("Allow");
    expect(settled.requires).toEqual({ "sts:ExternalId": "ext-1" });
    expect(given.result.decision).toBe("Allow");
    expect(given.requires).toEqual({});
  });
});
