/** The findings table: one row per finding, sortable by severity, each row jumping to its place in the graph. */
import { REPORT_SEVERITIES, type ReportData } from "../types.js";
import { h } from "./dom.js";

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
