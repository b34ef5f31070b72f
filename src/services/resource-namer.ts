/**
 * Which resource a service's operation acts on, as the service's API reference names it: the
 * types a service module's `sandbox.resourceOf` is written in (src/services/recipe.ts), shared
 * with the sandbox (src/sandbox/services/resources.ts) that decides each call on that resource.
 */
import type { CatalogAction } from "../catalog/catalog.js";

/** Where a request is made: the region signed for and the caller's account and partition. */
export interface Where {
  partition: string;
  region: string;
  /** The caller's account: the owner of every resource a request names without its account, as AWS resolves such names. */
  account: string;
}

export interface ResolvedResource {
  arn: string;
  /** The account that owns the resource, when the ARN carries one. */
  account?: string;
  /**
   * The action acts on a resource type, but the sandbox could not tell which parameter of the
   * request names it: the request is decided on "*", and this (the decision log's note) says why.
   */
  unresolved?: string;
}

/** A request's parameters: a JSON body's members, or the query protocol's values. */
export type Params = Readonly<Record<string, unknown>>;

/**
 * How a service names the resource of each of its operations: the parameter the operation acts
 * on (as the service's API reference documents it), turned into the resource's ARN; undefined
 * when the request does not name one that way.
 */
export type ResourceNamer = (action: CatalogAction, input: Params, where: Where) => ResolvedResource | undefined;

/** A parameter's value when it is given once, as a non-empty string. */
export function stringOf(input: Params, name: string): string | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * For the sandbox: an operation that reads or writes the resource policy of the resource it acts
 * on (the one `resourceOf` names, decided by the engine first), kept in the sandbox's AccountState
 * (`account.resourcePolicies`), so that what a program puts, collect reads back. Declared per
 * operation in a service module's `sandbox.policyOperations` for services the sandbox answers
 * generically (JSON `X-Amz-Target` and query `Action=` protocols); each reply is the operation's
 * output shape, as the service's API reference gives it.
 */
export type PolicyOperation =
  /**
   * Stores the policy given as JSON text in the parameter `policy` (PutKeyPolicy's `Policy`); with
   * `when`, only a request it accepts is a put (SNS's SetTopicAttributes of the attribute Policy),
   * any other is answered as a call the sandbox keeps no state for.
   */
  (
    | {
        kind: "put";
        policy: string;
        when?: (input: Params) => boolean;
        reply?: (policy: string, arn: string) => Record<string, unknown>;
        /** @default "MalformedPolicyDocumentException" */ malformed?: string;
        /** The resource acted on, for an operation IAM authorizes on "*" (EventBridge's PutPermission: the caller's bus). */
        target?: (input: Params, where: Where) => string | undefined;
      }
    /**
     * Answers the stored policy as JSON text; a resource without one is the service's `missing`
     * error, or `missing`'s answer where having no policy is not an error (DescribeEventBus,
     * Secrets Manager's GetResourcePolicy).
     */
    | {
        kind: "get";
        reply: (policy: string, arn: string) => Record<string, unknown>;
        missing: { code: string; message: string } | ((arn: string) => Record<string, unknown>);
      }
    /**
     * Deletes the policy, or only its statement whose Sid the parameter `statement` names when the
     * request gives it (EventBridge's RemovePermission); `missing`: the error for a resource without one.
     */
    | {
        kind: "delete";
        reply?: (policy: string, arn: string) => Record<string, unknown>;
        missing?: { code: string; message: string };
        statement?: string;
        target?: (input: Params, where: Where) => string | undefined;
      }
    /**
     * Makes a new resource of the caller's with the policy given in the parameter `policy`, else the
     * service's default one for the resource: `arn` names it from a new ID (KMS's CreateKey); without
     * `arn` it is the resource the request names (SNS's CreateTopic), and one that exists keeps its
     * policy, as such a create is idempotent.
     */
    | {
        kind: "create";
        policy?: string;
        arn?: (where: Where, id: string) => string;
        defaultPolicy: (where: Where, arn: string) => Record<string, unknown>;
        reply: (arn: string, id: string) => Record<string, unknown>;
      }
    /**
     * Lists the resources of the service in the request's region that hold a policy, of the owner of
     * the resource the request names (the caller's, for ListKeys); `reply` may narrow them by the
     * resource named (`of`: Kinesis's ListStreamConsumers names the stream), and reads each one's
     * policy as JSON text with `policyOf`.
     */
    | {
        kind: "list";
        reply: (arns: readonly string[], about: { of: string; policyOf: (arn: string) => string }) => Record<string, unknown>;
      }
  ) & {
    /** How this operation names its resource, where the module's `resourceOf` is not for every operation (Glue's catalog). */
    resource?: ResourceNamer;
  };
