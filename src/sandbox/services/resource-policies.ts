/**
 * Resource policies as the sandbox's services keep them: in the AccountState every decision reads
 * (`account.resourcePolicies` of the resource's owner), so that a policy put through a service's
 * API governs the next call at once and is what `xacct collect` reads back. A policy is checked as
 * the engine's resource-policy grammar before it is stored, and refused in the service's words.
 */
import type { PolicyDocument, ResourcePolicyState } from "../../state/account-state.js";
import { compilePolicy } from "../../policy/policy.js";
import { PolicyInputError } from "../../policy/errors.js";
import { parseArn } from "../../aws/arn.js";
import { readJsonObject } from "../../text/json.js";
import type { SandboxCore } from "../core.js";
import { AwsError } from "../xml.js";

/** The policy text checked as a resource policy; `malformed` words the refusal as the service does. */
export function readResourcePolicy(text: string, malformed: (message: string) => AwsError): PolicyDocument {
  const { value, problem } = readJsonObject(text);
  if (problem) throw malformed(problem.kind === "syntax" ? "This policy contains invalid Json" : "The policy must be a JSON object");
  try {
    compilePolicy(value, "resource", "");
  } catch (e) {
    if (e instanceof PolicyInputError) throw malformed(e.message);
    throw e;
  }
  const statement = value.Statement;
  // One shape for every reader: Statement always a list (src/state/inventory.ts).
  return { ...value, Statement: Array.isArray(statement) ? statement : [statement] } as unknown as PolicyDocument;
}

function ownerOf(core: SandboxCore, owner: string) {
  const account = core.account(owner);
  if (!account) throw new AwsError(400, "InvalidParameterValue", `The sandbox holds no account ${owner}`);
  return account;
}

/** Stores (replacing) the policy of `arn`, owned by `owner`; later decisions see it. */
export function putResourcePolicy(core: SandboxCore, owner: string, arn: string, policy: PolicyDocument): void {
  const service = parseArn(arn)?.service ?? "unknown";
  ownerOf(core, owner).resourcePolicies.set(arn, { arn, service, policy });
  core.changed();
}

export function getResourcePolicy(core: SandboxCore, owner: string, arn: string): ResourcePolicyState | undefined {
  return core.account(owner)?.resourcePolicies.get(arn);
}

export function deleteResourcePolicy(core: SandboxCore, owner: string, arn: string): void {
  if (core.account(owner)?.resourcePolicies.delete(arn)) core.changed();
}

/** The ARNs of the owner's resources of a service in a region that hold a policy, in order. */
export function resourcesWithPolicies(core: SandboxCore, owner: string, service: string, region: string): string[] {
  const account = core.account(owner);
  if (!account) return [];
  return [...account.resourcePolicies.values()]
    .filter((p) => p.service === service && parseArn(p.arn)?.region === region)
    .map((p) => p.arn)
    .sort();
}
