/**
 * The access graph over hand-written inventories in the AWS CLI's format (test/inventories/, see
 * its README): each seed's setup as deployed, and one scenario per rule of AWS's evaluation logic
 * that decides whether a principal may become a role — the caller's identity side, account-root
 * trust, SCPs, permissions boundaries, RCPs, sts:ExternalId, chains and cycles, web identity per
 * service account — and resource-based policies (Kinesis, S3, SQS).
 *
 * The built CLI is driven as a user would (`xacct can|who-can|reach … --inventory DIR --json`);
 * the library is used where a test changes the state (session limits, a removed organization) or
 * compares loaded inventories. Expected decisions come from AWS's documentation:
 * - a role in another account needs both the caller's identity policy and the role's trust policy
 *   (IAM User Guide, "Cross-account policy evaluation logic");
 * - a trust naming an account root delegates to that account's identity policies, also within the
 *   account ("Grant a user permissions to switch roles");
 * - every SCP level must allow and an explicit deny anywhere wins; a permissions boundary limits
 *   the identity side; an RCP deny applies to the resources of its accounts;
 * - role chaining limits a session to one hour ("Role chaining", AssumeRole DurationSeconds).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { AccessGraph } from "../src/graph/graph.js";
import { GrantIndex, PolicyBook } from "../src/graph/policies.js";
import { can, reach, whoCan } from "../src/graph/query.js";
import { loadInventory, policyDocumentOf } from "../src/state/inventory.js";
import { A, accounts, addRole, addUser, allow, mayAssume, trusts } from "./support/accounts.js";
import { byTrust } from "./support/state.js";
import { CLI as cli } from "./support/xacct-cli.js";

const inventories = join(import.meta.dirname, "inventories");

interface Path {
  via: string[];
  requires: Record<string, string>;
  maxSessionSeconds: number;
}
interface CanAnswer {
  decision: "Allow" | "Deny";
  paths: Path[];
  explain?: { deniedBy?: string; decidedBy: { layer: string; statement: string; sid?: string }[]; summary: string };
}
interface WhoCanAnswer {
  principals: { principal: string; via: string[]; requires: Record<string, string> }[];
}
interface ReachAnswer {
  roles: { role: string; via: string[]; requires: Record<string, string>; maxSessionSeconds: number }[];
}

/** Runs `xacct COMMAND ARGS --inventory test/inventories/SCENARIO --json` (or an absolute directory) and parses its one line of JSON. */
function xacct<T>(scenario: string, command: string, args: string[]): T {
  const r = spawnSync(process.execPath, [cli, command, ...args, "--inventory", resolve(inventories, scenario), "--json"], {
    encoding: "utf8",
  });
  // can's exit status is its decision: 0 Allow, 1 Deny, 3 Unknown; the other commands exit 0 with an answer.
  if (r.status !== 0 && !(command === "can" && (r.status === 1 || r.status === 3)))
    throw new Error(`xacct ${command} exited ${r.status}: ${r.stderr}`);
  expect(r.stderr).toBe("");
  expect(r.stdout.trim().split("\n")).toHaveLength(1);
  const answer = JSON.parse(r.stdout) as T;
  if (command === "can") expect(r.status).toBe({ Allow: 0, Deny: 1, Unknown: 3 }[(answer as { decision: string }).decision]);
  return answer;
}

interface Options {
  resourceAccount?: string;
  context?: Record<string, string>;
}

function contextArgs(context: Record<string, string> = {}): string[] {
  return Object.entries(context).flatMap(([k, v]) => ["--context", `${k}=${v}`]);
}

function canCli(scenario: string, principal: string, action: string, resource: string, o: Options = {}): CanAnswer {
  const args = [
    "--principal",
    principal,
    "--action",
    action,
    "--resource",
    resource,
    ...(o.resourceAccount ? ["--resource-account", o.resourceAccount] : []),
    ...contextArgs(o.context),
  ];
  return xacct<CanAnswer>(scenario, "can", args);
}

function whoCanCli(scenario: string, action: string, resource: string, o: Options = {}): WhoCanAnswer {
  return xacct<WhoCanAnswer>(scenario, "who-can", [
    "--action",
    action,
    "--resource",
    resource,
    ...(o.resourceAccount ? ["--resource-account", o.resourceAccount] : []),
    ...contextArgs(o.context),
  ]);
}

function reachCli(scenario: string, principal: string, context: Record<string, string> = {}): ReachAnswer {
  return xacct<ReachAnswer>(scenario, "reach", ["--principal", principal, ...contextArgs(context)]);
}

/** A copy of a scenario holding only some of its accounts (and its organization.json). */
function partial(scenario: string, accounts: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), `xacct-${scenario}-partial-`));
  for (const entry of readdirSync(join(inventories, scenario))) {
    if (!/^\d{12}$/.test(entry) || accounts.includes(entry))
      cpSync(join(inventories, scenario, entry), join(dir, entry), { recursive: true });
  }
  return dir;
}

/** who-can's principals with their chains, in a stable order. */
function chains(answer: WhoCanAnswer) {
  return answer.principals
    .map((p) => ({ principal: p.principal, via: p.via, requires: p.requires }))
    .sort((a, b) => a.principal.localeCompare(b.principal) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The same, written in the test: principal → via (requires empty unless given). */
function expected(entries: [string, string[], Record<string, string>?][]) {
  return entries
    .map(([principal, via, requires]) => ({ principal, via, requires: requires ?? {} }))
    .sort((a, b) => a.principal.localeCompare(b.principal) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const user = (account: string, name: string) => `arn:aws:iam::${account}:user/${name}`;
const root = (account: string) => `arn:aws:iam::${account}:root`;
const oidc = (account: string, issuer: string) => `arn:aws:iam::${account}:oidc-provider/${issuer}`;

describe("seed 000: an ECS Fargate task in account A reads MWAA in account B", () => {
  const s = "seed-000-ecs-mwaa";
  const task = role("111111111111", "ECSFargateRole");
  const read = role("222222222222", "AccountB-MWAA-ReadRole");
  const execution = "arn:aws:iam::222222222222:role/service-role/MWAA-ExecutionRole";
  const environment = "arn:aws:airflow:us-east-1:222222222222:environment/sparkflows-mwaa";

  it("the task role reads the environment through the read role, with an explanation of the allowing path", () => {
    const answer = canCli(s, task, "airflow:GetEnvironment", environment);
    expect(answer.decision).toBe("Allow");
    expect(answer.paths).toEqual([byTrust({ via: [read], requires: {}, maxSessionSeconds: 3600 })]);
    // The explanation is the allowing decision's, not the task role's own (denied) attempt.
    expect(answer.explain?.deniedBy).toBeUndefined();
    expect(answer.explain?.decidedBy.map((d) => d.statement).join(" ")).toContain("AccountB-MWAA-Read");
  });

  it("ECS tasks start the chain: ecs-tasks.amazonaws.com → the task role → the read role", () => {
    const answer = canCli(s, "ecs-tasks.amazonaws.com", "airflow:CreateCliToken", environment);
    expect(answer.decision).toBe("Allow");
    expect(answer.paths).toEqual([byTrust({ via: [task, read], requires: {}, maxSessionSeconds: 3600 })]);
  });

  it("who-can lists the read role, the task role and the ECS service, and not MWAA's own execution role", () => {
    expect(chains(whoCanCli(s, "airflow:GetEnvironment", environment))).toEqual(
      expected([
        [read, []],
        [task, [read]],
        ["ecs-tasks.amazonaws.com", [task, read]],
      ]),
    );
  });

  it("the DAG bucket's objects are readable through the read role (S3 ARN with --resource-account)", () => {
    const answer = canCli(s, task, "s3:GetObject", "arn:aws:s3:::sparkflows-air/dags/etl.py", { resourceAccount: "222222222222" });
    expect(answer.decision).toBe("Allow");
    expect(answer.paths.map((p) => p.via)).toEqual([[read]]);
  });

  it("the seed's mistake holds as deployed: s3:ListBucket granted on objects does not list the bucket", () => {
    const answer = canCli(s, task, "s3:ListBucket", "arn:aws:s3:::sparkflows-air", { resourceAccount: "222222222222" });
    expect(answer).toMatchObject({ decision: "Deny", paths: [] });
  });

  it("reach: the task role becomes only the read role; MWAA's execution role is for the Airflow services", () => {
    expect(reachCli(s, task).roles).toEqual([byTrust({ role: read, via: [read], requires: {}, maxSessionSeconds: 3600 })]);
    expect(reachCli(s, "airflow-env.amazonaws.com").roles.map((r) => r.role)).toEqual([execution]);
  });
});

describe("seed 001: a CATS service account (IRSA) reaches the app team's roles in its own account", () => {
  const s = "seed-001-cats-irsa";
  const issuer = "oidc.eks.us-east-2.amazonaws.com/id/C47SC1U5TEREXAMPLE0000000000000A";
  const provider = oidc("111111111111", issuer);
  const sub = { [`${issuer}:sub`]: "system:serviceaccount:team-a:glue-trigger" };
  const cats = "arn:aws:iam::111111111111:role/cats/cats-team-a-glue-trigger";
  const glue = role("222222222222", "team-a-glue-runner");
  const secrets = role("222222222222", "lrl-cluwe-cats-cross-connection");
  const job = "arn:aws:glue:us-east-2:222222222222:job/nightly-etl";

  it("the service account starts the Glue job: web identity → CATS role → glue runner", () => {
    const answer = canCli(s, provider, "glue:StartJobRun", job, { context: sub });
    expect(answer.decision).toBe("Allow");
    expect(answer.paths).toEqual([byTrust({ via: [cats, glue], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity")]);
  });

  it("and reads the RDS secret through the second app-team role", () => {
    const answer = canCli(
      s,
      provider,
      "secretsmanager:GetSecretValue",
      "arn:aws:secretsmanager:us-east-2:222222222222:secret:cluwe-dev/rds/secret-Ab12Cd",
      { context: sub },
    );
    expect(answer.paths.map((p) => p.via)).toEqual([[cats, secrets]]);
  });

  it("who-can names the OIDC provider with the service account's sub, the CATS role and the runner", () => {
    expect(chains(whoCanCli(s, "glue:StartJobRun", job))).toEqual(
      expected([
        [glue, []],
        [cats, [glue]],
        [provider, [cats, glue], sub],
      ]),
    );
  });

  it("the seed's Lambda role trusts only the Lambda service: the workload cannot invoke the function", () => {
    const fn = "arn:aws:lambda:us-east-2:222222222222:function:team-a-report";
    expect(canCli(s, provider, "lambda:InvokeFunction", fn, { context: sub })).toMatchObject({ decision: "Deny", paths: [] });
    expect(chains(whoCanCli(s, "lambda:InvokeFunction", fn))).toEqual(
      expected([
        [role("222222222222", "team-a-lambda-execution"), []],
        ["lambda.amazonaws.com", [role("222222222222", "team-a-lambda-execution")]],
      ]),
    );
  });

  it("with only the app team's account inventoried, who-can names the CATS role outside it (its side assumed granted)", () => {
    // The trust's Principal keeps no role path, so the outside role is named without its /cats/ path.
    expect(chains(whoCanCli(partial(s, ["222222222222"]), "glue:StartJobRun", job))).toEqual(
      expected([
        [glue, []],
        [role("111111111111", "cats-team-a-glue-trigger"), [glue]],
      ]),
    );
  });

  it("another service account of the same cluster reaches nothing", () => {
    expect(reachCli(s, provider, { [`${issuer}:sub`]: "system:serviceaccount:team-b:glue-trigger" }).roles).toEqual([]);
  });
});

describe("seed 002: consumers read the Kinesis stream and call the API per stage", () => {
  const s = "seed-002-kinesis-api";
  const stream = "arn:aws:kinesis:eu-central-1:222222222222:stream/beta-orders-pubsub";
  const consumer = role("333333333333", "staging-Kinesis-Consumer-Role");
  const client = role("333333333333", "orders-api-client");
  const analytics = role("222222222222", "readonly-invoke-beta-orders-by-analytics-staging");
  const billing = role("222222222222", "readonly-invoke-beta-orders-by-billing-staging");
  const method = "arn:aws:execute-api:eu-central-1:222222222222:a1b2c3d4e5/beta/GET/orders";

  it("the consumer's Lambda role reads the stream directly: its AWS managed policy and the stream policy both allow", () => {
    const answer = canCli(s, consumer, "kinesis:GetRecords", stream);
    expect(answer.decision).toBe("Allow");
    expect(answer.paths.map((p) => p.via)).toEqual([[]]);
  });

  it("who-can on the stream: the named consumer role and the Lambda service behind it, nobody through the root-trusted API roles", () => {
    expect(chains(whoCanCli(s, "kinesis:GetRecords", stream))).toEqual(
      expected([
        [consumer, []],
        ["lambda.amazonaws.com", [consumer]],
      ]),
    );
  });

  it("the consumer's API client calls the API through the role that trusts the consumer account's root", () => {
    const answer = canCli(s, client, "execute-api:Invoke", method);
    expect(answer.decision).toBe("Allow");
    expect(answer.paths).toEqual([byTrust({ via: [analytics], requires: {}, maxSessionSeconds: 3600 })]);
  });

  it("who-can on the API: both read-only roles, the consumer's client and ECS behind it, and the outside consumer account's root", () => {
    expect(chains(whoCanCli(s, "execute-api:Invoke", method))).toEqual(
      expected([
        [analytics, []],
        [billing, []],
        [client, [analytics]],
        ["ecs-tasks.amazonaws.com", [client, analytics]],
        [root("444444444444"), [billing]],
      ]),
    );
  });

  it("each consumer account reaches only the role made for it", () => {
    expect(reachCli(s, root("444444444444")).roles.map((r) => r.role)).toEqual([billing]);
    expect(reachCli(s, client).roles.map((r) => r.role)).toEqual([analytics]);
    // Trusting the root does not let the consumer's Lambda role in: it has no sts:AssumeRole.
    expect(reachCli(s, consumer).roles).toEqual([]);
  });
});

describe("seed 003: one Airflow worker (IRSA) runs EMR in account 1 and Athena in account 2", () => {
  const s = "seed-003-airflow-two-accounts";
  const issuer = "oidc.eks.us-east-1.amazonaws.com/id/A1RF10WSHAREDEXAMPLE000000000003";
  const provider = oidc("333333333333", issuer);
  const sub = { [`${issuer}:sub`]: "system:serviceaccount:astronomer-dataflow:dataflow-worker" };
  const worker = role("333333333333", "astronomer-airflow-worker");
  const emr = role("111111111111", "airflow-cross-account-emr");
  const athena = role("222222222222", "airflow-cross-account-athena");
  const workgroup = "arn:aws:athena:us-east-1:222222222222:workgroup/primary";

  it("the DAG adds EMR steps in account 1 through the EMR role", () => {
    const answer = canCli(
      s,
      provider,
      "elasticmapreduce:AddJobFlowSteps",
      "arn:aws:elasticmapreduce:us-east-1:111111111111:cluster/j-2AXXXXXXGAPLF",
      { context: sub },
    );
    expect(answer.paths).toEqual([byTrust({ via: [worker, emr], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity")]);
  });

  it("and queries Athena in account 2 through the Athena role", () => {
    const answer = canCli(s, provider, "athena:StartQueryExecution", workgroup, { context: sub });
    expect(answer.paths).toEqual([
      byTrust({ via: [worker, athena], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
    ]);
  });

  it("reach: the worker's web identity becomes the worker role and both cross-account roles", () => {
    const roles = reachCli(s, provider, sub).roles;
    expect(roles).toHaveLength(3);
    expect(roles).toEqual(
      expect.arrayContaining([
        byTrust({ role: worker, via: [worker], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
        byTrust({ role: emr, via: [worker, emr], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
        byTrust({ role: athena, via: [worker, athena], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
      ]),
    );
  });

  it("both roles trust the shared account's root, yet its EKS node role (no sts:AssumeRole) reaches neither", () => {
    expect(reachCli(s, role("333333333333", "eks-node-group-role")).roles).toEqual([]);
    expect(chains(whoCanCli(s, "athena:StartQueryExecution", workgroup))).toEqual(
      expected([
        [athena, []],
        [worker, [athena]],
        [provider, [worker, athena], sub],
      ]),
    );
  });
});

describe("seed 004: EMR on EKS chains its web identity to client-role-2 in account B", () => {
  const s = "seed-004-emr-eks-chain";
  const issuer = "oidc.eks.us-east-1.amazonaws.com/id/E4EKSCLUSTEREXAMPLE000000000000A";
  const provider = oidc("111111111111", issuer);
  // EMR on EKS names its service accounts emr-containers-sa-*-*-ACCOUNT-BASE36(ROLE NAME); the trust matches them with StringLike.
  const sub = {
    [`${issuer}:sub`]: "system:serviceaccount:emr:emr-containers-sa-spark-driver-111111111111-cfkwzvtaslsjjjowqmdrhwi0gvifg35",
  };
  const job = role("111111111111", "job-execution-role-1");
  const client = role("222222222222", "client-role-2");
  const queue = "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue";

  it("a Spark driver sends to account B's queue: web identity → job-execution-role-1 → client-role-2, one hour", () => {
    const answer = canCli(s, provider, "sqs:SendMessage", queue, { context: sub });
    expect(answer.decision).toBe("Allow");
    expect(answer.paths).toEqual([byTrust({ via: [job, client], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity")]);
  });

  it("reads the data lake in account B and its own bucket in account A", () => {
    expect(
      canCli(s, provider, "s3:GetObject", "arn:aws:s3:::datalake-222222222222-us-east-1/raw/part-0.parquet", {
        resourceAccount: "222222222222",
        context: sub,
      }).paths.map((p) => p.via),
    ).toEqual([[job, client]]);
    expect(
      canCli(s, provider, "s3:GetObject", "arn:aws:s3:::emr-on-eks-test-111111111111-us-east-1/only-boto3.py", {
        resourceAccount: "111111111111",
        context: sub,
      }).paths.map((p) => p.via),
    ).toEqual([[job]]);
  });

  it("who-can on the queue: client-role-2, the job role and the EMR service accounts' web identity", () => {
    expect(chains(whoCanCli(s, "sqs:SendMessage", queue))).toEqual(
      expected([
        [client, []],
        [job, [client]],
        [
          provider,
          [job, client],
          { [`${issuer}:sub`]: "system:serviceaccount:emr:emr-containers-sa-*-*-111111111111-cfkwzvtaslsjjjowqmdrhwi0gvifg35" },
        ],
      ]),
    );
  });

  it("a pod under another service account gets nothing", () => {
    const other = { [`${issuer}:sub`]: "system:serviceaccount:default:spark" };
    expect(reachCli(s, provider, other).roles).toEqual([]);
    expect(canCli(s, provider, "sqs:SendMessage", queue, { context: other })).toMatchObject({ decision: "Deny", paths: [] });
  });
});

describe("the caller's side of a grant: trust alone is not enough across accounts", () => {
  const s = "identity-grant";
  const target = role("222222222222", "target-queue-writer");
  const queue = "arn:aws:sqs:us-east-1:222222222222:orders";

  it("a trusted role without sts:AssumeRole on its side (only an old, non-default policy version had it) is denied", () => {
    expect(canCli(s, role("111111111111", "caller-without-grant"), "sqs:SendMessage", queue)).toMatchObject({
      decision: "Deny",
      paths: [],
    });
    const hop = canCli(s, role("111111111111", "caller-without-grant"), "sts:AssumeRole", target);
    expect(hop.decision).toBe("Deny");
    expect(hop.explain?.deniedBy).toBe("identity");
    expect(reachCli(s, role("111111111111", "caller-without-grant")).roles).toEqual([]);
  });

  it("with the grant, by an inline role policy or a group's policy, the same trust lets it in", () => {
    expect(canCli(s, role("111111111111", "caller-with-grant"), "sqs:SendMessage", queue).paths.map((p) => p.via)).toEqual([[target]]);
    expect(canCli(s, user("111111111111", "dana"), "sqs:SendMessage", queue).paths.map((p) => p.via)).toEqual([[target]]);
  });

  it("who-can leaves out the caller missing its side", () => {
    expect(chains(whoCanCli(s, "sqs:SendMessage", queue))).toEqual(
      expected([
        [target, []],
        [role("111111111111", "caller-with-grant"), [target]],
        [user("111111111111", "dana"), [target]],
        ["ec2.amazonaws.com", [role("111111111111", "caller-with-grant"), target]],
      ]),
    );
  });
});

describe("a trust naming an account root delegates to that account's identity policies", () => {
  const s = "account-root";
  const shared = role("222222222222", "shared-reader");
  const admin = role("222222222222", "catalog-admin");
  const table = "arn:aws:dynamodb:us-east-1:222222222222:table/shared-catalog";

  it("a principal of the trusted account with sts:AssumeRole gets in (a role by its exact ARN, a user by a wildcard)", () => {
    expect(canCli(s, role("111111111111", "granted-reader"), "dynamodb:GetItem", table).paths).toEqual([
      byTrust({ via: [shared], requires: {}, maxSessionSeconds: 3600 }),
    ]);
    expect(canCli(s, user("111111111111", "carol"), "dynamodb:GetItem", table).paths.map((p) => p.via)).toEqual([[shared]]);
  });

  it("one without the permission does not", () => {
    expect(canCli(s, role("111111111111", "ungranted-worker"), "dynamodb:GetItem", table)).toMatchObject({ decision: "Deny", paths: [] });
    expect(canCli(s, role("111111111111", "ungranted-worker"), "sts:AssumeRole", shared).explain?.deniedBy).toBe("identity");
  });

  it("within one account too: the root-trusting role needs the user's own permission", () => {
    expect(canCli(s, user("222222222222", "erin"), "dynamodb:PutItem", table)).toMatchObject({ decision: "Deny", paths: [] });
    expect(canCli(s, user("222222222222", "frank"), "dynamodb:PutItem", table).paths.map((p) => p.via)).toEqual([[admin]]);
    // carol may assume any role in 222222222222 by her own policy, but catalog-admin trusts only its own account.
    expect(reachCli(s, user("111111111111", "carol")).roles.map((r) => r.role)).toEqual([shared]);
  });

  it("who-can: the granted principals, the Lambda service behind one, and the trusted account outside the inventory", () => {
    expect(chains(whoCanCli(s, "dynamodb:GetItem", table))).toEqual(
      expected([
        [shared, []],
        [role("111111111111", "granted-reader"), [shared]],
        [user("111111111111", "carol"), [shared]],
        ["lambda.amazonaws.com", [role("111111111111", "granted-reader"), shared]],
        [root("999999999999"), [shared]],
      ]),
    );
  });
});

describe("guardrails on the caller: SCPs and a permissions boundary block sts:AssumeRole", () => {
  const s = "guardrails";
  const reader = role("222222222222", "data-reader");
  const table = "arn:aws:dynamodb:eu-west-1:222222222222:table/curated";

  it("an SCP deny on the caller's OU wins over both allowing sides", () => {
    const hop = canCli(s, role("111111111111", "workload-app"), "sts:AssumeRole", reader);
    expect(hop.decision).toBe("Deny");
    expect(hop.explain?.deniedBy).toBe("scp");
    expect(hop.explain?.decidedBy.map((d) => d.sid)).toContain("DenyAssumingDataAccountRoles");
    expect(reachCli(s, role("111111111111", "workload-app")).roles).toEqual([]);
  });

  it("an SCP allow-list without sts:AssumeRole denies it implicitly", () => {
    const hop = canCli(s, role("333333333333", "sandbox-app"), "sts:AssumeRole", reader);
    expect(hop).toMatchObject({ decision: "Deny", explain: { deniedBy: "scp" } });
    expect(canCli(s, role("333333333333", "sandbox-app"), "dynamodb:Query", table)).toMatchObject({ decision: "Deny", paths: [] });
  });

  it("a permissions boundary without sts:AssumeRole blocks the role's own grant; one that includes it does not", () => {
    const hop = canCli(s, role("444444444444", "bounded-analytics-app"), "sts:AssumeRole", reader);
    expect(hop).toMatchObject({ decision: "Deny", explain: { deniedBy: "boundary" } });
    expect(canCli(s, role("444444444444", "bounded-with-sts"), "dynamodb:Query", table).paths.map((p) => p.via)).toEqual([[reader]]);
    expect(canCli(s, role("444444444444", "analytics-app"), "dynamodb:Query", table).paths.map((p) => p.via)).toEqual([[reader]]);
  });

  it("who-can: only the unblocked callers, and ECS only through them", () => {
    const answer = chains(whoCanCli(s, "dynamodb:Query", table));
    expect(answer.map((p) => p.principal).sort()).toEqual(
      [
        role("222222222222", "data-reader"),
        role("444444444444", "analytics-app"),
        role("444444444444", "bounded-with-sts"),
        "ecs-tasks.amazonaws.com",
      ].sort(),
    );
    const ecs = answer.find((p) => p.principal === "ecs-tasks.amazonaws.com");
    expect(ecs?.via).toHaveLength(2);
    expect([role("444444444444", "analytics-app"), role("444444444444", "bounded-with-sts")]).toContain(ecs?.via[0]);
    expect(ecs?.via[1]).toBe(reader);
  });

  it("without the organization the SCP-blocked callers get through (library)", () => {
    const state = loadInventory(join(inventories, s));
    delete state.organization;
    const roles = reach(new AccessGraph(state), role("111111111111", "workload-app")).roles.map((r) => r.role);
    expect(roles).toEqual([reader]);
    expect(reach(new AccessGraph(state), role("333333333333", "sandbox-app")).roles.map((r) => r.role)).toEqual([reader]);
  });
});

describe("an RCP keeps principals outside the organization from assuming its roles", () => {
  const s = "rcp-outsiders";
  const reports = role("222222222222", "partner-reports");
  const exporter = "arn:aws:iam::222222222222:role/service-role/reports-export-lambda";
  const object = "arn:aws:s3:::partner-reports-222222222222/2024/q1.csv";

  it("a role of a member account gets in", () => {
    expect(
      canCli(s, role("111111111111", "insider-app"), "s3:GetObject", object, { resourceAccount: "222222222222" }).paths.map((p) => p.via),
    ).toEqual([[reports]]);
  });

  it("a role of an account outside the organization is denied by the RCP, though trust and its own policy allow", () => {
    expect(canCli(s, role("333333333333", "outsider-app"), "s3:GetObject", object, { resourceAccount: "222222222222" })).toMatchObject({
      decision: "Deny",
      paths: [],
    });
    const hop = canCli(s, role("333333333333", "outsider-app"), "sts:AssumeRole", reports);
    expect(hop).toMatchObject({ decision: "Deny", explain: { deniedBy: "rcp" } });
    expect(reachCli(s, root("444444444444")).roles).toEqual([]);
  });

  it("who-can: insiders and AWS services (the RCP exempts them), no outsider", () => {
    expect(chains(whoCanCli(s, "s3:GetObject", object, { resourceAccount: "222222222222" }))).toEqual(
      expected([
        [reports, []],
        [exporter, []],
        [role("111111111111", "insider-app"), [reports]],
        ["ecs-tasks.amazonaws.com", [role("111111111111", "insider-app"), reports]],
        ["lambda.amazonaws.com", [exporter]],
      ]),
    );
  });

  it("a member account missing from the inventory is still inside the organization; an outside account is not", () => {
    const dir = partial(s, ["222222222222", "333333333333"]);
    expect(chains(whoCanCli(dir, "s3:GetObject", object, { resourceAccount: "222222222222" })).map((p) => p.principal)).toEqual(
      [reports, exporter, role("111111111111", "insider-app"), "lambda.amazonaws.com"].sort(),
    );
  });

  it("without the organization both outsiders get in (library)", () => {
    const state = loadInventory(join(inventories, s));
    delete state.organization;
    const graph = new AccessGraph(state);
    expect(reach(graph, role("333333333333", "outsider-app")).roles.map((r) => r.role)).toEqual([reports]);
    expect(reach(graph, root("444444444444")).roles.map((r) => r.role)).toEqual([reports]);
  });
});

describe("sts:ExternalId: the edge is kept, labelled, and --context settles it", () => {
  const s = "external-id";
  const scanner = role("111111111111", "vendor-scanner");
  const audit = role("222222222222", "vendor-audit");
  const hub = "arn:aws:securityhub:us-east-1:222222222222:hub/default";
  const externalId = { "sts:ExternalId": "7fJ2-customer-222" };

  it("without a value the path is allowed on condition that the caller passes the external ID", () => {
    const answer = canCli(s, scanner, "securityhub:GetFindings", hub);
    expect(answer.decision).toBe("Allow");
    expect(answer.paths).toEqual([byTrust({ via: [audit], requires: externalId, maxSessionSeconds: 3600 })]);
    expect(reachCli(s, scanner).roles).toEqual([byTrust({ role: audit, via: [audit], requires: externalId, maxSessionSeconds: 3600 })]);
    expect(canCli(s, scanner, "sts:AssumeRole", audit).paths).toEqual([expect.objectContaining({ via: [], requires: externalId })]);
  });

  it("the right value settles it; a wrong one denies", () => {
    expect(canCli(s, scanner, "securityhub:GetFindings", hub, { context: externalId }).paths).toEqual([
      byTrust({ via: [audit], requires: {}, maxSessionSeconds: 3600 }),
    ]);
    expect(canCli(s, scanner, "securityhub:GetFindings", hub, { context: { "sts:ExternalId": "guessed" } })).toMatchObject({
      decision: "Deny",
      paths: [],
    });
    expect(reachCli(s, scanner, { "sts:ExternalId": "guessed" }).roles).toEqual([]);
  });

  it("who-can labels every caller through the role, the vendor's other account included", () => {
    expect(chains(whoCanCli(s, "securityhub:GetFindings", hub))).toEqual(
      expected([
        [audit, []],
        [scanner, [audit], externalId],
        ["ecs-tasks.amazonaws.com", [scanner, audit], externalId],
        [root("999999999999"), [audit], externalId],
      ]),
    );
  });
});

describe("chains across three accounts, and a cycle", () => {
  const s = "chains";
  const alice = user("111111111111", "alice");
  const bob = user("111111111111", "bob");
  const hop1 = role("111111111111", "hop-1");
  const hop2 = role("222222222222", "hop-2");
  const hop3 = role("333333333333", "hop-3");
  const cycleA = role("111111111111", "cycle-a");
  const cycleB = role("222222222222", "cycle-b");
  const ledger = "arn:aws:dynamodb:us-east-1:333333333333:table/ledger";

  it("two hops: alice sends to hop-2's queue through hop-1 and hop-2", () => {
    expect(canCli(s, alice, "sqs:SendMessage", "arn:aws:sqs:us-east-1:222222222222:hop-2-queue").paths).toEqual([
      byTrust({ via: [hop1, hop2], requires: {}, maxSessionSeconds: 3600 }),
    ]);
  });

  it("three hops: alice reads the ledger through hop-1, hop-2 and hop-3", () => {
    expect(canCli(s, alice, "dynamodb:GetItem", ledger).paths).toEqual([
      byTrust({ via: [hop1, hop2, hop3], requires: {}, maxSessionSeconds: 3600 }),
    ]);
    expect(reachCli(s, alice).roles).toEqual([
      byTrust({ role: hop1, via: [hop1], requires: {}, maxSessionSeconds: 3600 }),
      byTrust({ role: hop2, via: [hop1, hop2], requires: {}, maxSessionSeconds: 3600 }),
      byTrust({ role: hop3, via: [hop1, hop2, hop3], requires: {}, maxSessionSeconds: 3600 }),
    ]);
  });

  it("who-can walks the chain back to its start", () => {
    expect(chains(whoCanCli(s, "dynamodb:GetItem", ledger))).toEqual(
      expected([
        [hop3, []],
        [hop2, [hop3]],
        [hop1, [hop2, hop3]],
        [alice, [hop1, hop2, hop3]],
      ]),
    );
  });

  it("a cycle A → B → A terminates and reports each role once", () => {
    expect(reachCli(s, bob).roles).toEqual([
      byTrust({ role: cycleA, via: [cycleA], requires: {}, maxSessionSeconds: 3600 }),
      byTrust({ role: cycleB, via: [cycleA, cycleB], requires: {}, maxSessionSeconds: 3600 }),
    ]);
    const fromA = reachCli(s, cycleA).roles.map((r) => r.role);
    expect(fromA).toContain(cycleB);
    expect(new Set(fromA).size).toBe(fromA.length);
    expect(chains(whoCanCli(s, "ssm:GetParameter", "arn:aws:ssm:us-east-1:222222222222:parameter/cycle/flag"))).toEqual(
      expected([
        [cycleB, []],
        [cycleA, [cycleB]],
        [bob, [cycleA, cycleB]],
      ]),
    );
  });

  it("a chained hop is capped at one hour even when the role allows twelve (library)", () => {
    const state = loadInventory(join(inventories, s));
    for (const account of state.accounts.values()) for (const r of account.roles.values()) r.maxSessionDuration = 43200;
    const roles = reach(new AccessGraph(state), alice).roles;
    // alice is an IAM user: her first hop is not chained and may last the role's maximum.
    expect(roles.map((r) => [r.role, r.maxSessionSeconds])).toEqual([
      [hop1, 43200],
      [hop2, 3600],
      [hop3, 3600],
    ]);
    expect(
      can(new AccessGraph(state), { principal: alice, action: "dynamodb:GetItem", resource: ledger }).paths.map((p) => p.maxSessionSeconds),
    ).toEqual([3600]);
  });
});

describe("web identity per service account", () => {
  const s = "web-identity";
  const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/W3B1D3NT1TYEXAMPLE0000000000000B";
  const provider = oidc("111111111111", issuer);
  const orders = { [`${issuer}:sub`]: "system:serviceaccount:orders:orders-reader" };
  const payments = { [`${issuer}:sub`]: "system:serviceaccount:payments:payments-writer" };
  const reader = role("111111111111", "orders-reader");
  const writer = role("111111111111", "payments-writer");

  it("each service account reaches only its own role", () => {
    expect(reachCli(s, provider, orders).roles).toEqual([
      byTrust({ role: reader, via: [reader], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
    ]);
    expect(reachCli(s, provider, payments).roles).toEqual([
      byTrust({ role: writer, via: [writer], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
    ]);
    expect(reachCli(s, provider, { [`${issuer}:sub`]: "system:serviceaccount:default:default" }).roles).toEqual([]);
  });

  it("and can do only what its own role allows", () => {
    const table = (name: string) => `arn:aws:dynamodb:eu-west-1:111111111111:table/${name}`;
    expect(canCli(s, provider, "dynamodb:GetItem", table("orders"), { context: orders }).paths.map((p) => p.via)).toEqual([[reader]]);
    expect(canCli(s, provider, "dynamodb:PutItem", table("payments"), { context: orders })).toMatchObject({ decision: "Deny", paths: [] });
    expect(canCli(s, provider, "dynamodb:PutItem", table("payments"), { context: payments }).paths.map((p) => p.via)).toEqual([[writer]]);
  });

  it("without a sub, the provider reaches each role on condition of that role's sub", () => {
    const roles = reachCli(s, provider).roles;
    expect(roles).toHaveLength(2);
    expect(roles).toEqual(
      expect.arrayContaining([
        byTrust({ role: reader, via: [reader], requires: orders, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
        byTrust({ role: writer, via: [writer], requires: payments, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithWebIdentity"),
      ]),
    );
  });

  it("who-can names the provider with the one service account that can", () => {
    expect(chains(whoCanCli(s, "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:111111111111:table/orders"))).toEqual(
      expected([
        [reader, []],
        [provider, [reader], orders],
      ]),
    );
  });

  it("a web identity session is not chained: its first hop may last the role's maximum (library)", () => {
    const state = loadInventory(join(inventories, s));
    for (const r of state.accounts.get("111111111111")?.roles.values() ?? []) r.maxSessionDuration = 43200;
    expect(reach(new AccessGraph(state, orders), provider, orders).roles.map((r) => r.maxSessionSeconds)).toEqual([43200]);
  });
});

describe("SAML federation: the trust's SAML:aud condition is what the sign-in endpoint sends", () => {
  const s = "saml";
  const provider = "arn:aws:iam::111111111111:saml-provider/CorporateIdP";
  const analyst = role("111111111111", "corporate-analyst");

  it("the provider's users become the role and act with it: any user the IdP vouches for, since the trust pins no SAML:sub", () => {
    // GIVEN a trust that checks only SAML:aud (AWS's SAML trust example): which users may assume
    // the role is up to the IdP's assertion, so the edge is marked as holding for whoever it vouches for
    // WHEN reach is asked from the provider  THEN the role, with that condition on the hop
    expect(reachCli(s, provider).roles).toEqual([
      {
        ...byTrust({ role: analyst, via: [analyst], requires: {}, maxSessionSeconds: 3600 }, "sts:AssumeRoleWithSAML"),
        holdsIf: [expect.stringContaining("the trust pins no SAML:sub")],
      },
    ]);
    expect(chains(whoCanCli(s, "athena:StartQueryExecution", "arn:aws:athena:us-east-1:111111111111:workgroup/reports"))).toEqual(
      expected([
        [analyst, []],
        [provider, [analyst]],
      ]),
    );
  });
});

describe("resource-based policies: Kinesis, S3 and SQS across accounts", () => {
  const s = "resource-policies";
  const consumer = (name: string) => role("111111111111", name);
  const stream = "arn:aws:kinesis:us-east-1:222222222222:stream/clickstream";
  const object = "arn:aws:s3:::shared-datasets-222222222222/2024/10/events.parquet";
  const queue = "arn:aws:sqs:us-east-1:222222222222:ingest";

  it("Kinesis: the role the stream policy names reads it; a role it does not name is denied", () => {
    expect(canCli(s, consumer("stream-reader"), "kinesis:GetRecords", stream).paths.map((p) => p.via)).toEqual([[]]);
    expect(canCli(s, consumer("unnamed-reader"), "kinesis:GetRecords", stream)).toMatchObject({ decision: "Deny", paths: [] });
    expect(chains(whoCanCli(s, "kinesis:GetRecords", stream))).toEqual(
      expected([
        [consumer("stream-reader"), []],
        ["lambda.amazonaws.com", [consumer("stream-reader")]],
      ]),
    );
  });

  it("S3: an object in a bucket whose policy names the caller, with --resource-account or found by its bucket policy", () => {
    expect(
      canCli(s, consumer("bucket-reader"), "s3:GetObject", object, { resourceAccount: "222222222222" }).paths.map((p) => p.via),
    ).toEqual([[]]);
    expect(canCli(s, consumer("bucket-reader"), "s3:GetObject", object).paths.map((p) => p.via)).toEqual([[]]);
    expect(canCli(s, consumer("unnamed-reader"), "s3:GetObject", object, { resourceAccount: "222222222222" })).toMatchObject({
      decision: "Deny",
      paths: [],
    });
  });

  it("S3: across accounts the bucket policy alone is not enough; in the owner's account the identity policy alone is", () => {
    expect(canCli(s, consumer("named-without-identity-grant"), "s3:GetObject", object, { resourceAccount: "222222222222" })).toMatchObject({
      decision: "Deny",
      paths: [],
    });
    expect(
      canCli(s, role("222222222222", "owner-etl"), "s3:GetObject", object, { resourceAccount: "222222222222" }).paths.map((p) => p.via),
    ).toEqual([[]]);
    expect(chains(whoCanCli(s, "s3:GetObject", object, { resourceAccount: "222222222222" })).map((p) => p.principal)).toEqual(
      [consumer("bucket-reader"), role("222222222222", "owner-etl"), "ec2.amazonaws.com", "glue.amazonaws.com"].sort(),
    );
  });

  it("SQS: the queue policy names the sender", () => {
    expect(canCli(s, consumer("queue-sender"), "sqs:SendMessage", queue).paths.map((p) => p.via)).toEqual([[]]);
    expect(canCli(s, consumer("unnamed-reader"), "sqs:SendMessage", queue)).toMatchObject({ decision: "Deny", paths: [] });
    expect(chains(whoCanCli(s, "sqs:SendMessage", queue))).toEqual(
      expected([
        [consumer("queue-sender"), []],
        ["ecs-tasks.amazonaws.com", [consumer("queue-sender")]],
      ]),
    );
  });
});

/** A document as the IAM API returns it: URL-encoded JSON (RFC 3986). */
function urlEncoded(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document, null, 2)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A copy of an inventory whose authorization details carry every policy document URL-encoded. */
function encodedCopy(scenario: string): string {
  const dir = mkdtempSync(join(tmpdir(), `xacct-${scenario}-encoded-`));
  cpSync(join(inventories, scenario), dir, { recursive: true });
  for (const id of readdirSync(dir).filter((n) => /^\d{12}$/.test(n))) {
    const file = join(dir, id, "authorization-details.json");
    const details = JSON.parse(readFileSync(file, "utf8"));
    for (const r of details.RoleDetailList) {
      r.AssumeRolePolicyDocument = urlEncoded(r.AssumeRolePolicyDocument);
      for (const p of r.RolePolicyList) p.PolicyDocument = urlEncoded(p.PolicyDocument);
    }
    for (const u of details.UserDetailList) for (const p of u.UserPolicyList) p.PolicyDocument = urlEncoded(p.PolicyDocument);
    for (const g of details.GroupDetailList) for (const p of g.GroupPolicyList) p.PolicyDocument = urlEncoded(p.PolicyDocument);
    for (const p of details.Policies) for (const v of p.PolicyVersionList) v.Document = urlEncoded(v.Document);
    writeFileSync(file, JSON.stringify(details));
  }
  return dir;
}

describe("URL-encoded policy documents, as the IAM API returns them, load identically", () => {
  it("the checked-in url-encoded copy of seed 004 answers exactly as the decoded one", () => {
    const issuer = "oidc.eks.us-east-1.amazonaws.com/id/E4EKSCLUSTEREXAMPLE000000000000A";
    const provider = oidc("111111111111", issuer);
    const sub = {
      [`${issuer}:sub`]: "system:serviceaccount:emr:emr-containers-sa-spark-driver-111111111111-cfkwzvtaslsjjjowqmdrhwi0gvifg35",
    };
    const queue = "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue";
    const raw = readFileSync(join(inventories, "url-encoded", "111111111111", "authorization-details.json"), "utf8");
    expect(JSON.parse(raw).RoleDetailList[0].AssumeRolePolicyDocument).toMatch(/^%7B%0A/);
    for (const s of ["seed-004-emr-eks-chain", "url-encoded"]) {
      expect(canCli(s, provider, "sqs:SendMessage", queue, { context: sub }).paths).toEqual([
        byTrust(
          {
            via: [role("111111111111", "job-execution-role-1"), role("222222222222", "client-role-2")],
            requires: {},
            maxSessionSeconds: 3600,
          },
          "sts:AssumeRoleWithWebIdentity",
        ),
      ]);
    }
    expect(chains(whoCanCli("url-encoded", "sqs:SendMessage", queue))).toEqual(
      chains(whoCanCli("seed-004-emr-eks-chain", "sqs:SendMessage", queue)),
    );
    expect(loadInventory(join(inventories, "url-encoded"))).toEqual(loadInventory(join(inventories, "seed-004-emr-eks-chain")));
  });

  const scenarios = readdirSync(inventories, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== "url-encoded")
    .map((e) => e.name);

  it.each(scenarios)("%s: every document URL-encoded loads into the same state", (scenario) => {
    expect(loadInventory(encodedCopy(scenario))).toEqual(loadInventory(join(inventories, scenario)));
  });

  it("and the CLI gives the same answers over an encoded copy (chains)", () => {
    const dir = encodedCopy("chains");
    const r = spawnSync(
      process.execPath,
      [
        cli,
        "who-can",
        "--action",
        "dynamodb:GetItem",
        "--resource",
        "arn:aws:dynamodb:us-east-1:333333333333:table/ledger",
        "--inventory",
        dir,
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    expect(chains(JSON.parse(r.stdout) as WhoCanAnswer)).toEqual(
      chains(whoCanCli("chains", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:333333333333:table/ledger")),
    );
  });
});

describe("policy documents given as strings", () => {
  const document = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/100%25+done/*" }],
  };

  it("JSON text, as services return resource policies, is read literally ('%25' and '+' included)", () => {
    expect(policyDocumentOf(JSON.stringify(document), "resource-policies.json")).toEqual(document);
  });

  it("URL-encoded JSON, as the IAM API returns it, decodes to the same document", () => {
    expect(policyDocumentOf(urlEncoded(document), "authorization-details.json")).toEqual(document);
  });

  it("a lone statement object, as AWS returns a policy written that way, is read as a list of one", () => {
    // GIVEN a policy whose Statement is one object (the IAM grammar allows a statement or a list of them)
    const lone = { Version: "2012-10-17", Statement: document.Statement[0] };
    // WHEN it is read from an inventory
    const read = policyDocumentOf(JSON.stringify(lone), "resource-policies.json");
    // THEN every reader sees the same list as for the document written with a list
    expect(read).toEqual(document);
  });

  it("a document without a Statement is refused where it is, not read as granting nothing", () => {
    // GIVEN a policy document with no Statement (the IAM grammar requires one)
    // WHEN it is read, THEN the error names the field
    expect(() => policyDocumentOf(JSON.stringify({ Version: "2012-10-17" }), "resource-policies.json.Policies[0]")).toThrow(
      /resource-policies\.json\.Policies\[0\]\.Statement: is missing/,
    );
  });
});

describe("a broken inventory is refused with a located error", () => {
  function broken(
    change: (details: {
      Policies: { PolicyVersionList: { IsDefaultVersion: boolean }[] }[];
      RoleDetailList: { RolePolicyList: { PolicyDocument: unknown }[] }[];
    }) => void,
  ) {
    const dir = mkdtempSync(join(tmpdir(), "xacct-broken-"));
    cpSync(join(inventories, "identity-grant"), dir, { recursive: true });
    const file = join(dir, "111111111111", "authorization-details.json");
    const details = JSON.parse(readFileSync(file, "utf8"));
    change(details);
    writeFileSync(file, JSON.stringify(details));
    return spawnSync(process.execPath, [cli, "reach", "--principal", user("111111111111", "dana"), "--inventory", dir, "--json"], {
      encoding: "utf8",
    });
  }

  it("an OIDC provider entry that is not a provider ARN names the file and the entry", () => {
    // GIVEN an oidc-providers.json (ListOpenIDConnectProviders' shape) whose entry holds a role ARN
    const dir = mkdtempSync(join(tmpdir(), "xacct-broken-"));
    cpSync(join(inventories, "identity-grant"), dir, { recursive: true });
    writeFileSync(
      join(dir, "111111111111", "oidc-providers.json"),
      JSON.stringify({ OpenIDConnectProviderList: [{ Arn: "arn:aws:iam::111111111111:role/not-a-provider" }] }),
    );
    // WHEN any command reads the inventory
    const r = spawnSync(process.execPath, [cli, "reach", "--principal", user("111111111111", "dana"), "--inventory", dir, "--json"], {
      encoding: "utf8",
    });
    // THEN it is refused with the entry's JSON path, not read as a provider with a made-up issuer
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("111111111111/oidc-providers.json.OpenIDConnectProviderList[0].Arn: must be an IAM OIDC provider ARN");
  });

  it("a managed policy without a default version names the file and the JSON path", () => {
    const r = broken((d) => d.Policies[0]?.PolicyVersionList.forEach((v) => (v.IsDefaultVersion = false)));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("111111111111/authorization-details.json.Policies[0].PolicyVersionList: has no default version");
  });

  it("an invalid URL-encoded inline policy names the role, the policy and the field", () => {
    const r = broken((d) => {
      const policy = d.RoleDetailList[0]?.RolePolicyList[0];
      if (policy)
        policy.PolicyDocument = urlEncoded({
          Version: "2012-10-17",
          Statement: [{ Effect: "Permit", Action: "sts:AssumeRole", Resource: "*" }],
        });
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'arn:aws:iam::111111111111:role/caller-with-grant inline policy assume-queue-writer.Statement[0].Effect: must be "Allow" or "Deny", got "Permit"',
    );
  });
});

describe("the library answers as the CLI does", () => {
  it("can, who-can and reach over seed 000", () => {
    const graph = new AccessGraph(loadInventory(join(inventories, "seed-000-ecs-mwaa")));
    const environment = "arn:aws:airflow:us-east-1:222222222222:environment/sparkflows-mwaa";
    const read = role("222222222222", "AccountB-MWAA-ReadRole");
    expect(
      can(graph, { principal: role("111111111111", "ECSFargateRole"), action: "airflow:GetEnvironment", resource: environment }).paths,
    ).toEqual([byTrust({ via: [read], requires: {}, maxSessionSeconds: 3600 })]);
    expect(chains(whoCan(graph, { action: "airflow:GetEnvironment", resource: environment }))).toEqual(
      chains(whoCanCli("seed-000-ecs-mwaa", "airflow:GetEnvironment", environment)),
    );
    expect(reach(graph, "ecs-tasks.amazonaws.com").roles.map((r) => r.role)).toEqual([role("111111111111", "ECSFargateRole"), read]);
  });
});

describe("who-can lists a principal that acts itself as acting itself, even when it can also reach another that does", () => {
  it("a user allowed to read the bucket, who may also assume a role that reads it, is listed with no chain", () => {
    // GIVEN a role allowed s3:GetObject, and a user allowed s3:GetObject too and to assume the role (its trust admits the user)
    const { a, state } = accounts();
    const bucket = "arn:aws:s3:::reports/q3.csv";
    const user = addUser(a, "analyst", [allow("s3:GetObject", bucket), mayAssume(`arn:aws:iam::${A}:role/reader`)]);
    const role = addRole(a, "reader", [trusts(user.arn)], [allow("s3:GetObject", bucket)]);
    // WHEN who-can is asked, with every edge kind and with assumption only
    for (const edges of ["all", "assume"] as const) {
      const answer = whoCan(new AccessGraph(state, {}, { edges }), { action: "s3:GetObject", resource: bucket, resourceAccount: A });
      // THEN both act themselves: the user's own policy allows it, so no chain through the role is its answer
      expect(answer.principals.map((p) => [p.principal, p.via])).toEqual([
        [role.arn, []],
        [user.arn, []],
      ]);
    }
  });
});

describe("can and reach walk forward lazily: only the trusts that could admit what they reach are decided", () => {
  it("a trust elsewhere that xacct cannot read does not stop can; reading the whole graph does", () => {
    // GIVEN a user of A allowed to read a bucket, and in B a role trusting B with a condition operator AWS does not have
    const { a, b, state } = accounts();
    const user = addUser(a, "analyst", [allow("s3:GetObject", "arn:aws:s3:::reports/*")]);
    addRole(b, "odd", [trusts(`arn:aws:iam::${b.id}:root`, { Condition: { StringEqualz: { "aws:PrincipalTag/team": "x" } } })]);
    const graph = new AccessGraph(state);
    // WHEN can is asked about the user
    const answer = can(graph, { principal: user.arn, action: "s3:GetObject", resource: "arn:aws:s3:::reports/q3.csv", resourceAccount: A });
    // THEN it answers (the odd trust could never admit the user, so it is not decided)
    expect(answer.decision).toBe("Allow");
    // AND the whole graph, which decides every trust, reports the trust it cannot read
    expect(() => graph.edges).toThrow(/StringEqualz/);
  });
});

describe("who-can finds every caller whose policy names the resource, wherever its Resource has a wildcard", () => {
  it("patterns with a wildcard in the middle, at the end, across segments, exact and in a list are each found; a near miss is not", () => {
    // GIVEN users of A whose identity policies allow s3:GetObject on patterns of several shapes. AWS:
    // "You can use wildcard characters (* and ?) within any ARN segment", and * matches across `/`.
    const { a, state } = accounts();
    const object = "arn:aws:s3:::reports/2024/q3.csv";
    const middle = addUser(a, "middle", [allow("s3:GetObject", "arn:aws:s3:::reports/*/q3.csv")]);
    const anyBucket = addUser(a, "any-bucket", [allow("s3:GetObject", "arn:aws:s3:::*/q3.csv")]);
    const exact = addUser(a, "exact", [allow("s3:GetObject", object)]);
    const everything = addUser(a, "everything", [allow("s3:GetObject", "arn:aws:s3:::*")]);
    const listed = addUser(a, "listed", [allow("s3:GetObject", ["arn:aws:s3:::other/*", "arn:aws:s3:::reports/2024/*"])]);
    const oneChar = addUser(a, "one-char", [allow("s3:GetObject", "arn:aws:s3:::reports/202?/q3.csv")]);
    const notResource = addUser(a, "not-resource", [{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" }]);
    addUser(a, "near-miss", [allow("s3:GetObject", "arn:aws:s3:::reports/*/q4.csv")]);
    addUser(a, "other-bucket", [allow("s3:GetObject", "arn:aws:s3:::reports-old/*")]);
    addUser(a, "excluded", [{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::reports/*" }]);
    // WHEN who-can is asked about the object
    const answer = whoCan(new AccessGraph(state), { action: "s3:GetObject", resource: object, resourceAccount: A });
    // THEN each user whose pattern matches the object (or whose NotResource leaves it out) acts itself, and no other
    expect(answer.principals.map((p) => [p.principal, p.via])).toEqual(
      [anyBucket, everything, exact, listed, middle, notResource, oneChar].map((u) => [u.arn, []]),
    );
  });

  it("a resource ending in `/` (an S3 folder object) is found by its exact ARN and by `reports/*` (a * matches an empty run too)", () => {
    // GIVEN users allowed the folder object exactly, by `reports/*` (a * matches any run of characters, none included), and by `reports/?*`
    const { a, state } = accounts();
    const folder = "arn:aws:s3:::reports/";
    const exact = addUser(a, "exact", [allow("s3:GetObject", folder)]);
    const star = addUser(a, "star", [allow("s3:GetObject", "arn:aws:s3:::reports/*")]);
    addUser(a, "one-more", [allow("s3:GetObject", "arn:aws:s3:::reports/?*")]);
    // WHEN who-can is asked about the folder object
    const answer = whoCan(new AccessGraph(state), { action: "s3:GetObject", resource: folder, resourceAccount: A });
    // THEN the exact and the star users, not the one that needs one more character
    expect(answer.principals.map((p) => p.principal)).toEqual([exact.arn, star.arn]);
  });
});

describe("a grant index files what is added after it was first asked", () => {
  it("a holder added after a question is in the next answer", () => {
    // GIVEN an index asked once about s3:GetObject, when only one user's policy allows it
    const { a, state } = accounts();
    const first = addUser(a, "first", [allow("s3:GetObject", "arn:aws:s3:::reports/*")]);
    const later = addUser(a, "later", [allow("s3:*", "arn:aws:s3:::reports/2024/*")]);
    const book = new PolicyBook(state);
    const index = new GrantIndex<string>(book);
    const policiesOf = (user: typeof first) => book.identityPolicies(a, user);
    index.add(first.arn, policiesOf(first));
    const object = "arn:aws:s3:::reports/2024/q3.csv";
    expect([...index.candidates("s3:GetObject", object)]).toEqual([first.arn]);
    expect([...index.holdersOf("s3:GetObject")]).toEqual([first.arn]);
    // WHEN a second user is added
    index.add(later.arn, policiesOf(later));
    // THEN both questions name both users
    expect([...index.candidates("s3:GetObject", object)].sort()).toEqual([first.arn, later.arn].sort());
    expect([...index.holdersOf("s3:GetObject")].sort()).toEqual([first.arn, later.arn].sort());
  });
});
