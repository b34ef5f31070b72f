/** Amazon EventBridge: what each access verb grants, the event buses it names, and the bus each operation acts on. */
import { isAccountId, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import type { PolicyCollector } from "./policy-collector.js";
import type { Recipe } from "./recipe.js";
import { type Params, type PolicyOperation, type ResolvedResource, type ResourceNamer, stringOf, type Where } from "./resource-namer.js";

/** An event bus's name: 1 to 256 letters, digits and `.-_/` (EventBridge's API reference, EventBusName). */
const BUS_NAME = /^[\w./-]{1,256}$/;

/** A bus named by name (the caller's account) or by ARN (`arn:P:events:REGION:ACCOUNT:event-bus/NAME`). */
function bus(text: string, where: Where): ResolvedResource | undefined {
  const arn = parseArn(text);
  if (arn)
    return arn.service === "events" && arn.resource.startsWith("event-bus/") && isAccountId(arn.account)
      ? { arn: text, account: arn.account }
      : undefined;
  return BUS_NAME.test(text)
    ? { arn: resourceArn("events", "event-bus", where, { EventBusName: text }), account: where.account }
    : undefined;
}

/**
 * The bus each operation acts on: for PutEvents, the EventBusName of its entries (the default bus
 * when an entry names none, as EventBridge sends it); one call naming several buses names no one
 * resource. DescribeEventBus: Name, else the default bus ("If you omit this, the default event
 * bus is displayed"). Other operations: EventBusName, or Name.
 */
const busNamedBy: ResourceNamer = (action, input: Params, where) => {
  if (action.name === "DescribeEventBus") return bus(stringOf(input, "Name") ?? "default", where);
  if (action.name !== "PutEvents") {
    const name = stringOf(input, "EventBusName") ?? stringOf(input, "Name");
    return name === undefined ? undefined : bus(name, where);
  }
  const entries = Object.hasOwn(input, "Entries") ? input.Entries : undefined;
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  const names = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== "object" || entry === null) return undefined;
    const name = Object.hasOwn(entry, "EventBusName") ? (entry as Record<string, unknown>).EventBusName : "default";
    if (typeof name !== "string") return undefined;
    names.add(name);
  }
  const [only] = names;
  return names.size === 1 && only !== undefined ? bus(only, where) : undefined;
};

/** Every bus of the region with its policy: ListEventBuses returns each bus's Policy. */
const collectBusPolicies: PolicyCollector = {
  scope: "regional",
  actions: ["events:ListEventBuses"],
  async *policies(at, clients) {
    const { EventBridgeClient, ListEventBusesCommand } = await import("@aws-sdk/client-eventbridge");
    const client = clients.make((config) => new EventBridgeClient(config));
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListEventBusesCommand({ NextToken }));
      for (const { Arn, Policy } of page.EventBuses ?? []) if (Arn && Policy) yield { arn: Arn, region: at.region, policy: Policy };
      NextToken = page.NextToken;
    } while (NextToken);
  },
};

/**
 * The bus PutPermission and RemovePermission act on: the caller's bus EventBusName names, else
 * the default bus ("If you omit this, the default event bus is used"). IAM authorizes both on "*".
 */
const callersBus = (input: Params, where: Where) => {
  const found = bus(stringOf(input, "EventBusName") ?? "default", where);
  return found?.account === where.account ? found.arn : undefined;
};

const nameOf = (arn: string) => arn.slice(arn.indexOf(":event-bus/") + ":event-bus/".length);

/** For the sandbox: a bus is known while it holds a policy (PutPermission with a Policy makes it known). */
const busPolicyOperations: Readonly<Record<string, PolicyOperation>> = {
  PutPermission: { kind: "put", policy: "Policy", malformed: "ValidationException", target: callersBus },
  // RemovePermission: the statement StatementId names, or with RemoveAllPermissions the whole policy.
  RemovePermission: {
    kind: "delete",
    statement: "StatementId",
    target: callersBus,
    missing: { code: "ResourceNotFoundException", message: "EventBus does not have a policy." },
  },
  DescribeEventBus: {
    kind: "get",
    reply: (Policy, Arn) => ({ Name: nameOf(Arn), Arn, Policy }),
    missing: (Arn) => ({ Name: nameOf(Arn), Arn }),
  },
  ListEventBuses: {
    kind: "list",
    reply: (arns, { policyOf }) => ({ EventBuses: arns.map((Arn) => ({ Name: nameOf(Arn), Arn, Policy: policyOf(Arn) })) }),
  },
};

export const events: Recipe = {
  service: "events",
  title: "Amazon EventBridge",
  names: ["event-bus"],
  kinds: { bus: { type: "event-bus", parts: (n) => ({ EventBusName: n["event-bus"] ?? "default" }), needs: ["event-bus"] } },
  access: {
    // "With a resource-based policy, you can allow PutEvents, PutRule, and PutTargets API calls from another account."
    "put-events": {
      describe: "send events to the bus",
      rules: [{ filter: { resourceType: "event-bus", names: ["PutEvents"] }, on: "bus" }],
    },
  },
  policyHolders: { bus: "bus" },
  collect: collectBusPolicies,
  sandbox: { resourceOf: busNamedBy, policyOperations: busPolicyOperations },
  resourcePolicy: {
    // CloudFormation's AWS::Events::EventBusPolicy holds one statement (StatementId, Statement);
    // Terraform's aws_cloudwatch_event_bus_policy holds the bus's whole policy.
    apply: ({ arn, policy }) => {
      const name = arn.resource.replace(/^event-bus\//, "");
      return {
        resources: [
          ...policy.Statement.map((statement, i) => {
            const { Sid, ...rest } = statement;
            const id = Sid ?? `Statement${i + 1}`;
            return {
              names: [name, id],
              cloudformation: {
                type: "AWS::Events::EventBusPolicy",
                prefix: "EventBusPolicy",
                properties: { EventBusName: name, StatementId: id, Statement: rest },
              },
            };
          }),
          {
            names: [name],
            terraform: { type: "aws_cloudwatch_event_bus_policy", arguments: { event_bus_name: name }, policyKey: "policy" },
          },
        ],
      };
    },
  },
};
