import { compilePieces, globMatches, type Glob } from "../wildcard.js";
import { equality, joined, type OperatorFamily } from "./operator.js";

/** StringEquals / StringNotEquals: exact, case-sensitive. */
export const stringEquals: OperatorFamily<string> = equality({
  variables: true,
  expects: "a string",
  prepare: joined,
  canonical: (request) => request,
});

/** StringEqualsIgnoreCase / StringNotEqualsIgnoreCase. */
export const stringEqualsIgnoreCase: OperatorFamily<string> = equality({
  variables: true,
  expects: "a string",
  prepare: (value) => joined(value).toLowerCase(),
  canonical: (request) => request.toLowerCase(),
});

/** StringLike / StringNotLike: case-sensitive, with `*` and `?` wildcards. */
export const stringLike: OperatorFamily<Glob> = {
  variables: true,
  expects: "a string pattern",
  prepare: (value) => compilePieces(value),
  matches: (request, policy) => globMatches(policy, request),
};
