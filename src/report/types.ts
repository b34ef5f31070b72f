/**
 * The report's view model: accounts, nodes, edges and findings as the page draws them. Built in
 * Node by graph-data.ts, embedded in the HTML as JSON, read by the page (src/report/client/) and
 * by the Mermaid and DOT writers. Plain data only: no functions, no Maps, nothing secret (ARNs and
 * policy statements).
 */

/** An account drawn as a group. */
export interface ReportAccount {
  id: string;
  /** The model's name for the account, when it has one. */
  name?: string;
  stage?: string;
  /** False for accounts outside the model's or the inventory's management (a vendor, a consumer). */
  managed: boolean;
}

/**
 * What a node is: the access graph's principals (user, role, federated identity, service, the
 * root or a principal of an account outside the inventory), a model's workload, a resource
 * reached, or anyone (a resource policy's `"*"`).
 */
export type ReportNodeKind = "user" | "role" | "federated" | "service" | "account" | "workload" | "resource" | "anyone";

export interface ReportNode {
  id: string;
  kind: ReportNodeKind;
  /** A short name to draw (a role's name, a bucket's name). */
  label: string;
  /** The full ARN or principal, for search and the side panel. */
  arn: string;
  /** The account the node sits in; none for service principals and anyone. */
  account?: string;
  /** One line about how the node gets its identity (a workload's start, a web identity's sub). */
  detail?: string;
  /** The model's workloads whose chains pass through the node. */
  workloads: string[];
  /** Indexes into ReportData.findings. */
  findings: number[];
}

/**
 * How an edge allows its step: a role's trust admits the caller (assume-role), a resource's
 * policy names the caller (resource-policy), the caller's own identity policy reaches the resource
 * (identity), or a workload starts as an identity (starts-as).
 */
export type ReportEdgeKind = "assume-role" | "escalation" | "resource-policy" | "identity" | "starts-as";

/** A policy statement, with where it is written. */
export interface PolicyStatementRef {
  /** The policy: `arn:…:role/x trust policy.Statement[0] (Sid)`, `… inline policy name`, a managed policy's ARN. */
  where: string;
  statement: unknown;
}

export interface ReportEdge {
  id: string;
  kind: ReportEdgeKind;
  from: string;
  to: string;
  /** The actions the step allows (`sts:AssumeRole`, `s3:GetObject`, …), or how a workload starts (`irsa`). */
  actions: readonly string[];
  /** For an escalation: its technique (`pass-role-lambda`, src/graph/escalation.ts); `actions` are its requests in order. */
  technique?: string;
  /** The two ends are in different accounts. */
  crossAccount: boolean;
  /** What the caller must supply or be for the step to hold (`sts:ExternalId = …`, condition keys); empty when nothing. */
  needs: readonly string[];
  /** The longest session the step gives, in seconds (assume-role and starts-as). */
  maxSessionSeconds?: number;
  /** The trust or resource-policy statement that allows the step (an index into ReportData.statements). */
  allowedBy?: number;
  /** The caller's identity-policy statements that allow it (indexes into ReportData.statements). */
  callerSide: readonly number[];
  /** Lists the report may share between edges (src/report/graph-data.ts): never changed in place. */
  workloads: readonly string[];
  findings: readonly number[];
  /** In an account-level view (account-view.ts), how many steps of the full graph the edge stands for. */
  count?: number;
}

export type ReportSeverity = "critical" | "high" | "medium" | "low";

export interface ReportFinding {
  id: string;
  severity: ReportSeverity;
  title: string;
  resource: string;
  path?: string[];
  detail: string;
  fix: string;
  /** The model accepts the finding (`accept:`), for this reason. */
  accepted?: string;
  /** The nodes and edges the finding is about, to jump to. */
  nodes: string[];
  edges: string[];
}

export interface ReportData {
  /** What was read: `model examples/combined/xacct.yaml` or `inventory DIR`. */
  source: string;
  title: string;
  accounts: ReportAccount[];
  nodes: ReportNode[];
  edges: ReportEdge[];
  /** The policy statements edges refer to, each once (many edges share a trust or a policy). */
  statements: PolicyStatementRef[];
  findings: ReportFinding[];
}

/** Severities, most severe first. */
export const REPORT_SEVERITIES: readonly ReportSeverity[] = ["critical", "high", "medium", "low"];

/** An account's label: its name, ID and stage (`account-b · 222222222222 · prod`). */
export function accountLabel(account: ReportAccount): string {
  const name = account.name === account.id ? undefined : account.name;
  return [name, account.id, account.stage].filter((part) => part !== undefined && part !== "").join(" · ");
}

/**
 * The nodes grouped by account, in the order of `accounts` (an account without nodes left out),
 * then those in no account of the report (services, anyone) under `account: undefined`.
 */
export function accountGroups(data: ReportData): { account: ReportAccount | undefined; nodes: ReportNode[] }[] {
  const groups = new Map<string, { account: ReportAccount; nodes: ReportNode[] }>(
    data.accounts.map((a) => [a.id, { account: a, nodes: [] }]),
  );
  const outside: ReportNode[] = [];
  for (const node of data.nodes) ((node.account !== undefined ? groups.get(node.account)?.nodes : undefined) ?? outside).push(node);
  const inside: { account: ReportAccount | undefined; nodes: ReportNode[] }[] = [...groups.values()].filter((g) => g.nodes.length > 0);
  return outside.length > 0 ? [...inside, { account: undefined, nodes: outside }] : inside;
}

/** The statements an edge cites (indexes into ReportData.statements): the one that allows it, then the caller's. */
export function citedStatements(edge: ReportEdge): number[] {
  return [...(edge.allowedBy === undefined ? [] : [edge.allowedBy]), ...edge.callerSide];
}

/** An edge's short label: its actions (a few), and what it needs when it is conditional. */
export function edgeLabel(edge: ReportEdge): string {
  if (edge.count !== undefined) return `${edge.count} × ${edge.kind}`;
  // An escalation is named by its technique; its requests are in the panel.
  if (edge.technique) return edge.technique;
  const actions = edge.actions.length > 2 ? `${edge.actions.slice(0, 2).join(", ")} +${edge.actions.length - 2}` : edge.actions.join(", ");
  // A key's last part is enough to say what is needed: `ExternalId`, `sub`, `PrincipalOrgID`, `PrincipalTag/team`.
  const keys = [...new Set(edge.needs.map((n) => (n.split(" ")[0] as string).split(":").pop()))];
  return keys.length ? `${actions} [needs ${keys.join(", ")}]` : actions;
}
