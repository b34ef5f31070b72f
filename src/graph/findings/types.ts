/** What a finding rule reports, and what every rule is given. */
import type { Chain } from "../../compile/plan.js";
import type { AccountState } from "../../state/account-state.js";
import type { AccessGraph } from "../graph.js";
import type { PolicyBook } from "../policies.js";

export type Severity = "critical" | "high" | "medium" | "low";

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

export interface Finding {
  /** The rule's stable ID (`XA001`). */
  id: string;
  severity: Severity;
  title: string;
  /** The ARN of what to change: a role, user, policy or resource. */
  resource: string;
  /** For findings about a chain: the principals along it, start first. */
  path?: string[];
  detail: string;
  fix: string;
}

/** Everything a rule may look at, computed once for all rules. */
export interface FindingInput {
  state: AccountState;
  /** A model's run-time chains (from compile); none for an inventory. */
  chains: readonly Chain[];
  /** The state's policy documents, each compiled once by the engine (the graph's book when it is given). */
  policies: PolicyBook;
  /** The access graph over the state, built on first use. */
  graph(): AccessGraph;
}

export interface Rule {
  id: string;
  /** One line: what the rule looks for. */
  summary: string;
  check(input: FindingInput): Finding[];
}
