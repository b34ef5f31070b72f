/** Amazon EventBridge: what each access verb grants, the event buses it names, and the bus each operation acts on. */
import { isAccountId, parseArn } from "../aws/arn.js";
import { resourceArn } from "../catalog/catalog.js";
import type { Recipe } from "./recipe.js";
import { type Params, type ResolvedResource, type ResourceNamer, stringOf, type Where } from "./resource-namer.js";

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
 * resource. Other operations: EventBusName, or Name (DescribeEventBus).
 */
const busNamedBy: ResourceNamer = (action, input: Params, where) => {
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
  sandbox: { resourceOf: busNamedBy },
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
