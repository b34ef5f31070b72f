/**
 * The report's view model from a model file or an inventory directory: the state, the access
 * graph, the findings (and, for a model, its chains and which findings it accepts).
 */
import { relative } from "node:path";
import { findings } from "../graph/findings/index.js";
import { AccessGraph, type EdgeKinds } from "../graph/graph.js";
import { verify } from "../graph/verify.js";
import { loadSource, type Source } from "../source/load-source.js";
import { silently, type Stage } from "../source/stage.js";
import type { AccountState } from "../state/account-state.js";
import { reportData } from "./graph-data.js";
import type { ReportData } from "./types.js";

/** The view model of what a model would create, or of a deployed inventory. */
export function loadReportData(
  source: Source,
  options: {
    context?: Record<string, string>;
    edges?: EdgeKinds;
    title?: string;
    stage?: Stage;
    /** What to keep of the whole (src/report/focus.ts), as part of drawing it. */
    narrow?: (data: ReportData) => ReportData;
  } = {},
): ReportData {
  const stage = options.stage ?? silently;
  const narrow = options.narrow ?? ((data: ReportData) => data);
  const shown = (path: string) => relative(process.cwd(), path) || path;
  const graphOf = (state: AccountState) =>
    stage("building the graph", () => new AccessGraph(state, options.context, { edges: options.edges ?? "all" }));
  if (source.inventory !== undefined) {
    const { state } = stage("loading the inventory", () => loadSource(source));
    const graph = graphOf(state);
    const list = stage("analysing it", () => findings(state, { graph }));
    return stage("drawing the report", () =>
      narrow(
        reportData({
          state,
          graph,
          chains: [],
          findings: list,
          source: `inventory ${shown(source.inventory as string)}`,
          title: options.title ?? shown(source.inventory as string),
        }),
      ),
    );
  }
  const { compiled } = stage("loading the model", () => loadSource(source));
  const graph = graphOf(compiled.state);
  const list = stage("analysing it", () => findings(compiled.state, { chains: compiled.chains, graph }));
  const accepted = new Set(verify(compiled, graph, { findings: list }).accepted);
  const acceptances = compiled.model.accept ?? [];
  return stage("drawing the report", () =>
    narrow(
      reportData({
        state: compiled.state,
        graph,
        chains: compiled.chains,
        findings: list,
        acceptedBecause: (f) => (accepted.has(f) ? acceptances.find((a) => a.rule === f.id)?.reason : undefined),
        source: `model ${shown(source.model)}`,
        title: options.title ?? compiled.model.name,
      }),
    ),
  );
}
