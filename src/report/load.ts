/**
 * The report's view model from a model file or an inventory directory: the state, the access
 * graph, the findings (and, for a model, its chains and which findings it accepts).
 */
import { relative } from "node:path";
import { findings } from "../graph/findings/index.js";
import { AccessGraph, type EdgeKinds } from "../graph/graph.js";
import { verify } from "../graph/verify.js";
import { loadSource, type Source } from "../source/load-source.js";
import { reportData } from "./graph-data.js";
import type { ReportData } from "./types.js";

/** The view model of what a model would create, or of a deployed inventory. */
export function loadReportData(
  source: Source,
  options: { context?: Record<string, string>; edges?: EdgeKinds; title?: string } = {},
): ReportData {
  const shown = (path: string) => relative(process.cwd(), path) || path;
  if (source.inventory !== undefined) {
    const { state } = loadSource(source);
    const graph = new AccessGraph(state, options.context, { edges: options.edges ?? "all" });
    return reportData({
      state,
      graph,
      chains: [],
      findings: findings(state, { graph }),
      source: `inventory ${shown(source.inventory)}`,
      title: options.title ?? shown(source.inventory),
    });
  }
  const { compiled } = loadSource(source);
  const graph = new AccessGraph(compiled.state, options.context, { edges: options.edges ?? "all" });
  const list = findings(compiled.state, { chains: compiled.chains, graph });
  const accepted = new Set(verify(compiled, graph, { findings: list }).accepted);
  const acceptances = compiled.model.accept ?? [];
  return reportData({
    state: compiled.state,
    graph,
    chains: compiled.chains,
    findings: list,
    acceptedBecause: (f) => (accepted.has(f) ? acceptances.find((a) => a.rule === f.id)?.reason : undefined),
    source: `model ${shown(source.model)}`,
    title: options.title ?? compiled.model.name,
  });
}
