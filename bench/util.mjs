/** Helpers every benchmark shares: settings from the environment, and number formatting. */

export function envNumber(name, fallback) {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : Number(value);
}

export const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
export const fmtSec = (ms) => `${(ms / 1000).toFixed(3)} s`;
export const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** A Markdown table of rows of strings (the first row is the header), as lines. */
export function tableLines(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)];
}
