/**
 * The side panel: what a clicked node, edge, collapsed account or merged edge is — the statement
 * that allows an edge, the caller's side, the session limit, what needs to be supplied, and the
 * findings that concern it, each with its fix.
 */
import {
  accountLabel,
  type PolicyStatementRef,
  type ReportAccount,
  type ReportData,
  type ReportEdge,
  type ReportFinding,
  type ReportNode,
} from "../types.js";
import { durationText as duration } from "../../aws/durations.js";
import { CHAIN_LIMIT_SECONDS } from "../../aws/limits.js";
import { h } from "./dom.js";
import type { MergedEdge } from "./elements.js";
import type { NodeLookup } from "./store.js";

/** What the panel needs from the page: the data, and how to go to another element. */
export interface PanelContext {
  data: ReportData;
  nodes: NodeLookup;
  accounts: ReadonlyMap<string, ReportAccount>;
  /** Selects a node or an edge of the report (expanding its account) and shows it. */
  go(id: string): void;
  /** Expands or collapses an account. */
  toggleAccount(account: string): void;
}

const EDGE_KINDS: Record<ReportEdge["kind"], string> = {
  "assume-role": "assumes the role (its trust policy admits the caller)",
  escalation: "becomes it without its trust admitting it, by an escalation technique",
  "resource-policy": "is named by the resource's policy",
  identity: "reaches the resource with its own identity policy",
  "starts-as": "starts as this identity",
};

function statement(ctx: PanelContext, index: number): HTMLElement {
  const ref = ctx.data.statements[index] as PolicyStatementRef;
  return h("div", { class: "statement" }, h("div", { class: "where" }, ref.where), h("pre", {}, JSON.stringify(ref.statement, null, 2)));
}

function link(ctx: PanelContext, id: string, text?: string): HTMLElement {
  return h(
    "a",
    { href: "#", class: "go", "data-target": id, onclick: (e) => (e.preventDefault(), ctx.go(id)) },
    text ?? ctx.nodes.get(id)?.label ?? id,
  );
}

function accountText(ctx: PanelContext, id: string | undefined): string {
  const account = id === undefined ? undefined : ctx.accounts.get(id);
  return account ? accountLabel(account) : (id ?? "no account");
}

/** At most this many findings are written out in a panel (an account of a large report may have thousands). */
const PANEL_FINDINGS = 50;

/** The findings section: each with its severity, detail and fix (and why the model accepts it), the most severe first. */
export function findingsSection(ctx: PanelContext, indexes: readonly number[]): HTMLElement | null {
  // Most severe first: the report lists its findings so.
  const unique = [...new Set(indexes)].sort((a, b) => a - b);
  if (unique.length === 0) return null;
  const more = unique.length - PANEL_FINDINGS;
  return h(
    "section",
    { class: "findings" },
    h("h3", {}, `Findings (${unique.length})`),
    ...unique.slice(0, PANEL_FINDINGS).map((i) => {
      const f = ctx.data.findings[i] as ReportFinding;
      return h(
        "div",
        { class: `finding severity-${f.severity}` },
        h("div", { class: "finding-title" }, h("span", { class: `badge ${f.severity}` }, f.severity), ` ${f.id} ${f.title}`),
        h("p", {}, f.detail),
        h("p", { class: "fix" }, h("strong", {}, "Fix: "), f.fix),
        f.accepted ? h("p", { class: "accepted" }, h("strong", {}, "Accepted: "), f.accepted) : null,
      );
    }),
    more > 0 ? h("p", { class: "muted" }, `and ${more} more, less severe: the findings table lists them all`) : null,
  );
}

function dl(rows: [string, Node | string][]): HTMLElement {
  return h("dl", {}, ...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function edgeList(ctx: PanelContext, title: string, edges: ReportEdge[], other: (e: ReportEdge) => string): HTMLElement | null {
  if (edges.length === 0) return null;
  const shown = edges.slice(0, 50);
  return h(
    "section",
    {},
    h("h3", {}, `${title} (${edges.length})`),
    h(
      "ul",
      {},
      ...shown.map((e) =>
        h(
          "li",
          {},
          link(ctx, e.id, `${ctx.nodes.get(other(e))?.label ?? other(e)}`),
          ` ${e.actions.slice(0, 2).join(", ")}${e.crossAccount ? " · cross-account" : ""}`,
        ),
      ),
    ),
    edges.length > shown.length ? h("p", {}, `and ${edges.length - shown.length} more`) : null,
  );
}

/** A node: what it is, where, its edges and its findings; `extra` adds the reach mode's result. */
export function nodePanel(ctx: PanelContext, node: ReportNode, extra: HTMLElement | null): HTMLElement[] {
  const incoming = ctx.data.edges.filter((e) => e.to === node.id);
  const outgoing = ctx.data.edges.filter((e) => e.from === node.id);
  return [
    h("h2", {}, node.label),
    dl([
      ["Kind", node.kind],
      ["ARN", h("code", { class: "arn" }, node.arn)],
      ["Account", accountText(ctx, node.account)],
      ...(node.detail ? ([["Identity", node.detail]] as [string, string][]) : []),
      ...(node.workloads.length ? ([["Workloads", node.workloads.join(", ")]] as [string, string][]) : []),
    ]),
    extra,
    findingsSection(ctx, node.findings),
    edgeList(ctx, "Can reach", outgoing, (e) => e.to),
    edgeList(ctx, "Reached from", incoming, (e) => e.from),
  ].filter((x): x is HTMLElement => x !== null);
}

function callerSide(ctx: PanelContext, edge: ReportEdge): HTMLElement {
  if (edge.callerSide.length)
    return h("section", {}, h("h3", {}, "Caller's identity statement"), ...edge.callerSide.map((i) => statement(ctx, i)));
  const kind = ctx.nodes.get(edge.from)?.kind;
  const why: Record<string, string> = {
    federated: "A web or SAML identity has no identity policy: the trust statement checks its token.",
    service: "An AWS service principal has no identity policy: the statement above is all it needs.",
    account: "A principal outside the inventory: its own administrators decide its side.",
    anyone: "Anyone: the statement above is all it needs.",
    workload: "The workload's platform hands it this identity (no policy on its side).",
  };
  return h(
    "section",
    {},
    h("h3", {}, "Caller's identity statement"),
    h(
      "p",
      { class: "muted" },
      why[kind ?? ""] ??
        "No identity statement of the caller's allows it by name (the account's own principals may be allowed by the trust alone).",
    ),
  );
}

/** An edge: the statement that allows it, the caller's side, what it needs, its session limit, its findings. */
export function edgePanel(ctx: PanelContext, edge: ReportEdge): HTMLElement[] {
  const from = ctx.nodes.get(edge.from);
  const to = ctx.nodes.get(edge.to);
  const target = to?.findings ?? [];
  return [
    h("h2", {}, `${from?.label ?? edge.from} → ${to?.label ?? edge.to}`),
    h("p", {}, link(ctx, edge.from, from?.label), ` ${EDGE_KINDS[edge.kind]} `, link(ctx, edge.to, to?.label), "."),
    dl([
      ["Actions", edge.actions.join(", ")],
      [
        "Accounts",
        edge.crossAccount
          ? `cross-account: ${accountText(ctx, from?.account)} → ${accountText(ctx, to?.account)}`
          : accountText(ctx, from?.account ?? to?.account),
      ],
      ["Needs", edge.needs.length ? h("ul", { class: "needs" }, ...edge.needs.map((n) => h("li", {}, n))) : "nothing: unconditional"],
      ...(edge.maxSessionSeconds !== undefined
        ? ([
            [
              "Session limit",
              `${duration(edge.maxSessionSeconds)}${edge.kind === "assume-role" && (from?.kind === "role" || from?.kind === "account") ? ` (role chaining: AWS caps it at ${duration(CHAIN_LIMIT_SECONDS)})` : ""}`,
            ],
          ] as [string, string][])
        : []),
      ...(edge.workloads.length ? ([["Workloads", edge.workloads.join(", ")]] as [string, string][]) : []),
    ]),
    h(
      "section",
      {},
      h(
        "h3",
        {},
        edge.kind === "resource-policy" ? "Resource-policy statement" : edge.kind === "assume-role" ? "Trust statement" : "Allowed by",
      ),
      edge.allowedBy !== undefined
        ? statement(ctx, edge.allowedBy)
        : h(
            "p",
            { class: "muted" },
            edge.kind === "identity"
              ? "The caller's identity policy (below); the resource has no resource policy in the report."
              : "The workload's platform.",
          ),
    ),
    callerSide(ctx, edge),
    findingsSection(ctx, [...edge.findings, ...target]),
  ].filter((x): x is HTMLElement => x !== null);
}

/** A collapsed account: its label, members, and a button to expand it. */
export function accountPanel(ctx: PanelContext, account: string, collapsed: boolean): HTMLElement[] {
  const members = ctx.data.nodes.filter((n) => n.account === account);
  const info = ctx.accounts.get(account);
  return [
    h("h2", {}, info ? accountLabel(info) : account),
    dl([
      ["Account", account],
      ["Stage", info?.stage ?? "—"],
      ["Managed", info?.managed ? "yes" : "no (outside the model or inventory)"],
      ["Nodes", String(members.length)],
    ]),
    h(
      "button",
      { type: "button", id: "toggle-account", onclick: () => ctx.toggleAccount(account) },
      collapsed ? "Expand account" : "Collapse account",
    ),
    findingsSection(
      ctx,
      members.flatMap((m) => m.findings),
    ),
    h(
      "section",
      {},
      h("h3", {}, "Members"),
      h("ul", {}, ...members.slice(0, 100).map((m) => h("li", {}, link(ctx, m.id), ` (${m.kind})`))),
    ),
  ].filter((x): x is HTMLElement => x !== null);
}

/** A merged edge (between accounts, one at least collapsed): the edges it stands for. */
export function mergedPanel(ctx: PanelContext, merged: MergedEdge): HTMLElement[] {
  return [
    h("h2", {}, `${merged.edges.length} edge${merged.edges.length > 1 ? "s" : ""}`),
    h("p", {}, "Between accounts, one at least collapsed; open it to see these edges in the graph."),
    h(
      "ul",
      {},
      ...merged.edges
        .slice(0, 100)
        .map((e) =>
          h(
            "li",
            {},
            link(ctx, e.id, `${ctx.nodes.get(e.from)?.label ?? e.from} → ${ctx.nodes.get(e.to)?.label ?? e.to}`),
            ` ${e.actions.slice(0, 2).join(", ")}`,
          ),
        ),
    ),
  ];
}
