/**
 * examples/008-mwaa-athena-cross-account (issue 13, setup 4): MWAA in account orchestration runs
 * Athena queries in account analytics's workgroup, results bucket and Glue Data Catalog there,
 * acting as its existing execution role.
 *
 * AWS: Athena workgroups have no resource policy — "To control access to workgroups, use
 * resource-level IAM permissions or identity-based IAM policies"
 * (athena/latest/ug/workgroups-iam-policy.html) — so the crossing is a role in analytics that the
 * execution role assumes. The execution role is MWAA's: "An execution role is an AWS Identity and
 * Access Management (IAM) role with a permissions policy that grants Amazon Managed Workflows for
 * Apache Airflow permission to invoke the resources of other AWS services on your behalf", and it
 * "also needs permission to … airflow:PublishMetrics" (mwaa/latest/userguide/mwaa-create-role.html):
 * xacct must keep those, attaching only its own policy.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { emitAll } from "../src/emit/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { loadInventory } from "../src/state/inventory.js";
import { runProgram } from "./support/chain-cli.js";
import { validateTemplate } from "./support/cfn-validate.js";
import { cfnLint, hasCfnLint } from "./support/cfn-lint.js";
import { apply, emptyCopy, iam, readBack, rootOf } from "./support/iam-apply.js";
import { AWS, CLI_PLUGIN_SECTION, commonEnv } from "./support/real-clients.js";
import { clientConfig, sandboxPerTest } from "./support/sandbox-clients.js";
import { canAssume, compileExample, decide, examplesDir, role, sessionOf } from "./support/state.js";
import { validate, why } from "./support/terraform-validate.js";
import { CLI } from "./support/xacct-cli.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXAMPLE = "008-mwaa-athena-cross-account";
const A = "111111111111";
const B = "222222222222";
const EXEC = `arn:aws:iam::${A}:role/reporting-mwaa-exec`;
const ATHENA_ROLE = `arn:aws:iam::${B}:role/mwaa-reporting-athena`;
const at = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:${B}:${resource}`;
const WORKGROUP = at("athena", "workgroup/reporting");
const RESULTS = "arn:aws:s3:::analytics-athena-results";

const compiled = compileExample(EXAMPLE);
const files = new Map(emitAll(compiled).map((f) => [f.path, f.content]));
const json = (path: string): Obj => JSON.parse(files.get(path) ?? "null") as Obj;
const ofType = (template: Obj, type: string): Obj[] => Object.values(template.Resources as Obj).filter((r: Obj) => r.Type === type);

describe("examples/008 built", () => {
  it("the execution role is not created in CloudFormation or Terraform: xacct's policy is attached to it by name", () => {
    // GIVEN the orchestration account's template and configuration
    const template = json("accounts/orchestration/cloudformation.json");
    const tf = json("accounts/orchestration/terraform/main.tf.json");
    // THEN no role resource; one AWS::IAM::RolePolicy / aws_iam_role_policy on reporting-mwaa-exec,
    // allowing sts:AssumeRole of analytics's role and nothing else
    expect(ofType(template, "AWS::IAM::Role")).toEqual([]);
    expect(tf.resource.aws_iam_role).toBeUndefined();
    const [attached, ...more] = ofType(template, "AWS::IAM::RolePolicy");
    expect(more).toEqual([]);
    expect(attached?.Properties.RoleName).toBe("reporting-mwaa-exec");
    expect(attached?.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: "sts:AssumeRole", Resource: [ATHENA_ROLE] }),
    ]);
    const tfPolicies = Object.values(tf.resource.aws_iam_role_policy as Obj);
    expect(tfPolicies.map((p: Obj) => p.role)).toEqual(["reporting-mwaa-exec"]);
    expect(JSON.parse(tfPolicies[0]?.policy as string)).toEqual(attached?.Properties.PolicyDocument);
  });

  it("the plain IAM JSON of the execution role holds only the policy xacct attaches, not a trust, session limit or tags of its own making", () => {
    // GIVEN the role's file under accounts/orchestration/iam (what an admin applies by hand)
    const exec = json("accounts/orchestration/iam/roles/reporting-mwaa-exec.json");
    // THEN it names the role and xacct's inline policy, says the role is owned elsewhere, and holds
    // none of the role's own settings (its trust is its owner's: "airflow.amazonaws.com",
    // "airflow-env.amazonaws.com" as the owner wrote it, which xacct does not know)
    expect(exec).toMatchObject({ RoleName: "reporting-mwaa-exec", Arn: EXEC, Policies: [{ PolicyName: "xacct-assume-roles" }] });
    expect(exec.Existing).toMatch(/owned elsewhere/);
    for (const key of ["AssumeRolePolicyDocument", "Description", "MaxSessionDuration", "Tags"]) expect(exec).not.toHaveProperty(key);
  });

  it("analytics gets the role, trusting the execution role alone, and no bucket policy (the role is the bucket's own account's)", () => {
    // GIVEN analytics's template
    const template = json("accounts/analytics/cloudformation.json");
    // THEN one role, whose trust names the execution role's ARN
    const [created, ...others] = ofType(template, "AWS::IAM::Role");
    expect(others).toEqual([]);
    expect(created?.Properties.RoleName).toBe("mwaa-reporting-athena");
    expect(created?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: "Allow", Principal: { AWS: EXEC }, Action: "sts:AssumeRole" }),
    ]);
    expect(ofType(template, "AWS::S3::BucketPolicy")).toEqual([]);
  });

  it("the Airflow connection assumes analytics's role, and the DAG's AthenaOperator names the workgroup, database and results location", () => {
    // GIVEN the workload's Airflow files (the Amazon provider's AWS connection: role_arn in extra;
    // AthenaOperator(query, database, workgroup, output_location, aws_conn_id))
    const connections = JSON.parse(files.get("workloads/airflow/airflow/connections.json") ?? "{}") as Obj;
    const dag = files.get("workloads/airflow/airflow/example_dag.py") ?? "";
    // THEN
    expect(connections.aws_airflow_analytics).toMatchObject({
      conn_type: "aws",
      extra: { role_arn: ATHENA_ROLE, assume_role_method: "assume_role", region_name: "eu-west-1" },
    });
    expect(dag).toContain("from airflow.providers.amazon.aws.operators.athena import AthenaOperator");
    for (const arg of [
      'database="sales"',
      'workgroup="reporting"',
      'output_location="s3://analytics-athena-results/athena-results/"',
      'aws_conn_id="aws_airflow_analytics"',
    ])
      expect(dag).toContain(arg);
  });
});

describe("examples/008 against AWS's tools", () => {
  const ACCOUNTS = ["orchestration", "analytics"];

  it("each template conforms to AWS's CloudFormation resource specification", async () => {
    for (const a of ACCOUNTS) {
      const path = `accounts/${a}/cloudformation.json`;
      expect({ path, errors: await validateTemplate(json(path)) }).toEqual({ path, errors: [] });
    }
  });

  it.skipIf(!hasCfnLint)("cfn-lint, AWS's template linter, finds nothing (skipped when it is not installed)", () => {
    // GIVEN both accounts' templates, WHEN cfn-lint reads them, THEN it finds nothing
    expect(cfnLint(ACCOUNTS.map((a) => files.get(`accounts/${a}/cloudformation.json`) ?? ""))).toEqual({ output: "", status: 0 });
  });

  it.skipIf(Boolean(why))(`terraform validate accepts both configurations${why ? ` (skipped: ${why})` : ""}`, () => {
    const r = validate(ACCOUNTS.map((a) => [a, json(`accounts/${a}/terraform/main.tf.json`)]));
    expect(r.output).toContain("The configuration is valid");
    expect(r.status).toBe(0);
  });
});

describe("examples/008 both sides, decided by the engine", () => {
  const session = sessionOf(ATHENA_ROLE);
  const asRole = (action: string, resource: string, resourceAccount = B) =>
    decide(compiled, session, action, resource, { resourceAccount });

  it("the execution role may assume analytics's role (its attached policy and the role's trust)", () => {
    // GIVEN a session of the execution role / THEN sts:AssumeRole of analytics's role is allowed
    expect(canAssume(compiled, sessionOf(EXEC), ATHENA_ROLE)).toBe("Allow");
    // AND its attached policy names that role only: another role of analytics is implicitly denied
    expect(decide(compiled, sessionOf(EXEC), "sts:AssumeRole", `arn:aws:iam::${B}:role/admin`, { resourceAccount: B })).toBe(
      "ImplicitDeny",
    );
  });

  it("through it: Athena on the workgroup; S3's locate, put and multipart parts on the results bucket (AWS's Athena list); Glue GetTable", () => {
    // GIVEN analytics's role's session
    // THEN "athena:StartQueryExecution … GetQueryResults" on the workgroup's ARN
    // (arn:aws:athena:<region>:<user-account>:workgroup/<workgroup-name>)
    for (const action of ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"])
      expect(asRole(action, WORKGROUP)).toBe("Allow");
    // AND the results bucket: s3:GetBucketLocation, s3:PutObject, s3:ListMultipartUploadParts (Athena's cross-account page)
    expect(asRole("s3:GetBucketLocation", RESULTS)).toBe("Allow");
    expect(asRole("s3:PutObject", `${RESULTS}/athena-results/q1.csv`)).toBe("Allow");
    expect(asRole("s3:ListMultipartUploadParts", `${RESULTS}/athena-results/q1.csv`)).toBe("Allow");
    // AND the Data Catalog: GetTable is authorized on the catalog, the database and the table
    for (const resource of [at("glue", "catalog"), at("glue", "database/sales"), at("glue", "table/sales/orders")])
      expect(asRole("glue:GetTable", resource)).toBe("Allow");
  });

  it("through it: not another workgroup, not another bucket, not another database's table (implicitly denied)", () => {
    expect(asRole("athena:StartQueryExecution", at("athena", "workgroup/primary"))).toBe("ImplicitDeny");
    expect(asRole("athena:GetQueryResults", at("athena", "workgroup/primary"))).toBe("ImplicitDeny");
    expect(asRole("s3:PutObject", "arn:aws:s3:::analytics-raw/athena-results/q1.csv")).toBe("ImplicitDeny");
    expect(asRole("s3:GetBucketLocation", "arn:aws:s3:::analytics-raw")).toBe("ImplicitDeny");
    expect(asRole("glue:GetTable", at("glue", "table/hr/salaries"))).toBe("ImplicitDeny");
  });

  it("the access graph walks the chain from the execution role: the workgroup yes, another workgroup no", () => {
    // GIVEN the graph of the compiled example
    const graph = new AccessGraph(compiled.state);
    // WHEN asked from the execution role
    const q = (action: string, resource: string) => can(graph, { principal: EXEC, action, resource, resourceAccount: B }).decision;
    // THEN
    expect(q("athena:StartQueryExecution", WORKGROUP)).toBe("Allow");
    expect(q("s3:PutObject", `${RESULTS}/athena-results/q1.csv`)).toBe("Allow");
    expect(q("athena:StartQueryExecution", at("athena", "workgroup/primary"))).toBe("Deny");
    expect(q("s3:PutObject", "arn:aws:s3:::analytics-raw/q1.csv")).toBe("Deny");
  });

  it("the existing role keeps its trust: xacct's compiled state marks it existing", () => {
    expect(role(compiled, EXEC).existing).toBe(true);
  });
});

describe("examples/008 verify", () => {
  it("holds on its model: the grant possible, nothing undeclared", () => {
    const result = verify(compiled, new AccessGraph(compiled.state));
    expect(result.grants.map((g) => g.possible)).toEqual([true]);
    expect(result.undeclared).toEqual([]);
  });

  it("xacct verify on the command line passes with no finding (exit 0)", () => {
    const r = spawnSync(process.execPath, [CLI, "verify", "--model", join(examplesDir, EXAMPLE, "xacct.yaml"), "--json"], {
      encoding: "utf8",
    });
    const result = JSON.parse(r.stdout) as Obj;
    expect({ status: r.status, failing: (result.grants as Obj[]).filter((g) => !g.possible), findings: result.findings }).toEqual({
      status: 0,
      failing: [],
      findings: [],
    });
  });
});

/** MWAA's execution role as its owner created it, before xacct: AWS's trust for MWAA and a policy of its own. */
const OWNER_TRUST = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: ["airflow.amazonaws.com", "airflow-env.amazonaws.com"] }, Action: "sts:AssumeRole" },
  ],
};
const OWNER_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "airflow:PublishMetrics", Resource: `arn:aws:airflow:eu-west-1:${A}:environment/reporting` }],
};

const newSandbox = sandboxPerTest();

/** A sandbox holding the accounts with only the owner's execution role, then xacct's build applied through IAM. */
async function deployed() {
  const s = await newSandbox({ state: emptyCopy(compiled.state), workloads: workloadsOf(compiled) });
  const a = iam(s, rootOf(s, A));
  await a.send(new CreateRoleCommand({ RoleName: "reporting-mwaa-exec", AssumeRolePolicyDocument: JSON.stringify(OWNER_TRUST) }));
  await a.send(
    new PutRolePolicyCommand({ RoleName: "reporting-mwaa-exec", PolicyName: "mwaa-own", PolicyDocument: JSON.stringify(OWNER_POLICY) }),
  );
  await apply(s, compiled.state);
  // AND another bucket of analytics, made by its owner (S3 answers NoSuchBucket for a bucket that does not exist)
  await new S3Client({ ...clientConfig(s, rootOf(s, B)), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: "analytics-raw" }));
  return s;
}

describe("examples/008 in the sandbox", () => {
  it("applied onto the owner's execution role and read back through IAM, verify passes and the owner's policy and trust are kept", async () => {
    // GIVEN the execution role as its owner made it, and xacct's IAM applied as CloudFormation would
    const s = await deployed();
    // WHEN the accounts are read back with GetAccountAuthorizationDetails and verified
    const inventory = loadInventory(await readBack(s, compiled.state));
    const result = verify(compiled, new AccessGraph(inventory), { deployed: inventory });
    // THEN the grant is possible, nothing is undeclared
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    expect(result.grants.length).toBe(1);
    expect(result.undeclared).toEqual([]);
    expect(result.drift).toEqual([]);
    // AND the execution role still has its owner's trust and policy, beside xacct's
    const exec = inventory.accounts.get(A)?.roles.get("reporting-mwaa-exec");
    expect(exec?.trustPolicy).toEqual(OWNER_TRUST);
    expect([...(exec?.policies.keys() ?? [])].sort()).toEqual(["mwaa-own", "xacct-assume-roles"]);
    const own = await iam(s, rootOf(s, A)).send(new GetRolePolicyCommand({ RoleName: "reporting-mwaa-exec", PolicyName: "mwaa-own" }));
    expect(JSON.parse(decodeURIComponent(own.PolicyDocument ?? ""))).toEqual(OWNER_POLICY);
  });

  /** The generated aws-config, with the MWAA workload's container credentials as the source, in a fresh directory. */
  async function clientEnv() {
    const s = await deployed();
    const mwaa = s.workloads.find((w) => w.name === "airflow");
    if (!mwaa?.credentialsPath || !mwaa.authorizationToken) throw new Error("no container endpoint for the MWAA workload");
    const dir = mkdtempSync(join(tmpdir(), "xacct-008-"));
    writeFileSync(join(dir, "config"), `${files.get("workloads/airflow/aws-config") ?? ""}${CLI_PLUGIN_SECTION}`);
    const env = {
      ...commonEnv(dir, s.url),
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_PROFILE: "analytics-athena",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${s.url}${mwaa.credentialsPath}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: mwaa.authorizationToken,
    };
    return { s, env };
  }

  it.skipIf(!AWS)(
    "Debian's AWS CLI through the generated profile: get-work-group on the workgroup is answered, on another it is AccessDenied",
    async () => {
      // GIVEN the generated profile analytics-athena (credential_source = EcsContainer, role_arn = analytics's role)
      const { env } = await clientEnv();
      const cli = (workgroup: string) =>
        runProgram(AWS as string, ["athena", "get-work-group", "--work-group", workgroup, "--output", "json"], env);
      // WHEN the CLI asks for the granted workgroup and for another
      const allowed = await cli("reporting");
      const denied = await cli("primary");
      // THEN the first succeeds; the second is refused on the other workgroup's ARN, naming analytics's role
      expect(allowed.stderr).toBe("");
      expect(allowed.code).toBe(0);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain("AccessDenied");
      expect(denied.stderr).toContain(`assumed-role/mwaa-reporting-athena/`);
      expect(denied.stderr).toContain(`athena:GetWorkGroup on resource: ${at("athena", "workgroup/primary")}`);
    },
  );

  it("the SDK for JavaScript through the generated profile: PutObject into the results bucket succeeds, into another bucket AccessDenied", async () => {
    // GIVEN the generated profile, resolved by the SDK's fromIni in a fresh Node.js process
    const { env } = await clientEnv();
    const script = `import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { fromIni } from "@aws-sdk/credential-providers";
const s3 = new S3Client({ region: "eu-west-1", forcePathStyle: true, maxAttempts: 1, credentials: fromIni({ profile: "analytics-athena" }) });
const out = {};
for (const Bucket of ["analytics-athena-results", "analytics-raw"]) {
  try {
    await s3.send(new PutObjectCommand({ Bucket, Key: "athena-results/q1.csv", Body: "a,b\\n" }));
    out[Bucket] = "ok";
  } catch (e) {
    out[Bucket] = e.name + ": " + e.message;
  }
}
process.stdout.write(JSON.stringify(out));`;
    // WHEN it puts a result object into the results bucket and into another bucket of analytics
    const r = await runProgram(process.execPath, ["--input-type=module", "-e", script], env);
    // THEN the first is stored, the second refused
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(out["analytics-athena-results"]).toBe("ok");
    expect(out["analytics-raw"]).toMatch(/^AccessDenied: .*assumed-role\/mwaa-reporting-athena\/.*s3:PutObject/);
  });
});
