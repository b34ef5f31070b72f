/**
 * Airflow (`examples/003-airflow-multi-account`, and MWAA in `examples/000-sparkflows-mwaa`): for
 * each workload that runs Airflow, one AWS connection per account its DAGs reach, in the two forms
 * Airflow reads — the JSON file of `airflow connections import` and `AIRFLOW_CONN_<CONN_ID>`
 * variables — plus a short DAG whose tasks use each connection through `aws_conn_id`. For every
 * workload that reaches an MWAA environment, notes on its CLI and web login tokens.
 *
 * The connection extras are those of apache-airflow-providers-amazon's AWS connection:
 * `role_arn`, `assume_role_method` (`assume_role`, or `assume_role_with_web_identity` with
 * `assume_role_with_web_identity_federation: file` and `assume_role_with_web_identity_token_file`),
 * `assume_role_kwargs` (passed to STS as is), `region_name`, `profile_name`. A connection assumes
 * one role; for a chain of several hops, the roles before the last come from the profile chain of
 * the workload's generated AWS config (`profile_name`).
 */
import { shortHash } from "../text/hash.js";
import { chainProfiles, hasProfile } from "./aws-config.js";
import type { Chain } from "../compile/plan.js";
import { recipeFor, serviceTitle } from "../services/index.js";
import { AIRFLOW_PROVIDER, type AirflowNotes, type AirflowTask, type ServiceNoteUse } from "../services/outputs.js";
import type { ModelWorkload } from "../model/schema.js";
import { sessionNameFor } from "../model/names.js";
import { commentLine, envAssignment, pythonDocstring, pythonLiteral as py } from "../text/escape.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

/** One Airflow AWS connection: a target account as one workload reaches it. */
export interface AirflowConnection {
  connId: string;
  /** `AIRFLOW_CONN_<CONN_ID>`. */
  envName: string;
  accountName: string;
  account: string;
  region: string;
  /** The connection's Extra, as the Amazon provider reads it. */
  extra: Record<string, unknown>;
  description: string;
  /** The grants (chains) this connection serves. */
  chains: Chain[];
}

/** Does the workload run Airflow (its runtime, or an MWAA environment's execution role)? */
export function runsAirflow(workload: ModelWorkload | undefined): boolean {
  return workload !== undefined && (workload.runtime?.kind === "airflow" || workload.identity.type === "mwaa");
}

/** The Extra of a connection that acts for the chain: assume its final role from the worker's own credentials. */
export function connectionExtra(chain: Chain): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  const last = chain.hops[chain.hops.length - 1];
  if (last) {
    if (chain.hops.length > 1) {
      // The hops before the last: the profile chain of workloads/<workload>/aws-config.
      const profiles = chainProfiles(chain);
      extra.profile_name = profiles[profiles.length - 2]?.name;
    }
    extra.role_arn = last.roleArn;
    extra.assume_role_method = "assume_role";
    extra.assume_role_kwargs = {
      RoleSessionName: last.sessionName,
      ...(last.externalId ? { ExternalId: last.externalId } : {}),
      DurationSeconds: last.durationSeconds,
    };
  } else if (chain.start.type === "irsa" && chain.start.roleArn) {
    // No role to assume beyond the pod's own: say so explicitly with the web identity token.
    extra.role_arn = chain.start.roleArn;
    extra.assume_role_method = "assume_role_with_web_identity";
    extra.assume_role_with_web_identity_federation = "file";
    extra.assume_role_with_web_identity_token_file = chain.start.webIdentityTokenFile;
    extra.assume_role_kwargs = { RoleSessionName: sessionNameFor(chain.workload), DurationSeconds: chain.maxSessionSeconds };
  }
  extra.region_name = chain.region;
  return extra;
}

/** Airflow's longest conn_id (airflow.utils.helpers.validate_key: letters, digits, `_`, `.` and `-`, at most 250). */
const CONN_ID_MAX = 250;

/**
 * The connections of one workload's chains: one per target account, more where an account is
 * reached through different roles. Each conn_id names the workload and the account
 * (`aws_<workload>_<account>`, then the role where the account is reached several ways), so that
 * two workloads' connections to one account never share an ID in an Airflow that imports both;
 * where two ways in would still get one ID (names that differ only in punctuation), each gets a
 * suffix from a hash of what it is, which stays the same from build to build.
 */
export function airflowConnections(chains: readonly Chain[]): AirflowConnection[] {
  return uniqueConnectionIds([workloadConnections(chains)])[0] ?? [];
}

/** Makes conn_ids unique across several workloads' connections (one list per workload). */
export function uniqueConnectionIds(lists: AirflowConnection[][]): AirflowConnection[][] {
  const all = lists.flat();
  const count = new Map<string, number>();
  for (const c of all) count.set(c.connId, (count.get(c.connId) ?? 0) + 1);
  const hashed = (c: AirflowConnection) => {
    const suffix = shortHash(JSON.stringify([c.chains[0]?.workload, c.accountName, c.extra]));
    return `${c.connId.slice(0, CONN_ID_MAX - suffix.length - 1)}_${suffix}`;
  };
  return lists.map((list) =>
    list.map((c) => {
      const connId = (count.get(c.connId) ?? 0) > 1 || c.connId.length > CONN_ID_MAX ? hashed(c) : c.connId;
      return { ...c, connId, envName: `AIRFLOW_CONN_${connId.toUpperCase()}` };
    }),
  );
}

function workloadConnections(chains: readonly Chain[]): AirflowConnection[] {
  const byAccount = new Map<string, Map<string, Chain[]>>();
  for (const chain of chains) {
    const groups = byAccount.get(chain.accountName) ?? new Map<string, Chain[]>();
    const key = JSON.stringify(connectionExtra(chain));
    groups.set(key, [...(groups.get(key) ?? []), chain]);
    byAccount.set(chain.accountName, groups);
  }
  const connections: AirflowConnection[] = [];
  for (const [accountName, groups] of byAccount) {
    for (const [key, list] of groups) {
      const first = list[0] as Chain;
      const extra = JSON.parse(key) as Record<string, unknown>;
      const base = `aws_${identifier(first.workload)}_${identifier(accountName)}`;
      // One connection per account; where an account is reached several ways, tell them apart by role.
      const connId = groups.size === 1 ? base : `${base}_${identifier(roleName(extra.role_arn) ?? "own_identity")}`;
      connections.push({
        connId,
        envName: `AIRFLOW_CONN_${connId.toUpperCase()}`,
        accountName,
        account: first.account,
        region: first.region,
        extra,
        description: describeConnection(first, extra),
        chains: list,
      });
    }
  }
  return connections;
}

/** `AIRFLOW_CONN_…` value: the URI form with the extras as one `__extra__` JSON parameter (Airflow 2.3+), safe unquoted in .env files and shells. */
export function connectionUri(connection: AirflowConnection): string {
  return `aws://?${new URLSearchParams({ __extra__: JSON.stringify(connection.extra) }).toString()}`;
}

export const emitAirflow: Emitter = ({ model, chains }) => {
  const files: EmittedFile[] = [];
  const byWorkload = new Map<string, Chain[]>();
  for (const chain of chains) byWorkload.set(chain.workload, [...(byWorkload.get(chain.workload) ?? []), chain]);
  const airflow = [...byWorkload].filter(([workload]) => runsAirflow(model.workloads[workload]));
  const ids = uniqueConnectionIds(airflow.map(([, list]) => workloadConnections(list)));
  const connectionsOf = new Map(airflow.map(([workload], i) => [workload, ids[i] ?? []]));
  for (const [workload, list] of byWorkload) {
    const dir = `workloads/${slug(workload)}/airflow`;
    const connections = connectionsOf.get(workload);
    if (connections) {
      files.push({ path: `${dir}/connections.json`, content: json(connectionsJson(connections)) });
      files.push({ path: `${dir}/connections.env`, content: connectionsEnv(workload, connections) });
      files.push({
        path: `${dir}/example_dag.py`,
        content: exampleDag(workload, model.workloads[workload]?.runtime?.schedule, connections),
      });
    }
    // Notes a service writes for the workloads that reach it (MWAA's tokens), beside the DAG.
    const noted = new Map<AirflowNotes, ServiceNoteUse[]>();
    for (const chain of list) {
      const notes = recipeFor(chain.service)?.airflowNotes;
      if (!notes) continue;
      const use = {
        use: chain,
        profile: hasProfile(chain) ? chain.profile : undefined,
        configFile: `workloads/${slug(workload)}/aws-config`,
        path: pathText(chain),
      };
      noted.set(notes, [...(noted.get(notes) ?? []), use]);
    }
    for (const [notes, uses] of noted) files.push({ path: `${dir}/${notes.file}`, content: notes.write(workload, uses) });
  }
  return files;
};

function connectionsJson(connections: readonly AirflowConnection[]): Record<string, unknown> {
  return Object.fromEntries(connections.map((c) => [c.connId, { conn_type: "aws", description: c.description, extra: c.extra }]));
}

function connectionsEnv(workload: string, connections: readonly AirflowConnection[]): string {
  const lines = [
    commentLine(`Generated by xacct for workload ${workload}. Do not edit; change xacct.yaml and run xacct build.`),
    "# Airflow connections as environment variables (Airflow 2.3+ reads the extras from __extra__).",
    "# Use as an env file (docker --env-file, Kubernetes, MWAA startup script) or: set -a; . ./connections.env; set +a",
  ];
  for (const c of connections) lines.push("", commentLine(c.description), envAssignment(c.envName, connectionUri(c)));
  return `${lines.join("\n")}\n`;
}

function describeConnection(chain: Chain, extra: Record<string, unknown>): string {
  const where = `account ${chain.accountName} (${chain.account}, ${chain.region})`;
  const base = baseCredentials(chain);
  if (extra.assume_role_method === "assume_role_with_web_identity")
    return `xacct: ${where} as ${String(extra.role_arn)}, with the pod's web identity token`;
  if (extra.role_arn === undefined) return `xacct: ${where} with the worker's own identity (${base})`;
  const from = extra.profile_name
    ? `profile ${String(extra.profile_name)} of workloads/${chain.workload}/aws-config (set AWS_CONFIG_FILE)`
    : base;
  return `xacct: ${where} as ${String(extra.role_arn)}, assumed from ${from}`;
}

/** Where the Airflow worker's first credentials come from, in words. */
function baseCredentials(chain: Chain): string {
  const start = chain.start;
  switch (start.type) {
    case "irsa":
      return `the IRSA role ${start.roleArn ?? ""} of service account ${start.cluster?.namespace ?? ""}/${start.cluster?.serviceAccount ?? ""}`;
    case "mwaa":
      return `the MWAA execution role ${start.roleArn ?? ""}`;
    case "iam-user":
      return `the access keys of ${start.userArn ?? "the IAM user"} (set them as the connection's login and password from your secrets backend; xacct never writes them)`;
    case "external":
      return `the credentials of account ${start.account}${start.roleArn ? ` (${start.roleArn})` : ""}`;
    default:
      return `the ${start.type} role ${start.roleArn ?? ""}`;
  }
}

function roleName(arn: unknown): string | undefined {
  return typeof arn === "string" ? arn.slice(arn.lastIndexOf("/") + 1) : undefined;
}

/** Lower-case letters, digits and `_`: valid in a conn_id, in an environment variable name and in a Python identifier. */
function identifier(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "") || "x"
  );
}

// ---------------------------------------------------------------------------------------------
// The example DAG

function exampleDag(workload: string, schedule: string | undefined, connections: readonly AirflowConnection[]): string {
  const tasks: AirflowTask[] = [];
  const ids = new Set<string>();
  const taskId = (text: string): string => {
    const base = identifier(text);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}_${n}`;
    ids.add(id);
    return id;
  };
  for (const connection of connections) {
    for (const chain of connection.chains) tasks.push(...tasksFor(chain, connection.connId, taskId));
  }
  const imports = new Map<string, Set<string>>([["airflow", new Set(["DAG"])]]);
  const generic = tasks.some((t) => t.code.includes("PythonOperator("));
  if (generic) {
    imports.set("airflow.operators.python", new Set(["PythonOperator"]));
    imports.set(`${AIRFLOW_PROVIDER}.hooks.base_aws`, new Set(["AwsBaseHook"]));
  }
  for (const task of tasks) {
    for (const spec of task.imports) {
      const [module, name] = spec.split(":") as [string, string];
      imports.set(module, (imports.get(module) ?? new Set()).add(name));
    }
  }
  const lines = [
    `"""Generated by xacct for workload ${pythonDocstring(workload)}: one task per grant, each through its account's connection.`,
    "",
    "Import the connections first (airflow connections import connections.json, or the",
    "AIRFLOW_CONN_* variables of connections.env). Resource names are the model's; values marked",
    '"example" are yours to replace.',
    '"""',
    "from datetime import datetime",
    "",
    ...[...imports]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([module, names]) => `from ${module} import ${[...names].sort().join(", ")}`),
    "",
  ];
  if (generic) {
    lines.push(
      "",
      "def show_identity(aws_conn_id):",
      '    """Prints the role the connection acts as (sts:GetCallerIdentity needs no permission)."""',
      '    identity = AwsBaseHook(aws_conn_id=aws_conn_id, client_type="sts").get_conn().get_caller_identity()',
      '    print(identity["Arn"])',
      "",
    );
    // The functions the service modules' tasks call, each once.
    for (const helper of new Set(tasks.flatMap((t) => (t.helper ? [t.helper] : [])))) lines.push("", ...helper, "");
  }
  lines.push(
    "",
    "with DAG(",
    `    dag_id=${py(`xacct_${identifier(workload)}`)},`,
    "    start_date=datetime(2024, 1, 1),",
    `    schedule=${schedule ? py(schedule) : "None"},`,
    "    catchup=False,",
    '    tags=["xacct"],',
    ") as dag:",
  );
  if (tasks.length === 0) lines.push("    pass");
  // Tasks that depend on another take its output (EMR steps on the new cluster), which orders them.
  for (const task of tasks) lines.push(...task.code.split("\n").map((l) => `    ${l}`));
  return `${lines.join("\n")}\n`;
}

/** The tasks that exercise one grant, with the operator its service module names where there is one. */
function tasksFor(chain: Chain, connId: string, taskId: (text: string) => string): AirflowTask[] {
  const conn = `aws_conn_id=${py(connId)}`;
  const operator = (id: string, name: string, args: string[]): string =>
    `${id} = ${name}(\n    task_id=${py(id)},\n${args.map((a) => `    ${a},\n`).join("")}    ${conn},\n)`;
  const tasks = recipeFor(chain.service)?.airflowTasks?.(chain, { connId, taskId, operator });
  if (tasks?.length) return tasks;
  // No operator fits (or the grant lacks what it needs): show which role the connection acts as.
  const id = taskId(`${chain.service}_identity_${chain.accountName}`);
  const code = `${commentLine(`${serviceTitle(chain.service)}: ${chain.access.join(", ")}`)}\n${id} = PythonOperator(\n    task_id=${py(id)},\n    python_callable=show_identity,\n    op_kwargs={"aws_conn_id": ${py(connId)}},\n)`;
  return [{ id, imports: [], code }];
}

/** The identities a chain goes through, in words. */
function pathText(chain: Chain): string {
  const start = chain.start.roleArn ?? chain.start.userArn ?? `account ${chain.start.account}`;
  return [`${chain.start.type} ${start}`, ...chain.hops.map((h) => h.roleArn)].join(" → ");
}
