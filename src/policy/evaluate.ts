import { type AwsRule, awsDecides } from "./aws-rules.js";
import { failingTest, oddity } from "./condition/condition.js";
import { pathText } from "./errors.js";
import type { Policy, ResourcePattern, Statement } from "./policy.js";
import { notPrincipalExcludes, principalStrength, type RequestPrincipal, Strength } from "./principal.js";
import type { AccessRequest } from "./request.js";
import { isTrustAction, needsResourcePolicy, rcpApplies } from "./services.js";
import { piecesLength, resolveTemplate } from "./variables.js";
import { anyGlobLowered, compilePieces, globMatches, type Glob } from "./wildcard.js";
import { bounded, spend } from "./work.js";

export type Decision = "Allow" | "ImplicitDeny" | "ExplicitDeny";

/** The layers of AWS's evaluation logic, in the words the explanation uses. */
export type Layer = "scp" | "rcp" | "endpoint" | "resource" | "identity" | "boundary" | "session";

/** A statement that took part in a decision. */
export interface StatementRef {
  layer: Layer;
  /** JSON path of the statement (`identityPolicies[0].Statement[1]`). */
  statement: string;
  sid?: string;
  effect: "Allow" | "Deny";
}

export interface LayerResult {
  layer: Layer;
  /** For scp and rcp: the organization level, 0 being the root. */
  level?: number;
  result: "Allow" | "ImplicitDeny" | "ExplicitDeny";
  statements: StatementRef[];
}

export interface Evaluation {
  decision: Decision;
  explain: {
    summary: string;
    principal: { arn: string; type: RequestPrincipal["type"]; account: string | undefined };
    action: string;
    resource: string;
    resourceAccount: string | undefined;
    crossAccount: boolean;
    /** For denials: the layer that denied. */
    deniedBy: Layer | undefined;
    /** The statements that decided: the denying ones, or the allowing ones the rule needed. */
    decidedBy: StatementRef[];
    /** What each layer that applies said. */
    layers: LayerResult[];
  };
}

interface Matches {
  allows: readonly Statement[];
  denies: readonly Statement[];
  /** The strongest way an allowing statement named the principal (principal-bearing policies). */
  strength: Strength;
}

const NO_STATEMENTS: readonly Statement[] = Object.freeze([]);
const NONE: Matches = { allows: NO_STATEMENTS, denies: NO_STATEMENTS, strength: Strength.None };

/**
 * Decides a request the way AWS's policy evaluation logic does: an explicit deny anywhere wins;
 * then every SCP level of the caller's organization and every RCP level of the resource's must
 * allow; a VPC endpoint policy must allow; then the resource-based and identity-based policies,
 * the permissions boundary and the session policy decide, by the same-account and cross-account
 * rules (see `decideGrant`). Deciding, and then explaining, each spend at most work.ts's budget of
 * matching; a request that would take more is refused (MatchingLimitError), never answered by a guess.
 */
export function evaluate(request: AccessRequest): Evaluation {
  const outcome = decide(request);
  // A budget of its own: explaining reads again at most the conditions deciding read, so a request
  // decided within the budget is explained within it too (the same answer with --explain none or not).
  return { decision: outcome.decision, explain: bounded(explained, { request, outcome }) };
}

function explained({ request, outcome }: { request: AccessRequest; outcome: Outcome }): Evaluation["explain"] {
  return explainOutcome(request, outcome);
}

/** What one layer's policies said, before it is put in words. */
interface RawLayer {
  layer: Layer;
  m: Matches;
  allowed: boolean;
  level: number | undefined;
}

/**
 * A decision before it is put in words: `evaluate` explains it; the access graph, which decides
 * hundreds of thousands of edges and reads no explanation, uses it as it is.
 */
export interface Outcome {
  decision: Decision;
  /** Why, for the explanation: a deny, the root user assuming a role, a guardrail, the grant rule, or AWS itself (./aws-rules.ts). */
  why: "deny" | "root" | "guard" | "grant" | "aws";
  /** For `aws`: the rule AWS applies whatever the policies say. */
  rule?: AwsRule;
  deniedBy: Layer | undefined;
  layers: readonly RawLayer[];
  /** The layers whose statements decided, in the explanation's order. */
  decided: readonly RawLayer[];
  crossAccount: boolean;
  rootUser: boolean;
  grant: GrantOutcome | undefined;
}

/** The decision alone, as `evaluate` takes it (AWS's evaluation logic). */
export function decide(request: AccessRequest): Outcome {
  return bounded(decideWithin, request);
}

function decideWithin(request: AccessRequest): Outcome {
  const lowerAction = request.action.toLowerCase();
  const { principal } = request;
  const crossAccount = principal.account === undefined || principal.account !== request.resourceAccount;
  const rootUser = principal.type === "root";
  const rule = principal.type === "anonymous" ? undefined : awsDecides(lowerAction, request.resource);
  if (rule)
    return {
      decision: rule.decision,
      why: "aws",
      rule,
      deniedBy: undefined,
      layers: NO_LAYERS,
      decided: NO_LAYERS,
      crossAccount,
      rootUser,
      grant: undefined,
    };
  const hasIdentity = principal.type !== "service" && principal.type !== "anonymous" && principal.type !== "federated";
  // One record per request, read by every layer's matching (the engine decides millions of requests for the access graph).
  const d: Deciding = {
    request,
    lowerAction,
    boundaryAttached: hasIdentity && request.permissionsBoundary !== undefined,
    rootUser,
    layers: [],
  };
  // AWS: SCPs and RCPs do not affect service-linked roles.
  const serviceLinked = (principal.type === "session" || principal.type === "role") && principal.roleName.startsWith("AWSServiceRoleFor");
  if (hasIdentity && !serviceLinked && request.scps) for (let i = 0; i < request.scps.length; i++) match(d, "scp", request.scps[i], i);
  if (request.rcps && !serviceLinked && rcpApplies(lowerAction))
    for (let i = 0; i < request.rcps.length; i++) match(d, "rcp", request.rcps[i], i);
  if (request.endpointPolicy) match(d, "endpoint", request.endpointPolicy);
  const resource = request.resourcePolicy ? match(d, "resource", request.resourcePolicy) : NONE;
  const identity = hasIdentity ? match(d, "identity", request.identityPolicies) : NONE;
  const boundary = d.boundaryAttached ? match(d, "boundary", request.permissionsBoundary) : undefined;
  // A federated user's session (GetFederationToken) has no permissions unless a session policy was passed.
  const sessionPolicies = request.sessionPolicy ?? (principal.type === "federated-user" ? NO_POLICIES : undefined);
  const session = hasIdentity && sessionPolicies ? match(d, "session", sessionPolicies) : undefined;
  const { layers } = d;
  const outcome = (
    decision: Decision,
    why: Outcome["why"],
    deniedBy: Layer | undefined,
    decided: readonly RawLayer[],
    grant?: GrantOutcome,
  ): Outcome => ({
    decision,
    why,
    deniedBy,
    layers,
    decided,
    crossAccount,
    rootUser,
    grant,
  });

  // The engine's hot path walks its lists by index: a for-of loop not yet optimized by V8 makes an
  // iterator and a result per step, which was most of what deciding a request allocated.
  let denying: RawLayer[] | undefined;
  for (let i = 0; i < layers.length; i++) if ((layers[i] as RawLayer).m.denies.length > 0) (denying ??= []).push(layers[i] as RawLayer);
  if (denying) return outcome("ExplicitDeny", "deny", (denying[0] as RawLayer).layer, denying);
  if (rootUser && isTrustAction(lowerAction)) return outcome("ImplicitDeny", "root", "identity", NO_LAYERS);
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i] as RawLayer;
    if ((l.layer === "scp" || l.layer === "endpoint") && !l.allowed) return outcome("ImplicitDeny", "guard", l.layer, [l]);
  }

  const grant = decideGrant({
    hasIdentity,
    crossAccount,
    identity: rootUser || identity.allows.length > 0,
    boundary: boundary === undefined || boundary.allows.length > 0,
    session: session === undefined || session.allows.length > 0,
    resource: resource.strength,
    resourceRequired: needsResourcePolicy(lowerAction, request.resource),
  });
  if (grant.deniedBy) return outcome("ImplicitDeny", "grant", grant.deniedBy, NO_LAYERS, grant);
  // The statements the grant rule needed, then the guardrails (SCPs, endpoint policy) that let it through.
  const decided: RawLayer[] = [];
  for (let u = 0; u < grant.uses.length; u++)
    for (let i = 0; i < layers.length; i++) if ((layers[i] as RawLayer).layer === grant.uses[u]) decided.push(layers[i] as RawLayer);
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i] as RawLayer;
    if (l.layer === "scp" || l.layer === "endpoint") decided.push(l);
  }
  return outcome("Allow", "grant", undefined, decided, grant);
}

/** A request being decided: what each layer's matching reads, and the layers matched so far. */
interface Deciding {
  request: AccessRequest;
  lowerAction: string;
  boundaryAttached: boolean;
  rootUser: boolean;
  layers: RawLayer[];
}

const NO_POLICIES: readonly Policy[] = Object.freeze([]);
/** Shared by the outcomes no layer decided (never changed). */
const NO_LAYERS: readonly RawLayer[] = Object.freeze([]);

/** Matches one layer's policies (a list, or one policy) and records what the layer said. */
function match(d: Deciding, layer: Layer, policies: Policy | readonly Policy[] | undefined, level?: number): Matches {
  const m = policies === undefined ? NONE : matchPolicies(policies, d.request, d.lowerAction, d.boundaryAttached);
  // Every RCP level has AWS's RCPFullAWSAccess attached, so an RCP level only ever denies; a
  // resource-based policy allows when a statement names the caller; root has its own permissions.
  const allowed =
    layer === "rcp" || (layer === "resource" ? m.strength > Strength.None : m.allows.length > 0 || (layer === "identity" && d.rootUser));
  d.layers.push({ layer, m, allowed, level });
  return m;
}

/** The statements of `layer` that decided an outcome: the denying ones of a denial, the allowing ones an Allow needed. */
export function decidingStatements(outcome: Outcome, layer: Layer): readonly Statement[] {
  const l = outcome.why === "guard" ? undefined : outcome.decided.find((d) => d.layer === layer);
  return l ? (l.m.denies.length > 0 ? l.m.denies : l.m.allows) : [];
}

function explainOutcome(request: AccessRequest, o: Outcome): Evaluation["explain"] {
  // A guardrail's denial names no statement: none allowed.
  const refs = o.why === "guard" ? [] : o.decided.flatMap(statementRefs);
  let summary: string;
  switch (o.why) {
    case "deny":
      summary = `Explicitly denied by ${describeRefs(refs)}.`;
      break;
    case "aws":
      summary = `${o.decision === "Allow" ? "Allowed" : "Implicitly denied"} whatever the policies say: ${o.rule?.reason} (${o.rule?.doc}).`;
      break;
    case "root":
      summary = "Implicitly denied: the account root user cannot assume roles (AWS refuses it; sign in as an IAM user or role instead).";
      break;
    case "guard": {
      const guard = o.decided[0] as RawLayer;
      const where = guard.layer === "scp" ? `the service control policies at organization level ${guard.level}` : "the VPC endpoint policy";
      summary = `Implicitly denied: no statement in ${where} allows ${request.action}.`;
      break;
    }
    case "grant": {
      const grant = o.grant as GrantOutcome;
      summary =
        o.decision === "Allow"
          ? `Allowed by ${refs.length ? describeRefs(refs) : o.rootUser ? "the account root user's own permissions" : "nothing"}; ${grant.reason}.`
          : `Implicitly denied: ${grant.reason}.`;
    }
  }
  return explanation(request, o.crossAccount, o.layers.map(layerResult), summary + absentKeysText(request, o), o.deniedBy, refs);
}

/**
 * Never a silent decision on a key the request lacks: the condition keys absent from the request
 * context that decided — those of the denying statements, or, for an implicit denial, of the
 * statements that would have allowed but for a condition on an absent key (aws:PrincipalOrgID is
 * "included in the request context only if the principal is a member of an organization"), or,
 * for an Allow, those of the allowing statements whose conditions held because a key was absent.
 */
function absentKeysText(request: AccessRequest, o: Outcome): string {
  const lowerAction = request.action.toLowerCase();
  const absent = (s: Statement) => s.condition.filter((t) => request.context.get(t.lowerKey) === undefined);
  const notes = new Map<string, Set<string>>();
  const note = (layer: Layer, s: Statement, keys: readonly { key: string }[]) => {
    if (!keys.length) return;
    const where = describeRefs([ref(layer, s)]);
    const set = notes.get(where) ?? new Set<string>();
    for (const k of keys) set.add(k.key);
    notes.set(where, set);
  };
  // A present key the statement could not be decided on: a list without a set qualifier, a value not of the operator's type.
  const odd: string[] = [];
  if (o.decision === "ImplicitDeny") {
    for (const l of o.layers)
      for (const s of policiesOf(request, l.layer, l.level).flatMap((p) => p.statements)) {
        if (s.effect !== "Allow" || s.condition.length === 0) continue;
        // Only a statement that would apply but for its condition: the conditions the decision read, no more.
        const unconditioned = { ...s, condition: [] };
        if (statementApplies(unconditioned, request, lowerAction, false) === Strength.None) continue;
        const failing = failingTest(s.condition, request.context);
        const why = failing && oddity(failing, request.context);
        if (!failing || !why) continue;
        if (why === "absent") note(l.layer, s, [failing]);
        else
          odd.push(
            `${failing.key} in ${describeRefs([ref(l.layer, s)])} ${
              why === "list"
                ? `is given as a list (a multivalued key), which ${failing.operator.name} matches only with ForAnyValue: or ForAllValues:`
                : `holds a value that is not ${failing.operator.info === "Null" ? "true or false" : failing.operator.info.family.expects}, which satisfies neither ${failing.operator.name} nor its negation`
            }`,
          );
      }
  } else if (o.why !== "guard") for (const l of o.decided) for (const s of decidingStatements(o, l.layer)) note(l.layer, s, absent(s));
  const oddText = odd.length ? ` These would have allowed but for a condition the request's value does not fit: ${odd.join("; ")}.` : "";
  if (!notes.size) return oddText;
  const parts = [...notes].map(([where, keys]) => `${[...keys].join(", ")} in ${where}`);
  const org = [...notes.values()].some((keys) => [...keys].some((k) => k.toLowerCase().startsWith("aws:principalorg")));
  return (
    (o.decision === "ImplicitDeny"
      ? ` These would have allowed but for a condition on a key absent from the request context: ${parts.join("; ")}.`
      : ` Decided on a key absent from the request context: ${parts.join("; ")}.`) +
    (org
      ? ` AWS includes aws:PrincipalOrgID (and aws:PrincipalOrgPaths) only for a principal that is a member of an organization, and the organization (or OU path) of account ${request.principal.account ?? "unknown"} is not known here: declare it (the model's accounts.<name>.organization and ou, or the inventory's organization) if it has one.`
      : "")
  );
}

/** The policies of one layer of a request (an SCP or RCP level by its index). */
function policiesOf(request: AccessRequest, layer: Layer, level: number | undefined): readonly Policy[] {
  const one = (p: Policy | undefined) => (p ? [p] : []);
  switch (layer) {
    case "scp":
      return request.scps?.[level ?? 0] ?? [];
    case "rcp":
      return request.rcps?.[level ?? 0] ?? [];
    case "endpoint":
      return one(request.endpointPolicy);
    case "resource":
      return one(request.resourcePolicy);
    case "identity":
      return request.identityPolicies;
    case "boundary":
      return one(request.permissionsBoundary);
    case "session":
      return one(request.sessionPolicy);
  }
}

function statementRefs(l: RawLayer): StatementRef[] {
  return (l.m.denies.length > 0 ? l.m.denies : l.m.allows).map((s) => ref(l.layer, s));
}

function layerResult(l: RawLayer): LayerResult {
  const result: LayerResult = {
    layer: l.layer,
    result: l.m.denies.length > 0 ? "ExplicitDeny" : l.allowed ? "Allow" : "ImplicitDeny",
    statements: statementRefs(l),
  };
  if (l.level !== undefined) result.level = l.level;
  return result;
}

function explanation(
  request: AccessRequest,
  crossAccount: boolean,
  layers: LayerResult[],
  summary: string,
  deniedBy: Layer | undefined,
  decidedBy: StatementRef[],
): Evaluation["explain"] {
  const { principal } = request;
  // Fields left undefined are dropped by JSON.stringify.
  return {
    summary,
    principal: { arn: principal.arn, type: principal.type, account: principal.account },
    action: request.action,
    resource: request.resource,
    resourceAccount: request.resourceAccount,
    crossAccount,
    deniedBy,
    decidedBy,
    layers,
  };
}

interface GrantInputs {
  hasIdentity: boolean;
  crossAccount: boolean;
  identity: boolean;
  boundary: boolean;
  session: boolean;
  resource: Strength;
  resourceRequired: boolean;
}

interface GrantOutcome {
  readonly deniedBy?: Layer;
  readonly reason: string;
  readonly uses: readonly Layer[];
}

/**
 * The allow rules once no explicit deny and no guardrail stands in the way.
 * - A caller with no identity policies (a service, a web or SAML identity, anonymous) is allowed
 *   only by a resource-based policy that names it.
 * - Across accounts, both the caller's side (identity policy, within its boundary and session
 *   policy) and the resource-based policy must allow.
 * - In one account, a resource-based policy naming the caller itself allows on its own; one naming
 *   the caller's role still needs the session's boundary and session policy; one naming only the
 *   account delegates to the caller's identity side. Role trust policies and KMS key policies must
 *   allow even in the same account.
 */
export function decideGrant(g: GrantInputs): GrantOutcome {
  if (!g.hasIdentity) return g.resource > Strength.None ? GRANT.noIdentityNamed : GRANT.noIdentityUnnamed;
  const identityGap = firstGap(g);
  if (g.crossAccount) {
    if (identityGap) return GRANT.crossAccountGap[identityGap];
    return g.resource === Strength.None ? GRANT.crossAccountNoResource : GRANT.crossAccount;
  }
  if (g.resource === Strength.Direct) return GRANT.namesCaller;
  if (g.resource === Strength.Role) {
    const gap = !g.boundary ? "boundary" : !g.session ? "session" : undefined;
    return gap ? GRANT.namesRoleGap[gap] : GRANT.namesRole;
  }
  if (g.resourceRequired && g.resource === Strength.None) return GRANT.resourceRequired;
  if (identityGap) return GRANT.sameAccountGap[identityGap];
  return g.resource === Strength.Account ? GRANT.namesAccount : GRANT.sameAccount;
}

type Gap = "identity" | "boundary" | "session";

const GAP_TEXT: Record<"identity" | "boundary" | "session", string> = {
  identity: "no identity-based policy statement allows it",
  boundary: "permissions boundary does not allow it",
  session: "session policy does not allow it",
};

/** Every outcome of the allow rules, made once: the engine decides millions of requests for the access graph. */
const GRANT = {
  noIdentityNamed: { reason: "a resource-based policy must name a caller that has no identity policies", uses: ["resource"] },
  noIdentityUnnamed: {
    deniedBy: "resource",
    reason: "the caller has no identity policies, and no resource-based policy statement allows it",
    uses: [],
  },
  crossAccountGap: gapOutcomes((gap) => `cross-account access needs the caller's side to allow, and ${GAP_TEXT[gap]}`),
  crossAccountNoResource: {
    deniedBy: "resource",
    reason: "cross-account access needs the resource-based policy to allow the caller too, and none does",
    uses: [],
  },
  crossAccount: {
    reason: "across accounts both the caller's side and the resource-based policy allow",
    uses: ["identity", "boundary", "session", "resource"],
  },
  namesCaller: { reason: "in the same account a resource-based policy naming the caller suffices", uses: ["resource"] },
  namesRoleGap: gapOutcomes((gap) => `a resource-based policy naming the caller's role is still limited by the session's ${GAP_TEXT[gap]}`),
  namesRole: {
    reason: "in the same account a resource-based policy naming the caller's role suffices within its boundary and session policy",
    uses: ["resource", "boundary", "session"],
  },
  resourceRequired: {
    deniedBy: "resource",
    reason: "this action needs the resource-based policy (role trust or key policy) to allow even in the same account, and it does not",
    uses: [],
  },
  sameAccountGap: gapOutcomes((gap) => GAP_TEXT[gap]),
  namesAccount: {
    reason: "the resource-based policy names the account, which delegates to the caller's allowed identity side",
    uses: ["resource", "identity", "boundary", "session"],
  },
  sameAccount: { reason: "in the same account the caller's identity side allows", uses: ["identity", "boundary", "session"] },
} as const satisfies Record<string, GrantOutcome | Record<Gap, GrantOutcome>>;

function gapOutcomes(reason: (gap: Gap) => string): Record<Gap, GrantOutcome> {
  const of = (gap: Gap): GrantOutcome => ({ deniedBy: gap, reason: reason(gap), uses: [] });
  return { identity: of("identity"), boundary: of("boundary"), session: of("session") };
}

function firstGap(g: GrantInputs): Gap | undefined {
  if (!g.identity) return "identity";
  if (!g.boundary) return "boundary";
  if (!g.session) return "session";
  return undefined;
}

function ref(layer: Layer, s: Statement): StatementRef {
  return { layer, statement: pathText(s.path), ...(s.sid ? { sid: s.sid } : {}), effect: s.effect };
}

function describeRefs(refs: readonly StatementRef[]): string {
  return refs.map((r) => (r.sid ? `${r.statement} (Sid "${r.sid}")` : r.statement)).join(", ");
}

/** The statements of one or more policies that apply to the request, split by effect. */
function matchPolicies(
  policies: Policy | readonly Policy[],
  request: AccessRequest,
  lowerAction: string,
  boundaryAttached: boolean,
): Matches {
  // Lists made at their first statement, one long (most layers match one statement, or none).
  let allows: Statement[] | undefined;
  let denies: Statement[] | undefined;
  let strongest = Strength.None;
  // One policy (a resource policy, a boundary) is matched as it is, with no list made around it.
  const list = Array.isArray(policies) ? (policies as readonly Policy[]) : undefined;
  const count = list ? list.length : 1;
  for (let p = 0; p < count; p++) {
    const policy = list ? (list[p] as Policy) : (policies as Policy);
    const { statements } = policy;
    for (let i = 0; i < statements.length; i++) {
      const statement = statements[i] as Statement;
      const strength = statementApplies(statement, request, lowerAction, boundaryAttached);
      if (strength === Strength.None) continue;
      if (statement.effect === "Deny") {
        if (denies) denies.push(statement);
        else denies = [statement];
      } else {
        if (allows) allows.push(statement);
        else allows = [statement];
        if (strength > strongest) strongest = strength;
      }
    }
  }
  return allows || denies ? { allows: allows ?? NO_STATEMENTS, denies: denies ?? NO_STATEMENTS, strength: strongest } : NONE;
}

/** Whether one statement applies: its action, resource, principal and condition all match. */
function statementApplies(s: Statement, request: AccessRequest, lowerAction: string, boundaryAttached: boolean): Strength {
  if (s.actions !== null ? !anyGlobLowered(s.actions, lowerAction) : anyGlobLowered(s.notActions as readonly Glob[], lowerAction))
    return Strength.None;
  if (s.resources !== null && !anyResource(s.resources, request)) return Strength.None;
  if (s.notResources !== null && anyResource(s.notResources, request)) return Strength.None;
  let strength = Strength.Direct;
  if (s.principal !== null) {
    strength = principalStrength(s.principal, request.principal);
    if (strength === Strength.None) return Strength.None;
  } else if (s.notPrincipal !== null) {
    // AWS: a Deny with NotPrincipal always applies to a principal that has a permissions boundary.
    const excluded = !(s.effect === "Deny" && boundaryAttached) && notPrincipalExcludes(s.notPrincipal, request.principal);
    if (excluded) return Strength.None;
    strength = Strength.Direct;
  }
  if (s.condition.length > 0 && failingTest(s.condition, request.context) !== null) return Strength.None;
  return strength;
}

function anyResource(patterns: readonly ResourcePattern[], request: AccessRequest): boolean {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i] as ResourcePattern;
    if ("glob" in p) {
      if (globMatches(p.glob, request.resource)) return true;
      continue;
    }
    const pieces = resolveTemplate(p.template, request.context);
    if (pieces === null) continue;
    // A pattern made of the request's values is compiled for this request: its length is spent first.
    spend(piecesLength(pieces));
    if (globMatches(compilePieces(pieces), request.resource)) return true;
  }
  return false;
}
