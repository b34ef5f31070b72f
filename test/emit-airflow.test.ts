/**
 * The Airflow emitter: connections in the two forms Airflow reads, an example DAG that uses them,
 * and MWAA token notes. Expected values come from the compiled chains (the roles and regions the
 * compiler planned) and from Airflow's and Python's own parsing rules, run in a real python3.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, type Compiled } from "../src/compile/compile.js";
import type { Chain } from "../src/compile/plan.js";
import { emitAirflow } from "../src/emit/airflow.js";
import { emitAwsConfig } from "../src/emit/aws-config.js";
import type { EmittedFile } from "../src/emit/types.js";
import { loadModel } from "../src/model/load.js";
import { PLAIN_ECS_MODEL } from "./support/models.js";

const dir = mkdtempSync(join(tmpdir(), "xacct-airflow-"));

function build(yaml: string): { compiled: Compiled; files: EmittedFile[] } {
  const compiled = compile(loadModel(yaml));
  return { compiled, files: emitAirflow(compiled) };
}

function file(files: EmittedFile[], path: string): string {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} among ${files.map((f) => f.path).join(", ")}`);
  return found.content;
}

function python(script: string, ...args: string[]): string {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

interface ConnectionJson {
  conn_type: string;
  description?: string;
  extra: Record<string, unknown>;
  [key: string]: unknown;
}

/** The role a connection for this chain must end in: the last hop's, or the IRSA role when nothing is assumed. */
function finalRole(chain: Chain): string | undefined {
  return chain.hops[chain.hops.length - 1]?.roleArn ?? (chain.start.type === "irsa" ? chain.start.roleArn : undefined);
}

/** The connection serving a chain: the one in its account with its final role and region. */
function connectionFor(connections: Record<string, ConnectionJson>, chain: Chain): [string, ConnectionJson] {
  const matches = Object.entries(connections).filter(([id, c]) => {
    return (
      id.startsWith(`aws_${chain.workload.replace(/-/g, "_")}_${chain.accountName.replace(/-/g, "_")}`) &&
      c.extra.role_arn === finalRole(chain) &&
      c.extra.region_name === chain.region
    );
  });
  if (matches.length === 0) throw new Error(`no connection for grant ${chain.grant} (${chain.service} in ${chain.accountName})`);
  return matches[0] as [string, ConnectionJson];
}

// Seed 003: Airflow on EKS (IRSA) in a shared account; EMR in account 1 (with an external ID),
// Athena in account 2, a Glue job in account 2 reached through a role in account 1, and a bucket
// of its own account read with the pod's own role.
const SEED_003 = `
version: 1
name: data-platform
accounts:
  shared-services: { id: "333333333333", region: us-east-1 }
  raw-processing: { id: "111111111111", region: us-east-1 }
  query: { id: "222222222222", region: us-east-1 }
clusters:
  astro: { account: shared-services, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90 }
workloads:
  airflow:
    account: shared-services
    identity: { type: irsa, cluster: astro, namespace: astronomer-prod, serviceAccount: airflow-worker }
    runtime: { kind: airflow, schedule: "0 3 * * *" }
  airflow-keys:
    account: shared-services
    identity: { type: iam-user, user: airflow-cross-account }
    runtime: { kind: airflow }
grants:
  - workload: airflow
    account: raw-processing
    service: elasticmapreduce
    access: [run-job-flow, steps]
    resources: { service-role: EMR_DefaultRole, instance-profile-role: EMR_EC2_DefaultRole }
    role: { name: airflow-emr, externalId: emr-ext-7 }
    profile: raw-processing-emr
  - workload: airflow
    account: query
    service: athena
    access: [query]
    resources: { workgroup: primary, database: curated, results-bucket: query-athena-results }
    role: { name: airflow-athena }
    profile: query-athena
  - workload: airflow
    account: query
    service: glue
    access: [run, watch]
    resources: { job: nightly-etl }
    via: chain
    through: [{ account: raw-processing, role: airflow-hop }]
    role: { name: airflow-glue }
    profile: query-glue
  - workload: airflow
    account: shared-services
    service: s3
    access: [list, read]
    resources: { bucket: shared-dags }
    profile: shared-s3
  - workload: airflow-keys
    account: query
    service: athena
    access: [query]
    resources: { workgroup: primary, database: curated, results-bucket: query-athena-results }
    role: { name: airflow-keys-athena }
    profile: query-athena-keys
`;

// Seed 000: Sparkflows on ECS reads MWAA in account B; the MWAA environment's own DAGs use S3.
const SEED_000 = `
version: 1
name: sparkflows
accounts:
  sparkflows: { id: "111111111111", region: us-east-1 }
  mwaa: { id: "222222222222", region: us-west-2 }
workloads:
  sparkflows:
    account: sparkflows
    identity: { type: ecs-task, role: ECSFargateRole }
    runtime: { kind: ecs }
  mwaa-environment:
    account: mwaa
    identity: { type: mwaa, environment: sparkflows-air, role: MWAA-ExecutionRole }
grants:
  - workload: sparkflows
    account: mwaa
    service: airflow
    access: [read, cli-token, web-login]
    resources: { environment: sparkflows-air, airflow-role: User }
    role: { name: AccountB-MWAA-ReadRole }
    profile: mwaa
  - workload: mwaa-environment
    account: mwaa
    service: s3
    access: [list, read]
    resources: { bucket: sparkflows-air }
`;

describe("Airflow connections (seed 003)", () => {
  const { compiled, files } = build(SEED_003);
  const airflowChains = compiled.chains.filter((c) => c.workload === "airflow");
  const connections = JSON.parse(file(files, "workloads/airflow/airflow/connections.json")) as Record<string, ConnectionJson>;

  it("GIVEN a DAG reaching three accounts WHEN emitted THEN connections.json has an AWS connection per way in, ending in each chain's final role and region", () => {
    for (const chain of airflowChains) {
      const [id, connection] = connectionFor(connections, chain);
      expect(connection.conn_type).toBe("aws");
      expect(id).toMatch(/^[a-z0-9_]+$/);
      expect(connection.extra.region_name).toBe(chain.region);
      expect(connection.extra.role_arn).toBe(finalRole(chain));
    }
    // Every connection serves at least one grant of this workload: none is invented.
    const served = new Set(airflowChains.map((c) => connectionFor(connections, c)[0]));
    expect(new Set(Object.keys(connections))).toEqual(served);
  });

  it("THEN a hop is assumed with sts:AssumeRole and the hop's session name, external ID and duration", () => {
    for (const chain of airflowChains.filter((c) => c.hops.length > 0)) {
      const hop = chain.hops[chain.hops.length - 1]!;
      const { extra } = connectionFor(connections, chain)[1];
      expect(extra.assume_role_method).toBe("assume_role");
      expect(extra.assume_role_kwargs).toEqual({
        RoleSessionName: hop.sessionName,
        DurationSeconds: hop.durationSeconds,
        ...(hop.externalId ? { ExternalId: hop.externalId } : {}),
      });
    }
    const emr = airflowChains.find((c) => c.service === "elasticmapreduce")!;
    expect((connectionFor(connections, emr)[1].extra.assume_role_kwargs as Record<string, unknown>).ExternalId).toBe(
      compiled.model.grants[emr.grant]!.role!.externalId,
    );
  });

  it("THEN the pod's own role is taken with its web identity token (assume_role_with_web_identity, file federation)", () => {
    const own = airflowChains.find((c) => c.hops.length === 0)!;
    const { extra } = connectionFor(connections, own)[1];
    expect(extra).toMatchObject({
      role_arn: own.start.roleArn,
      assume_role_method: "assume_role_with_web_identity",
      assume_role_with_web_identity_federation: "file",
      assume_role_with_web_identity_token_file: own.start.webIdentityTokenFile,
      region_name: own.region,
    });
  });

  it("THEN a chain of two hops starts from the profile of the hop before the last, in the workload's generated AWS config", () => {
    const chained = airflowChains.find((c) => c.hops.length === 2)!;
    const { extra } = connectionFor(connections, chained)[1];
    const config = emitAwsConfig(compiled).find((f) => f.path === "workloads/airflow/aws-config")!.content;
    const section = config.split(/\n(?=\[)/).find((s) => s.startsWith(`[profile ${String(extra.profile_name)}]`));
    expect(section, `profile ${String(extra.profile_name)} in aws-config`).toBeDefined();
    expect(section).toContain(`role_arn = ${chained.hops[0]!.roleArn}`);
    expect(extra.role_arn).toBe(chained.hops[1]!.roleArn);
  });

  it("THEN an IAM-user start writes no access keys: no login or password, and nothing that looks like a key", () => {
    const keys = JSON.parse(file(files, "workloads/airflow-keys/airflow/connections.json")) as Record<string, ConnectionJson>;
    for (const connection of Object.values(keys)) {
      expect(connection).not.toHaveProperty("login");
      expect(connection).not.toHaveProperty("password");
      expect(connection.extra).not.toHaveProperty("aws_secret_access_key");
    }
    expect(JSON.stringify(keys)).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });

  it("THEN connections.env holds AIRFLOW_CONN_<CONN_ID> for each connection, whose URI decodes (as Airflow parses it) back to the same extras", () => {
    const env = file(files, "workloads/airflow/airflow/connections.env");
    const path = join(dir, "connections.env");
    writeFileSync(path, env);
    // Airflow's Connection._parse_from_uri: urlsplit, parse_qsl, and the __extra__ JSON when present.
    const decoded = JSON.parse(
      python(
        `import json, sys
from urllib.parse import urlsplit, parse_qsl
out = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    name, uri = line.split("=", 1)
    parts = urlsplit(uri)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    out[name] = {"scheme": parts.scheme, "extra": json.loads(query["__extra__"]) if "__extra__" in query else query}
print(json.dumps(out))`,
        path,
      ),
    ) as Record<string, { scheme: string; extra: Record<string, unknown> }>;
    expect(Object.keys(decoded).sort()).toEqual(
      Object.keys(connections)
        .map((id) => `AIRFLOW_CONN_${id.toUpperCase()}`)
        .sort(),
    );
    for (const [id, connection] of Object.entries(connections)) {
      expect(decoded[`AIRFLOW_CONN_${id.toUpperCase()}`]).toEqual({ scheme: "aws", extra: connection.extra });
    }
  });

  it("THEN connections.env can be sourced by a shell unchanged", () => {
    const env = file(files, "workloads/airflow/airflow/connections.env");
    const path = join(dir, "sourced.env");
    writeFileSync(path, env);
    const names = Object.keys(connections).map((id) => `AIRFLOW_CONN_${id.toUpperCase()}`);
    const r = spawnSync(
      "bash",
      ["-c", `set -a; . "$1"; for n in ${names.join(" ")}; do printf '%s=%s\\n' "$n" "\${!n}"; done`, "bash", path],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = env.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(r.stdout.trim().split("\n").sort()).toEqual(lines.sort());
  });

  it("THEN example_dag.py is valid Python whose tasks use only these connections, each through aws_conn_id, with the operator made for the service", () => {
    const dag = file(files, "workloads/airflow/airflow/example_dag.py");
    const path = join(dir, "example_dag.py");
    writeFileSync(path, dag);
    const compiledDag = spawnSync("python3", ["-m", "py_compile", path], { encoding: "utf8" });
    expect(compiledDag.status, compiledDag.stderr).toBe(0);
    // Every call with aws_conn_id (as a keyword, or in op_kwargs), read with Python's own parser.
    const calls = JSON.parse(
      python(
        `import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
calls = []
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        kw = {k.arg: k.value for k in node.keywords}
        conn = None
        if "aws_conn_id" in kw:
            conn = ast.literal_eval(kw["aws_conn_id"])
        elif "op_kwargs" in kw and isinstance(kw["op_kwargs"], ast.Dict):
            conn = ast.literal_eval(kw["op_kwargs"]).get("aws_conn_id")
        if conn is not None:
            calls.append({"operator": node.func.id, "conn": conn})
print(json.dumps(calls))`,
        path,
      ),
    ) as { operator: string; conn: string }[];
    expect(new Set(calls.map((c) => c.conn))).toEqual(new Set(Object.keys(connections)));
    const operatorsOf = (chain: Chain) => calls.filter((c) => c.conn === connectionFor(connections, chain)[0]).map((c) => c.operator);
    const byService = (service: string) => airflowChains.find((c) => c.service === service)!;
    expect(operatorsOf(byService("elasticmapreduce"))).toEqual(expect.arrayContaining(["EmrCreateJobFlowOperator", "EmrAddStepsOperator"]));
    expect(operatorsOf(byService("athena"))).toContain("AthenaOperator");
    expect(operatorsOf(byService("glue"))).toContain("GlueJobOperator");
    expect(operatorsOf(byService("s3"))).toContain("S3ListOperator");
    expect(dag).toContain(`schedule=${JSON.stringify(compiled.model.workloads.airflow!.runtime!.schedule)}`);
  });

  it("THEN the DAG's resources are the model's: the Glue job, the Athena database and results bucket, the EMR roles", () => {
    const dag = file(files, "workloads/airflow/airflow/example_dag.py");
    const resources = (service: string) => compiled.model.grants.find((g) => g.workload === "airflow" && g.service === service)!.resources!;
    expect(dag).toContain(`job_name=${JSON.stringify(resources("glue").job)}`);
    expect(dag).toContain(`database=${JSON.stringify(resources("athena").database)}`);
    expect(dag).toContain(`s3://${String(resources("athena")["results-bucket"])}/`);
    expect(dag).toContain(`"ServiceRole": ${JSON.stringify(resources("elasticmapreduce")["service-role"])}`);
    expect(dag).toContain(`"JobFlowRole": ${JSON.stringify(resources("elasticmapreduce")["instance-profile-role"])}`);
  });
});

describe("MWAA (seed 000)", () => {
  const { compiled, files } = build(SEED_000);
  const tokens = compiled.chains.find((c) => c.service === "airflow")!;
  const environment = String(tokens.resources.environment);

  it("GIVEN an ECS workload granted MWAA tokens WHEN emitted THEN it gets token notes but no Airflow connections of its own", () => {
    expect(files.map((f) => f.path).filter((p) => p.startsWith(`workloads/${tokens.workload}/`))).toEqual([
      `workloads/${tokens.workload}/airflow/mwaa-tokens.md`,
    ]);
  });

  it("THEN the notes create a CLI token with the generated profile and POST it as a bearer token to /aws_mwaa/cli", () => {
    const notes = file(files, `workloads/${tokens.workload}/airflow/mwaa-tokens.md`);
    expect(notes).toContain(`aws mwaa create-cli-token --name ${environment} --profile ${tokens.profile}`);
    expect(notes).toContain('--request POST "https://$WEB_SERVER_HOSTNAME/aws_mwaa/cli"');
    expect(notes).toContain('--header "Authorization: Bearer $CLI_TOKEN"');
    expect(notes).toContain('--header "Content-Type: text/plain"');
    expect(notes).toContain("base64 --decode");
  });

  it("THEN the notes create a web login token and open /aws_mwaa/aws-console-sso?login=true#<token>", () => {
    const notes = file(files, `workloads/${tokens.workload}/airflow/mwaa-tokens.md`);
    expect(notes).toContain(`aws mwaa create-web-login-token --name ${environment} --profile ${tokens.profile}`);
    expect(notes).toMatch(
      /https:\/\/\$\(echo "\$WEB_JSON" \| jq -r \.WebServerHostname\)\/aws_mwaa\/aws-console-sso\?login=true#\$\(echo "\$WEB_JSON" \| jq -r \.WebToken\)/,
    );
    expect(notes).toContain(`\`${String(tokens.resources["airflow-role"])}\``);
  });

  it("THEN the MWAA environment's own DAGs get a connection that uses the execution role as is, in its region", () => {
    const own = compiled.chains.find((c) => c.workload === "mwaa-environment")!;
    const connections = JSON.parse(file(files, "workloads/mwaa-environment/airflow/connections.json")) as Record<string, ConnectionJson>;
    expect(Object.values(connections).map((c) => c.extra)).toEqual([{ region_name: own.region }]);
    expect(file(files, "workloads/mwaa-environment/airflow/example_dag.py")).toContain(
      `aws_conn_id=${JSON.stringify(Object.keys(connections)[0])}`,
    );
  });
});

describe("workloads that neither run Airflow nor reach MWAA", () => {
  it("get no Airflow files", () => {
    const { files } = build(PLAIN_ECS_MODEL);
    expect(files).toEqual([]);
  });
});

describe("Airflow connection IDs across workloads", () => {
  // Airflow's own rule for a conn_id (airflow.utils.helpers.validate_key): letters, digits, _ . -, at most 250;
  // and AIRFLOW_CONN_<CONN_ID upper-cased> must be a shell variable name.
  const CONN_ID = /^[\w.-]{1,250}$/;
  const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
  const connectionIds = (files: EmittedFile[]) =>
    files
      .filter((f) => f.path.endsWith("/connections.json"))
      .flatMap((f) => Object.keys(JSON.parse(f.content) as Record<string, unknown>).map((id) => ({ workload: f.path.split("/")[1]!, id })));
  // GIVEN two Airflow workloads (two deployments of one Airflow, say) whose grants share a name and an account
  const TWO = (order: "etl-first" | "reports-first") => {
    const etl = "  etl:\n    account: a\n    identity: { type: ecs-task, role: etl }\n    runtime: { kind: airflow }\n";
    const reports = "  reports:\n    account: a\n    identity: { type: ecs-task, role: reports }\n    runtime: { kind: airflow }\n";
    return `
version: 1
name: shared-airflow
accounts:
  a: { id: "111111111111", region: us-east-1 }
  query: { id: "222222222222", region: us-east-1 }
workloads:
${order === "etl-first" ? etl + reports : reports + etl}grants:
  - { workload: etl, account: query, service: athena, access: [query], resources: { workgroup: primary, database: curated, results-bucket: results }, profile: query }
  - { workload: reports, account: query, service: athena, access: [query], resources: { workgroup: primary, database: curated, results-bucket: results }, profile: query }
`;
  };

  it("GIVEN two workloads with the same grant name to one account WHEN emitted THEN their conn_ids differ, are valid for Airflow, and name their workload", () => {
    const ids = connectionIds(build(TWO("etl-first")).files);
    expect(ids).toHaveLength(2);
    expect(new Set(ids.map((c) => c.id)).size).toBe(2);
    for (const { workload, id } of ids) {
      expect(id).toMatch(CONN_ID);
      expect(`AIRFLOW_CONN_${id.toUpperCase()}`).toMatch(ENV_NAME);
      expect(id).toContain(workload);
    }
  });

  it("THEN the IDs stay the same from build to build, whatever the order of the workloads in the model", () => {
    const first = connectionIds(build(TWO("etl-first")).files);
    expect(connectionIds(build(TWO("etl-first")).files)).toEqual(first);
    expect(new Set(connectionIds(build(TWO("reports-first")).files).map((c) => `${c.workload} ${c.id}`))).toEqual(
      new Set(first.map((c) => `${c.workload} ${c.id}`)),
    );
  });

  it("GIVEN seed 003's two Airflow workloads reaching account query THEN no conn_id is shared, and each DAG and env file uses its own", () => {
    const { files } = build(SEED_003);
    const ids = connectionIds(files);
    expect(new Set(ids.map((c) => c.id)).size).toBe(ids.length);
    for (const workload of ["airflow", "airflow-keys"]) {
      const mine = ids.filter((c) => c.workload === workload).map((c) => c.id);
      const dag = file(files, `workloads/${workload}/airflow/example_dag.py`);
      // aws_conn_id="…" of an operator, or {"aws_conn_id": "…"} of a PythonOperator's op_kwargs
      const used = [...dag.matchAll(/aws_conn_id(?:=|": )"([^"]+)"/g)].map((m) => m[1]!);
      expect(used.length).toBeGreaterThan(0);
      for (const id of used) expect(mine).toContain(id);
      const env = file(files, `workloads/${workload}/airflow/connections.env`);
      for (const id of mine) expect(env).toContain(`AIRFLOW_CONN_${id.toUpperCase()}=`);
    }
  });

  it("GIVEN workload names that differ only in punctuation THEN their conn_ids still differ, stably", () => {
    const model = TWO("etl-first").replaceAll("reports", "e-t-l").replaceAll("etl", "e_t_l");
    const ids = connectionIds(build(model).files);
    expect(ids).toHaveLength(2);
    expect(new Set(ids.map((c) => c.id)).size).toBe(2);
    for (const { id } of ids) expect(id).toMatch(CONN_ID);
    expect(connectionIds(build(model).files)).toEqual(ids);
  });
});
