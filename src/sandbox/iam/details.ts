/**
 * GetAccountAuthorizationDetails: the caller's account as src/state/authorization-details.ts
 * writes it (the same format an inventory is read from), with the sandbox's creation dates and
 * policy versions; `Filter` keeps only the entity types asked for.
 *
 * Paged as IAM's API reference says (`MaxItems` 1–1000, default 100; `Marker`; `IsTruncated`):
 * the entities of the four lists — users, groups, roles, then managed policies — are counted
 * together, so one page holds at most MaxItems of them in all, and the next page goes on where
 * this one stopped, in whichever list that is.
 */
import { authorizationDetails } from "../../state/authorization-details.js";
import { authorize, type IamAction } from "./call.js";
import { page, validationError } from "./params.js";

const FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

/** The response's lists, in the order a page is cut across them. */
const LISTS = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"] as const;

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
  const lists: Record<(typeof LISTS)[number], unknown[]> = {
    UserDetailList: wants("User") ? (details.UserDetailList as unknown[]) : [],
    GroupDetailList: wants("Group") ? (details.GroupDetailList as unknown[]) : [],
    RoleDetailList: wants("Role") ? (details.RoleDetailList as unknown[]) : [],
    Policies: (details.Policies as Record<string, unknown>[]).filter((p) =>
      aws(p) ? wants("AWSManagedPolicy") : wants("LocalManagedPolicy"),
    ),
  };
  const entities = LISTS.flatMap((list) => lists[list].map((entity) => ({ list, entity })));
  const { items, IsTruncated, Marker } = page(entities, call.params);
  const result: Record<string, unknown> = Object.fromEntries(
    LISTS.map((list) => [list, items.filter((i) => i.list === list).map((i) => i.entity)]),
  );
  return { ...result, IsTruncated, ...(Marker !== undefined ? { Marker } : {}) };
};
