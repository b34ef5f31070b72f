/** The findings table: one row per finding, sortable by severity, each row jumping to its place in the graph. */
import { accountLabel, REPORT_SEVERITIES, type ReportData } from "../types.js";
import { h } from "./dom.js";
import type { Store } from "./store.js";

/** Rows shown before "Show all" (a large inventory has thousands of findings). */
const FIRST_ROWS = 200;

/** Fills `table` with the findings; clicking a row calls `go` with the finding's index. */
export function findingsTable(table: HTMLTableElement, data: ReportData, go: (finding: number) => void): void {
  let mostSevereFirst = true;
  let limit = FIRST_ROWS;
  const rank = (i: number) => REPORT_SEVERITIES.indexOf(data.findings[i]?.severity ?? "low");
  const render = () => {
    const order = data.findings
      .map((_, i) => i)
      .sort(
        (a, b) =>
          (mostSevereFirst ? rank(a) - rank(b) : rank(b) - rank(a)) ||
          (data.findings[a]?.id ?? "").localeCompare(data.findings[b]?.id ?? "") ||
          a - b,
      );
    const sorter = h(
      "button",
      { type: "button", id: "sort-severity", title: "Sort by severity", onclick: () => ((mostSevereFirst = !mostSevereFirst), render()) },
      `Severity ${mostSevereFirst ? "▼" : "▲"}`,
    );
    const head = h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { "aria-sort": mostSevereFirst ? "descending" : "ascending" }, sorter),
        h("th", {}, "Rule"),
        h("th", {}, "Finding"),
        h("th", {}, "Where"),
        h("th", {}, "Fix"),
      ),
    );
    const rows = order.slice(0, limit).map((i) => {
      const f = data.findings[i];
      if (!f) return null;
      return h(
        "tr",
        {
          class: `severity-${f.severity}${f.accepted ? " accepted" : ""}`,
          "data-finding": String(i),
          "data-severity": f.severity,
          tabindex: "0",
          onclick: () => go(i),
          onkeydown: (e) => (e as KeyboardEvent).key === "Enter" && go(i),
        },
        h(
          "td",
          {},
          h("span", { class: `badge ${f.severity}` }, f.severity),
          f.accepted ? h("span", { class: "badge accepted", title: f.accepted }, "accepted") : null,
        ),
        h("td", {}, f.id),
        h("td", {}, h("strong", {}, f.title), h("div", { class: "muted" }, f.detail)),
        h("td", {}, h("code", {}, f.path ? f.path.join(" → ") : f.resource)),
        h("td", {}, f.fix),
      );
    });
    const more =
      order.length > limit
        ? h(
            "tr",
            {},
            h(
              "td",
              { colspan: "5" },
              h(
                "button",
                { type: "button", id: "more-findings", onclick: () => ((limit = order.length), render()) },
                `Show all ${order.length} findings`,
              ),
            ),
          )
        : null;
    table.replaceChildren(
      head,
      h("tbody", {}, ...rows, more, data.findings.length === 0 ? h("tr", {}, h("td", { colspan: "5" }, "No findings.")) : null),
    );
  };
  render();
}

/**
 * A large report's findings: per account, how many of each severity (most critical first); a row
 * opens its account, whose panel lists them with their fixes.
 */
export function findingsByAccount(table: HTMLTableElement, store: Store, open: (account: string) => void): void {
  const rows = store.data.accounts
    .map((account) => ({ account, counts: store.findingCounts(account.id) }))
    .filter((r) => r.counts.some((n) => n > 0))
    .sort((a, b) => a.counts.reduce((order, n, i) => order || (b.counts[i] ?? 0) - n, 0) || a.account.id.localeCompare(b.account.id));
  const outside = store.findingCounts(undefined);
  let limit = FIRST_ROWS;
  const cells = (counts: readonly number[]) =>
    counts.map((n, i) => h("td", { class: "count", "data-severity": REPORT_SEVERITIES[i] ?? "" }, n ? String(n) : ""));
  const render = () => {
    const head = h(
      "thead",
      {},
      h("tr", {}, h("th", {}, "Account"), ...REPORT_SEVERITIES.map((s) => h("th", {}, h("span", { class: `badge ${s}` }, s)))),
    );
    const body = rows.slice(0, limit).map(({ account, counts }) =>
      h(
        "tr",
        {
          "data-account": account.id,
          tabindex: "0",
          onclick: () => open(account.id),
          onkeydown: (e) => (e as KeyboardEvent).key === "Enter" && open(account.id),
        },
        h("td", {}, accountLabel(account)),
        ...cells(counts),
      ),
    );
    const more =
      rows.length > limit
        ? h(
            "tr",
            {},
            h(
              "td",
              { colspan: "5" },
              h(
                "button",
                { type: "button", id: "more-findings", onclick: () => ((limit = rows.length), render()) },
                `Show all ${rows.length} accounts`,
              ),
            ),
          )
        : null;
    const none = outside.some((n) => n > 0) ? h("tr", {}, h("td", {}, "in no account"), ...cells(outside)) : null;
    table.replaceChildren(
      h("caption", {}, `${store.findingTotal} findings, by account: open an account to read its findings and their fixes.`),
      head,
      h("tbody", {}, ...body, more, none, store.findingTotal === 0 ? h("tr", {}, h("td", { colspan: "5" }, "No findings.")) : null),
    );
  };
  render();
}
