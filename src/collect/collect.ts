/**
 * `xacct collect`: live accounts read into an inventory directory (the layout src/state/inventory.ts
 * loads), with the SDK's clients only. From the caller's credentials (the SDK's default chain or a
 * profile): the caller's own account; or listed accounts, or every active account of the
 * organization, each through its read-only audit role. Per account: IAM (every page of
 * GetAccountAuthorizationDetails, OIDC and SAML providers), the resource policies of every
 * service module with a `collect` hook (src/services/policy-collector.ts), regional ones in each
 * region, and in each region what runs as each role (./compute.ts: Lambda functions, EC2
 * instances through their instance profiles), written as compute.json only when every region's
 * was read (without it the access graph keeps "takeover of what runs as a role" conditional).
 * Each account is written whole when it is done (src/state/inventory-writer.ts), with
 * collect-report.json saying per account and service what was read, skipped or failed and why
 * (`compute` per region, with what was left out); a failure is recorded and the rest goes on.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { parseArn, roleArn } from "../aws/arn.js";
import { DEFAULT_AUDIT_ROLE } from "../compile/audit.js";
import { claimDir } from "../fs/owned-dir.js";
import { recipeFor, recipeServices } from "../services/index.js";
import { errorText, type FoundPolicy, type PolicyCollector } from "../services/policy-collector.js";
import { type AccountReport, type CollectReport, readCollectReport, type ServiceRead } from "../state/collect-report.js";
import { policyDocumentOf } from "../state/inventory.js";
import {
  COLLECT_OWNER,
  type CollectedResourcePolicy,
  type ComputeFile,
  writeAccountInventory,
  writeCollectReport,
  writeOrganization,
} from "../state/inventory-writer.js";
import { assumedRole, type ClientSetup, clientsFor, type Counters, type Credentials, sharedHandler } from "./clients.js";
import { ComputeReadError, instanceProfileRoles, readCompute, type RunsAs } from "./compute.js";
import { readIam } from "./iam.js";
import { readOrganization } from "./organization.js";
import { eachLimited, Slots } from "./pool.js";

/** The audit role collect assumes in each account by default: the one the model's `audit:` generates (src/compile/audit.ts). */
export const DEFAULT_ROLE_NAME = DEFAULT_AUDIT_ROLE;
export const DEFAULT_CONCURRENCY = 4;

export interface CollectOptions {
  out: string;
  profile?: string;
  endpoint?: string;
  /** Collect these accounts through the audit role; with `all`, the organization's. Neither: the caller's own, with its own credentials. */
  accounts?: readonly string[];
  all?: boolean;
  roleName?: string;
  /** Default: the region the SDK resolves (environment or profile), else us-east-1. */
  regions?: readonly string[];
  concurrency?: number;
  /** Skip the accounts collect-report.json records as complete. */
  resume?: boolean;
  /** Called after each account (and once at the start). */
  progress?: (progress: Progress) => void;
  /** The caller's credentials, in place of the default chain or profile (a program's own). */
  credentials?: Credentials;
}

export interface Progress {
  done: number;
  total: number;
  calls: number;
  throttled: number;
  /** Accounts not complete so far. */
  failed: number;
  /** The account just finished, and how. */
  last?: AccountReport;
}

export interface CollectResult {
  report: CollectReport;
  /** The accounts of this run (skipped ones included) and those that are not complete. */
  accounts: string[];
  notComplete: AccountReport[];
  skipped: string[];
  counters: Counters;
  regions: string[];
}

/** The services whose resource policies collect reads, and those it cannot yet (no hook). */
function collectors(): { service: string; collector: PolicyCollector }[] {
  return recipeServices().flatMap((service) => {
    const collector = recipeFor(service)?.collect;
    return collector ? [{ service, collector }] : [];
  });
}

/** Services whose resources hold policies (policyHolders) but whose module has no collect hook yet. */
function uncollected(): string[] {
  return recipeServices().filter((service) => {
    const recipe = recipeFor(service);
    return recipe?.policyHolders !== undefined && recipe.collect === undefined;
  });
}

async function defaultRegion(profile: string | undefined): Promise<string> {
  try {
    return await new STSClient(profile ? { profile } : {}).config.region();
  } catch {
    return "us-east-1";
  }
}

export async function collect(options: CollectOptions): Promise<CollectResult> {
  // Refuse a directory xacct may not write before any call is made.
  claimDir(options.out, COLLECT_OWNER);
  const counters: Counters = { calls: 0, throttled: 0 };
  const requestHandler = sharedHandler();
  try {
    return await collectWith(options, { counters, requestHandler, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  } finally {
    requestHandler.destroy();
  }
}

async function collectWith(options: CollectOptions, setup: ClientSetup): Promise<CollectResult> {
  const { counters } = setup;
  const regions = options.regions?.length ? [...options.regions] : [await defaultRegion(options.profile)];
  const home = regions[0] as string;
  const base: Credentials = options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const caller = clientsFor(setup, base, home);
  const identity = await caller.make((config) => new STSClient(config)).send(new GetCallerIdentityCommand({}));
  const partition = parseArn(identity.Arn ?? "")?.partition ?? "aws";
  const report: CollectReport = readCollectReport(options.out) ?? { accounts: new Map() };

  let targets: string[];
  let viaRole = true;
  if (options.all) {
    try {
      const org = await readOrganization(caller);
      report.organization = { status: "read" };
      writeOrganization(options.out, org.organization, report);
      targets = org.active;
      for (const { account, status } of org.inactive)
        report.accounts.set(account, { account, status: "failed", why: `not collected: the account is ${status}`, reads: [] });
    } catch (error) {
      report.organization = { status: "failed", why: errorText(error) };
      writeCollectReport(options.out, report);
      throw new CollectError(`cannot read the organization: ${errorText(error)}`);
    }
  } else if (options.accounts?.length) {
    targets = [...new Set(options.accounts)];
  } else {
    targets = [identity.Account ?? ""];
    viaRole = false;
  }

  const skipped = options.resume ? targets.filter((a) => report.accounts.get(a)?.status === "complete") : [];
  const todo = targets.filter((a) => !skipped.includes(a));
  const slots = new Slots(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
  const notComplete: AccountReport[] = [];
  let done = skipped.length;
  const tell = (last?: AccountReport) =>
    options.progress?.({ done, total: targets.length, ...counters, failed: notComplete.length, ...(last ? { last } : {}) });
  tell();

  await eachLimited(todo, Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY), async (account) => {
    const result = await collectAccount({
      account,
      partition,
      regions,
      setup,
      slots,
      base,
      out: options.out,
      report,
      viaRole,
      roleName: options.roleName ?? DEFAULT_ROLE_NAME,
    });
    done++;
    if (result.status !== "complete") notComplete.push(result);
    tell(result);
  });
  return { report, accounts: targets, notComplete, skipped, counters, regions };
}

/** A refusal that ends the whole run (the organization cannot be read). */
export class CollectError extends Error {
  override name = "CollectError";
}

interface AccountJob {
  account: string;
  partition: string;
  regions: string[];
  setup: ClientSetup;
  slots: Slots;
  base: Credentials;
  out: string;
  report: CollectReport;
  viaRole: boolean;
  roleName: string;
}

async function collectAccount(job: AccountJob): Promise<AccountReport> {
  const { account, regions, setup, slots } = job;
  const home = regions[0] as string;
  const finish = (entry: AccountReport, write?: () => void) => {
    job.report.accounts.set(account, entry);
    if (write) write();
    else writeCollectReport(job.out, job.report);
    return entry;
  };
  let credentials = job.base;
  if (job.viaRole) {
    const role = roleArn(job.partition, account, job.roleName);
    try {
      credentials = await slots.run(() => assumedRole(setup, job.base, home, role));
    } catch (error) {
      return finish({ account, status: "failed", why: `cannot assume ${role}: ${errorText(error)}`, reads: [] });
    }
  }
  const reads: ServiceRead[] = [];
  let iam;
  try {
    iam = await slots.run(() => readIam(clientsFor(setup, credentials, home)));
    reads.push({
      service: "iam",
      region: "",
      status: "read",
      resources:
        iam.details.RoleDetailList.length +
        iam.details.UserDetailList.length +
        iam.details.GroupDetailList.length +
        iam.details.Policies.length,
    });
  } catch (error) {
    reads.push({ service: "iam", region: "", status: "failed", why: errorText(error) });
  }
  // What runs as each role, region by region, beside the resource policies.
  const computing = readComputeOf(job, credentials, iam?.details.RoleDetailList, reads);
  const policies: CollectedResourcePolicy[] = [];
  const units = collectors().flatMap(({ service, collector }) =>
    (collector.scope === "global" ? [home] : regions).map((region) => ({ service, collector, region })),
  );
  await Promise.all(
    units.map(({ service, collector, region }) =>
      slots.run(async () => {
        const found: CollectedResourcePolicy[] = [];
        const problems: string[] = [];
        const where = collector.scope === "global" ? "" : region;
        try {
          for await (const item of collector.policies(
            { partition: job.partition, account, region },
            clientsFor(setup, credentials, region),
          )) {
            if ("problem" in item) problems.push(`${item.arn}: ${item.problem}`);
            else {
              try {
                found.push(policyOf(item, account));
              } catch (error) {
                problems.push(`${item.arn}: its policy is not a policy document (${errorText(error)})`);
              }
            }
          }
          policies.push(...found);
          reads.push({
            service,
            region: where,
            status: problems.length ? "failed" : "read",
            resources: found.length,
            ...(problems.length ? { why: problems.join("; ") } : {}),
          });
        } catch (error) {
          reads.push({ service, region: where, status: "failed", why: errorText(error) });
        }
      }),
    ),
  );
  const compute = await computing;
  for (const service of uncollected())
    reads.push({ service, region: "", status: "skipped", why: "xacct does not yet read this service's resource policies" });
  reads.sort((a, b) => a.service.localeCompare(b.service) || a.region.localeCompare(b.region));
  const failed = reads.filter((r) => r.status === "failed");
  const entry: AccountReport = {
    account,
    status: failed.length ? "incomplete" : "complete",
    ...(failed.length ? { why: `not read: ${failed.map((r) => `${r.service}${r.region ? ` in ${r.region}` : ""}`).join(", ")}` } : {}),
    reads,
  };
  // Without IAM the account's folder would not load: keep what an earlier run wrote, report why.
  if (!iam) return finish(entry);
  policies.sort((a, b) => a.arn.localeCompare(b.arn));
  const details = iam;
  return finish(entry, () =>
    writeAccountInventory(
      job.out,
      {
        account,
        authorizationDetails: details.details,
        oidcProviders: details.oidcProviders,
        samlProviders: details.samlProviders,
        resourcePolicies: policies,
        ...(compute ? { compute } : {}),
      },
      job.report,
    ),
  );
}

/** The report's service name for the read of what runs as each role (compute.json). */
const COMPUTE_SERVICE = "compute";
/** At most this many things left out are named in a read's `why`; the rest are counted. */
const NAMED_LEFT_OUT = 5;

/**
 * What runs as each role in every region of the account (./compute.ts), each region one
 * `compute` read of the report: the file's content when every region was read, else undefined
 * (no compute.json: the graph stays conditional). Without the account's IAM (the instance
 * profiles' roles) nothing is read.
 */
async function readComputeOf(
  job: AccountJob,
  credentials: Credentials,
  roleDetails: readonly unknown[] | undefined,
  reads: ServiceRead[],
): Promise<ComputeFile | undefined> {
  if (!roleDetails) {
    for (const region of job.regions)
      reads.push({
        service: COMPUTE_SERVICE,
        region,
        status: "skipped",
        why: "needs the account's IAM (its instance profiles' roles), which was not read",
      });
    return undefined;
  }
  const profiles = instanceProfileRoles(roleDetails);
  const functions: RunsAs[] = [];
  const instances: RunsAs[] = [];
  let complete = true;
  await Promise.all(
    job.regions.map((region) =>
      job.slots.run(async () => {
        try {
          const read = await readCompute(
            { partition: job.partition, account: job.account, region },
            clientsFor(job.setup, credentials, region),
            profiles,
          );
          functions.push(...read.functions);
          instances.push(...read.instances);
          const named = read.leftOut.slice(0, NAMED_LEFT_OUT);
          const more = read.leftOut.length - named.length;
          reads.push({
            service: COMPUTE_SERVICE,
            region,
            status: "read",
            resources: read.functions.length + read.instances.length,
            ...(read.leftOut.length ? { why: `left out: ${named.join("; ")}${more ? `; and ${more} more` : ""}` } : {}),
          });
        } catch (error) {
          complete = false;
          const why =
            error instanceof ComputeReadError
              ? error.failures.map((f) => `${f.action}: ${errorText(f.error)}`).join("; ")
              : errorText(error);
          reads.push({ service: COMPUTE_SERVICE, region, status: "failed", why });
        }
      }),
    ),
  );
  if (!complete) return undefined;
  const byArn = (a: RunsAs, b: RunsAs) => a.arn.localeCompare(b.arn);
  return { functions: functions.sort(byArn), instances: instances.sort(byArn) };
}

/** A policy a service returned, checked as a policy document (it is input), with its owner and region. */
function policyOf(item: FoundPolicy, account: string): CollectedResourcePolicy {
  return { arn: item.arn, account, region: item.region, policy: policyDocumentOf(item.policy, item.arn) };
}
