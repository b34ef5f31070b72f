/**
 * `collect-report.json`, beside the accounts of an inventory `xacct collect` wrote: per account and
 * per service (and region), what was read, skipped or failed and why. `--resume` reads it to skip
 * the accounts already complete; it is input like any other file of the directory, so it is
 * checked before it is believed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isAccountId } from "../aws/arn.js";
import { at, describe, fail, PolicyInputError } from "../policy/errors.js";
import { readJson } from "../text/json.js";

export const COLLECT_REPORT = "collect-report.json";

export type ReadStatus = "read" | "skipped" | "failed";

/**
 * One service in one region of an account (region "" for a global service: IAM, S3's listing);
 * service `compute` is the read of what runs as each role (compute.json) in a region.
 */
export interface ServiceRead {
  service: string;
  region: string;
  status: ReadStatus;
  /** How many resources (policies, for a resource-policy service; for compute, functions and instances running as a role) were read. */
  resources?: number;
  /** Why it was skipped or failed (the service's error, on one line); for a read, what was left out and why. */
  why?: string;
}

export interface AccountReport {
  account: string;
  /** complete: everything read; incomplete: some service failed; failed: nothing could be read (the audit role could not be assumed). */
  status: "complete" | "incomplete" | "failed";
  why?: string;
  reads: ServiceRead[];
}

export interface CollectReport {
  organization?: { status: ReadStatus; why?: string };
  /** By account ID (a Map: the file is input). */
  accounts: Map<string, AccountReport>;
}

const STATUSES = new Set(["complete", "incomplete", "failed"]);
const READS = new Set(["read", "skipped", "failed"]);

/** The report's JSON text: accounts in ID order. */
export function reportText(report: CollectReport): string {
  const accounts = [...report.accounts.values()].sort((a, b) => a.account.localeCompare(b.account));
  return `${JSON.stringify({ ...(report.organization ? { organization: report.organization } : {}), accounts }, null, 2)}\n`;
}

/** The report an earlier `xacct collect` wrote into dir, checked; none when there is none. */
export function readCollectReport(dir: string): CollectReport | undefined {
  const file = join(dir, COLLECT_REPORT);
  if (!existsSync(file)) return undefined;
  const read = readJson(readFileSync(file, "utf8"));
  if (read.problem) throw new PolicyInputError(`${COLLECT_REPORT}${read.problem.where}`, `not valid JSON: ${read.problem.message}`);
  const label = COLLECT_REPORT;
  const raw = read.value as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || !Array.isArray(raw.accounts))
    fail(label, 'must be an object with an "accounts" list, as xacct collect writes it; remove it to collect every account again');
  const accounts = new Map<string, AccountReport>();
  raw.accounts.forEach((entry: unknown, i) => {
    const path = at(at(label, "accounts"), i);
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof e.account !== "string" || !isAccountId(e.account))
      fail(at(path, "account"), `must be a 12-digit account ID, got ${describe(e.account)}`);
    if (typeof e.status !== "string" || !STATUSES.has(e.status))
      fail(at(path, "status"), `must be one of ${[...STATUSES].join(", ")}, got ${describe(e.status)}`);
    if (!Array.isArray(e.reads)) fail(at(path, "reads"), `must be a list, got ${describe(e.reads)}`);
    const reads = e.reads.map((r: unknown, j) => {
      const x = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
      if (typeof x.service !== "string" || typeof x.region !== "string" || typeof x.status !== "string" || !READS.has(x.status))
        fail(at(at(path, "reads"), j), "must be a service, a region and a status (read, skipped or failed)");
      return {
        service: x.service,
        region: x.region,
        status: x.status as ReadStatus,
        ...(typeof x.resources === "number" ? { resources: x.resources } : {}),
        ...(typeof x.why === "string" ? { why: x.why } : {}),
      };
    });
    accounts.set(e.account, {
      account: e.account,
      status: e.status as AccountReport["status"],
      ...(typeof e.why === "string" ? { why: e.why } : {}),
      reads,
    });
  });
  const org = raw.organization as { status?: unknown; why?: unknown } | undefined;
  const organization =
    org && typeof org.status === "string" && READS.has(org.status)
      ? { status: org.status as ReadStatus, ...(typeof org.why === "string" ? { why: org.why } : {}) }
      : undefined;
  return { accounts, ...(organization ? { organization } : {}) };
}
