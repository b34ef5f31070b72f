/**
 * Both sides of one grant, compiled from a two-account model (workload `app`, an IAM user of a,
 * 111111111111; the resources in b, 222222222222): the statements the acting identity gets and
 * those the resource-based policies get, as flat lists of {action, resource, condition}.
 */
import { compile } from "../../src/compile/compile.js";
import { loadModel } from "../../src/model/load.js";
import type { AccountState, PolicyStatement } from "../../src/state/account-state.js";
import { modelText } from "./models.js";

export interface Granted {
  action: string;
  resource: string;
  condition?: PolicyStatement["Condition"];
  principal?: unknown;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function flatten(statements: PolicyStatement[]): Granted[] {
  return statements.flatMap((s) =>
    list(s.Action as string | string[]).flatMap((action) =>
      list(s.Resource as string | string[]).map((resource) => ({
        action,
        resource,
        ...(s.Condition ? { condition: s.Condition } : {}),
        ...(s.Principal ? { principal: s.Principal } : {}),
      })),
    ),
  );
}

/** The model of one grant (YAML lines under `grants:`), in us-east-1. */
export const grantModel = (grants: string, name = "verbs") => modelText({ name, region: "us-east-1", grants });

/** The state a one-grant model compiles to, with the identity side (every role's and user's inline policies) and the resource side. */
export function grantSides(grants: string): { state: AccountState; identity: Granted[]; resource: Granted[]; resourceArns: string[] } {
  const { state } = compile(loadModel(grantModel(grants)));
  const identity: Granted[] = [];
  const resource: Granted[] = [];
  const resourceArns: string[] = [];
  for (const account of state.accounts.values()) {
    for (const holder of [...account.roles.values(), ...account.users.values()])
      for (const doc of holder.policies.values()) identity.push(...flatten(doc.Statement));
    for (const policy of account.resourcePolicies.values()) {
      resourceArns.push(policy.arn);
      resource.push(...flatten(policy.policy.Statement));
    }
  }
  return { state, identity, resource, resourceArns };
}

/** The actions granted on `resource`. */
export const actionsOn = (granted: Granted[], resource: string) =>
  [...new Set(granted.filter((g) => g.resource === resource).map((g) => g.action))].sort();
