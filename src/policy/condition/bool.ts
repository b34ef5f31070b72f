import { equality, joined, type OperatorFamily } from "./operator.js";

/** Bool: "true" or "false", compared without regard to case. */
export const bool: OperatorFamily<string> = equality({
  variables: true,
  expects: '"true" or "false"',
  prepare: (value) => {
    const text = joined(value).toLowerCase();
    return text === "true" || text === "false" ? text : undefined;
  },
  canonical: (request) => {
    const text = request.toLowerCase();
    return text === "true" || text === "false" ? text : undefined;
  },
});
