import { compilePieces, globMatches, type Glob } from "../wildcard.js";
import { joined, type OperatorFamily } from "./operator.js";

/** StringEquals / StringNotEquals: exact, case-sensitive. */
export const stringEquals: OperatorFamily<string> = {
  variables: true,
  expects: "a string",
  prepare: joined,
  matches: (request, policy) => request === policy,
};

/** StringEqualsIgnoreCase / StringNotEqualsIgnoreCase. */
export const stringEqualsIgnoreCase: OperatorFamily<string> = {
  variables: true,
  expects: "a string",
  prepare: (value) => joined(value).toLowerCase(),
  matches: (request, policy) => request.toLowerCase() === policy,
};

/** StringLike / StringNotLike: case-sensitive, with `*` and `?` wildcards. */
export const stringLike: OperatorFamily<Glob> = {
  variables: true,
  expects: "a string pattern",
  prepare: (value) => compilePieces(value),
  matches: (request, policy) => globMatches(policy, request),
};
