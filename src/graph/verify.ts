/**
 * Verifies a model against an access graph — of what the model itself creates, or of an
 * inventory of what is deployed: every grant is possible (and by which path), no cross-account
 * access exists that the model does not declare, deployed roles match the model's, and no finding
 * is at or above the chosen severity.
 */
import { oidcProviderArn, roleArn } from "../aws/arn.js";
import { orgPathValue } from "../aws/organizations.js";
import { auditPrincipal, DEFAULT_AUDIT_ROLE } from "../compile/audit.js";
import type { Compiled } from "../compile/compile.js";
import { permissionSetStandIn, principalOf, principalPatternsOf } from "../compile/identities.js";
import { kindStatements } from "../compile/permissions.js";
import type { Chain, ManualStep } from "../compile/plan.js";
import { ouPath } from "../model/organization.js";
import type { Model, ModelGrant, ModelGrantees } from "../model/schema.js";
import { accountIds, fillTemplate } from "../model/stages.js";
import type { AccountState } from "../state/account-state.js";
import { type Drift, driftOf } from "./drift.js";
import { type Finding, type Severity, SEVERITIES } from "./findings/types.js";
import type { AccessGraph, GraphNode } from "./graph.js";
import { decideAs, reach } from "./query.js";
import { compileGlob, globMatches } from "../policy/wildcard.js";

export interface GrantCheck {
  grant: number;
  workload: string;
  summary: string;
  possible: boolean;
  /** The principals of the path: the start, then each role assumed. */
  path: string[];
  reason?: string;
  /** What the proof takes as done that the model cannot show (a manual step on a permission set). */
  assumes?: string[];
  /**
   * Attached policies whose documents the graph does not hold, on which the grant depends: it is
   * neither proven nor disproven until they are known (possible is then false).
   */
  unknown?: string[];
}

export interface VerifyResult {
  ok: boolean;
  grants: GrantCheck[];
  undeclared: { from: string; to: string; why: string }[];
  drift: Drift[];
  findings: Finding[];
  /** Findings the model accepts (`accept:`), whatever their severity: reported, not failing. */
  accepted: Finding[];
}

/**
 * The model's accounts as they stand once its manual steps on IAM Identity Center permission sets
 * are done: each set's role, which AWS names only on assignment, as a stand-in
 * (identities.ts permissionSetStandIn) holding the statements the steps add; with the stand-ins'
 * ARNs and the steps each takes as done. Other accounts and roles are shared, not copied.
 */
export function modelAsApplied(compiled: Compiled): { state: AccountState; standIns: Map<string, string[]> } {
  const sets = new Map<string, { account: string; set: NonNullable<ManualStep["permissionSet"]>; steps: string[] }>();
  for (const step of compiled.manualSteps) {
    if (!step.permissionSet) continue;
    const key = `${step.account}\0${step.permissionSet.name}`;
    const known = sets.get(key);
    if (known) {
      known.set = { ...known.set, statements: [...known.set.statements, ...step.permissionSet.statements] };
      known.steps.push(step.title);
    } else sets.set(key, { account: step.account, set: step.permissionSet, steps: [step.title] });
  }
  const accounts = new Map(compiled.state.accounts);
  const standIns = new Map<string, string[]>();
  for (const { account, set, steps } of sets.values()) {
    const entry = accounts.get(account);
    if (!entry) continue;
    const role = permissionSetStandIn(entry, set);
    const copy = accounts.get(account) === compiled.state.accounts.get(account) ? { ...entry, roles: new Map(entry.roles) } : entry;
    copy.roles.set(role.name, role);
    accounts.set(account, copy);
    standIns.set(
      role.arn,
      steps.map((title) => `${title} (manual step; ${role.name} stands in for the role IAM Identity Center creates)`),
    );
  }
  return { state: { ...compiled.state, accounts }, standIns };
}

export function verify(
  compiled: Compiled,
  graph: AccessGraph,
  options: { deployed?: AccountState; failOn?: Severity; findings?: Finding[]; standIns?: ReadonlyMap<string, string[]> } = {},
): VerifyResult {
  const grants = [
    ...compiled.chains.map((chain) => checkChain(graph, compiled.state, chain, options.standIns)),
    ...compiled.model.grants.flatMap((grant, index) =>
      grant.grantees ? checkGrantees(graph, compiled, grant, grant.grantees, index) : [],
    ),
  ].sort((a, b) => a.grant - b.grant);
  const undeclared = undeclaredEdges(graph, compiled.state, compiled.chains, auditTrusts(compiled));
  const drift = options.deployed ? driftOf(compiled.state, options.deployed, graph.book) : [];
  const limit = SEVERITIES.indexOf(options.failOn ?? "high");
  const accepted = (f: Finding) => isAccepted(compiled.model, f);
  const findings = (options.findings ?? []).filter((f) => SEVERITIES.indexOf(f.severity) <= limit && !accepted(f));
  const acceptedFindings = (options.findings ?? []).filter(accepted);
  return {
    ok: grants.every((g) => g.possible) && undeclared.length === 0 && drift.length === 0 && findings.length === 0,
    grants,
    undeclared,
    drift,
    findings,
    accepted: acceptedFindings,
  };
}

/** Whether the model's `accept:` accepts the finding: its rule, on its resource when the acceptance names one. */
export function isAccepted(model: Model, finding: Finding): boolean {
  return (model.accept ?? []).some((a) => a.rule === finding.id && (!a.resource || globMatches(compileGlob(a.resource), finding.resource)));
}

/** The partition of an account of the model (each model account is in the compiled state with its partition). */
function partitionOf(state: AccountState, account: string): string {
  const entry = state.accounts.get(account);
  if (!entry) throw new Error(`account ${account} of a chain is not in the compiled state`);
  return entry.partition;
}

function startPrincipal(state: AccountState, chain: Chain): string {
  return principalOf(chain.start, partitionOf(state, chain.start.account));
}

/**
 * The role IAM Identity Center made for a permission set, where the graph holds one (read from the
 * account): the role whose ARN the trust's aws:PrincipalArn patterns match. From the model alone
 * there is none, and the chain is not said to work.
 */
function permissionSetRole(graph: AccessGraph, chain: Chain, partition: string): GraphNode | undefined {
  const patterns = (principalPatternsOf(chain.start, partition) ?? []).map((p) => compileGlob(p));
  for (const role of graph.state.accounts.get(chain.start.account)?.roles.values() ?? [])
    if (patterns.some((glob) => globMatches(glob, role.arn))) return graph.nodes.get(role.arn);
  return undefined;
}

/** Walks the chain's hops along graph edges, then asks the engine whether the last identity may act. */
function checkChain(graph: AccessGraph, model: AccountState, chain: Chain, standIns?: ReadonlyMap<string, string[]>): GrantCheck {
  const base: Pick<GrantCheck, "grant" | "workload" | "summary" | "assumes"> = {
    grant: chain.grant,
    workload: chain.workload,
    summary: chain.summary,
  };
  const start = startPrincipal(model, chain);
  const path = [start];
  const fail = (reason: string): GrantCheck => ({ ...base, possible: false, path, reason });
  const unknownOf = (what: string, policies: string[]): GrantCheck => ({
    ...fail(
      `unknown: ${what} attached policies whose documents are not known allow it: ${policies.join(", ")} (verify against an inventory that holds them)`,
    ),
    unknown: policies,
  });
  if (chain.start.type === "irsa" && chain.start.cluster?.issuer) {
    const { issuer, namespace, serviceAccount } = chain.start.cluster;
    const provider = oidcProviderArn(partitionOf(model, chain.start.account), chain.start.account, issuer);
    const sub = `system:serviceaccount:${namespace}:${serviceAccount}`;
    try {
      if (!reach(graph, provider, { [`${issuer}:sub`]: sub }).roles.some((r) => r.role === start))
        return fail(`service account ${namespace}/${serviceAccount} cannot assume ${start} with its web identity`);
    } catch {
      return fail(`no trust admits the web identity of ${namespace}/${serviceAccount} (provider ${provider})`);
    }
  } else if (chain.start.type === "oidc" && chain.start.webIdentity) {
    // Each declared subject (a pattern's * and ? filled with sample text) must reach the first role with its token.
    const { issuer, providerArn, audience, subjects } = chain.start.webIdentity;
    for (const subject of subjects === "any" ? ["xacct"] : subjects.map((s) => s.replace(/[*?]/g, "xacct"))) {
      try {
        if (!reach(graph, providerArn, { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: audience }).roles.some((r) => r.role === start))
          return fail(`a token of ${issuer} with sub ${subject} cannot assume ${start} with its web identity`);
      } catch {
        return fail(`no trust admits the web identity ${subject} of ${issuer} (provider ${providerArn})`);
      }
    }
  }
  const outside = !graph.state.accounts.get(chain.start.account)?.managed;
  let from =
    chain.start.type === "sso"
      ? permissionSetRole(graph, chain, partitionOf(model, chain.start.account))
      : (graph.nodes.get(start) ?? (outside ? graph.outsider(start) : undefined));
  if (!from && chain.start.type === "sso")
    return fail(
      `the role of permission set ${chain.start.sso?.permissionSet ?? ""} (AWSReservedSSO_${chain.start.sso?.permissionSet ?? ""}_…) is not in the graph: IAM Identity Center creates it when the set is assigned; verify against the account's IAM as read back`,
    );
  const assumed = from ? standIns?.get(from.id) : undefined;
  if (assumed) base.assumes = assumed;
  if (from && chain.start.type === "sso") path[0] = from.id;
  if (!from) return fail(`${start} is not in the graph: the model's own identity for ${chain.workload} is not deployed`);
  for (const hop of chain.hops) {
    // The model's hop is an assumption through the trust it writes, never an escalation.
    const edge = (graph.edges.get(from.id) ?? []).find((e) => e.to === hop.roleArn && !e.technique);
    const unknownEdge = edge ? undefined : graph.unknownEdgesFrom(from.id).find((e) => e.to === hop.roleArn);
    if (unknownEdge?.unknown) return unknownOf(`${from.id} may assume ${hop.roleArn} only if`, unknownEdge.unknown);
    if (!edge)
      return fail(`${from.id} cannot assume ${hop.roleArn}: the trust policy or the caller's sts:AssumeRole grant is missing or denied`);
    const unmet = Object.entries(edge.requires).filter(
      ([key, value]) => !(key.toLowerCase() === "sts:externalid" && hop.externalId === value),
    );
    if (unmet.length)
      return fail(`assuming ${hop.roleArn} needs ${unmet.map(([k, v]) => `${k}=${v}`).join(", ")}, which the chain does not supply`);
    path.push(hop.roleArn);
    from = graph.nodes.get(hop.roleArn) as GraphNode;
  }
  const account = graph.state.accounts.get(chain.account);
  for (const { statement } of kindStatements(
    { ...(chain.service ? { service: chain.service } : {}), access: chain.access, resources: chain.resources },
    { partition: partitionOf(model, chain.account), region: chain.region, account: chain.account },
  )) {
    const action = [statement.Action ?? []].flat()[0] as string;
    const resource = concrete([statement.Resource ?? "*"].flat()[0] as string);
    // An action on "*" concerns no resource of the target: it is decided in the caller's own account
    // (for an outsider, by its own administrators).
    if (resource === "*" && !graph.state.accounts.get(from.account ?? "")?.managed) continue;
    const where = resource === "*" ? graph.state.accounts.get(from.account ?? "") : account;
    // The request the statement is for: the values its StringEquals condition names
    // (iam:PassRole for Lambda's deploy is made with iam:PassedToService lambda.amazonaws.com).
    const intended = Object.fromEntries(
      Object.entries(statement.Condition?.StringEquals ?? {}).map(([key, value]) => [key, String([value].flat()[0])]),
    );
    const externalId = chain.hops.at(-1)?.externalId;
    const result = decideAs(graph, from, action, resource, where, {
      ...intended,
      ...(externalId ? { "sts:ExternalId": externalId } : {}),
    });
    if (result.unknown) return unknownOf(`${from.id} may ${action} on ${resource} only if`, result.unknown);
    if (result.decision !== "Allow") return fail(`${from.id} cannot ${action} on ${resource}: ${result.explain.summary}`);
  }
  return { ...base, possible: true, path };
}

/**
 * A grant to an organization or OUs, proven both ways on each of its accounts' resources: a
 * principal of a member account (per the model's organization and OU paths), with whatever its
 * administrators allow, may make each request of the grant; a principal of an account outside the
 * organization, and of the organization outside the OUs, may not (the resource's own account is
 * left out: its principals need no resource policy). The request names the prober's
 * own account where the resource holds ${aws:PrincipalAccount} (AWSLogs/<own account>/).
 */
function checkGrantees(graph: AccessGraph, compiled: Compiled, grant: ModelGrant, grantees: ModelGrantees, index: number): GrantCheck[] {
  const { model, state } = compiled;
  const organization = model.accounts[grant.account]?.organization;
  const paths = grantees.ous?.map((ou) =>
    orgPathValue(organization ?? "", ouPath(Object.values(model.accounts), organization ?? "", ou) ?? []),
  );
  const members: string[] = [];
  const others: string[] = [];
  for (const [name, account] of Object.entries(model.accounts)) {
    const path = account.organization === organization ? orgPathValue(organization ?? "", account.ou ?? []) : undefined;
    const admitted = path !== undefined && (!paths || paths.some((p) => path.startsWith(p)));
    // The resource's own account decides by its principals' identity policies alone.
    if (name !== grant.account) for (const { id } of accountIds(model, name)) (admitted ? members : others).push(id);
  }
  // An account in no organization the graph knows stands for every account outside it.
  const idOf = (n: number) => String(n).padStart(12, "0");
  let stranger = 0;
  while (state.accounts.has(idOf(stranger)) || graph.orgContext(idOf(stranger))["aws:PrincipalOrgID"]) stranger++;
  others.push(idOf(stranger));
  const who = grantees.ous ? `OUs ${grantees.ous.join(", ")}` : `organization ${organization ?? ""}`;
  return accountIds(model, grant.account).map(({ stage, id }) => {
    const account = graph.state.accounts.get(id);
    const place = { partition: partitionOf(state, id), region: model.accounts[grant.account]?.region ?? "us-east-1", account: id };
    const vars = { app: model.name, ...(stage ? { stage } : {}) };
    const resources = Object.fromEntries(
      Object.entries(grant.resources ?? {}).map(([k, v]) => [
        k,
        [v].flat().map((x) => fillTemplate(x, vars, `grants[${index}].resources.${k}`)),
      ]),
    );
    const access = grant.access ?? [];
    const summary = `every principal of ${who} may ${access.join(", ")} (${grant.service ?? ""}) in ${grant.account}`;
    const base = { grant: index, workload: who, summary, path: [] as string[] };
    const probe = (from: string, action: string, pattern: string) => {
      const principal = roleArn(place.partition, from, "xacct-verify");
      const resource = concrete(pattern).split("${aws:PrincipalAccount}").join(from);
      return { principal, resource, result: decideAs(graph, graph.outsider(principal), action, resource, account, {}) };
    };
    for (const { statement } of kindStatements({ service: grant.service, access, resources }, place)) {
      const pattern = [statement.Resource ?? "*"].flat()[0] as string;
      if (pattern === "*") continue;
      for (const action of [statement.Action ?? []].flat()) {
        for (const from of members) {
          const { principal, resource, result } = probe(from, action, pattern);
          if (result.decision !== "Allow")
            return {
              ...base,
              possible: false,
              path: [principal],
              reason: `${principal}, a member, cannot ${action} on ${resource}: ${result.explain.summary}`,
            };
        }
        for (const from of others) {
          const { principal, resource, result } = probe(from, action, pattern);
          if (result.decision === "Allow")
            return { ...base, possible: false, path: [principal], reason: `${principal}, not one of ${who}, may ${action} on ${resource}` };
        }
      }
    }
    return { ...base, possible: true, path: members.slice(0, 1).map((from) => roleArn(place.partition, from, "xacct-verify")) };
  });
}

/** A resource pattern made into one resource it matches (`bucket/dags/*` → `bucket/dags/x`). */
function concrete(pattern: string): string {
  return pattern === "*" ? "*" : pattern.replace(/\*/g, "x").replace(/\?/g, "x");
}

/**
 * The model's `audit:` declares that its collector may assume the audit role in every managed
 * account: as `from to` pairs (`account:ID` for the collector account's root, any of its principals).
 */
function auditTrusts(compiled: Compiled): string[] {
  const audit = compiled.model.audit;
  if (!audit) return [];
  const collector = [...compiled.state.accounts.values()].find((a) => a.name === audit.collector);
  if (!collector) return [];
  const principal = auditPrincipal(audit, collector);
  const from = audit.principal ? principal : `account:${collector.id}`;
  return [...compiled.state.accounts.values()].flatMap((account) => {
    const role = account.managed ? account.roles.get(audit.role ?? DEFAULT_AUDIT_ROLE) : undefined;
    return role ? [`${from} ${role.arn}`] : [];
  });
}

/** Cross-account edges the model's chains (and its audit role) do not account for. */
function undeclaredEdges(graph: AccessGraph, model: AccountState, chains: readonly Chain[], also: readonly string[]) {
  const declared = new Set<string>(also);
  for (const chain of chains) {
    let from = startPrincipal(model, chain);
    // A grant to an account root declares access for every principal of that account.
    const wholeAccount = from.endsWith(":root") ? chain.start.account : undefined;
    for (const hop of chain.hops) {
      declared.add(`${from} ${hop.roleArn}`);
      if (wholeAccount && from.endsWith(":root")) declared.add(`account:${wholeAccount} ${hop.roleArn}`);
      from = hop.roleArn;
    }
  }
  const out: { from: string; to: string; why: string }[] = [];
  // The edges that hold only if attached policies whose documents are unknown allow them may cross accounts too: said so.
  const unknown = graph.withUnknownPolicies().map((id) => [id, graph.unknownEdgesFrom(id)] as const);
  for (const [fromId, edges] of [...graph.edges, ...unknown]) {
    const from = graph.nodes.get(fromId) as GraphNode;
    if (from.kind === "service" || from.kind === "federated") continue;
    for (const edge of edges) {
      const to = graph.nodes.get(edge.to) as GraphNode;
      if (from.account === to.account || declared.has(`${fromId} ${edge.to}`) || declared.has(`account:${from.account} ${edge.to}`))
        continue;
      out.push({
        from: fromId,
        to: edge.to,
        why: edge.unknown
          ? `${fromId} may assume ${edge.to} across accounts if attached policies whose documents are not known allow it (${edge.unknown.join(", ")}), and no grant of the model declares it`
          : `${fromId} can assume ${edge.to} across accounts, and no grant of the model declares it`,
      });
    }
  }
  return out;
}
