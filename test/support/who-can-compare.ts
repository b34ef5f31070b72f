/**
 * Whether two models' graphs answer the same who-can questions across accounts: for each
 * (action, resource) the original model's grants allow, the principals of other accounts that may
 * do it, as `xacct import`'s goal states it ("whose graph answers the same who-can questions as the
 * original model's").
 */
import { expect } from "vitest";
import type { Compiled } from "../../src/compile/compile.js";
import { kindStatements } from "../../src/compile/permissions.js";
import { AccessGraph } from "../../src/graph/graph.js";
import { can, decideAs, whoCan } from "../../src/graph/query.js";
import type { AccountState } from "../../src/state/account-state.js";

/** Each (action, resource) an original model's grants allow, as verify probes them. */
function questions(compiled: Compiled): { action: string; resource: string; account: string }[] {
  const out = new Map<string, { action: string; resource: string; account: string }>();
  for (const chain of compiled.chains) {
    const place = { partition: "aws", region: chain.region, account: chain.account };
    for (const { statement } of kindStatements(
      { ...(chain.service ? { service: chain.service } : {}), access: chain.access, resources: chain.resources },
      place,
    )) {
      const resource = [statement.Resource ?? "*"].flat()[0] as string;
      if (resource === "*") continue;
      for (const action of [statement.Action ?? []].flat()) {
        const concrete = resource.replace(/[*?]/g, "x");
        out.set(`${action} ${concrete}`, { action, resource: concrete, account: chain.account });
      }
    }
  }
  return [...out.values()];
}

/** An IAM ARN's account, if the principal is one. */
const accountOf = (principal: string) => /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];

/**
 * Who may do it from another account than the resource's: principals of other accounts, and
 * services or federated identities whose chain passes through another account's role — where the
 * inventory holds that role's account: who may become a role of an account outside it (a
 * consumer's Lambda role that a stream policy names) is its own administrators' business, which
 * neither the inventory nor a model of it can know.
 */
function crossAccountWhoCan(graph: AccessGraph, q: Question, inventoried: ReadonlySet<string>): string[] {
  return whoCan(graph, { action: q.action, resource: q.resource, resourceAccount: q.account })
    .principals.filter((p) => {
      const own = accountOf(p.principal);
      if (own !== undefined) return own !== q.account;
      const first = accountOf(p.via[0] ?? "");
      return first !== undefined && inventoried.has(first) && p.via.some((role) => accountOf(role) !== q.account);
    })
    .map((p) => p.principal);
}

/**
 * Whether the principal may do it in the graph: who-can lists it, or (a principal of an account
 * outside the inventory, which who-can does not enumerate) `can` allows it.
 */
function allows(graph: AccessGraph, listed: readonly string[], principal: string, q: Question): boolean {
  if (listed.includes(principal)) return true;
  const account = accountOf(principal);
  if (account === undefined) return false;
  // An account's root listed stands for every principal of that account (a trust admitting the account).
  if (listed.includes(`arn:aws:iam::${account}:root`)) return true;
  if (graph.nodes.has(principal))
    return can(graph, { principal, action: q.action, resource: q.resource, resourceAccount: q.account }).decision === "Allow";
  // A principal the graph does not hold (named only by a resource policy): whatever its administrators allow.
  return decideAs(graph, graph.outsider(principal), q.action, q.resource, graph.state.accounts.get(q.account), {}).decision === "Allow";
}

type Question = { action: string; resource: string; account: string };

/**
 * THEN-part shared by the import tests: the imported model's graph answers who-can across accounts
 * as the original model's does, for each resource the original grants on (`inventory`: the accounts
 * read, whose roles who-can may enumerate).
 */
export function expectSameWhoCan(original: Compiled, imported: Compiled, inventory: AccountState): void {
  const before = new AccessGraph(original.state);
  const after = new AccessGraph(imported.state);
  const asked = questions(original);
  if (original.chains.some((c) => c.service)) expect(asked.length).toBeGreaterThan(0);
  const inventoried = new Set(inventory.accounts.keys());
  for (const q of asked) {
    const [was, is] = [crossAccountWhoCan(before, q, inventoried), crossAccountWhoCan(after, q, inventoried)];
    for (const principal of new Set([...was, ...is]))
      expect({ ...q, principal, allowed: allows(after, is, principal, q) }).toEqual({
        ...q,
        principal,
        allowed: allows(before, was, principal, q),
      });
  }
}
