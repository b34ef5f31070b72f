/**
 * Amazon EC2 in its own query protocol (form-encoded `Action=…`, XML answers in EC2's namespace
 * with no Result element, lists as `<item>`, errors as `<Response><Errors><Error>…`), with the
 * least of instances that tells what runs as a role: RunInstances (with an instance profile, by
 * IamInstanceProfile.Arn or .Name), DescribeInstances (InstanceId.N, the filters instance-id and
 * instance-state-name, pages of MaxResults 5–1000 with NextToken) and TerminateInstances. An
 * instance is kept in the account and region it was run in; a terminated one is still listed (EC2
 * lists them for a while), in state `terminated`.
 *
 * Each call is decided by the engine as EC2 authorizes it: RunInstances as ec2:RunInstances on
 * the instance (`instance/*`) and the image, and iam:PassRole on the profile's role (to
 * ec2.amazonaws.com); DescribeInstances as ec2:DescribeInstances on `*` (it has no resource
 * type); TerminateInstances as ec2:TerminateInstances on each instance. A refusal is EC2's
 * UnauthorizedOperation (403); `DryRun=true` answers DryRunOperation (412) where the call would
 * be allowed. Every other EC2 operation is decided on the resource its parameters name (as for
 * any query-protocol service, ./generic.ts) and answered with an empty success.
 *
 * Input is checked as EC2 checks it, before anything is kept: IDs of EC2's forms
 * (InvalidAMIID.Malformed, InvalidInstanceID.Malformed), an instance ID of no instance of the
 * caller's (InvalidInstanceID.NotFound), a profile of no such name or ARN in the caller's account
 * (InvalidParameterValue), counts, types and pages (InvalidParameterValue,
 * InvalidParameterCombination, InvalidPaginationToken). Instances take room in the sandbox's
 * budget (../limits.ts); past it, or past 1,000 in one call, EC2's InstanceLimitExceeded.
 */
import { randomBytes } from "node:crypto";
import { buildArn } from "../../aws/arn.js";
import { uniqueId } from "../../state/unique-id.js";
import type { SandboxCore } from "../core.js";
import { byName } from "../iam/call.js";
import { type InstanceProfileMeta, metaOf } from "../iam/meta.js";
import { isoDate } from "../iam/render.js";
import { callerOf, type Reply, type Service, type ServiceRequest } from "../protocol.js";
import { AwsError, XML_DECLARATION, xml } from "../xml.js";
import { whereOf } from "./access.js";
import { queryInput } from "./generic.js";
import { catalogAction, resourceOf } from "./resources.js";

export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** EC2's instance states and their codes (the API reference's InstanceState). */
const STATE_CODES = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 } as const;
type StateName = keyof typeof STATE_CODES;

/** The most instances one RunInstances launches in the sandbox. */
const MAX_PER_CALL = 1000;
/** DescribeInstances' MaxResults bounds, and the page the sandbox answers without it. */
const MIN_RESULTS = 5;
const MAX_RESULTS = 1000;

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const IMAGE_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]{0,31}\.[a-z0-9-]{1,31}$/;

interface Instance {
  id: string;
  reservation: string;
  account: string;
  region: string;
  partition: string;
  imageId: string;
  instanceType: string;
  launchTime: string;
  launchIndex: number;
  state: StateName;
  profile?: { arn: string; id: string };
}

const instancesByCore = new WeakMap<SandboxCore, Map<string, Instance>>();

/** Every instance of the sandbox, by ID, in launch order. */
function instancesOf(core: SandboxCore): Map<string, Instance> {
  let instances = instancesByCore.get(core);
  if (!instances) instancesByCore.set(core, (instances = new Map()));
  return instances;
}

/** EC2's error codes, as makers of errors with a message. */
const invalidValue = (message: string) => new AwsError(400, "InvalidParameterValue", message);
const missing = (name: string) => new AwsError(400, "MissingParameter", `The request must contain the parameter ${name}`);
const malformed = (code: string, id: string, form: string) => new AwsError(400, code, `Invalid id: "${id}" (expecting "${form}-...")`);

/** The values of an EC2 list parameter (`InstanceId.1`, `InstanceId.2`, …), in index order. */
function listParam(params: URLSearchParams, name: string): string[] {
  const found: [number, string][] = [];
  const pattern = new RegExp(`^${name.replace(/\./g, "\\.")}\\.(\\d{1,9})$`);
  for (const [key, value] of params) {
    const m = pattern.exec(key);
    if (m) found.push([Number(m[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The filters of a request (`Filter.N.Name`, `Filter.N.Value.M`). */
function filtersOf(params: URLSearchParams): { name: string; values: string[] }[] {
  const indexes = new Set<number>();
  for (const key of params.keys()) {
    const m = /^Filter\.(\d{1,9})\./.exec(key);
    if (m) indexes.add(Number(m[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((n) => {
      const name = params.get(`Filter.${n}.Name`);
      if (name === null) throw missing(`Filter.${n}.Name`);
      return { name, values: listParam(params, `Filter.${n}.Value`) };
    });
}

function booleanParam(params: URLSearchParams, name: string): boolean {
  const text = params.get(name);
  if (text === null) return false;
  if (text !== "true" && text !== "false") throw invalidValue(`Value (${text}) for parameter ${name} is invalid. Expected a boolean.`);
  return text === "true";
}

function integerParam(params: URLSearchParams, name: string, member: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw invalidValue(`Value (${text}) for parameter ${member} is invalid. Expected an integer.`);
  return Number(text);
}

/** The engine's decision on `action` and `resource` for the caller, refused as EC2's UnauthorizedOperation (403). */
function decide(
  request: ServiceRequest,
  action: string,
  resource: string,
  options: { context?: Record<string, string>; resourceAccount?: string; note?: string } = {},
): void {
  request.core.require(callerOf(request), action, resource, {
    requestId: request.requestId,
    ...options,
    denial: (message) =>
      new AwsError(
        403,
        "UnauthorizedOperation",
        `You are not authorized to perform this operation. ${resource === "*" ? message.replace(" on resource: *", "") : message}`,
      ),
  });
}

function dryRunPassed(): AwsError {
  return new AwsError(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
}

/** An EC2 answer: `<ActionResponse xmlns=…><requestId>…</requestId>…`. */
function reply(action: string, request: ServiceRequest, body: Record<string, unknown> = {}): Reply {
  const document = { [`${action}Response`]: { "@_xmlns": EC2_NAMESPACE, requestId: request.requestId, ...body } };
  return { headers: { "content-type": "text/xml;charset=UTF-8" }, body: `${XML_DECLARATION}${xml(document)}` };
}

/** A list as EC2's XML carries it: `<item>`s, or an empty element. */
const items = (list: unknown[]) => (list.length ? { item: list } : "");

const hex = (bytes: number) => randomBytes(bytes).toString("hex").slice(0, 17);

const state = (name: StateName) => ({ code: STATE_CODES[name], name });

function instanceXml(instance: Instance, shownState: StateName = instance.state): Record<string, unknown> {
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: state(shownState),
    privateDnsName: "",
    dnsName: "",
    amiLaunchIndex: instance.launchIndex,
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: `${instance.region}a`, tenancy: "default" },
    monitoring: { state: "disabled" },
    groupSet: "",
    ...(instance.profile ? { iamInstanceProfile: { arn: instance.profile.arn, id: instance.profile.id } } : {}),
    architecture: "x86_64",
    rootDeviceType: "ebs",
    virtualizationType: "hvm",
    hypervisor: "xen",
  };
}

/** The instances the IDs name, each of the caller's account and region: InvalidInstanceID.Malformed or .NotFound otherwise. */
function namedInstances(request: ServiceRequest, ids: string[]): Instance[] {
  const bad = ids.find((id) => !INSTANCE_ID.test(id));
  if (bad !== undefined) throw malformed("InvalidInstanceID.Malformed", bad, "i");
  const where = whereOf(request);
  const instances = instancesOf(request.core);
  const unknown: string[] = [];
  const found: Instance[] = [];
  for (const id of new Set(ids)) {
    const instance = instances.get(id);
    if (instance && instance.account === where.account && instance.region === where.region) found.push(instance);
    else unknown.push(id);
  }
  if (unknown.length)
    throw new AwsError(
      400,
      "InvalidInstanceID.NotFound",
      unknown.length === 1 ? `The instance ID '${unknown[0]}' does not exist` : `The instance IDs '${unknown.join(", ")}' do not exist`,
    );
  return found;
}

/** The instance profile RunInstances names, of the caller's account; InvalidParameterValue when there is none such. */
function profileOf(request: ServiceRequest): InstanceProfileMeta | undefined {
  const arn = request.params.get("IamInstanceProfile.Arn");
  const name = request.params.get("IamInstanceProfile.Name");
  if (arn === null && name === null) return undefined;
  const caller = callerOf(request);
  const account = request.core.account(caller.account);
  const profiles = account ? metaOf(request.core.state, isoDate(request.now)).instanceProfiles(account) : new Map<string, never>();
  const byArn = arn === null ? undefined : [...profiles.values()].find((p) => p.arn === arn);
  if (arn !== null && !byArn)
    throw invalidValue(`Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
  const named = name === null ? undefined : byName(profiles, name);
  if (name !== null && !named)
    throw invalidValue(`Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
  if (byArn && named && byArn !== named)
    throw new AwsError(
      400,
      "InvalidParameterCombination",
      "The parameter iamInstanceProfile.name may not be used in combination with iamInstanceProfile.arn",
    );
  return byArn ?? named;
}

function runInstances(request: ServiceRequest): Reply {
  const { params } = request;
  const where = whereOf(request);
  const imageId = params.get("ImageId");
  if (imageId === null) throw missing("ImageId");
  if (!IMAGE_ID.test(imageId)) throw malformed("InvalidAMIID.Malformed", imageId, "ami");
  const min = integerParam(params, "MinCount", "minCount");
  const max = integerParam(params, "MaxCount", "maxCount");
  if (min === undefined) throw missing("MinCount");
  if (max === undefined) throw missing("MaxCount");
  if (min < 1) throw invalidValue(`Value (${min}) for parameter minCount is invalid. Expected a positive integer.`);
  if (max < 1) throw invalidValue(`Value (${max}) for parameter maxCount is invalid. Expected a positive integer.`);
  if (min > max) throw invalidValue(`Value (${min}) for parameter minCount is invalid. Expected a value less than or equal to maxCount.`);
  const instanceType = params.get("InstanceType") ?? "m1.small";
  if (!INSTANCE_TYPE.test(instanceType)) throw invalidValue(`Invalid value '${instanceType}' for InstanceType.`);
  const dryRun = booleanParam(params, "DryRun");
  const instanceArn = buildArn({
    partition: where.partition,
    service: "ec2",
    region: where.region,
    account: where.account,
    resource: "instance/*",
  });
  const imageArn = buildArn({
    partition: where.partition,
    service: "ec2",
    region: where.region,
    account: "",
    resource: `image/${imageId}`,
  });
  decide(request, "ec2:RunInstances", instanceArn);
  // An image has no resource policy (its launch permissions are EC2's own): decided as one of the caller's account.
  decide(request, "ec2:RunInstances", imageArn, { resourceAccount: where.account });
  const profile = profileOf(request);
  const role = profile?.role === undefined ? undefined : byName(request.core.account(where.account)?.roles ?? new Map(), profile.role);
  // EC2 passes the profile's role to its instances: the caller needs iam:PassRole on it (the IAM user guide, "Using instance profiles").
  if (role) decide(request, "iam:PassRole", role.arn, { context: { "iam:PassedToService": "ec2.amazonaws.com" } });
  if (dryRun) throw dryRunPassed();
  if (min > MAX_PER_CALL)
    throw new AwsError(
      400,
      "InstanceLimitExceeded",
      `You have requested more instances (${min}) than your current instance limit of ${MAX_PER_CALL} allows for the specified instance type.`,
    );
  const full = (message: string) => new AwsError(400, "InstanceLimitExceeded", message);
  let count = Math.min(max, MAX_PER_CALL);
  try {
    request.core.budget.take(count, 0, full);
  } catch (error) {
    if (count === min) throw error;
    count = min;
    request.core.budget.take(count, 0, full);
  }
  const reservation = `r-${hex(9)}`;
  const launchTime = new Date(request.now).toISOString();
  const instances = instancesOf(request.core);
  const launched: Instance[] = [];
  for (let i = 0; i < count; i++) {
    let id: string;
    do id = `i-${hex(9)}`;
    while (instances.has(id));
    const instance: Instance = {
      id,
      reservation,
      account: where.account,
      region: where.region,
      partition: where.partition,
      imageId,
      instanceType,
      launchTime,
      launchIndex: i,
      state: "running",
      ...(profile ? { profile: { arn: profile.arn, id: uniqueId("AIPA", profile.arn) } } : {}),
    };
    instances.set(id, instance);
    launched.push(instance);
  }
  return reply("RunInstances", request, {
    reservationId: reservation,
    ownerId: where.account,
    groupSet: "",
    instancesSet: items(launched.map((i) => instanceXml(i, "pending"))),
  });
}

/** The filters DescribeInstances answers: each keeps the instances whose value is one of the filter's. */
const FILTERS: Readonly<Record<string, (instance: Instance) => string>> = {
  "instance-id": (i) => i.id,
  "instance-state-name": (i) => i.state,
};

function describeInstances(request: ServiceRequest): Reply {
  const { params } = request;
  const where = whereOf(request);
  const ids = listParam(params, "InstanceId");
  const filters = filtersOf(params);
  for (const f of filters)
    if (!Object.hasOwn(FILTERS, f.name))
      throw new AwsError(
        501,
        "NotImplemented",
        `The sandbox's DescribeInstances takes the filters ${Object.keys(FILTERS).join(" and ")}, not ${f.name}`,
      );
  const maxResults = integerParam(params, "MaxResults", "maxResults");
  if (maxResults !== undefined && ids.length)
    throw new AwsError(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
  if (maxResults !== undefined && (maxResults < MIN_RESULTS || maxResults > MAX_RESULTS))
    throw invalidValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than ${MIN_RESULTS - 1} and less than ${MAX_RESULTS + 1}`,
    );
  const token = params.get("NextToken");
  const dryRun = booleanParam(params, "DryRun");
  // The service authorization reference lists no resource type for ec2:DescribeInstances: "*", in the caller's account.
  decide(request, "ec2:DescribeInstances", "*", { resourceAccount: where.account });
  if (dryRun) throw dryRunPassed();
  const chosen = ids.length
    ? namedInstances(request, ids)
    : [...instancesOf(request.core).values()].filter((i) => i.account === where.account && i.region === where.region);
  const kept = chosen.filter((i) => filters.every((f) => f.values.includes((FILTERS[f.name] as (i: Instance) => string)(i))));
  let start = 0;
  if (token !== null) {
    const text = Buffer.from(token, "base64url").toString("utf8");
    start = /^\d{1,9}$/.test(text) && Buffer.from(text).toString("base64url") === token ? Number(text) : -1;
    if (start < 0 || start > kept.length) throw new AwsError(400, "InvalidPaginationToken", `Invalid pagination token: ${token}`);
  }
  const end = Math.min(start + (maxResults ?? MAX_RESULTS), kept.length);
  const page = kept.slice(start, end);
  const reservations: { id: string; instances: Instance[] }[] = [];
  for (const instance of page) {
    const last = reservations[reservations.length - 1];
    if (last?.id === instance.reservation) last.instances.push(instance);
    else reservations.push({ id: instance.reservation, instances: [instance] });
  }
  return reply("DescribeInstances", request, {
    reservationSet: items(
      reservations.map((r) => ({
        reservationId: r.id,
        ownerId: where.account,
        groupSet: "",
        instancesSet: items(r.instances.map((i) => instanceXml(i))),
      })),
    ),
    ...(end < kept.length ? { nextToken: Buffer.from(String(end)).toString("base64url") } : {}),
  });
}

function terminateInstances(request: ServiceRequest): Reply {
  const ids = listParam(request.params, "InstanceId");
  if (ids.length === 0) throw missing("InstanceId");
  const dryRun = booleanParam(request.params, "DryRun");
  const instances = namedInstances(request, ids);
  for (const instance of instances)
    decide(
      request,
      "ec2:TerminateInstances",
      buildArn({
        partition: instance.partition,
        service: "ec2",
        region: instance.region,
        account: instance.account,
        resource: `instance/${instance.id}`,
      }),
    );
  if (dryRun) throw dryRunPassed();
  const changes = instances.map((instance) => {
    const previous = instance.state;
    instance.state = "terminated";
    return {
      instanceId: instance.id,
      currentState: state(previous === "terminated" ? "terminated" : "shutting-down"),
      previousState: state(previous),
    };
  });
  return reply("TerminateInstances", request, { instancesSet: items(changes) });
}

const ACTIONS: Readonly<Record<string, (request: ServiceRequest) => Reply>> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
};

/** Any other EC2 operation: decided on the resource its parameters name, answered with an empty success. */
function otherOperation(request: ServiceRequest, operation: string): Reply {
  const action = catalogAction("ec2", operation);
  if (!action) throw new AwsError(400, "InvalidAction", `The action ${operation} is not valid for this web service.`);
  const resource = resourceOf(action, queryInput(request.params), whereOf(request));
  decide(request, `ec2:${action.name}`, resource.arn, {
    ...(resource.account ? { resourceAccount: resource.account } : {}),
    ...(resource.unresolved ? { note: resource.unresolved } : {}),
  });
  return reply(operation, request, { return: "true" });
}

export const ec2: Service = {
  protocol: "ec2",
  namespace: EC2_NAMESPACE,
  handle(request) {
    const operation = request.params.get("Action");
    if (operation === null) throw new AwsError(400, "MissingAction", "The request must contain the parameter Action");
    return Object.hasOwn(ACTIONS, operation)
      ? (ACTIONS[operation] as (r: ServiceRequest) => Reply)(request)
      : otherOperation(request, operation);
  },
};
