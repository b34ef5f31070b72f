import { findings } from "../graph/findings/index.js";
import { AccessGraph } from "../graph/graph.js";
import { modelAsApplied, verify } from "../graph/verify.js";
import { verifySarif } from "../report/sarif.js";
import { loadSource } from "../source/load-source.js";
import { failOnOf } from "./graph-input.js";
import { UsageError } from "./json-input.js";
import { progress } from "./progress.js";
import { formatOf, jsonText, sarifFile, sarifOptions, textLines, writeOutput } from "./output.js";
import { helpOf, type Values, type VERIFY_OPTIONS } from "./usage.js";

export async function run(values: Values<typeof VERIFY_OPTIONS>): Promise<number> {
  if (!values.model) throw new UsageError(`give the model with --model FILE; ${helpOf("verify")}`);
  const failOn = failOnOf(values["fail-on"] ?? "high");
  const format = formatOf(values);
  const work = progress(values.inventory ? 5 : 4);
  const file = values.model;
  const model = work.stage("loading the model", () => loadSource({ model: file }));
  const { compiled } = model;
  const inventory = values.inventory;
  const deployed = inventory ? work.stage("loading the inventory", () => loadSource({ inventory }).state) : undefined;
  // From the model alone, the manual steps on permission sets are taken as done (and each answer says so).
  const applied = deployed ? undefined : modelAsApplied(compiled);
  const state = deployed ?? applied?.state ?? compiled.state;
  const graph = work.stage("building the graph", () => new AccessGraph(state, {}, { edges: "assume" }));
  const list = work.stage("analysing it", () => findings(state, { chains: compiled.chains, graph }));
  const result = work.stage("verifying", () =>
    verify(compiled, graph, {
      ...(deployed ? { deployed } : {}),
      ...(applied ? { standIns: applied.standIns } : {}),
      failOn,
      findings: list,
    }),
  );
  work.end();
  const text = () => {
    const lines = result.grants.flatMap((g) => [
      `${g.possible ? "ok  " : g.unknown ? "UNKNOWN" : "FAIL"} grants[${g.grant}] ${g.summary}`,
      g.possible ? `      path: ${g.path.join(" -> ")}` : `      ${g.reason}`,
      ...(g.assumes ?? []).map((a) => `      assumes: ${a}`),
    ]);
    for (const u of result.undeclared) lines.push(`FAIL undeclared: ${u.why}`);
    for (const d of result.drift) lines.push(`FAIL drift: ${d.resource}: ${d.problem}`, `      fix: ${d.fix}`);
    for (const f of result.findings) lines.push(`FAIL ${f.severity} ${f.id} ${f.title}: ${f.resource}`);
    for (const f of result.accepted) lines.push(`accepted ${f.severity} ${f.id} ${f.title}: ${f.resource}`);
    lines.push(result.ok ? "verified: the model holds" : "not verified");
    return textLines(lines);
  };
  const failures =
    result.grants.filter((g) => !g.possible).length + result.undeclared.length + result.drift.length + result.findings.length;
  await writeOutput(
    "verify",
    format === "sarif" ? sarifFile(verifySarif(result, sarifOptions(values, model))) : format === "json" ? jsonText(result) : text(),
    values.output,
    `${result.ok ? "verified" : `not verified, ${failures} failure${failures === 1 ? "" : "s"}`} (${format})`,
  );
  return result.ok ? 0 : 1;
}
