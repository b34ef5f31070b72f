/**
 * The sandbox's request log: one entry per decision (principal, action, resource, decision, the
 * statement that decided) and per request refused before any decision (bad signature, expired
 * token). Entries go to listeners: a terminal line and a JSON Lines file in the CLI, arrays in
 * tests. Nothing secret is ever in an entry: principals are ARNs, credentials appear nowhere.
 */
import type { Evaluation } from "../policy/evaluate.js";

export interface LogEntry {
  /** ISO 8601, from the sandbox's clock. */
  time: string;
  requestId: string;
  /** The caller's ARN; absent when the request proved no caller. */
  principal?: string;
  action?: string;
  resource?: string;
  decision: "Allow" | "Deny" | "Refused" | "Fault";
  /** For Deny: ImplicitDeny or ExplicitDeny. For Refused and Fault: the AWS error code (a held request's fault: Timeout). */
  reason?: string;
  /** The statement that decided, as the engine names it (policy and statement path, with its Sid). */
  statement?: string;
  /** Why the resource is "*" though the action acts on one: no parameter the sandbox knows named it. */
  note?: string;
}

export type LogListener = (entry: LogEntry) => void;

export class DecisionLog {
  private readonly listeners = new Set<LogListener>();

  /** Calls `listener` with every later entry; returns the function that stops it. */
  listen(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  decision(d: {
    requestId: string;
    time: number;
    principal: string;
    action: string;
    resource: string;
    evaluation: Evaluation | undefined;
    note?: string;
  }): void {
    const e = d.evaluation;
    const decided = e?.explain.decidedBy[0];
    this.emit({
      time: new Date(d.time).toISOString(),
      requestId: d.requestId,
      principal: d.principal,
      action: d.action,
      resource: d.resource,
      decision: e?.decision === "Allow" ? "Allow" : "Deny",
      ...(e && e.decision !== "Allow" ? { reason: e.decision } : !e ? { reason: "UnknownPrincipal" } : {}),
      ...(decided ? { statement: `${decided.statement}${decided.sid ? ` (Sid ${decided.sid})` : ""}` } : {}),
      ...(d.note ? { note: d.note } : {}),
    });
  }

  refused(r: { requestId: string; time: number; code: string; principal?: string; action?: string }): void {
    this.emit({
      time: new Date(r.time).toISOString(),
      requestId: r.requestId,
      ...(r.principal ? { principal: r.principal } : {}),
      ...(r.action ? { action: r.action } : {}),
      decision: "Refused",
      reason: r.code,
    });
  }

  /** A fault the sandbox injected (./faults.ts) instead of answering: the error it answered, or Timeout. */
  fault(f: { requestId: string; time: number; code: string; action?: string; note?: string }): void {
    this.emit({
      time: new Date(f.time).toISOString(),
      requestId: f.requestId,
      ...(f.action ? { action: f.action } : {}),
      decision: "Fault",
      reason: f.code,
      ...(f.note ? { note: f.note } : {}),
    });
  }

  private emit(entry: LogEntry): void {
    for (const listener of this.listeners) listener(entry);
  }
}

/** One terminal line: `TIME DECISION PRINCIPAL ACTION RESOURCE [statement] (note)`. */
export function logLine(e: LogEntry): string {
  const what = [e.principal ?? "-", e.action ?? "-", e.resource ?? "-"].join(" ");
  const why = e.statement ?? e.reason;
  return `${e.time} ${e.decision.toUpperCase().padEnd(7)} ${what}${why ? `  [${why}]` : ""}${e.note ? `  (${e.note})` : ""}`;
}
