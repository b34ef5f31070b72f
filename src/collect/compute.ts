/**
 * What runs as each role of an account, read for compute.json (src/state/inventory-writer.ts):
 * in one region, every Lambda function (every page of ListFunctions: its FunctionArn and Role)
 * and every EC2 instance that is not terminated (every page of DescribeInstances: its
 * IamInstanceProfile.Arn), each instance's profile resolved to its role through the account's
 * GetAccountAuthorizationDetails (each role's InstanceProfileList). The actions these calls need
 * are declared once, as COMPUTE_READ_ACTIONS (src/services/policy-collector.ts).
 *
 * Nothing is guessed: an instance without a profile runs as no role and is not listed; one whose
 * profile holds no role the account's IAM shows, a function without a role of the account, or an
 * answer of no ARN of the account is left out and said (`leftOut`), never given a role.
 */
import { buildArn, isAccountId, parseArn, parseIamArn } from "../aws/arn.js";
import type { COMPUTE_READ_ACTIONS, CollectClients } from "../services/policy-collector.js";

/** One function or instance and the role it runs as. */
export interface RunsAs {
  arn: string;
  role: string;
}

/** What one region holds: the functions and instances running as a role, and what was left out and why. */
export interface ComputeRead {
  functions: RunsAs[];
  instances: RunsAs[];
  leftOut: string[];
}

/** DescribeInstances' largest page (the EC2 API reference: MaxResults 5–1000). */
const INSTANCE_PAGE = 1000;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/**
 * Each instance profile's role, from GetAccountAuthorizationDetails' RoleDetailList: a role lists
 * the profiles holding it (InstanceProfileList, each with its Arn and, as AWS prints it, its
 * Roles). A profile IAM shows holding two different roles (IAM allows one) maps to undefined:
 * which one its instances run as cannot be told.
 */
export function instanceProfileRoles(roleDetails: readonly unknown[]): Map<string, string | undefined> {
  const roles = new Map<string, string | undefined>();
  const record = (value: unknown) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});
  const hold = (profile: string, role: string) => {
    if (!roles.has(profile)) roles.set(profile, role);
    else if (roles.get(profile) !== role) roles.set(profile, undefined);
  };
  for (const detail of roleDetails) {
    const role = record(detail);
    if (typeof role.Arn !== "string" || !Array.isArray(role.InstanceProfileList)) continue;
    for (const entry of role.InstanceProfileList) {
      const profile = record(entry);
      if (typeof profile.Arn !== "string") continue;
      hold(profile.Arn, role.Arn);
      if (Array.isArray(profile.Roles))
        for (const held of profile.Roles) {
          const arn = record(held).Arn;
          if (typeof arn === "string") hold(profile.Arn, arn);
        }
    }
  }
  return roles;
}

/** Where the read is: the account collected, its partition, the region. */
export interface ComputePlace {
  partition: string;
  account: string;
  region: string;
}

/** Whether `arn` is a role of the account (what compute.json may name). */
function isRoleOf(arn: string, account: string): boolean {
  const parsed = parseIamArn(arn);
  return parsed?.kind === "role" && parsed.account === account;
}

/** The region's Lambda functions, each with its execution role. Throws when they cannot be listed. */
async function readFunctions(at: ComputePlace, clients: CollectClients, leftOut: string[]): Promise<RunsAs[]> {
  const { LambdaClient, paginateListFunctions } = await import("@aws-sdk/client-lambda");
  const client = clients.make((config) => new LambdaClient(config));
  const found: RunsAs[] = [];
  for await (const page of paginateListFunctions({ client }, {}))
    for (const { FunctionArn, Role } of page.Functions ?? []) {
      const arn = parseArn(FunctionArn ?? "");
      if (!arn || arn.service !== "lambda" || arn.account !== at.account || !/^function:[^:]+$/.test(arn.resource))
        leftOut.push(`a function Lambda listed as ${JSON.stringify(FunctionArn ?? null)} (not a function ARN of the account)`);
      else if (Role === undefined || !isRoleOf(Role, at.account))
        leftOut.push(`function ${FunctionArn}: its Role ${JSON.stringify(Role ?? null)} is not a role of the account`);
      else found.push({ arn: FunctionArn as string, role: Role });
    }
  return found;
}

/** The region's instances that are not terminated and have an instance profile, each with its profile's role. Throws when they cannot be listed. */
async function readInstances(
  at: ComputePlace,
  clients: CollectClients,
  profiles: ReadonlyMap<string, string | undefined>,
  leftOut: string[],
): Promise<RunsAs[]> {
  const { EC2Client, paginateDescribeInstances } = await import("@aws-sdk/client-ec2");
  const client = clients.make((config) => new EC2Client(config));
  const found: RunsAs[] = [];
  for await (const page of paginateDescribeInstances({ client, pageSize: INSTANCE_PAGE }, {}))
    for (const reservation of page.Reservations ?? [])
      for (const instance of reservation.Instances ?? []) {
        const profile = instance.IamInstanceProfile?.Arn;
        if (instance.State?.Name === "terminated" || profile === undefined) continue;
        const id = instance.InstanceId ?? "";
        if (!INSTANCE_ID.test(id)) {
          leftOut.push(`an instance EC2 listed with the ID ${JSON.stringify(instance.InstanceId ?? null)}`);
          continue;
        }
        const role = profiles.get(profile);
        if (role === undefined || !isRoleOf(role, at.account)) {
          leftOut.push(
            profiles.has(profile) && role === undefined
              ? `instance ${id}: its instance profile ${profile} holds more than one role in the account's IAM`
              : `instance ${id}: its instance profile ${profile} holds no role of the account's IAM`,
          );
          continue;
        }
        found.push({
          arn: buildArn({ partition: at.partition, service: "ec2", region: at.region, account: at.account, resource: `instance/${id}` }),
          role,
        });
      }
  return found;
}

/** The actions of the two listings, as COMPUTE_READ_ACTIONS declares them. */
const LIST_FUNCTIONS: (typeof COMPUTE_READ_ACTIONS)[number] = "lambda:ListFunctions";
const DESCRIBE_INSTANCES: (typeof COMPUTE_READ_ACTIONS)[number] = "ec2:DescribeInstances";

/**
 * What runs as a role in one region. Both listings are made, one after the other; when either
 * fails, ComputeReadError names each that failed with its action and the service's error.
 */
export async function readCompute(
  at: ComputePlace,
  clients: CollectClients,
  profiles: ReadonlyMap<string, string | undefined>,
): Promise<ComputeRead> {
  if (!isAccountId(at.account)) throw new Error(`not an account ID: ${at.account}`);
  const leftOut: string[] = [];
  const failures: { action: string; error: unknown }[] = [];
  const attempt = async (action: string, read: () => Promise<RunsAs[]>): Promise<RunsAs[]> => {
    try {
      return await read();
    } catch (error) {
      failures.push({ action, error });
      return [];
    }
  };
  const functions = await attempt(LIST_FUNCTIONS, () => readFunctions(at, clients, leftOut));
  const instances = await attempt(DESCRIBE_INSTANCES, () => readInstances(at, clients, profiles, leftOut));
  if (failures.length) throw new ComputeReadError(failures);
  return { functions, instances, leftOut };
}

/** The listings of a region that failed, each with the action it calls and the service's error. */
export class ComputeReadError extends Error {
  override name = "ComputeReadError";
  constructor(readonly failures: readonly { action: string; error: unknown }[]) {
    super(failures.map((f) => f.action).join(", "));
  }
}
