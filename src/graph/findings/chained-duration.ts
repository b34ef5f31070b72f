/**
 * XA007 — a chained hop asking for more than 3600 s. AWS limits a session obtained with role
 * credentials (role chaining) to one hour and refuses AssumeRole with a longer DurationSeconds.
 * - In a model's chains: a hop made from a role session (`chained`) whose durationSeconds is
 *   above 3600 fails at run time.
 * - In any state: a role with MaxSessionDuration above 3600 that only roles can assume never
 *   gives more than an hour, so callers that ask for its maximum fail.
 */
import { CHAIN_LIMIT_SECONDS } from "../../aws/limits.js";
import { parseArn, rootArn } from "../../aws/arn.js";
import type { Chain } from "../../compile/plan.js";
import { allRoles } from "./documents.js";
import type { Finding, Rule } from "./types.js";

/** The principal a chain starts as: its role or user, or its account's root. */
export function chainStart(chain: Chain): string {
  const partition = parseArn(chain.hops[0]?.roleArn ?? "")?.partition ?? "aws";
  return chain.start.roleArn ?? chain.start.userArn ?? rootArn(partition, chain.start.account);
}

export const chainedDuration: Rule = {
  id: "XA007",
  summary: `a chained role session asking for more than ${CHAIN_LIMIT_SECONDS} s (AWS caps role chaining at one hour)`,
  check(input) {
    const out: Finding[] = [];
    for (const chain of input.chains) {
      const start = chainStart(chain);
      chain.hops.forEach((hop, i) => {
        if (!hop.chained || hop.durationSeconds <= CHAIN_LIMIT_SECONDS) return;
        out.push({
          id: "XA007",
          severity: "high",
          title: `Chained hop asks for more than ${CHAIN_LIMIT_SECONDS} s`,
          resource: hop.roleArn,
          path: [start, ...chain.hops.slice(0, i + 1).map((h) => h.roleArn)],
          detail: `Workload ${chain.workload} assumes ${hop.roleArn} from a role session and asks for ${hop.durationSeconds} s; AWS caps a chained session at ${CHAIN_LIMIT_SECONDS} s and refuses the request.`,
          fix: `Ask for at most ${CHAIN_LIMIT_SECONDS} s (duration_seconds / sessionDuration) and refresh the chained credentials before they expire.`,
        });
      });
    }
    const graph = input.graph();
    for (const { role } of allRoles(input.state)) {
      if (role.maxSessionDuration <= CHAIN_LIMIT_SECONDS) continue;
      const callers = (graph.incoming.get(role.arn) ?? []).filter((e) => !e.technique).map((e) => graph.nodes.get(e.from));
      if (callers.length === 0 || !callers.every((n) => n?.kind === "role")) continue;
      out.push({
        id: "XA007",
        severity: "low",
        title: `Role reachable only by chaining has MaxSessionDuration above ${CHAIN_LIMIT_SECONDS} s`,
        resource: role.arn,
        detail: `${role.arn} allows sessions of ${role.maxSessionDuration} s, but only role sessions can assume it (${callers.map((n) => n?.id).join(", ")}), and a chained session lasts at most ${CHAIN_LIMIT_SECONDS} s: a caller asking for more fails.`,
        fix: `Set MaxSessionDuration to ${CHAIN_LIMIT_SECONDS} and have callers refresh hourly, or let the workload reach the role without chaining (its own web identity or instance credentials) if it needs longer sessions.`,
      });
    }
    return out;
  },
};
