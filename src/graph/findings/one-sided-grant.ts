/**
 * XA001 — one side of a grant is missing. Across accounts, assuming a role needs both the role's
 * trust and the caller's own sts:AssumeRole permission (in one account, a trust naming the user or
 * role itself is enough, and the engine's edges know it):
 * - a trust names a principal the state holds, and no edge joins them because the caller's
 *   identity policies do not allow sts:AssumeRole on the role (an SCP or boundary that blocks an
 *   allowed caller is not this rule's concern);
 * - a principal's identity policy allows sts:AssumeRole on a specific role of another known
 *   account, and that role's trust does not name the principal (or the role does not exist).
 * Principals of accounts the model does not manage are left out: their side is a manual step.
 */
import { iamAccountId, parseArn } from "../../aws/arn.js";
import { type Glob, globMatches } from "../../policy/wildcard.js";
import { principalStrength, Strength } from "../../policy/principal.js";
import type { AccountEntry, RoleState } from "../../state/account-state.js";
import type { AccessGraph, GraphNode } from "../graph.js";
import type { Edge } from "../edges.js";
import { allRoles, findPrincipal, permissionDocuments, trustDocument } from "./documents.js";
import { allows, list, principalsOf, statementsOf } from "./statements.js";
import type { Finding, FindingInput, Rule } from "./types.js";

const ID = "XA001";

function hasEdge(graph: AccessGraph, from: string, to: string): boolean {
  const edges = graph.edges.get(from);
  if (!edges) return false;
  // A trust admitting the caller: an escalation edge (rewriting the trust, ./escalation.ts) is not the grant's other side.
  const admits = (e: Edge) => e.to === to && !e.technique;
  if (edges.length < HUB_EDGES) return edges.some(admits);
  let targets = ASSUMED.get(edges);
  if (!targets) {
    targets = new Set(edges.filter((e) => !e.technique).map((e) => e.to));
    ASSUMED.set(edges, targets);
  }
  return targets.has(to);
}

/**
 * The roles a hub's trust edges reach, by its list of edges (a graph's: kept as long as the graph
 * is). A hub (an account's root, a CI role) is asked about once per role that trusts it, and its
 * list is long; other callers' lists are short and read as they are.
 */
const ASSUMED = new WeakMap<readonly Edge[], ReadonlySet<string>>();
const HUB_EDGES = 64;

/** What the caller's identity layer says about sts:AssumeRole on the role (SCPs and boundary apart). */
function identityAllows(graph: AccessGraph, caller: GraphNode, account: AccountEntry, role: RoleState): boolean {
  const { result } = graph.decide(
    caller,
    { action: "sts:AssumeRole", resource: role.arn, account, policy: graph.trustOf(role), context: { "aws:ResourceAccount": account.id } },
    { explain: true },
  );
  return result.explain.layers.find((l) => l.layer === "identity")?.result === "Allow";
}

/** Whether some Allow statement of the role's trust names the caller for sts:AssumeRole (conditions aside). */
function trustNames(graph: AccessGraph, caller: GraphNode, role: RoleState): boolean {
  const trust = graph.trustOf(role);
  const principal = graph.principalOf(caller);
  const assume = (globs: readonly Glob[] | null) => (globs ?? []).some((g) => globMatches(g, "sts:AssumeRole"));
  return trust.statements.some(
    (s) =>
      s.effect === "Allow" &&
      s.principal !== null &&
      principalStrength(s.principal, principal) > Strength.None &&
      (s.actions ? assume(s.actions) : !assume(s.notActions)),
  );
}

function trustWithoutCaller(input: FindingInput): Finding[] {
  const graph = input.graph();
  const out: Finding[] = [];
  for (const { account, role } of allRoles(input.state)) {
    const named = statementsOf(trustDocument(input.policies, account, role))
      .filter((s) => allows(s.compiled, "sts:AssumeRole"))
      .flatMap((s) => principalsOf(s.written).aws);
    for (const arn of new Set(named)) {
      const caller = findPrincipal(input.state, arn);
      const node = caller?.account.managed ? graph.nodes.get((caller.role ?? caller.user)?.arn ?? "") : undefined;
      if (!node || node.id === role.arn || hasEdge(graph, node.id, role.arn) || identityAllows(graph, node, account, role)) continue;
      out.push({
        id: ID,
        severity: "medium",
        title: "Trust without the caller's sts:AssumeRole",
        resource: role.arn,
        path: [node.id, role.arn],
        detail: `The trust policy of ${role.arn} names ${node.id}, but no identity policy of ${node.id} allows sts:AssumeRole on ${role.arn}: the grant has only its resource side, so the caller cannot assume the role.`,
        fix: `Add an identity policy statement to ${node.id}: {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "${role.arn}"} — or remove ${node.id} from the trust if the access is not wanted.`,
      });
    }
  }
  return out;
}

function callerWithoutTrust(input: FindingInput): Finding[] {
  const graph = input.graph();
  const out: Finding[] = [];
  for (const account of input.state.accounts.values()) {
    if (!account.managed) continue;
    for (const holder of [...account.roles.values(), ...account.users.values()]) {
      const node = graph.nodes.get(holder.arn);
      if (!node) continue;
      const targets = permissionDocuments(input.policies, account, holder)
        .flatMap((d) =>
          statementsOf(d)
            .filter((s) => allows(s.compiled, "sts:AssumeRole"))
            .flatMap((s) => list(s.written.Resource)),
        )
        .filter((r) => !/[*?$]/.test(r) && iamAccountId(r) !== undefined && parseArn(r)?.resource.startsWith("role/") === true);
      for (const target of new Set(targets)) {
        const targetAccount = input.state.accounts.get(iamAccountId(target) ?? "");
        if (!targetAccount?.managed || targetAccount.id === account.id) continue;
        const role = findPrincipal(input.state, target)?.role;
        if (role && (hasEdge(graph, node.id, role.arn) || trustNames(graph, node, role))) continue;
        out.push({
          id: ID,
          severity: "medium",
          title: role ? "sts:AssumeRole without the role's trust" : "sts:AssumeRole on a role that does not exist",
          resource: holder.arn,
          path: [holder.arn, target],
          detail: role
            ? `${holder.arn} may call sts:AssumeRole on ${target}, but the trust policy of ${target} does not name it (nor its account): the grant has only its identity side.`
            : `${holder.arn} may call sts:AssumeRole on ${target}, but account ${targetAccount.id} has no such role.`,
          fix: role
            ? `Add a trust statement to ${target}: {"Effect": "Allow", "Principal": {"AWS": "${holder.arn}"}, "Action": "sts:AssumeRole"} — or drop ${target} from the identity policy of ${holder.arn}.`
            : `Create the role ${target} with a trust naming ${holder.arn}, or drop it from the identity policy of ${holder.arn}.`,
        });
      }
    }
  }
  return out;
}

export const oneSidedGrant: Rule = {
  id: ID,
  summary: "one side of a grant is missing: a trust without the caller's sts:AssumeRole, or sts:AssumeRole without the role's trust",
  check: (input) => [...trustWithoutCaller(input), ...callerWithoutTrust(input)],
};
