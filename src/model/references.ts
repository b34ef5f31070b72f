/**
 * Checks what the schema cannot: that names refer to things the model defines, that each grant's
 * service, access and resources are ones xacct knows, and the rules AWS imposes on chains.
 * Works on the raw parsed YAML, so it runs even when the schema found problems elsewhere.
 */
import { CHAIN_LIMIT_SECONDS } from "../aws/limits.js";
import { recipeFor, recipeServices } from "../services/index.js";
import type { PathKey } from "./load.js";
import { ouPath } from "./organization.js";
import { checkRoleOptions } from "./role-options.js";
import { checkStatements } from "./statements.js";
import { didYouMean } from "../text/suggest.js";

export interface ReferenceProblem {
  path: PathKey[];
  message: string;
  at?: "key" | "value";
}

type Raw = Record<string, unknown>;

const asRecord = (v: unknown): Raw => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/**
 * Whether `known` declares `name` itself: never through its prototype, so `toString`,
 * `constructor` or `valueOf` is declared only where the model declares it.
 */
const declares = (known: object, name: unknown): name is string => typeof name === "string" && Object.hasOwn(known, name);
/** What `known` declares under `name`, or undefined. */
const declared = (known: Raw, name: unknown): unknown => (declares(known, name) ? known[name] : undefined);

/** Identities whose credentials are a role session: any AssumeRole made with them is role chaining. */
export const ROLE_SESSION_IDENTITIES = new Set([
  "irsa",
  "oidc",
  "sso",
  "pod-identity",
  "ecs-task",
  "ec2-instance",
  "eks-node",
  "lambda",
  "mwaa",
]);

export function checkReferences(input: unknown): ReferenceProblem[] {
  const model = asRecord(input);
  const problems: ReferenceProblem[] = [];
  const accounts = asRecord(model.accounts);
  const clusters = asRecord(model.clusters);
  const workloads = asRecord(model.workloads);
  const appStages = asArray(asRecord(model.stages).app).filter((s): s is string => typeof s === "string");
  const consumerStages = Object.values(asRecord(asRecord(model.stages).consumers))
    .flatMap((m) => Object.values(asRecord(m)))
    .filter((s): s is string => typeof s === "string");
  const knownStages = [...new Set([...appStages, ...consumerStages])];
  const refer = (path: PathKey[], value: unknown, known: Raw, what: string) => {
    if (typeof value === "string" && !declares(known, value))
      problems.push({ path, message: `unknown ${what} "${value}"${didYouMean(value, Object.keys(known))}` });
  };

  const seenIds = new Map<string, string>();
  for (const [name, raw] of Object.entries(accounts)) {
    const ids = asRecord(raw).id;
    for (const [stage, id] of typeof ids === "string" ? [["", ids]] : Object.entries(asRecord(ids))) {
      if (stage && !knownStages.includes(stage)) {
        const known = knownStages.length ? `one of the stages (${knownStages.join(", ")})` : "a stage: declare stages.app first";
        problems.push({
          path: ["accounts", name, "id", stage],
          message: `"${stage}" is not ${known}${didYouMean(stage, knownStages)}`,
          at: "key",
        });
      }
      if (typeof id !== "string") continue;
      const other = seenIds.get(id);
      if (other && other !== name)
        problems.push({ path: ["accounts", name, "id"], message: `account ID ${id} is already account "${other}"` });
      seenIds.set(id, name);
    }
  }
  // Resources owned elsewhere are named by the kinds grants use (bucket, key, queue, …) that hold a resource policy.
  const holderKinds = [...new Set(recipeServices().flatMap((s) => Object.values(recipeFor(s)?.policyHolders ?? {})))].sort();
  for (const [name, raw] of Object.entries(accounts))
    for (const kind of Object.keys(asRecord(asRecord(raw).existing)))
      if (!holderKinds.includes(kind))
        problems.push({
          path: ["accounts", name, "existing", kind],
          message: `"${kind}" is not a kind of resource whose policy xacct writes${didYouMean(kind, holderKinds)}; known: ${holderKinds.join(", ")}`,
          at: "key",
        });
  const audit = asRecord(model.audit);
  refer(["audit", "collector"], audit.collector, accounts, "account");
  const collector = asRecord(declared(accounts, audit.collector));
  if (typeof asRecord(collector).id === "object")
    problems.push({
      path: ["audit", "collector"],
      message: "must be an account of one ID (not one per stage): the audit role trusts one collector",
    });
  for (const [name, raw] of Object.entries(clusters)) refer(["clusters", name, "account"], asRecord(raw).account, accounts, "account");
  for (const [name, raw] of Object.entries(workloads)) {
    const workload = asRecord(raw);
    refer(["workloads", name, "account"], workload.account, accounts, "account");
    const identity = asRecord(workload.identity);
    if ("cluster" in identity) refer(["workloads", name, "identity", "cluster"], identity.cluster, clusters, "cluster");
    const cluster = asRecord(declared(clusters, identity.cluster));
    if (identity.type === "irsa" && declares(clusters, identity.cluster) && cluster.oidcIssuer === undefined) {
      problems.push({
        path: ["workloads", name, "identity", "cluster"],
        message: `IRSA needs the cluster's OIDC issuer: add clusters.${identity.cluster}.oidcIssuer`,
      });
    }
  }
  asArray(model.grants).forEach((raw, i) =>
    problems.push(...checkGrant(asRecord(raw), i, { accounts, workloads, consumers: asRecord(asRecord(model.stages).consumers) }, refer)),
  );
  problems.push(...checkRoleOptions(input), ...checkStatements(input));
  return problems;
}

/**
 * A grant names a service with its access and resources, or only attaches managed policies to its
 * role or only gives it raw statements: then it names none of the three, and role.managedPolicies
 * and statements are what it grants.
 */
function checkServiceOrManaged(grant: Raw, at: (...rest: PathKey[]) => PathKey[]): ReferenceProblem[] {
  if (grant.service !== undefined) {
    return (["access", "resources"] as const)
      .filter((key) => grant[key] === undefined)
      .map((key) => ({
        path: at("service"),
        message: `a grant on ${String(grant.service)} needs ${key}: add ${key}: …, or leave out service to attach only role.managedPolicies`,
      }));
  }
  const problems: ReferenceProblem[] = (["access", "resources"] as const)
    .filter((key) => grant[key] !== undefined)
    .map((key) => ({ path: at(key), message: `${key} needs the service it is in: add service: …, or remove ${key}`, at: "key" as const }));
  if (asArray(asRecord(grant.role).managedPolicies).length === 0 && asArray(grant.statements).length === 0)
    problems.push({
      path: at(),
      message:
        "a grant names a service (service, access, resources), or only attaches managed policies to its role (role.managedPolicies: [ReadOnlyAccess, …]) or gives it raw statements (statements: [{Effect: Allow, Action: …, Resource: …}])",
    });
  return problems;
}

function checkGrant(
  grant: Raw,
  i: number,
  known: { accounts: Raw; workloads: Raw; consumers: Raw },
  refer: (path: PathKey[], value: unknown, known: Raw, what: string) => void,
): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const at = (...rest: PathKey[]): PathKey[] => ["grants", i, ...rest];
  if (grant.grantees !== undefined) {
    problems.push(...checkGrantees(grant, at, known.accounts));
    refer(at("account"), grant.account, known.accounts, "account");
    return problems;
  }
  if (grant.workload === undefined) {
    problems.push({ path: at(), message: "a grant names who acts: a workload, or grantees (organization: true or ous: [...])" });
    return problems;
  }
  refer(at("workload"), grant.workload, known.workloads, "workload");
  refer(at("account"), grant.account, known.accounts, "account");
  asArray(grant.through).forEach((hop, j) => refer(at("through", j, "account"), asRecord(hop).account, known.accounts, "account"));

  const service = grant.service;
  problems.push(...checkServiceOrManaged(grant, at));
  const recipe = typeof service === "string" ? recipeFor(service) : undefined;
  if (typeof service === "string" && !recipe) {
    problems.push({
      path: at("service"),
      message: `xacct has no recipe for "${service}"${didYouMean(service, recipeServices())}; known: ${recipeServices().join(", ")} (raw statements go under statements:)`,
    });
  }
  if (recipe) {
    asArray(grant.access).forEach((verb, j) => {
      if (typeof verb === "string" && !declares(recipe.access, verb)) {
        problems.push({
          path: at("access", j),
          message: `${recipe.title} has no access "${verb}"${didYouMean(verb, Object.keys(recipe.access))}; known: ${Object.keys(recipe.access).join(", ")}`,
        });
      }
    });
    const names = asRecord(grant.resources);
    for (const name of Object.keys(names)) {
      if (!recipe.names.includes(name)) {
        problems.push({
          path: at("resources", name),
          message: `${recipe.title} resources are named by ${recipe.names.join(", ") || "nothing"}, not "${name}"${didYouMean(name, recipe.names)}`,
          at: "key",
        });
      }
    }
    const wrong = recipe.checkResources?.(names);
    if (wrong) problems.push({ path: at("resources", wrong.name), message: wrong.message });
    const needed = new Set(
      asArray(grant.access).flatMap((verb) =>
        ((declares(recipe.access, verb) && recipe.access[verb]?.rules) || []).flatMap((r) => recipe.kinds[r.on]?.needs ?? []),
      ),
    );
    for (const name of needed)
      if (!declares(names, name))
        problems.push({ path: at("resources"), message: `${recipe.title} needs resources.${name} for this access` });
    if (grant.via === "resource-policy" && !recipe.policyHolders) {
      problems.push({ path: at("via"), message: `${recipe.title} has no resource-based policy xacct can write; use via: role` });
    } else if (grant.via === "resource-policy") {
      asArray(grant.access).forEach((verb, j) => {
        const why = typeof verb === "string" && declares(recipe.access, verb) ? recipe.access[verb]?.notByResourcePolicy : undefined;
        if (why)
          problems.push({
            path: at("access", j),
            message: `${recipe.title} "${verb}" cannot go via: resource-policy: ${why}; use via: role or via: chain`,
          });
      });
    }
  }
  if (grant.via === "chain" && asArray(grant.through).length === 0)
    problems.push({ path: at("through"), message: "via: chain needs the roles in between (through: [{account, role}])" });
  if (grant.stages === true) {
    const consumer = asRecord(declared(known.workloads, grant.workload));
    if (Object.keys(known.consumers).length === 0)
      problems.push({ path: at("stages"), message: "stages: true needs stages.consumers to map the app's stages" });
    else if (
      typeof grant.workload === "string" &&
      !declares(known.consumers, grant.workload) &&
      !declares(known.consumers, String(consumer.account))
    ) {
      problems.push({ path: at("stages"), message: `stages.consumers has no mapping for "${grant.workload}" (or its account)` });
    }
  }
  const workloadAccount = asRecord(declared(known.workloads, grant.workload)).account;
  if (grant.stages !== true && typeof asRecord(declared(known.accounts, workloadAccount)).id === "object") {
    problems.push({
      path: at("workload"),
      message: `the workload's account "${String(workloadAccount)}" has one ID per stage: set stages: true on the grant and map its stages in stages.consumers`,
    });
  }
  const identity = asRecord(asRecord(declared(known.workloads, grant.workload)).identity);
  const duration = asRecord(grant.role).sessionDuration;
  // A role session's AssumeRole is chaining; so is an outside role's (external with a role principal).
  const outsideRole = identity.type === "external" && typeof identity.principal === "string" && identity.principal.includes(":role/");
  const chained = ROLE_SESSION_IDENTITIES.has(identity.type as string) || outsideRole || grant.via === "chain";
  if (typeof duration === "number" && duration > CHAIN_LIMIT_SECONDS && chained) {
    problems.push({
      path: at("role", "sessionDuration"),
      message: `${duration} s is refused: this hop is role chaining (the workload's own credentials are a role session), and AWS caps a chained session at ${CHAIN_LIMIT_SECONDS} s — asking for more makes AssumeRole fail`,
    });
  }
  return problems;
}

/**
 * A grant to whole organizations or OUs: through the resource's own policy (there is no workload
 * to give a role), in the organization of the grant's account, each OU found in that organization.
 */
function checkGrantees(grant: Raw, at: (...rest: PathKey[]) => PathKey[], accounts: Raw): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  if (grant.workload !== undefined)
    problems.push({ path: at("grantees"), message: "a grant names either a workload or grantees, not both" });
  if (grant.via !== "resource-policy")
    problems.push({
      path: at("via"),
      message: "grantees (organizations and OUs) are admitted by the resource's own policy: set via: resource-policy",
    });
  for (const key of ["through", "role", "stages", "profile"] as const)
    if (grant[key] !== undefined) problems.push({ path: at(key), message: `${key} is for a workload's grant; grantees have none` });
  const account = asRecord(declared(accounts, grant.account));
  const organization = account.organization;
  if (typeof grant.account === "string" && declares(accounts, grant.account) && typeof organization !== "string") {
    problems.push({
      path: at("grantees"),
      message: `grantees are principals of the organization of account "${grant.account}", which declares none: add accounts.${grant.account}.organization (o-…)`,
    });
    return problems;
  }
  if (typeof organization !== "string") return problems;
  const all = Object.values(accounts).map(asRecord);
  asArray(asRecord(grant.grantees).ous).forEach((ou, j) => {
    if (typeof ou === "string" && ouPath(all, organization, ou) === undefined)
      problems.push({
        path: at("grantees", "ous", j),
        message: `no account of organization ${organization} has ${ou} in its ou path: write the OU's path from the root instead (r-…/ou-…)`,
      });
  });
  return problems;
}
