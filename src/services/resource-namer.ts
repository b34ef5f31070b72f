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
