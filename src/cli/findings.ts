import { type Finding, findings, SEVERITIES, type Severity } from "../graph/findings/index.js";
import type { Model } from "../model/schema.js";
import { isAccepted } from "../graph/verify.js";
import { findingsSarif } from "../report/sarif.js";
import { EXIT } from "./exit-codes.js";
import { failOnOf, loadSourceIn } from "./graph-input.js";
import { progress } from "./progress.js";
import { formatOf, jsonText, sarifFile, sarifOptions, textLines, writeOutput } from "./output.js";
import { sourceOf } from "./source.js";
import type { FINDINGS_OPTIONS, Values } from "./usage.js";

/** A finding's lines, a blank line after each. */
function describe(f: Finding): string[] {
  return [
    `${f.severity.toUpperCase().padEnd(8)} ${f.id}  ${f.title}`,
    `         ${f.path ? f.path.join(" -> ") : f.resource}`,
    `         ${f.detail}`,
    `         fix: ${f.fix}`,
    "",
  ];
}

function summary(list: Finding[]): string {
  if (list.length === 0) return "no findings";
  const counts = SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  return `${list.length} finding${list.length > 1 ? "s" : ""}: ${counts.map(([s, n]) => `${n} ${s}`).join(", ")}`;
}

export async function run(values: Values<typeof FINDINGS_OPTIONS>): Promise<number> {
  const failOn = values["fail-on"] === undefined ? undefined : failOnOf(values["fail-on"]);
  const format = formatOf(values);
  const work = progress(2);
  const loaded = loadSourceIn(work.stage, sourceOf(values, "findings"));
  const { state, chains, compiled } = loaded;
  const list = work.stage("analysing it", () => findings(state, { chains }));
  work.end();
  const text =
    format === "sarif"
      ? sarifFile(findingsSarif(list, sarifOptions(values, loaded)))
      : format === "json"
        ? jsonText({ findings: list })
        : textLines([...list.flatMap(describe), summary(list)]);
  await writeOutput("findings", text, values.output, `${list.length} finding${list.length === 1 ? "" : "s"} (${format})`);
  return failOn === undefined ? EXIT.ok : failing(list, failOn, compiled?.model);
}

/** --fail-on: exit 1 when a finding at or above the severity is left that the model does not accept, said on stderr. */
function failing(list: Finding[], failOn: Severity, model: Model | undefined): number {
  const atOrAbove = list.filter((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(failOn));
  const accepted = model ? atOrAbove.filter((f) => isAccepted(model, f)) : [];
  const failed = atOrAbove.length - accepted.length;
  const acceptedText = accepted.length ? `; ${accepted.length} more accepted by the model's accept:` : "";
  process.stderr.write(
    failed
      ? `xacct findings: ${failed} finding${failed > 1 ? "s" : ""} at or above ${failOn} (--fail-on ${failOn})${acceptedText}\n`
      : `xacct findings: none at or above ${failOn} (--fail-on ${failOn})${acceptedText}\n`,
  );
  return failed ? EXIT.negative : EXIT.ok;
}
