/**
 * AWS Organizations' read calls in the sandbox (JSON protocol, `X-Amz-Target:
 * AWSOrganizationsV20161128.*`, signed for `organizations`): DescribeOrganization, ListRoots,
 * ListOrganizationalUnitsForParent, ListAccounts, ListAccountsForParent, ListParents,
 * ListChildren, ListPolicies, ListPoliciesForTarget, DescribePolicy and ListTargetsForPolicy,
 * answered from the state's organizations (./view.ts), paged with NextToken/MaxResults.
 *
 * Every call is first decided by the engine on the resource it names (an account, OU, root or
 * policy ARN; `*` for the calls without a resource type), as every sandbox call is. Then, as the
 * Organizations API reference says: a caller whose account is in no organization gets
 * AWSOrganizationsNotInUseException; DescribeOrganization "can be called from any account in the
 * organization"; every other call "can be called only from the organization's management account
 * or by a member account that is a delegated administrator", so a member gets
 * AccessDeniedException. The sandbox has no delegated administrators: only the management account
 * reads. The organization's write calls are not served (NotImplemented, after the engine's decision).
 */
import { jsonReply, type Service, type ServiceRequest } from "../protocol.js";
import { requireAccess } from "../services/access.js";
import { jsonBody, targetOperation } from "../services/generic.js";
import { catalogAction } from "../services/resources.js";
import { AwsError } from "../xml.js";
import { type OrganizationView, organizationsOf, orgArn, type OrgPolicy, POLICY_TYPES, type PolicyType } from "./view.js";

/** Organizations answers in JSON 1.1. */
const CONTENT_TYPE = "application/x-amz-json-1.1";
/** MaxResults' range in every List call of the Organizations API reference; the sandbox's default is its largest. */
const MAX_RESULTS = 20;

type Input = Record<string, unknown>;

interface Operation {
  /** DescribeOrganization: any account of the organization; the rest: its management account only. */
  anyMember?: true;
  /** The ARN the call acts on, for the engine's decision (undefined: `*`). */
  resource?: (view: OrganizationView, input: Input) => string | undefined;
  answer: (view: OrganizationView, input: Input, operation: string) => Record<string, unknown>;
}

const invalidInput = (message: string) => new AwsError(400, "InvalidInputException", message);

/** A string member of the input; InvalidInputException when a required one is missing, SerializationException when it is not a string. */
function stringMember(input: Input, name: string, required: true): string;
function stringMember(input: Input, name: string, required?: false): string | undefined;
function stringMember(input: Input, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required) throw invalidInput(`You must specify a value for ${name}.`);
    return undefined;
  }
  if (typeof value !== "string") throw new AwsError(400, "SerializationException", `${name} must be a string`);
  return value;
}

/** One page of a list, as Organizations pages: MaxResults 1–20, an opaque NextToken only while more remain. */
function page<T>(items: readonly T[], input: Input, scope: string): { items: T[]; NextToken?: string } {
  const max = input.MaxResults ?? MAX_RESULTS;
  if (typeof max !== "number" || !Number.isInteger(max)) throw new AwsError(400, "SerializationException", "MaxResults must be an integer");
  if (max < 1 || max > MAX_RESULTS)
    throw invalidInput(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
    );
  const token = stringMember(input, "NextToken");
  let start = 0;
  if (token !== undefined) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    } catch {
      decoded = undefined;
    }
    // A token is good for the list it came from only (the same operation and parent).
    if (!Array.isArray(decoded) || decoded[0] !== scope || !Number.isInteger(decoded[1]) || decoded[1] < 0 || decoded[1] > items.length)
      throw invalidInput(
        "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.",
      );
    start = decoded[1] as number;
  }
  const end = start + max;
  return end < items.length
    ? { items: items.slice(start, end), NextToken: Buffer.from(JSON.stringify([scope, end])).toString("base64url") }
    : { items: items.slice(start) };
}

/** The policy type a Filter names; InvalidInputException for one the API does not have. Types the sandbox holds none of list nothing. */
function filterOf(input: Input): PolicyType | string {
  const filter = stringMember(input, "Filter", true);
  const known = [...POLICY_TYPES, "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2"];
  if (!known.includes(filter))
    throw invalidInput(
      `1 validation error detected: Value '${filter}' at 'filter' failed to satisfy constraint: Member must satisfy enum value set: [${known.join(", ")}]`,
    );
  return filter;
}

const kindOf = (view: OrganizationView, id: string) =>
  id === view.rootId ? "ROOT" : view.ous.has(id) ? "ORGANIZATIONAL_UNIT" : view.accounts.has(id) ? "ACCOUNT" : undefined;

/** The ARN of a root, OU or account of the organization by its ID (what the engine decides on). */
function targetArn(view: OrganizationView, id: string): string | undefined {
  if (id.startsWith("r-")) return orgArn(view, "root", id);
  if (id.startsWith("ou-")) return orgArn(view, "ou", id);
  return orgArn(view, "account", id);
}

function parentOf(view: OrganizationView, input: Input): string {
  const id = stringMember(input, "ParentId", true);
  if (id !== view.rootId && !view.ous.has(id))
    throw new AwsError(400, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.");
  return id;
}

function policyOf(view: OrganizationView, input: Input): OrgPolicy {
  const policy = view.policies.get(stringMember(input, "PolicyId", true));
  if (!policy) throw new AwsError(400, "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.");
  return policy;
}

function accountShape(view: OrganizationView, id: string): Record<string, unknown> {
  return {
    Id: id,
    Arn: orgArn(view, "account", id),
    Name: view.names.get(id) ?? id,
    Status: "ACTIVE",
    State: "ACTIVE",
    JoinedMethod: "CREATED",
  };
}

function policySummary(view: OrganizationView, p: OrgPolicy): Record<string, unknown> {
  return {
    Id: p.id,
    Arn: orgArn(view, "policy", p.id, p.type),
    Name: p.name,
    Description: p.awsManaged ? `AWS managed ${p.name}` : "",
    Type: p.type,
    AwsManaged: p.awsManaged,
  };
}

const childrenOf = (view: OrganizationView, parent: string) => ({
  ous: [...view.ous].filter(([, p]) => p === parent).map(([id]) => id),
  accounts: [...view.accounts].filter(([, p]) => p === parent).map(([id]) => id),
});

const ROOT_POLICY_TYPES = POLICY_TYPES.map((Type) => ({ Type, Status: "ENABLED" }));

const OPERATIONS: Readonly<Record<string, Operation>> = {
  DescribeOrganization: {
    // The service authorization reference lists no resource type for it.
    anyMember: true,
    answer: (view) => ({
      Organization: {
        Id: view.id,
        ...(view.management !== undefined
          ? {
              Arn: orgArn(view, "organization"),
              MasterAccountId: view.management,
              MasterAccountArn: orgArn(view, "account", view.management),
            }
          : {}),
        FeatureSet: "ALL",
        // Deprecated in the API reference: it lists SCPs only.
        AvailablePolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
      },
    }),
  },
  ListRoots: {
    answer: (view, input, op) => {
      const { items, NextToken } = page([view.rootId], input, op);
      return {
        Roots: items.map((id) => ({ Id: id, Arn: orgArn(view, "root", id), Name: "Root", PolicyTypes: ROOT_POLICY_TYPES })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  },
  ListOrganizationalUnitsForParent: {
    resource: (view, input) => targetArn(view, stringMember(input, "ParentId", true)),
    answer: (view, input, op) => {
      const parent = parentOf(view, input);
      const { items, NextToken } = page(childrenOf(view, parent).ous, input, `${op}/${parent}`);
      return {
        OrganizationalUnits: items.map((id) => ({ Id: id, Arn: orgArn(view, "ou", id), Name: id })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  },
  ListAccounts: {
    answer: (view, input, op) => {
      const { items, NextToken } = page([...view.accounts.keys()], input, op);
      return { Accounts: items.map((id) => accountShape(view, id)), ...(NextToken ? { NextToken } : {}) };
    },
  },
  ListAccountsForParent: {
    resource: (view, input) => targetArn(view, stringMember(input, "ParentId", true)),
    answer: (view, input, op) => {
      const parent = parentOf(view, input);
      const { items, NextToken } = page(childrenOf(view, parent).accounts, input, `${op}/${parent}`);
      return { Accounts: items.map((id) => accountShape(view, id)), ...(NextToken ? { NextToken } : {}) };
    },
  },
  ListChildren: {
    resource: (view, input) => targetArn(view, stringMember(input, "ParentId", true)),
    answer: (view, input, op) => {
      const parent = parentOf(view, input);
      const type = stringMember(input, "ChildType", true);
      if (type !== "ACCOUNT" && type !== "ORGANIZATIONAL_UNIT")
        throw invalidInput(
          `1 validation error detected: Value '${type}' at 'childType' failed to satisfy constraint: Member must satisfy enum value set: [ACCOUNT, ORGANIZATIONAL_UNIT]`,
        );
      const children = childrenOf(view, parent);
      const { items, NextToken } = page(type === "ACCOUNT" ? children.accounts : children.ous, input, `${op}/${parent}/${type}`);
      return { Children: items.map((Id) => ({ Id, Type: type })), ...(NextToken ? { NextToken } : {}) };
    },
  },
  ListParents: {
    resource: (view, input) => targetArn(view, stringMember(input, "ChildId", true)),
    answer: (view, input, op) => {
      const child = stringMember(input, "ChildId", true);
      const parent = view.accounts.get(child) ?? view.ous.get(child);
      if (parent === undefined)
        throw new AwsError(
          400,
          "ChildNotFoundException",
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        );
      const { items, NextToken } = page([parent], input, `${op}/${child}`);
      return { Parents: items.map((Id) => ({ Id, Type: kindOf(view, Id) })), ...(NextToken ? { NextToken } : {}) };
    },
  },
  ListPolicies: {
    answer: (view, input, op) => {
      const type = filterOf(input);
      const { items, NextToken } = page(
        [...view.policies.values()].filter((p) => p.type === type),
        input,
        `${op}/${type}`,
      );
      return { Policies: items.map((p) => policySummary(view, p)), ...(NextToken ? { NextToken } : {}) };
    },
  },
  ListPoliciesForTarget: {
    resource: (view, input) => targetArn(view, stringMember(input, "TargetId", true)),
    answer: (view, input, op) => {
      const target = stringMember(input, "TargetId", true);
      const type = filterOf(input);
      if (kindOf(view, target) === undefined)
        throw new AwsError(
          400,
          "TargetNotFoundException",
          "We can't find a root, OU, account, or policy with the TargetId that you specified.",
        );
      const policies = [...view.policies.values()].filter((p) => p.type === type && p.targets.includes(target));
      const { items, NextToken } = page(policies, input, `${op}/${target}/${type}`);
      return { Policies: items.map((p) => policySummary(view, p)), ...(NextToken ? { NextToken } : {}) };
    },
  },
  DescribePolicy: {
    resource: (view, input) => {
      const id = stringMember(input, "PolicyId", true);
      return orgArn(view, "policy", id, view.policies.get(id)?.type ?? "SERVICE_CONTROL_POLICY");
    },
    answer: (view, input) => {
      const policy = policyOf(view, input);
      return { Policy: { PolicySummary: policySummary(view, policy), Content: policy.content } };
    },
  },
  ListTargetsForPolicy: {
    resource: (view, input) => {
      const id = stringMember(input, "PolicyId", true);
      return orgArn(view, "policy", id, view.policies.get(id)?.type ?? "SERVICE_CONTROL_POLICY");
    },
    answer: (view, input, op) => {
      const policy = policyOf(view, input);
      const { items, NextToken } = page(policy.targets, input, `${op}/${policy.id}`);
      const target = (id: string) => {
        const type = kindOf(view, id);
        const name = type === "ROOT" ? "Root" : type === "ACCOUNT" ? (view.names.get(id) ?? id) : id;
        return { TargetId: id, Arn: targetArn(view, id), Name: name, Type: type };
      };
      return { Targets: items.map(target), ...(NextToken ? { NextToken } : {}) };
    },
  },
};

/** The organization a caller's account belongs to, if any. */
function organizationOfCaller(views: ReadonlyMap<string, OrganizationView>, account: string): OrganizationView | undefined {
  for (const view of views.values()) if (view.accounts.has(account)) return view;
  return undefined;
}

/**
 * The Organizations service of a sandbox. `managementAccounts`: the management account of each
 * organization whose state does not name one (SandboxOptions.managementAccounts).
 */
export function organizationsService(managementAccounts: readonly string[]): Service {
  return {
    protocol: "json",
    handle(request: ServiceRequest) {
      const operation = targetOperation(request);
      const action = catalogAction("organizations", operation);
      if (!action)
        throw new AwsError(400, "UnknownOperationException", `The operation ${operation || "(none)"} is not an operation of organizations`);
      const input = jsonBody(request);
      const caller = request.caller;
      const view = caller && organizationOfCaller(organizationsOf(request.core.state, managementAccounts), caller.account);
      const op = Object.hasOwn(OPERATIONS, action.name) ? OPERATIONS[action.name] : undefined;
      // The management account's calls act on its organization's resources; any other account's
      // request reaches none (Organizations refuses it below), so the engine decides it on `*` in
      // the caller's own account, as it decides the calls that have no resource type.
      const resource = view && caller?.account === view.management ? op?.resource?.(view, input) : undefined;
      requireAccess(request, {
        action: `organizations:${action.name}`,
        resource: resource ?? "*",
        ...(caller ? { resourceAccount: caller.account } : {}),
        code: "AccessDeniedException",
      });
      if (!op)
        throw new AwsError(
          501,
          "NotImplemented",
          `The sandbox serves only Organizations' read calls (${Object.keys(OPERATIONS).join(", ")}), not ${action.name}`,
        );
      if (!view) throw new AwsError(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
      if (!op.anyMember && caller?.account !== view.management)
        throw new AwsError(
          400,
          "AccessDeniedException",
          view.management === undefined
            ? `You don't have permissions to access this resource: the sandbox does not know the management account of ${view.id} (give xacct sandbox --management-account ID)`
            : "You don't have permissions to access this resource.",
        );
      return jsonReply(op.answer(view, input, action.name), 200, CONTENT_TYPE);
    },
  };
}
