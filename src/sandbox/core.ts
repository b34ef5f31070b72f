/**
 * What every service of the sandbox shares: the account state (one representation, which IAM
 * calls change), the access graph built over it, the credentials issued, the clock, and the
 * decision log. Every allow or deny the sandbox answers is `authorize`'s, which is the engine's.
 */
import { AccessGraph, type GraphNode } from "../graph/graph.js";
import { decideAs, resourceAccountOf } from "../graph/query.js";
import type { Evaluation } from "../policy/evaluate.js";
import type { AccountEntry, AccountState } from "../state/account-state.js";
import { CredentialStore, type KnownCredential, newSessionKeys } from "./credentials.js";
import { limitsOf, type SandboxLimits, StoreBudget } from "./limits.js";
import { DecisionLog } from "./log.js";
import { AwsError } from "./xml.js";

export interface AuthorizeOptions {
  requestId: string;
  /** The account that owns the resource, for ARNs that carry none (S3). */
  resourceAccount?: string;
  /** Request keys the call supplies (sts:ExternalId, s3:prefix, aws:RequestTag/…). */
  context?: Record<string, string | string[]>;
  /** What the decision log should say beside the resource (why it is "*"). */
  note?: string;
}

export class SandboxCore {
  readonly limits: SandboxLimits;
  readonly store: CredentialStore;
  /** Room for S3 objects and SQS queues and messages (./limits.ts). */
  readonly budget: StoreBudget;
  readonly log = new DecisionLog();
  private current: AccessGraph | undefined;

  constructor(
    readonly state: AccountState,
    readonly clock: () => number,
    /** Every session issued lasts at most this long, whatever was asked (tests of refresh). */
    readonly sessionSeconds?: number,
    limits?: Partial<SandboxLimits>,
  ) {
    this.limits = limitsOf(limits);
    this.store = new CredentialStore(this.limits.sessions);
    this.budget = new StoreBudget(this.limits);
  }

  /**
   * New session keys lasting `seconds` (or the sandbox's `sessionSeconds`, if shorter) from `now`;
   * STS's Throttling when the sandbox holds as many sessions as it may (./limits.ts).
   */
  sessionKeys(now: number, seconds: number): ReturnType<typeof newSessionKeys> {
    if (!this.store.roomForSession(now))
      throw new AwsError(
        400,
        "Throttling",
        `Rate exceeded: the sandbox holds ${this.limits.sessions} sessions, its limit; expired ones are forgotten as they expire`,
      );
    return newSessionKeys(now, this.sessionSeconds === undefined ? seconds : Math.min(seconds, this.sessionSeconds));
  }

  /** The access graph over the current state, built on first use after each change. */
  get graph(): AccessGraph {
    return (this.current ??= new AccessGraph(this.state, {}, { edges: "assume" }));
  }

  /** The state changed (an IAM write): later decisions see it. */
  changed(): void {
    this.current = undefined;
  }

  account(id: string): AccountEntry | undefined {
    return this.state.accounts.get(id);
  }

  /**
   * The graph node a caller acts as: its user; an account's root; or its session's role, seen
   * as the session (its ARN, its session tags over the role's tags, its source identity, its
   * session policy).
   */
  nodeOf(caller: KnownCredential): GraphNode | undefined {
    if (caller.roleArn === undefined) {
      const node = this.graph.nodes.get(caller.arn);
      if (node || !caller.arn.endsWith(":root")) return node;
      const account = this.account(caller.account);
      const scps = account && this.graph.book.scps(account.id);
      return (
        account && {
          id: caller.arn,
          kind: "account",
          principal: caller.arn,
          account: account.id,
          identityPolicies: [],
          ...(scps ? { scps } : {}),
          context: {
            "aws:PrincipalArn": caller.arn,
            "aws:PrincipalAccount": account.id,
            "aws:PrincipalType": "Account",
            "aws:userid": account.id,
            ...this.graph.orgContext(account.id),
          },
        }
      );
    }
    const role = this.graph.nodes.get(caller.roleArn);
    if (!role) return undefined;
    const session = caller.session ?? {};
    const context: Record<string, string | string[]> = { ...role.context, "aws:userid": caller.userId, ...session.federatedContext };
    if (session.tags?.size) {
      for (const [k, v] of session.tags) {
        for (const key of Object.keys(context)) if (key.toLowerCase() === `aws:principaltag/${k.toLowerCase()}`) delete context[key];
        context[`aws:PrincipalTag/${k}`] = v;
      }
      const keys = Object.keys(context)
        .filter((k) => k.startsWith("aws:PrincipalTag/"))
        .map((k) => k.slice("aws:PrincipalTag/".length));
      context["aws:PrincipalTagKeys"] = keys;
    }
    if (session.sourceIdentity !== undefined) context["aws:SourceIdentity"] = session.sourceIdentity;
    return { ...role, principal: caller.arn, context, ...(session.sessionPolicy ? { sessionPolicy: session.sessionPolicy } : {}) };
  }

  /**
   * The engine's decision for a caller's request, logged. The resource's account is the one its
   * ARN names, else `resourceAccount`, else the one whose resource policies list it.
   */
  authorize(caller: KnownCredential, action: string, resource: string, options: AuthorizeOptions): Evaluation | undefined {
    return this.authorizeNode(this.nodeOf(caller), caller.arn, action, resource, options);
  }

  /**
   * As authorize, for a principal that holds no sandbox credential (the federated identity of a
   * web identity token): the engine decides as `node`; the log names `principal`.
   */
  authorizeNode(
    node: GraphNode | undefined,
    principal: string,
    action: string,
    resource: string,
    options: AuthorizeOptions,
  ): Evaluation | undefined {
    const account = resourceAccountOf(this.graph, resource, options.resourceAccount);
    const result = node ? decideAs(this.graph, node, action, resource, account, options.context ?? {}) : undefined;
    this.log.decision({
      requestId: options.requestId,
      time: this.clock(),
      principal,
      action,
      resource,
      evaluation: result,
      ...(options.note ? { note: options.note } : {}),
    });
    return result;
  }

  /**
   * As authorize, throwing AWS's AccessDenied (in the words `denial` gives, which differ between
   * protocols) unless the engine allows.
   */
  require(
    caller: KnownCredential,
    action: string,
    resource: string,
    options: AuthorizeOptions & { denial?: (message: string) => AwsError; withReason?: boolean },
  ): Evaluation {
    const result = this.authorize(caller, action, resource, options);
    if (result?.decision === "Allow") return result;
    // STS's AssumeRole message gives no reason; other services' say which kind of policy failed.
    const message = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}${options.withReason === false ? "" : becauseOf(result)}`;
    throw options.denial ? options.denial(message) : new AwsError(403, "AccessDenied", message);
  }
}

/** How AWS's messages name each layer's kind of policy. */
const POLICY_KIND: Record<string, string> = {
  scp: "service control policy",
  rcp: "resource control policy",
  resource: "resource-based policy",
  boundary: "permissions boundary",
  session: "session policy",
  identity: "identity-based policy",
};

/** AWS's reason clause: "because no identity-based policy allows the … action", or "with an explicit deny in a …". */
function becauseOf(result: Evaluation | undefined): string {
  if (!result) return "";
  const kind = POLICY_KIND[result.explain.deniedBy ?? "identity"] ?? POLICY_KIND.identity;
  if (result.decision === "ExplicitDeny") return ` with an explicit deny in a${/^[aeiou]/.test(kind as string) ? "n" : ""} ${kind}`;
  return ` because no ${kind} allows the ${result.explain.action} action`;
}
