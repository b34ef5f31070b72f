/**
 * Compiling the seed examples: the engine proves that what xacct writes lets each workload do what
 * its grant says — both sides of every hop — and nothing the grant does not say. Expectations come
 * from the seeds' own descriptions of the setups and from AWS's documentation.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../src/policy/index.js";
import { canAssume, compileExample, decide, role, sessionOf } from "./support/state.js";

describe("seed 000: Sparkflows on ECS reaching MWAA in account B", () => {
  const c = compileExample("000-sparkflows-mwaa");
  const task = sessionOf("arn:aws:iam::111111111111:role/ECSFargateRole");
  const readRole = "arn:aws:iam::222222222222:role/AccountB-MWAA-ReadRole";
  const read = sessionOf(readRole);

  it("ECS tasks (and only they) assume ECSFargateRole, from account A", () => {
    const trust = role(c, "arn:aws:iam::111111111111:role/ECSFargateRole").trustPolicy;
    const request = {
      principal: "ecs-tasks.amazonaws.com",
      action: "sts:AssumeRole",
      resource: "arn:aws:iam::111111111111:role/ECSFargateRole",
      resourcePolicy: trust,
    };
    expect(
      simulate({
        ...request,
        context: { "aws:SourceAccount": "111111111111", "aws:SourceArn": "arn:aws:ecs:us-east-1:111111111111:task/c/1" },
      }).decision,
    ).toBe("Allow");
    expect(
      simulate({
        ...request,
        context: { "aws:SourceAccount": "999999999999", "aws:SourceArn": "arn:aws:ecs:us-east-1:999999999999:task/c/1" },
      }).decision,
    ).toBe("ImplicitDeny");
    expect(simulate({ ...request, principal: "lambda.amazonaws.com", context: { "aws:SourceAccount": "111111111111" } }).decision).toBe(
      "ImplicitDeny",
    );
  });

  it("the task role assumes AccountB-MWAA-ReadRole: both the trust and the sts:AssumeRole grant exist", () => {
    expect(canAssume(c, task, readRole)).toBe("Allow");
  });

  it("the read role reads the environment and creates CLI tokens, but cannot create environments", () => {
    const env = "arn:aws:airflow:us-east-1:222222222222:environment/sparkflows-air";
    expect(decide(c, read, "airflow:GetEnvironment", env)).toBe("Allow");
    expect(decide(c, read, "airflow:CreateCliToken", env)).toBe("Allow");
    expect(decide(c, read, "airflow:CreateEnvironment", env)).toBe("ImplicitDeny");
    expect(decide(c, read, "airflow:DeleteEnvironment", env)).toBe("ImplicitDeny");
  });

  it("s3:ListBucket is granted on the bucket ARN, object actions on the objects (the seed put ListBucket on objects)", () => {
    expect(decide(c, read, "s3:ListBucket", "arn:aws:s3:::sparkflows-air", { resourceAccount: "222222222222" })).toBe("Allow");
    expect(decide(c, read, "s3:GetObject", "arn:aws:s3:::sparkflows-air/dags/etl.py", { resourceAccount: "222222222222" })).toBe("Allow");
    expect(decide(c, read, "s3:PutObject", "arn:aws:s3:::sparkflows-air/dags/etl.py", { resourceAccount: "222222222222" })).toBe("Allow");
    expect(decide(c, read, "s3:GetObject", "arn:aws:s3:::sparkflows-air/secrets/x", { resourceAccount: "222222222222" })).toBe(
      "ImplicitDeny",
    );
    for (const account of c.state.accounts.values()) {
      for (const r of account.roles.values()) {
        for (const doc of r.policies.values()) {
          for (const s of doc.Statement) {
            const actions = [s.Action ?? []].flat();
            const resources = [s.Resource ?? []].flat();
            if (actions.includes("s3:ListBucket")) expect(resources.every((arn) => !arn.includes("/"))).toBe(true);
          }
        }
      }
    }
  });

  it("the MWAA execution role gets what it uses, not s3:* and emr:* on * (the seed's mistake)", () => {
    const exec = sessionOf("arn:aws:iam::222222222222:role/MWAA-ExecutionRole");
    expect(decide(c, exec, "s3:GetObject", "arn:aws:s3:::sparkflows-air/dags/a.py", { resourceAccount: "222222222222" })).toBe("Allow");
    expect(decide(c, exec, "s3:DeleteBucket", "arn:aws:s3:::sparkflows-air", { resourceAccount: "222222222222" })).toBe("ImplicitDeny");
    expect(decide(c, exec, "s3:GetObject", "arn:aws:s3:::another-bucket/x", { resourceAccount: "222222222222" })).toBe("ImplicitDeny");
    expect(decide(c, exec, "elasticmapreduce:TerminateJobFlows", "arn:aws:elasticmapreduce:us-east-1:222222222222:cluster/j-1")).toBe(
      "ImplicitDeny",
    );
    expect(decide(c, exec, "iam:PassRole", "arn:aws:iam::222222222222:role/EMR_DefaultRole")).toBe("Allow");
    expect(decide(c, exec, "iam:PassRole", "arn:aws:iam::222222222222:role/AdminRole")).toBe("ImplicitDeny");
    const statements = [...role(c, "arn:aws:iam::222222222222:role/MWAA-ExecutionRole").policies.values()].flatMap((d) => d.Statement);
    for (const s of statements) expect([s.Action].flat().some((a) => a === "*" || /:\*$/.test(String(a)))).toBe(false);
  });
});

describe("seed 001: CATS workloads on EKS reaching the app team's account", () => {
  const c = compileExample("001-cats-external");
  const provider = "arn:aws:iam::283234040926:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/5C2E8D1F0A9B4C3D7E6F5A4B3C2D1E0F";
  const issuer = "oidc.eks.us-east-2.amazonaws.com/id/5C2E8D1F0A9B4C3D7E6F5A4B3C2D1E0F";
  const webIdentity = (roleName: string, serviceAccount: string) =>
    simulate({
      principal: provider,
      action: "sts:AssumeRoleWithWebIdentity",
      resource: `arn:aws:iam::283234040926:role/${roleName}`,
      context: { [`${issuer}:sub`]: `system:serviceaccount:team-a:${serviceAccount}`, [`${issuer}:aud`]: "sts.amazonaws.com" },
      resourcePolicy: role(c, `arn:aws:iam::283234040926:role/${roleName}`).trustPolicy,
    }).decision;

  it("each workload's role trusts only its own service account (IRSA sub and aud)", () => {
    expect(webIdentity("glue-trigger", "glue-trigger")).toBe("Allow");
    expect(webIdentity("glue-trigger", "sagemaker-invoker")).toBe("ImplicitDeny");
  });

  it("the Glue trigger can start and watch its job and nothing else", () => {
    const target = "arn:aws:iam::490262564977:role/xacct-glue-trigger";
    expect(canAssume(c, sessionOf("arn:aws:iam::283234040926:role/glue-trigger"), target)).toBe("Allow");
    expect(canAssume(c, sessionOf("arn:aws:iam::283234040926:role/lambda-trigger"), target)).toBe("ImplicitDeny");
    const job = "arn:aws:glue:us-east-2:490262564977:job/nightly-etl";
    expect(decide(c, sessionOf(target), "glue:StartJobRun", job)).toBe("Allow");
    expect(decide(c, sessionOf(target), "glue:GetJobRun", job)).toBe("Allow");
    expect(decide(c, sessionOf(target), "glue:DeleteJob", job)).toBe("ImplicitDeny");
    expect(decide(c, sessionOf(target), "glue:StartJobRun", "arn:aws:glue:us-east-2:490262564977:job/other")).toBe("ImplicitDeny");
  });

  it("the RDS case reads its secret and decrypts with its key; the security-group step is written up", () => {
    const r = sessionOf("arn:aws:iam::490262564977:role/lrl-cluwe-cats-cross-connection");
    expect(
      decide(c, r, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-2:490262564977:secret:cluwe-dev/rds/secret-AbCdEf"),
    ).toBe("Allow");
    expect(decide(c, r, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-2:490262564977:secret:other-AbCdEf")).toBe(
      "ImplicitDeny",
    );
    // A key policy must allow its use even in the key's account: xacct writes the statement for it.
    const key = "arn:aws:kms:us-east-2:490262564977:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const keyPolicy = c.state.accounts.get("490262564977")?.resourcePolicies.get(key)?.policy;
    expect(decide(c, r, "kms:Decrypt", key, { resourcePolicy: keyPolicy })).toBe("Allow");
    expect(decide(c, r, "kms:Decrypt", key)).toBe("ImplicitDeny");
    const step = c.manualSteps.find((s) => s.title.includes("cluwe-dev-db"));
    expect(step?.account).toBe("490262564977");
    expect(step?.detail).toContain("TCP port 5432");
  });

  it("each workload has its own session name, never the seed's shared lambda-trigger", () => {
    const names = new Map(c.chains.map((ch) => [ch.workload, ch.hops[0]?.sessionName]));
    expect(new Set(names.values()).size).toBe(names.size);
    expect(names.get("glue-trigger")).not.toBe("lambda-trigger");
  });
});

describe("seed 002: stage-mapped consumers of a stream, an API and packages", () => {
  const c = compileExample("002-stage-consumers");
  const stream = (stage: string, account: string) => `arn:aws:kinesis:eu-central-1:${account}:stream/${stage}-orders-pubsub`;
  const policyOf = (arn: string) =>
    [...c.state.accounts.values()].find((a) => a.resourcePolicies.has(arn))?.resourcePolicies.get(arn)?.policy;
  const consumerSide = [{ Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "kinesis:*", Resource: "*" }] }];

  it("dev is never connected: no stream policy, role or chain for dev", () => {
    expect(c.chains.some((ch) => ch.stage?.app === "dev")).toBe(false);
    expect([...c.state.accounts.values()].some((a) => a.stage === "dev")).toBe(false);
  });

  it("the prod stream's policy admits the production consumer role, not the testing one", () => {
    const prod = stream("prod", "310000000003");
    const read = (principal: string) =>
      simulate({ principal, action: "kinesis:GetRecords", resource: prod, identityPolicies: consumerSide, resourcePolicy: policyOf(prod) })
        .decision;
    expect(read("arn:aws:sts::420000000003:assumed-role/production-Kinesis-Consumer-Role/fn")).toBe("Allow");
    expect(read("arn:aws:sts::420000000001:assumed-role/testing-Kinesis-Consumer-Role/fn")).toBe("ImplicitDeny");
  });

  it("the API role per stage pair is named by the template and trusted by the consumer account", () => {
    const roleArn = "arn:aws:iam::310000000002:role/readonly-invoke-beta-orders-by-analytics-api-client-staging";
    const caller = "arn:aws:sts::420000000002:assumed-role/any-team-role/s";
    const trust = role(c, roleArn).trustPolicy;
    const anyAssume = [
      { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: "*" }] },
    ];
    expect(
      simulate({ principal: caller, action: "sts:AssumeRole", resource: roleArn, identityPolicies: anyAssume, resourcePolicy: trust })
        .decision,
    ).toBe("Allow");
    expect(
      simulate({
        principal: "arn:aws:sts::420000000003:assumed-role/any-team-role/s",
        action: "sts:AssumeRole",
        resource: roleArn,
        identityPolicies: anyAssume,
        resourcePolicy: trust,
      }).decision,
    ).toBe("ImplicitDeny");
    const session = sessionOf(roleArn);
    expect(decide(c, session, "execute-api:Invoke", "arn:aws:execute-api:eu-central-1:310000000002:a1b2c3d4e5/beta/GET/orders/42")).toBe(
      "Allow",
    );
    expect(decide(c, session, "execute-api:Invoke", "arn:aws:execute-api:eu-central-1:310000000002:a1b2c3d4e5/beta/POST/orders")).toBe(
      "ImplicitDeny",
    );
  });

  it("the consumer account's own side is listed as a manual step (xacct does not manage that account)", () => {
    expect(c.manualSteps.some((s) => s.account === "420000000003" && s.title.includes("assume"))).toBe(true);
  });
});

describe("seed 003: one Airflow DAG across two accounts", () => {
  const c = compileExample("003-airflow-multi-account");
  const airflow = sessionOf("arn:aws:iam::333333333333:role/airflow");

  it("Airflow assumes its EMR role in account 1 and its Athena role in account 2", () => {
    expect(canAssume(c, airflow, "arn:aws:iam::111111111111:role/airflow-emr")).toBe("Allow");
    expect(canAssume(c, airflow, "arn:aws:iam::222222222222:role/airflow-athena")).toBe("Allow");
  });

  it("EMR needs iam:PassRole on the cluster's roles and only those", () => {
    const emr = sessionOf("arn:aws:iam::111111111111:role/airflow-emr");
    expect(decide(c, emr, "elasticmapreduce:RunJobFlow", "*")).toBe("Allow");
    expect(decide(c, emr, "iam:PassRole", "arn:aws:iam::111111111111:role/EMR_DefaultRole")).toBe("Allow");
    expect(decide(c, emr, "iam:PassRole", "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole")).toBe("ImplicitDeny");
  });

  it("Athena queries come with the Glue catalog reads and the S3 result location they need", () => {
    const athena = sessionOf("arn:aws:iam::222222222222:role/airflow-athena");
    expect(decide(c, athena, "athena:StartQueryExecution", "arn:aws:athena:us-east-1:222222222222:workgroup/primary")).toBe("Allow");
    expect(decide(c, athena, "glue:GetTable", "arn:aws:glue:us-east-1:222222222222:table/curated/orders")).toBe("Allow");
    expect(decide(c, athena, "s3:PutObject", "arn:aws:s3:::query-athena-results/q/1.csv", { resourceAccount: "222222222222" })).toBe(
      "Allow",
    );
    expect(decide(c, athena, "s3:PutObject", "arn:aws:s3:::query-curated-data/x", { resourceAccount: "222222222222" })).toBe(
      "ImplicitDeny",
    );
  });

  it("the access-key alternative works, and is always flagged as a manual step", () => {
    expect(canAssume(c, "arn:aws:iam::333333333333:user/airflow-cross-account", "arn:aws:iam::222222222222:role/airflow-keys-athena")).toBe(
      "Allow",
    );
    expect(c.manualSteps.some((s) => s.title.includes("Access keys") && s.detail.includes("long-lived access keys"))).toBe(true);
    const keysChain = c.chains.find((ch) => ch.workload === "airflow-keys");
    expect(keysChain?.hops[0]?.chained).toBe(false);
  });
});

describe("seed 004: web identity to job-execution-role-1 to client-role-2", () => {
  const c = compileExample("004-emr-eks-chain");
  const issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

  it("any EMR on EKS job service account of the account assumes job-execution-role-1", () => {
    const trust = role(c, "arn:aws:iam::111111111111:role/job-execution-role-1").trustPolicy;
    const assume = (sub: string) =>
      simulate({
        principal: `arn:aws:iam::111111111111:oidc-provider/${issuer}`,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: "arn:aws:iam::111111111111:role/job-execution-role-1",
        context: { [`${issuer}:sub`]: sub, [`${issuer}:aud`]: "sts.amazonaws.com" },
        resourcePolicy: trust,
      }).decision;
    expect(assume("system:serviceaccount:emr:emr-containers-sa-spark-driver-7f3a-111111111111-1q2w3e")).toBe("Allow");
    expect(assume("system:serviceaccount:default:some-pod")).toBe("ImplicitDeny");
  });

  it("client-role-2 is reached as the default profile, and the chained hop asks for at most 3600 s", () => {
    const chain = c.chains.find((ch) => ch.account === "222222222222");
    expect(chain?.profile).toBe("default");
    expect(chain?.hops.map((h) => h.roleArn)).toEqual(["arn:aws:iam::222222222222:role/client-role-2"]);
    expect(chain?.hops[0]?.chained).toBe(true);
    expect(chain?.hops[0]?.durationSeconds).toBeLessThanOrEqual(3600);
  });

  it("client-role-2 sends to the queue and reads the data lake, and cannot write to it", () => {
    const client = sessionOf("arn:aws:iam::222222222222:role/client-role-2");
    expect(
      canAssume(c, sessionOf("arn:aws:iam::111111111111:role/job-execution-role-1"), "arn:aws:iam::222222222222:role/client-role-2"),
    ).toBe("Allow");
    expect(decide(c, client, "sqs:SendMessage", "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue")).toBe("Allow");
    expect(
      decide(c, client, "s3:GetObject", "arn:aws:s3:::datalake-222222222222-us-east-1/in/a.parquet", { resourceAccount: "222222222222" }),
    ).toBe("Allow");
    expect(
      decide(c, client, "s3:PutObject", "arn:aws:s3:::datalake-222222222222-us-east-1/in/a.parquet", { resourceAccount: "222222222222" }),
    ).toBe("ImplicitDeny");
  });
});
