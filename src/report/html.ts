/**
 * The report as one self-contained HTML file: the page's script and stylesheet (bundled by
 * scripts/bundle-report.mjs into dist/report/) inlined as a module, the graph data (page-format.ts:
 * a gzip core and the keys of its parts) as JSON in a `<script type="application/json">`, each
 * part as gzip text in a `<script type="text/plain">` (the graph's shape before the page's script,
 * accounts' details and statements after it), and a Content-Security-Policy that forbids every
 * network request. Written atomically: a temporary file beside the target, then a rename.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pageFile } from "./page-data.js";
import { partElementId, type PartKind } from "./page-format.js";
import type { ReportData } from "./types.js";

/** The bundled page: script and stylesheet, read once. */
let assets: { script: string; style: string } | undefined;

function pageAssets(): { script: string; style: string } {
  if (assets) return assets;
  // dist/report/ beside this module, or beside the bundled command line in dist/bin/ (scripts/bundle-cli.mjs).
  const folder = join(dirname(fileURLToPath(import.meta.url)), "..", "report");
  const script = join(folder, "client.js");
  const style = join(folder, "client.css");
  if (!existsSync(script) || !existsSync(style)) throw new Error(`the report page is not built (${script} is missing): run npm run build`);
  assets = { script: readFileSync(script, "utf8"), style: readFileSync(style, "utf8") };
  return assets;
}

/** Text that cannot end the element it is inlined in, nor open an HTML comment there. */
function inlineSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** JSON that can sit inside a `<script>` element: every `<` escaped. */
function jsonInScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const PAGE_BODY = `<header>
  <h1>xacct report: {{title}}</h1>
  <span id="summary"></span>
  <div class="controls">
    <div class="search-box"><input id="search" type="search" placeholder="Search by name or ARN" aria-label="Search by name or ARN" autocomplete="off"><ul id="search-results"></ul></div>
    <label>Account <select id="filter-account" class="filter"><option value="">all</option></select></label>
    <label>Stage <select id="filter-stage" class="filter"><option value="">all</option></select></label>
    <label>Workload <select id="filter-workload" class="filter"><option value="">all</option></select></label>
    <fieldset class="modes"><legend hidden>Mode</legend>
      <label><input type="radio" name="mode" value="select" checked> Select</label>
      <label><input type="radio" name="mode" value="who-can-reach" id="mode-who-can-reach"> Who can reach this?</label>
      <label><input type="radio" name="mode" value="what-can-reach" id="mode-what-can-reach"> What can this reach?</label>
    </fieldset>
  </div>
</header>
<div class="legend">
  <span><span class="line"></span>assume role (trust)</span><span><span class="line cross"></span>cross-account</span><span><span class="line conditional"></span>conditional (needs a key or a condition)</span>
  <span><span class="line rp"></span>resource policy</span><span><span class="line idp"></span>identity policy</span><span><span class="line start"></span>workload starts as</span>
  <span>Accounts are groups; large ones are collapsed: click to expand. In large reports, every account starts collapsed and a collapsed account's links are drawn only to the accounts open, one line per pair: open an account or use the reach modes.</span>
</div>
<main><div id="graph" aria-label="Access graph"></div><aside id="panel" hidden></aside></main>
<section id="findings"><h2>Findings</h2><table id="findings-table"></table></section>`;

/** The report page for the data, as HTML text. */
export function reportHtml(data: ReportData): string {
  const { script, style } = pageAssets();
  const { file, texts } = pageFile(data);
  // The shape before the script, the other parts after it: the script runs (async) as soon as the
  // browser reaches it, and draws from the core while the parts are read.
  const parts = (kind: PartKind) =>
    texts[kind].map((text, k) => `<script type="text/plain" id="${partElementId(kind, k)}">${inlineSafe(text)}</script>\n`).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>xacct report: ${escapeHtml(data.title)}</title>
<style>${inlineSafe(style)}</style>
</head>
<body>
${PAGE_BODY.replace("{{title}}", escapeHtml(data.title))}
<script type="application/json" id="xacct-data">${jsonInScript(file)}</script>
${parts("shape")}<script type="module" async>${inlineSafe(script)}</script>
${parts("part")}${parts("statements")}</body>
</html>
`;
}

/** Writes text to a file atomically: a temporary file in the same directory, then a rename. */
export function writeAtomically(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes the report page for the data to `file`, atomically. */
export function writeReport(file: string, data: ReportData): void {
  writeAtomically(file, reportHtml(data));
}
