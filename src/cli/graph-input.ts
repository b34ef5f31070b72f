import { SEVERITIES, type Severity } from "../graph/findings/types.js";
import { AccessGraph, EDGE_KINDS, type EdgeKinds } from "../graph/graph.js";
import { isAccountId, parseArn, parseIamArn } from "../aws/arn.js";
import { findAction, serviceActions } from "../catalog/catalog.js";
import type { Chain } from "../compile/plan.js";
import { AnswerFocusError, MAX_FOCUS_DEPTH } from "../graph/focus.js";
import { FocusError } from "../report/focus.js";
import { type Loaded, loadSource, type Source } from "../source/load-source.js";
import { silently, type Stage } from "../source/stage.js";
import { UsageError } from "./json-input.js";
import { oneLine } from "../text/escape.js";
import { didYouMean } from "../text/suggest.js";
import { jsonText, textLines } from "./output.js";
import { sourceOf } from "./source.js";

/** `--context KEY=VALUE`, repeated. */
export function contextOf(pairs: string[] | undefined): Record<string, string> {
  // No prototype: any key given (`__proto__` too) is a key of the context.
  const out = Object.create(null) as Record<string, string>;
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--context takes KEY=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** `--edges all|assume`: every technique (the default), or role assumption through trusts only. */
export function edgeKindsOf(value: string | undefined): EdgeKinds {
  if (value === undefined) return "all";
  if ((EDGE_KINDS as readonly string[]).includes(value)) return value as EdgeKinds;
  throw new UsageError(`--edges takes ${EDGE_KINDS.join(" or ")}, got "${value}"`);
}

/** `--fail-on SEVERITY`: the least severe finding that fails the command. */
export function failOnOf(value: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new UsageError(`--fail-on takes one of ${SEVERITIES.join(", ")}, got "${value}"`);
}

/** The graph of an inventory directory or of what a model would create. */
export function graphFrom(
  values: { inventory?: string; model?: string; edges?: string },
  context: Record<string, string>,
  command: string,
  stage: Stage = silently,
): AccessGraph {
  return graphAndChainsFrom(values, context, command, stage).graph;
}

/** The graph, and a model's run-time chains (none for an inventory). */
export function graphAndChainsFrom(
  values: { inventory?: string; model?: string; edges?: string },
  context: Record<string, string>,
  command: string,
  stage: Stage = silently,
): { graph: AccessGraph; chains: Chain[] } {
  const edges = edgeKindsOf(values.edges);
  const { state, chains } = loadSourceIn(stage, sourceOf(values, command));
  return { graph: stage("building the graph", () => new AccessGraph(state, context, { edges })), chains };
}

/** Loads a model or an inventory as a stage of a long job. */
export function loadSourceIn(stage: Stage, source: Source): Loaded {
  return stage(source.model !== undefined ? "loading the model" : "loading the inventory", () => loadSource(source));
}

/** `--account ID… --workload NAME… --focus ARN --depth N`, checked: what report, graph, who-can and reach narrow to. */
export function focusOf(values: { account?: string[]; workload?: string[]; focus?: string[]; depth?: string }): {
  accounts?: string[];
  workloads?: string[];
  around?: { arns: string[]; depth: number };
} {
  for (const id of values.account ?? []) if (!isAccountId(id)) throw new UsageError(`--account takes a 12-digit account ID, got "${id}"`);
  if (values.depth !== undefined && values.focus === undefined)
    throw new UsageError("--depth goes with --focus ARN (the node to look around)");
  const raw = values.depth ?? "2";
  const depth = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || depth > MAX_FOCUS_DEPTH)
    throw new UsageError(`--depth takes a whole number of steps from 0 to ${MAX_FOCUS_DEPTH}, got "${raw}"`);
  return {
    ...(values.account?.length ? { accounts: values.account } : {}),
    ...(values.workload?.length ? { workloads: values.workload } : {}),
    ...(values.focus?.length ? { around: { arns: [...new Set(values.focus)], depth } } : {}),
  };
}

/** Runs `narrow`; a focus naming what is not there is the user's mistake, said as such. */
export function focusing<T>(narrow: () => T): T {
  try {
    return narrow();
  } catch (error) {
    if (error instanceof FocusError || error instanceof AnswerFocusError) throw new UsageError(error.message);
    throw error;
  }
}

/** A chain as a line: each hop, with its technique where it is not a trust's assumption, and what it holds only if. */
export function hopsText(path: { via: readonly string[]; techniques: readonly string[]; holdsIf?: readonly string[] }): string {
  const hops = path.via
    .map((to, i) => (path.techniques[i] && path.techniques[i] !== "assume" ? `${to} [${path.techniques[i]}]` : to))
    .join(" -> ");
  return path.holdsIf?.length ? `${hops} (holds only if ${path.holdsIf.join("; and if ")})` : hops;
}

/**
 * What a question about `action` on `resource` cannot be sure of, said on stderr before the answer
 * (which is still given): an action AWS's service authorization data does not list (a typo answers
 * "nobody" with nothing wrong in any policy; an action newer than the data is still asked), and a
 * resource in an account whose policies xacct does not hold (its resource policy or trust, which a
 * caller from another account needs too, is not known).
 */
export function warnAboutQuestion(graph: AccessGraph, action: string, resource: string, resourceAccount: string | undefined): void {
  const warn = (text: string) => process.stderr.write(`xacct: warning: ${oneLine(text)}\n`);
  const colon = action.indexOf(":");
  const [service, name] = [action.slice(0, colon), action.slice(colon + 1)];
  if (colon > 0 && /^[A-Za-z0-9-]+$/.test(service) && !/[*?]/.test(name)) {
    const actions = serviceActions(service);
    if (!actions) warn(`AWS's service authorization data has no service "${service}": check the action's prefix`);
    else if (!findAction(service, name))
      warn(
        `${action} is not an action AWS lists for ${service}${didYouMean(
          action,
          actions.map((a) => `${service}:${a.name}`),
        )}: only a policy naming it as written, or by a wildcard, allows it`,
      );
  }
  const account = resourceAccount ?? parseArn(resource)?.account;
  const held = account ? graph.state.accounts.get(account) : undefined;
  if (account && !held?.managed)
    warn(
      `${resource} is in account ${account}, whose policies the model or inventory does not hold: its resource policy or trust is not known, and a caller from another account needs it to allow the request too`,
    );
  // A role to assume, in an account whose IAM is held, is known by name: a misspelt one is no role
  // at all. (Only to assume: iam:CreateRole acts on a role that does not exist yet.)
  const iam = parseIamArn(resource);
  if (held?.managed && iam?.kind === "role" && /^sts:assumerole/i.test(action) && !held.roles.has(iam.name))
    warn(
      `account ${account} has no role named ${iam.name}${didYouMean(iam.name, held.roles.keys())}: nobody can assume a role that does not exist`,
    );
}

/** The answer as text lines (output.ts's textLines), or with --json as one JSON object, its format's schemaVersion first (schema/output/). */
export function print(value: object, json: boolean | undefined, lines: () => readonly string[]): void {
  process.stdout.write(json ? jsonText(value) : textLines(lines()));
}
