import { type ConditionTest, compileCondition } from "./condition/condition.js";
import { at, describe, fail, itemPath, PolicyInputError, type Path } from "./errors.js";
import type { PrincipalSet } from "../aws/principal.js";
import { compilePrincipal } from "./principal.js";
import { parseTemplate, staticPieces, type Template } from "./variables.js";
import { compileGlob, compilePieces, type Glob } from "./wildcard.js";

/**
 * The kinds of policy AWS evaluates. They share one grammar and differ in which elements they
 * must, may or must not have.
 */
export type PolicyKind = "identity" | "resource" | "trust" | "boundary" | "session" | "endpoint" | "scp" | "rcp";

/** A Resource/NotResource entry: a compiled pattern, or a template with policy variables. */
export type ResourcePattern = { glob: Glob } | { template: Template };

export interface Statement {
  /** Where the statement is, as a JSON path (`identityPolicies[0].Statement[1]`). */
  path: Path;
  sid: string | undefined;
  effect: "Allow" | "Deny";
  /** Exactly one of actions/notActions is set. */
  actions: readonly Glob[] | null;
  notActions: readonly Glob[] | null;
  /** Both null when the element is absent (resource and trust policies: the resource itself). */
  resources: readonly ResourcePattern[] | null;
  notResources: readonly ResourcePattern[] | null;
  principal: PrincipalSet | null;
  notPrincipal: PrincipalSet | null;
  condition: readonly ConditionTest[];
}

export interface Policy {
  kind: PolicyKind;
  /** Where the policy came from, as a JSON path (`identityPolicies[0]`). */
  path: Path;
  statements: readonly Statement[];
}

const POLICY_KEYS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Principal",
  "NotPrincipal",
  "Condition",
]);
const WITH_PRINCIPAL: ReadonlySet<PolicyKind> = new Set(["resource", "trust", "endpoint", "rcp"]);
const WITH_RESOURCE: ReadonlySet<PolicyKind> = new Set(["identity", "boundary", "session", "scp", "rcp"]);
const ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?_-]+$/;
const MATCH_ALL = compileGlob("*");
/** IAM's own policy kinds take alphanumeric, unique Sids; services' resource policies are freer. */
const IAM_SID = /^[A-Za-z0-9]*$/;
const IAM_SID_RULES: ReadonlySet<PolicyKind> = new Set(["identity", "boundary", "session", "trust", "scp", "rcp"]);
const RESOURCE_ARN = /^arn:[^:]+:[^:]*:/;
const ALL_RESOURCES: ResourcePattern = { glob: MATCH_ALL };
/** Shared by every statement without a Condition: never changed. */
const NO_CONDITION: readonly ConditionTest[] = Object.freeze([]);

/** Reads a policy given as an object or as a JSON string, validating it as AWS would. */
export function compilePolicy(input: unknown, kind: PolicyKind, path: Path): Policy {
  const document = typeof input === "string" ? parseJsonPolicy(input, path) : input;
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    fail(path, `a policy must be a JSON object (or a JSON string holding one), got ${describe(document)}`);
  }
  const record = document as Record<string, unknown>;
  for (const key in record) {
    if (!POLICY_KEYS.has(key)) fail(at(path, key), `unknown policy element "${key}" (expected Version, Id or Statement)`);
  }
  const version = record.Version;
  if (version !== undefined && version !== "2012-10-17" && version !== "2008-10-17") {
    fail(at(path, "Version"), `must be "2012-10-17" or "2008-10-17", got ${describe(version)}`);
  }
  if (record.Id !== undefined && typeof record.Id !== "string") fail(at(path, "Id"), `must be a string, got ${describe(record.Id)}`);
  const raw = record.Statement;
  if (raw === undefined) fail(at(path, "Statement"), "is required");
  if (kind === "rcp" && version !== "2012-10-17")
    fail(at(path, "Version"), `a resource control policy must have Version "2012-10-17", got ${describe(version)}`);
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const variables = version === "2012-10-17";
  const listPath = at(path, "Statement");
  // Made at its size (see fitted).
  const statements = new Array<Statement>(list.length);
  for (let i = 0; i < list.length; i++) statements[i] = compileStatement(list[i], kind, itemPath(raw, listPath, i), variables);
  if (statements.length > 1 && IAM_SID_RULES.has(kind)) {
    const seen = new Set<string>();
    for (const s of statements) {
      if (s.sid === undefined) continue;
      if (seen.has(s.sid)) fail(at(s.path, "Sid"), `Sid "${s.sid}" is used twice; AWS requires the Sids of a policy to be unique`);
      seen.add(s.sid);
    }
  }
  return { kind, path, statements };
}

function parseJsonPolicy(text: string, path: Path): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolicyInputError(path, `not valid JSON: ${(error as Error).message}`);
  }
}

function compileStatement(input: unknown, kind: PolicyKind, path: Path, variables: boolean): Statement {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    fail(path, `a statement must be an object, got ${describe(input)}`);
  const s = input as Record<string, unknown>;
  for (const key in s) {
    if (!STATEMENT_KEYS.has(key)) fail(at(path, key), `unknown statement element "${key}"`);
  }
  if (s.Sid !== undefined && typeof s.Sid !== "string") fail(at(path, "Sid"), `must be a string, got ${describe(s.Sid)}`);
  if (typeof s.Sid === "string" && IAM_SID_RULES.has(kind) && !IAM_SID.test(s.Sid)) {
    fail(at(path, "Sid"), `${KIND_NAMES[kind]} takes only letters and digits in a Sid, got ${describe(s.Sid)}`);
  }
  if (s.Effect !== "Allow" && s.Effect !== "Deny") fail(at(path, "Effect"), `must be "Allow" or "Deny", got ${describe(s.Effect)}`);
  exactlyOne(s, "Action", "NotAction", path, true);
  exactlyOne(s, "Resource", "NotResource", path, WITH_RESOURCE.has(kind));
  if (kind === "trust" && (s.Resource !== undefined || s.NotResource !== undefined)) {
    fail(
      at(path, s.Resource !== undefined ? "Resource" : "NotResource"),
      "a role trust policy has no Resource: the role itself is the resource",
    );
  }
  if (WITH_PRINCIPAL.has(kind)) {
    exactlyOne(s, "Principal", "NotPrincipal", path, true);
    // AWS documents NotPrincipal with Allow (every principal but those named, anonymous users
    // included) for resource-based policies, and refuses NotPrincipal in role trust policies and RCPs.
    if (s.NotPrincipal !== undefined && (kind === "trust" || kind === "rcp")) {
      fail(at(path, "NotPrincipal"), `AWS does not support NotPrincipal in ${KIND_NAMES[kind]}: name the principals in Principal`);
    }
    if (kind === "rcp") checkRcpStatement(s, path);
  } else {
    for (const key of ["Principal", "NotPrincipal"]) {
      if (s[key] !== undefined)
        fail(at(path, key), `${KIND_NAMES[kind]} cannot have ${key}: it applies to the principal it is attached to`);
    }
  }
  return {
    path,
    sid: s.Sid as string | undefined,
    effect: s.Effect,
    actions: s.Action === undefined ? null : eachString(s.Action, path, "Action", compileAction),
    notActions: s.NotAction === undefined ? null : eachString(s.NotAction, path, "NotAction", compileAction),
    resources: s.Resource === undefined ? null : eachString(s.Resource, path, "Resource", variables ? compileResource : compileResourceV1),
    notResources:
      s.NotResource === undefined ? null : eachString(s.NotResource, path, "NotResource", variables ? compileResource : compileResourceV1),
    principal: s.Principal === undefined ? null : compilePrincipal(s.Principal, at(path, "Principal")),
    notPrincipal: s.NotPrincipal === undefined ? null : compilePrincipal(s.NotPrincipal, at(path, "NotPrincipal")),
    condition: s.Condition === undefined ? NO_CONDITION : compileCondition(s.Condition, at(path, "Condition"), variables),
  };
}

const KIND_NAMES: Record<PolicyKind, string> = {
  identity: "an identity-based policy",
  resource: "a resource-based policy",
  trust: "a role trust policy",
  boundary: "a permissions boundary",
  session: "a session policy",
  endpoint: "a VPC endpoint policy",
  scp: "a service control policy",
  rcp: "a resource control policy",
};

/**
 * Resource control policies: Principal must be "*", no NotAction, and Allow only in the form of
 * AWS's RCPFullAWSAccess (every action on every resource for everyone).
 */
function checkRcpStatement(s: Record<string, unknown>, path: Path): void {
  if (s.Principal !== undefined && s.Principal !== "*")
    fail(at(path, "Principal"), `a resource control policy takes only "Principal": "*" (narrow it with a Condition on aws:PrincipalArn)`);
  if (s.NotAction !== undefined) fail(at(path, "NotAction"), "a resource control policy cannot have NotAction");
  const fullAccess = s.Action === "*" && s.Resource === "*" && s.Condition === undefined;
  if (s.Effect === "Allow" && !fullAccess)
    fail(
      at(path, "Effect"),
      `a resource control policy allows only as RCPFullAWSAccess does ("Action": "*", "Resource": "*", no Condition); use Deny statements`,
    );
}

function exactlyOne(s: Record<string, unknown>, a: string, b: string, path: Path, required: boolean): void {
  if (s[a] !== undefined && s[b] !== undefined) fail(at(path, b), `a statement cannot have both ${a} and ${b}`);
  if (required && s[a] === undefined && s[b] === undefined) fail(path, `a statement needs ${a} or ${b}`);
}

/**
 * Compiles the string-or-list element `key` of a statement item by item. `one` gets each string
 * and returns what it made, or a string saying what is wrong with it; where the item is, is worked
 * out only then (most input is valid, and nothing is made per item to say where it is).
 */
function eachString<T extends object>(input: unknown, statement: Path, key: string, one: (value: string) => T | string): T[] {
  if (!Array.isArray(input)) return [compileItem(input, input, statement, key, 0, one)];
  if (input.length === 0) fail(at(statement, key), "must not be an empty list");
  // Made at its size (see fitted).
  const out = new Array<T>(input.length);
  for (let i = 0; i < input.length; i++) out[i] = compileItem(input[i], input, statement, key, i, one);
  return out;
}

function compileItem<T extends object>(
  value: unknown,
  input: unknown,
  statement: Path,
  key: string,
  i: number,
  one: (value: string) => T | string,
): T {
  if (typeof value !== "string") fail(itemPath(input, at(statement, key), i), `must be a string, got ${describe(value)}`);
  const compiled = one(value);
  if (typeof compiled === "string") fail(itemPath(input, at(statement, key), i), compiled);
  return compiled;
}

function compileAction(value: string): Glob | string {
  if (value === "*") return MATCH_ALL;
  if (!ACTION.test(value)) return `must be "*" or "service:Action" (for example "s3:GetObject"), got ${describe(value)}`;
  return compileGlob(value, true);
}

/** A Resource entry of a policy with Version 2012-10-17 (policy variables are read). */
function compileResource(value: string): ResourcePattern | string {
  return resourcePattern(value, true);
}

/** A Resource entry of a policy with an older Version, or none: `${…}` is plain text. */
function compileResourceV1(value: string): ResourcePattern | string {
  return resourcePattern(value, false);
}

function resourcePattern(value: string, variables: boolean): ResourcePattern | string {
  if (value === "*") return ALL_RESOURCES;
  if (!RESOURCE_ARN.test(value)) return `must be "*" or an ARN (arn:partition:service:region:account:resource), got ${describe(value)}`;
  if (!variables || !value.includes("${")) return { glob: compileGlob(value) };
  const template = parseTemplate(value);
  return template.dynamic ? { template } : { glob: compilePieces(staticPieces(template)) };
}
