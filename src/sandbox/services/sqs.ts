/**
 * Amazon SQS in the JSON protocol (`X-Amz-Target: AmazonSQS.*`), with in-memory queues so that a
 * message sent can be received: SendMessage, ReceiveMessage, DeleteMessage, GetQueueUrl,
 * GetQueueAttributes (with the queue's Policy), SetQueueAttributes (Policy, VisibilityTimeout),
 * ListQueues and CreateQueue; every other SQS operation is decided and answered `{}`.
 *
 * A queue exists when a policy of the state names it (the model grants access to it) or
 * CreateQueue made it; any other is AWS's QueueDoesNotExist, after the engine allowed the call.
 * Errors carry SQS's query-compatible codes in `x-amzn-query-error`, which the SDKs raise
 * (`AccessDenied`, `AWS.SimpleQueueService.NonExistentQueue` → QueueDoesNotExist).
 *
 * Every operation is decided on the queue it acts on, named as the SQS API reference names it
 * (the SQS service module's `sandbox.resourceOf`, src/services/sqs.ts), and acts on that same queue.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { SandboxCore } from "../core.js";
import { callerOf, jsonReply, type Service, type ServiceRequest } from "../protocol.js";
import { AwsError } from "../xml.js";
import { authorizeJson, targetOperation } from "./generic.js";
import { parseQueueArn, sqs as sqsService } from "../../services/sqs.js";
import { namedResources, type ResolvedResource } from "./resources.js";
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy, readResourcePolicy } from "./resource-policies.js";

/** SQS's defaults (CreateQueue's attributes), in seconds. */
const DEFAULT_VISIBILITY_TIMEOUT = 30;
const MAX_MESSAGE_BYTES = 262144;

interface Message {
  id: string;
  body: string;
  md5: string;
  senderId: string;
  sentAt: number;
  /** Epoch milliseconds from which ReceiveMessage may return it (after a delay or a receive). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Every receipt handle a receive gave out: any of them deletes the message. */
  handles: Set<string>;
}

interface Queue {
  arn: string;
  account: string;
  name: string;
  createdAt: number;
  visibilityTimeout: number;
  messages: Message[];
}

const queuesByCore = new WeakMap<SandboxCore, Map<string, Queue>>();

/** The queue an ARN names, once created or named by a policy of the state (then made on first use). */
function queueOf(core: SandboxCore, arn: string): Queue | undefined {
  let queues = queuesByCore.get(core);
  if (!queues) queuesByCore.set(core, (queues = new Map()));
  const known = queues.get(arn);
  if (known) return known;
  if (!parseQueueArn(arn) || !namedResources(core).some((r) => r.arn === arn)) return undefined;
  return createQueue(core, arn);
}

function createQueue(core: SandboxCore, arn: string, visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT): Queue {
  const { account, name } = parseQueueArn(arn) as { account: string; name: string };
  const queue: Queue = { arn, account, name, createdAt: core.clock(), visibilityTimeout, messages: [] };
  let queues = queuesByCore.get(core);
  if (!queues) queuesByCore.set(core, (queues = new Map()));
  queues.set(arn, queue);
  return queue;
}

function missing(name: string): AwsError {
  return new AwsError(400, "MissingParameter", `The request must contain the parameter ${name}.`);
}

function invalid(name: string, value: unknown, reason: string): AwsError {
  return new AwsError(400, "InvalidParameterValue", `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

function stringParam(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== "string" || value === "") throw missing(name);
  return value;
}

function intParam(input: Record<string, unknown>, name: string, min: number, max: number, fallback: number): number {
  const value = input[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw invalid(name, value, `Must be between ${min} and ${max}, if provided.`);
  return value;
}

/** Takes room for one more queue or message of `bytes`, or SQS's OverLimit (./limits.ts). */
function hold(request: ServiceRequest, bytes: number): void {
  request.core.budget.take(1, bytes, (message) => new AwsError(403, "OverLimit", message));
}

const NO_QUEUE = () => new AwsError(400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");

/** The queue the request was decided on (its QueueUrl's), or QueueDoesNotExist. */
function queueAt(request: ServiceRequest, input: Record<string, unknown>, resource: ResolvedResource): Queue {
  if (!parseQueueArn(resource.arn))
    throw invalid("QueueUrl", stringParam(input, "QueueUrl"), "The queue URL is not of the form https://HOST/ACCOUNT/QUEUE.");
  const queue = queueOf(request.core, resource.arn);
  if (!queue) throw NO_QUEUE();
  return queue;
}

/** The URL of a queue at the sandbox: `http://HOST/ACCOUNT/NAME`, as SQS's are `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`. */
function urlOf(request: ServiceRequest, queue: Queue): string {
  return `http://${request.headers.host ?? "127.0.0.1"}/${queue.account}/${queue.name}`;
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

function queueAttributes(queue: Queue, now: number): Record<string, string> {
  const visible = queue.messages.filter((m) => m.visibleAt <= now);
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(visible.length),
    ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
    ApproximateNumberOfMessagesDelayed: String(queue.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    VisibilityTimeout: String(queue.visibilityTimeout),
    MaximumMessageSize: String(MAX_MESSAGE_BYTES),
    MessageRetentionPeriod: "345600",
    DelaySeconds: "0",
    ReceiveMessageWaitTimeSeconds: "0",
  };
}

/** The names a request asks for (`["All"]` or some), filtering a record of attributes. */
function pick(all: Record<string, string>, names: unknown): Record<string, string> | undefined {
  const wanted = Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
  if (wanted.length === 0) return undefined;
  return wanted.includes("All") ? all : Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k)));
}

/** An operation on the queue the request was decided on. */
type Operation = (request: ServiceRequest, input: Record<string, unknown>, resource: ResolvedResource) => Record<string, unknown>;

const OPERATIONS: Record<string, Operation> = {
  GetQueueUrl(request, input, resource) {
    stringParam(input, "QueueName");
    const queue = queueOf(request.core, resource.arn);
    if (!queue) throw NO_QUEUE();
    return { QueueUrl: urlOf(request, queue) };
  },
  CreateQueue(request, input, resource) {
    const name = stringParam(input, "QueueName");
    if (!/^[\w-]{1,80}(\.fifo)?$/.test(name))
      throw invalid("QueueName", name, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.");
    const arn = resource.arn;
    const attributes = (input.Attributes ?? {}) as Record<string, unknown>;
    const timeout = attributes.VisibilityTimeout === undefined ? DEFAULT_VISIBILITY_TIMEOUT : Number(attributes.VisibilityTimeout);
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43200)
      throw invalid("VisibilityTimeout", attributes.VisibilityTimeout, "Must be between 0 and 43200.");
    let queue = queuesByCore.get(request.core)?.get(arn);
    if (!queue) {
      hold(request, 0);
      queue = createQueue(request.core, arn, timeout);
    }
    return { QueueUrl: urlOf(request, queue) };
  },
  SendMessage(request, input, resource) {
    const queue = queueAt(request, input, resource);
    const body = stringParam(input, "MessageBody");
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES)
      throw invalid("MessageBody", "(message)", `Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
    const delay = intParam(input, "DelaySeconds", 0, 900, 0);
    hold(request, Buffer.byteLength(body));
    const message: Message = {
      id: randomUUID(),
      body,
      md5: md5(body),
      senderId: callerOf(request).userId,
      sentAt: request.now,
      visibleAt: request.now + delay * 1000,
      receiveCount: 0,
      handles: new Set(),
    };
    queue.messages.push(message);
    return { MessageId: message.id, MD5OfMessageBody: message.md5 };
  },
  ReceiveMessage(request, input, resource) {
    const queue = queueAt(request, input, resource);
    const max = intParam(input, "MaxNumberOfMessages", 1, 10, 1);
    const timeout = intParam(input, "VisibilityTimeout", 0, 43200, queue.visibilityTimeout);
    const now = request.now;
    const taken = queue.messages.filter((m) => m.visibleAt <= now).slice(0, max);
    const messages = taken.map((m) => {
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + timeout * 1000;
      const handle = randomBytes(48).toString("base64");
      m.handles.add(handle);
      const system = {
        SenderId: m.senderId,
        SentTimestamp: String(m.sentAt),
        ApproximateReceiveCount: String(m.receiveCount),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
      };
      const attributes = pick(system, [
        ...((input.AttributeNames as unknown[]) ?? []),
        ...((input.MessageSystemAttributeNames as unknown[]) ?? []),
      ]);
      return { MessageId: m.id, ReceiptHandle: handle, MD5OfBody: m.md5, Body: m.body, ...(attributes ? { Attributes: attributes } : {}) };
    });
    // Long polling (WaitTimeSeconds) is not waited for: an empty queue answers at once, as a short poll does.
    return messages.length ? { Messages: messages } : {};
  },
  DeleteMessage(request, input, resource) {
    const queue = queueAt(request, input, resource);
    const handle = stringParam(input, "ReceiptHandle");
    const index = queue.messages.findIndex((m) => m.handles.has(handle));
    if (index < 0)
      throw new AwsError(
        400,
        "ReceiptHandleIsInvalid",
        `The input receipt handle "${handle.slice(0, 16)}…" is not a valid receipt handle.`,
      );
    const [deleted] = queue.messages.splice(index, 1);
    request.core.budget.give(1, Buffer.byteLength((deleted as Message).body));
    return {};
  },
  GetQueueAttributes(request, input, resource) {
    const queue = queueAt(request, input, resource);
    const policy = getResourcePolicy(request.core, queue.account, queue.arn);
    const all = { ...queueAttributes(queue, request.now), ...(policy ? { Policy: JSON.stringify(policy.policy) } : {}) };
    const attributes = pick(all, input.AttributeNames);
    return attributes ? { Attributes: attributes } : {};
  },
  /** The queue's Policy ("" removes it) and VisibilityTimeout; the queue's other attributes are not kept. */
  SetQueueAttributes(request, input, resource) {
    const queue = queueAt(request, input, resource);
    const attributes = input.Attributes;
    if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) throw missing("Attributes");
    const given = attributes as Record<string, unknown>;
    if (Object.hasOwn(given, "VisibilityTimeout")) {
      const timeout = Number(given.VisibilityTimeout);
      if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43200)
        throw invalid("VisibilityTimeout", given.VisibilityTimeout, "Must be between 0 and 43200.");
      queue.visibilityTimeout = timeout;
    }
    if (Object.hasOwn(given, "Policy")) {
      const text = given.Policy;
      if (typeof text !== "string") throw invalid("Policy", text, "The policy must be JSON text.");
      if (text === "") deleteResourcePolicy(request.core, queue.account, queue.arn);
      else
        putResourcePolicy(
          request.core,
          queue.account,
          queue.arn,
          readResourcePolicy(
            text,
            (message) => new AwsError(400, "InvalidAttributeValue", `Invalid value for the parameter Policy. Reason: ${message}`),
          ),
        );
    }
    return {};
  },
  /**
   * The caller's queues in the region, by name (QueueNamePrefix), up to MaxResults (1 to 1,000) a
   * page with NextToken (SQS API reference, ListQueues); without MaxResults, the first 1,000.
   */
  ListQueues(request, input) {
    const caller = callerOf(request);
    for (const r of namedResources(request.core)) {
      const queue = parseQueueArn(r.arn);
      if (queue && queue.account === caller.account && queue.region === request.region) queueOf(request.core, r.arn);
    }
    const prefix = typeof input.QueueNamePrefix === "string" ? input.QueueNamePrefix : "";
    const names = [...(queuesByCore.get(request.core)?.values() ?? [])]
      .filter((q) => q.account === caller.account && parseQueueArn(q.arn)?.region === request.region && q.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const paged = input.MaxResults !== undefined;
    const max = intParam(input, "MaxResults", 1, 1000, 1000);
    const after = typeof input.NextToken === "string" ? Buffer.from(input.NextToken, "base64").toString("utf8") : "";
    const from = after ? names.findIndex((q) => q.name > after) : 0;
    const page = from < 0 ? [] : names.slice(from, from + max);
    const more = from >= 0 && from + max < names.length;
    return {
      ...(page.length ? { QueueUrls: page.map((q) => urlOf(request, q)) } : {}),
      ...(paged && more ? { NextToken: Buffer.from((page.at(-1) as Queue).name).toString("base64") } : {}),
    };
  },
};

export const sqs: Service = {
  protocol: "json",
  handle(request) {
    // SQS words its refusals as the query protocol did: AccessDenied, the action in lower case.
    const { input, resource } = authorizeJson(request, { code: "AccessDenied", lowerCaseAction: true }, sqsService.sandbox?.resourceOf);
    const name = targetOperation(request);
    const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
    return jsonReply(operation ? operation(request, input, resource) : {});
  },
};
