import { isAccountId } from "../aws/arn.js";
import { collect, CollectError, DEFAULT_CONCURRENCY, type Progress } from "../collect/collect.js";
import { AWS_PROFILE_NAME, IAM_ROLE_NAME, type NameRule } from "../model/names.js";
import { errorText } from "../services/policy-collector.js";
import { UsageError } from "./json-input.js";
import type { COLLECT_OPTIONS, Values } from "./usage.js";

/** A region's name: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-central-2`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const MAX_CONCURRENCY = 64;

function named(value: string, rule: NameRule, option: string): string {
  if (!rule.pattern.test(value)) throw new UsageError(`${option} must be ${rule.what}: ${rule.allowed}; got ${JSON.stringify(value)}`);
  return value;
}

function list(value: string | undefined, option: string, valid: (item: string) => boolean, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim());
  const bad = items.find((item) => !valid(item));
  if (bad !== undefined) throw new UsageError(`${option} takes a comma-separated list of ${what}; ${JSON.stringify(bad)} is not one`);
  return items;
}

function endpointOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password)
    throw new UsageError(`--endpoint-url must be an http:// or https:// URL without a user or password, e.g. http://127.0.0.1:4566`);
  return value;
}

/** One line of progress: accounts done of total, calls, throttled, failed. */
function progressLine(p: Progress): string {
  return `${p.done}/${p.total} accounts, ${p.calls} calls, ${p.throttled} throttled, ${p.failed} failed`;
}

/** Progress on stderr: a bar redrawn in place on a terminal, a plain line per account otherwise. */
function reporter(stream: NodeJS.WriteStream): (p: Progress) => void {
  if (stream.isTTY) {
    return (p) => {
      const width = 24;
      const filled = p.total ? Math.round((p.done / p.total) * width) : width;
      stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${progressLine(p)}\x1b[K${p.done === p.total ? "\n" : ""}`);
    };
  }
  return (p) => {
    if (!p.last) return;
    const how = p.last.status === "complete" ? "complete" : `${p.last.status}: ${p.last.why ?? ""}`;
    stream.write(`xacct collect: ${p.last.account} ${how} (${progressLine(p)})\n`);
  };
}

/** An error from AWS (an SDK answer, or no credentials): said in one line, not as xacct's bug. */
function fromAws(error: unknown): boolean {
  const e = error as { $metadata?: unknown; name?: unknown } | null;
  return error instanceof CollectError || e?.$metadata !== undefined || (typeof e?.name === "string" && /ProviderError$/.test(e.name));
}

export async function run(values: Values<typeof COLLECT_OPTIONS>): Promise<number> {
  if (!values.out) throw new UsageError("give the directory to write the inventory into with --out DIR");
  if (values.all && values.accounts !== undefined) throw new UsageError("give --accounts or --all, not both");
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    throw new UsageError(`--concurrency takes a whole number from 1 to ${MAX_CONCURRENCY}, got ${JSON.stringify(values.concurrency)}`);
  const accounts = list(values.accounts, "--accounts", isAccountId, "12-digit account IDs");
  const regions = list(values.regions, "--regions", (r) => REGION.test(r), "region names (us-east-1)");
  const roleName = values["role-name"] === undefined ? undefined : named(values["role-name"], IAM_ROLE_NAME, "--role-name");
  const profile = values.profile === undefined ? undefined : named(values.profile, AWS_PROFILE_NAME, "--profile");
  const endpoint = endpointOf(values["endpoint-url"]);
  let result;
  try {
    result = await collect({
      out: values.out,
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(accounts ? { accounts } : {}),
      ...(values.all ? { all: true } : {}),
      ...(roleName ? { roleName } : {}),
      ...(regions ? { regions } : {}),
      concurrency,
      ...(values.resume ? { resume: true } : {}),
      progress: reporter(process.stderr),
    });
  } catch (error) {
    if (fromAws(error)) throw new UsageError(`collect: ${errorText(error)}`);
    throw error;
  }
  const { accounts: all, notComplete, skipped } = result;
  const lines = [
    `xacct collect: ${all.length - notComplete.length} of ${all.length} accounts complete in ${values.out}${skipped.length ? ` (${skipped.length} already complete, not read again)` : ""}; ${result.counters.calls} calls, ${result.counters.throttled} throttled; regions ${result.regions.join(", ")}`,
    ...notComplete.map((a) => `xacct collect: ${a.account} ${a.status}: ${a.why ?? ""}`),
  ];
  if (notComplete.length)
    lines.push(`xacct collect: see ${values.out}/collect-report.json; run again with --resume to read only those accounts`);
  process.stderr.write(`${lines.join("\n")}\n`);
  return notComplete.length ? 1 : 0;
}
