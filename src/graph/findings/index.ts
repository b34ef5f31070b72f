/**
 * `xacct findings`: risky or broken IAM across accounts, one small rule per file, each with a
 * stable ID. Rules read the AccountState (from a model or an inventory), the model's run-time
 * chains when there are any, and the access graph, whose edges the policy engine decides.
 */
import type { Chain } from "../../compile/plan.js";
import type { AccountState } from "../../state/account-state.js";
import { compareText } from "../../text/collate.js";
import { AccessGraph } from "../graph.js";
import { PolicyBook } from "../policies.js";
import { accessKeysCrossAccount } from "./access-keys-cross-account.js";
import { actionResource } from "./action-resource.js";
import { chainedDuration } from "./chained-duration.js";
import { crossAccountWildcards } from "./cross-account-wildcards.js";
import { escalationPath } from "./escalation-path.js";
import { jvmChainedProfile } from "./jvm-chained-profile.js";
import { notPrincipalNotAction } from "./not-principal-not-action.js";
import { oidcConditions } from "./oidc-conditions.js";
import { oneSidedGrant } from "./one-sided-grant.js";
import { passRoleWildcard } from "./pass-role-wildcard.js";
import { publicPrincipal } from "./public-principal.js";
import { rootTrustWrite } from "./root-trust-write.js";
import { serviceSource } from "./service-source.js";
import { thirdPartyExternalId } from "./third-party-external-id.js";
import { type Finding, type Rule, SEVERITIES } from "./types.js";

export { type Finding, type Rule, type Severity, SEVERITIES } from "./types.js";

/** Every rule, in the order of their IDs. */
export const RULES: readonly Rule[] = [
  oneSidedGrant,
  thirdPartyExternalId,
  rootTrustWrite,
  publicPrincipal,
  serviceSource,
  oidcConditions,
  chainedDuration,
  actionResource,
  crossAccountWildcards,
  passRoleWildcard,
  notPrincipalNotAction,
  accessKeysCrossAccount,
  jvmChainedProfile,
  escalationPath,
];

export interface FindingsOptions {
  /** A model's run-time chains (`compile(model).chains`), for the rules about chains. */
  chains?: readonly Chain[];
  /** An access graph already built over the same state, to reuse. */
  graph?: AccessGraph;
}

/**
 * What makes a finding the same as another: its rule, resource, title, detail and path, each
 * written after its length so that no two findings share a key (cheaper than JSON's escaping for
 * 142,000 findings of a few hundred characters).
 */
function findingKey(finding: Finding): string {
  let key = "";
  for (const part of [finding.id, finding.resource, finding.title, finding.detail, ...(finding.path ?? [])])
    key += `${part.length}:${part}`;
  return key;
}

/** Every finding over the state, most severe first, then by rule and resource; each once. */
export function findings(state: AccountState, options: FindingsOptions = {}): Finding[] {
  let graph = options.graph;
  const input = {
    state,
    chains: options.chains ?? [],
    policies: graph?.book ?? new PolicyBook(state),
    graph: () => (graph ??= new AccessGraph(state, {}, { edges: "assume" })),
  };
  const seen = new Set<string>();
  // Each fix's text once: a rule gives thousands of findings a few fixes (a 1,000-account organization's 142,000 findings have 5,800), each written anew.
  const fixes = new Map<string, string>();
  const out: Finding[] = [];
  for (const rule of RULES) {
    for (const finding of rule.check(input)) {
      const key = findingKey(finding);
      if (seen.has(key)) continue;
      seen.add(key);
      const fix = fixes.get(finding.fix);
      if (fix === undefined) fixes.set(finding.fix, finding.fix);
      out.push(fix === undefined ? finding : { ...finding, fix });
    }
  }
  return out.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareText(a.id, b.id) || compareText(a.resource, b.resource),
  );
}
