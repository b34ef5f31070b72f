/**
 * May this principal do this request: the one question every part of the graph asks the engine
 * (an edge's sts:AssumeRole, who-can's and can's action, the sandbox's requests, verify's steps).
 * The request is made from the node (its principal, identity policies, boundary, session policy,
 * SCPs, own context keys), the resource's policy and account (its RCPs), and the keys given.
 */
import { type Evaluation, evaluate, decide as decideRequest, type Outcome } from "../policy/evaluate.js";
import { RequestContext } from "../policy/context.js";
import type { ConditionTest } from "../policy/condition/condition.js";
import type { Policy } from "../policy/policy.js";
import { MatchingLimitError } from "../policy/work.js";
import type { AccountEntry } from "../state/account-state.js";
import type { GraphNode, GraphNodes } from "./nodes.js";
import type { PolicyBook } from "./policies.js";

export interface Question {
  action: string;
  resource: string;
  /** The account that owns the resource (its RCPs apply), when known. */
  account: AccountEntry | undefined;
  /** The resource's own policy (a role's trust, a bucket policy), if it has one. */
  policy: Policy | undefined;
  /** Request keys beyond the caller's own context (which they override). */
  context: Record<string, string | string[]>;
}

export interface DecideOptions {
  /** Explain the decision (layer by layer, in words); else the engine's bare outcome. */
  explain?: boolean;
  /**
   * When the decision is not Allow and the resource's policy asks for keys the caller chooses
   * (sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity, aws:SourceArn, aws:SourceAccount),
   * decide again with them supplied: an Allow then says what the caller must supply.
   */
  callerKeys?: boolean;
}

export interface Decided<T> {
  result: T;
  /** The caller-chosen keys the Allow needs (none when it needs none). */
  requires: Record<string, string>;
  /**
   * When the decision is not Allow only because the caller's own side does not allow it, and the
   * caller has attached policies whose documents the state does not hold, those policies: with
   * them allowing it, the engine would allow. The answer is then unknown, never Deny.
   */
  unknown?: string[];
}

/** The `requires` of decisions that need nothing from the caller, shared (never changed). */
export const NOTHING_REQUIRED: Readonly<Record<string, string>> = Object.freeze({});

/** Keys a caller chooses when it calls STS or a service calls for it. */
const CALLER_KEYS = ["sts:externalid", "sts:rolesessionname", "sts:sourceidentity", "aws:sourcearn", "aws:sourceaccount"];

export function decide(
  nodes: GraphNodes,
  book: PolicyBook,
  caller: GraphNode,
  q: Question,
  how: DecideOptions & { explain: true },
): Decided<Evaluation>;
export function decide(nodes: GraphNodes, book: PolicyBook, caller: GraphNode, q: Question, how?: DecideOptions): Decided<Outcome>;
export function decide(
  nodes: GraphNodes,
  book: PolicyBook,
  caller: GraphNode,
  q: Question,
  how: DecideOptions = {},
): Decided<Evaluation | Outcome> {
  const own = nodes.contextOf(caller);
  const run = (context: RequestContext) => {
    const request = {
      principal: nodes.principalOf(caller),
      action: q.action,
      resource: q.resource,
      resourceAccount: q.account?.id,
      context: RequestContext.over(context, own),
      identityPolicies: caller.identityPolicies,
      resourcePolicy: q.policy,
      permissionsBoundary: caller.boundary,
      sessionPolicy: caller.sessionPolicy,
      endpointPolicy: undefined,
      scps: caller.scps,
      rcps: q.account ? book.rcps(q.account.id) : undefined,
    };
    try {
      return how.explain ? evaluate(request) : decideRequest(request);
    } catch (error) {
      // Which question of the whole organization it was: the policies that ask too much are the caller's and the resource's.
      if (error instanceof MatchingLimitError)
        throw new MatchingLimitError("", `${caller.id} calling ${q.action} on ${q.resource}: ${error.problem}`);
      throw error;
    }
  };
  const result = run(questionContext(q.context));
  const requires = how.callerKeys && result.decision !== "Allow" && q.policy ? callerKeysFor(q.policy, q.context, own) : NOTHING_REQUIRED;
  if (Object.keys(requires).length === 0) return withUnknown(nodes, book, caller, q, how, { result, requires: NOTHING_REQUIRED });
  const settled = run(RequestContext.fromJson({ ...q.context, ...requires }, "context"));
  return settled.decision === "Allow"
    ? { result: settled, requires }
    : withUnknown(nodes, book, caller, q, how, { result, requires: NOTHING_REQUIRED });
}

/**
 * A question's keys, checked as the engine reads them (strings or arrays of strings) and indexed:
 * once for a question asked of many callers in a row (who-can's), as the last one is remembered.
 */
let lastGiven: Record<string, string | string[]> | undefined;
let lastContext: RequestContext | undefined;
function questionContext(given: Record<string, string | string[]>): RequestContext {
  if (given !== lastGiven || !lastContext) {
    lastContext = RequestContext.fromJson(given, "context");
    lastGiven = given;
  }
  return lastContext;
}

/**
 * An implicit deny of a caller with attached policies whose documents are unknown: decided again
 * with those policies standing in as allowing anything; where that allows, the policies are named
 * as what the answer depends on. An explicit deny stays one: no policy can allow past it.
 */
function withUnknown<T extends Evaluation | Outcome>(
  nodes: GraphNodes,
  book: PolicyBook,
  caller: GraphNode,
  q: Question,
  how: DecideOptions,
  decided: Decided<T>,
): Decided<T> {
  const unknown = caller.unknownPolicies;
  if (!unknown?.length || decided.result.decision !== "ImplicitDeny") return decided;
  const standIn: GraphNode = { ...caller, identityPolicies: [...caller.identityPolicies, nodes.unknownStandIn], unknownPolicies: [] };
  const maybe = decide(nodes, book, standIn, q, { callerKeys: how.callerKeys ?? false });
  return maybe.result.decision === "Allow" ? { ...decided, requires: maybe.requires, unknown } : decided;
}

/** Values a policy's conditions ask for on keys the caller chooses, not already supplied (nor the caller's own). */
function callerKeysFor(policy: Policy, given: Record<string, string | string[]>, own: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  const givenKeys = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  for (const s of policy.statements) {
    if (s.effect !== "Allow") continue;
    // By index: a statement without a Condition shares one frozen list, which V8 walks slowly by for-of.
    for (let i = 0; i < s.condition.length; i++) {
      const test = s.condition[i] as ConditionTest;
      if (
        !CALLER_KEYS.includes(test.lowerKey) ||
        givenKeys.has(test.lowerKey) ||
        own.get(test.lowerKey) !== undefined ||
        test.operator.info === "Null"
      )
        continue;
      const value = test.values[0]?.text;
      if (value !== undefined) out[test.key] = value;
    }
  }
  return out;
}
