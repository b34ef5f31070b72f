/**
 * GetAccountAuthorizationDetails: the caller's account as src/state/authorization-details.ts
 * writes it (the same format an inventory is read from), with the sandbox's creation dates and
 * policy versions; `Filter` keeps only the entity types asked for.
 */
import { authorizationDetails } from "../../state/authorization-details.js";
import { authorize, type IamAction } from "./call.js";
import { validationError } from "./params.js";

const FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

export const getAccountAuthorizationDetails: IamAction = (call) => {
  const filter = call.params.list("Filter", "filter");
  const unknown = filter.find((f) => !FILTERS.includes(f));
  if (unknown !== undefined)
    throw validationError(
      `1 validation error detected: Value '[${filter.join(", ")}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${FILTERS.join(", ")}]]`,
    );
  // The service authorization reference lists no resource type for this action.
  authorize(call, "iam:GetAccountAuthorizationDetails", "*");
  const details = authorizationDetails(call.account, call.meta.facts(call.account, call.core.state));
  const wants = (type: string) => filter.length === 0 || filter.includes(type);
  const aws = (p: Record<string, unknown>) => String(p.Arn).includes(":iam::aws:policy/");
  const policies = (details.Policies as Record<string, unknown>[]).filter((p) =>
    aws(p) ? wants("AWSManagedPolicy") : wants("LocalManagedPolicy"),
  );
  return {
    UserDetailList: wants("User") ? details.UserDetailList : [],
    GroupDetailList: wants("Group") ? details.GroupDetailList : [],
    RoleDetailList: wants("Role") ? details.RoleDetailList : [],
    Policies: policies,
    IsTruncated: false,
  };
};
