/**
 * One behaviour each: how every kind of workload gets its first identity, every way a grant
 * crosses accounts, and every problem the model's reference checks report. Decisions come from
 * the engine; what they should be comes from AWS's documentation of each trust relationship.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel, ModelError } from "../src/model/load.js";
import { simulate } from "../src/policy/index.js";
import { canAssume, decide, role, sessionOf } from "./support/state.js";

const accounts = `version: 1
name: units
accounts:
  a: { id: "111111111111", region: eu-west-1 }
  b: { id: "222222222222", region: eu-west-1 }
  c: { id: "333333333333", region: eu-west-1 }
clusters:
  k: { account: a, oidcIssuer: oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789 }
`;

function model(workload: string, grant: string) {
  return compile(loadModel(`${accounts}workloads:\n  w:\n    account: a\n    identity: ${workload}\ngrants:\n  - workload: w\n${grant}`));
}

const glue = "    account: b\n    service: glue\n    access: [run]\n    resources: { job: etl }\n";
const trustOf = (c: ReturnType<typeof model>, name = "w") => role(c, `arn:aws:iam::111111111111:role/${name}`).trustPolicy;
const serviceAssumes = (c: ReturnType<typeof model>, service: string, context: Record<string, string> = {}, action = "sts:AssumeRole") =>
  simulate({ principal: service, action, resource: "arn:aws:iam::111111111111:role/w", resourcePolicy: trustOf(c), context }).decision;

describe("first identities", () => {
  it("pod-identity: pods.eks.amazonaws.com may assume and tag the session, from this account's cluster", () => {
    const c = model("{ type: pod-identity, cluster: k, namespace: ns, serviceAccount: sa }", glue);
    const context = { "aws:SourceAccount": "111111111111", "aws:SourceArn": "arn:aws:eks:eu-west-1:111111111111:cluster/k" };
    expect(serviceAssumes(c, "pods.eks.amazonaws.com", context)).toBe("Allow");
    expect(serviceAssumes(c, "pods.eks.amazonaws.com", context, "sts:TagSession")).toBe("Allow");
    expect(
      serviceAssumes(c, "pods.eks.amazonaws.com", { ...context, "aws:SourceArn": "arn:aws:eks:eu-west-1:111111111111:cluster/other" }),
    ).toBe("ImplicitDeny");
  });

  it("ec2-instance: EC2 assumes the role, and an instance profile of the same name is made", () => {
    const c = model("{ type: ec2-instance }", glue);
    expect(serviceAssumes(c, "ec2.amazonaws.com")).toBe("Allow");
    expect(role(c, "arn:aws:iam::111111111111:role/w").instanceProfile).toBe(true);
  });

  it("eks-node: the node role is an EC2 role with an instance profile (Airflow on EKS nodes, seed 003)", () => {
    const c = model("{ type: eks-node, cluster: k }", glue);
    expect(serviceAssumes(c, "ec2.amazonaws.com")).toBe("Allow");
    expect(role(c, "arn:aws:iam::111111111111:role/w").instanceProfile).toBe(true);
  });

  it("lambda: the Lambda service assumes the execution role for functions of this account only", () => {
    const c = model("{ type: lambda }", glue);
    expect(serviceAssumes(c, "lambda.amazonaws.com", { "aws:SourceAccount": "111111111111" })).toBe("Allow");
    expect(serviceAssumes(c, "lambda.amazonaws.com", { "aws:SourceAccount": "999999999999" })).toBe("ImplicitDeny");
  });

  it("mwaa: MWAA assumes the execution role for its own environment", () => {
    const c = model("{ type: mwaa, environment: env1 }", glue);
    const context = { "aws:SourceAccount": "111111111111", "aws:SourceArn": "arn:aws:airflow:eu-west-1:111111111111:environment/env1" };
    expect(serviceAssumes(c, "airflow-env.amazonaws.com", context)).toBe("Allow");
    expect(
      serviceAssumes(c, "airflow-env.amazonaws.com", {
        ...context,
        "aws:SourceArn": "arn:aws:airflow:eu-west-1:111111111111:environment/env2",
      }),
    ).toBe("ImplicitDeny");
  });

  it("irsa with a pattern: the sub condition uses StringLike, the aud condition StringEquals", () => {
    const c = model('{ type: irsa, cluster: k, namespace: emr, serviceAccount: "emr-containers-sa-*" }', glue);
    const trust = trustOf(c).Statement[0];
    expect(Object.keys(trust?.Condition ?? {}).sort()).toEqual(["StringEquals", "StringLike"]);
  });

  it("iam-user: the user assumes the role without chaining, so longer sessions are allowed", () => {
    const c = model("{ type: iam-user }", `${glue}    role: { sessionDuration: 7200, maxSessionDuration: 7200 }\n`);
    expect(canAssume(c, "arn:aws:iam::111111111111:user/w", "arn:aws:iam::222222222222:role/xacct-w")).toBe("Allow");
    expect(c.chains[0]?.hops[0]).toMatchObject({ chained: false, durationSeconds: 7200 });
    expect(role(c, "arn:aws:iam::222222222222:role/xacct-w").maxSessionDuration).toBe(7200);
  });

  it("external third party: the trust requires its sts:ExternalId, and its own side becomes a manual step", () => {
    const c = compile(
      loadModel(`${accounts.replace('c: { id: "333333333333", region: eu-west-1 }', 'c: { id: "333333333333", region: eu-west-1, external: true }')}workloads:
  vendor:
    account: c
    identity: { type: external, principal: "arn:aws:iam::333333333333:role/VendorRole", externalId: vendor-4f1c }
grants:
  - workload: vendor
${glue}`),
    );
    const roleArn = "arn:aws:iam::222222222222:role/xacct-vendor";
    const anyAssume = [
      { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: "*" }] },
    ];
    const assume = (context: Record<string, string>) =>
      simulate({
        principal: "arn:aws:sts::333333333333:assumed-role/VendorRole/s",
        action: "sts:AssumeRole",
        resource: roleArn,
        identityPolicies: anyAssume,
        resourcePolicy: role(c, roleArn).trustPolicy,
        context,
      }).decision;
    expect(assume({ "sts:ExternalId": "vendor-4f1c" })).toBe("Allow");
    expect(assume({})).toBe("ImplicitDeny");
    expect(c.chains[0]?.hops[0]?.externalId).toBe("vendor-4f1c");
    expect(c.manualSteps.some((s) => s.account === "333333333333")).toBe(true);
    expect(c.state.accounts.get("333333333333")?.roles.size).toBe(0);
  });
});

describe("how a grant crosses accounts", () => {
  it("via: chain creates each role in between, each trusting the one before", () => {
    const c = model("{ type: ecs-task }", `${glue}    via: chain\n    through: [{ account: c, role: hub }]\n`);
    const hub = "arn:aws:iam::333333333333:role/hub";
    const target = "arn:aws:iam::222222222222:role/xacct-w";
    expect(canAssume(c, sessionOf("arn:aws:iam::111111111111:role/w"), hub)).toBe("Allow");
    expect(canAssume(c, sessionOf(hub), target)).toBe("Allow");
    expect(canAssume(c, sessionOf("arn:aws:iam::111111111111:role/w"), target)).toBe("ImplicitDeny");
    expect(c.chains[0]?.hops.map((h) => [h.roleArn, h.chained])).toEqual([
      [hub, true],
      [target, true],
    ]);
  });

  it("via: resource-policy writes the caller's side and the queue policy naming it; no role", () => {
    const c = model(
      "{ type: lambda }",
      "    account: b\n    service: sqs\n    access: [send]\n    resources: { queue: jobs }\n    via: resource-policy\n",
    );
    const queue = "arn:aws:sqs:eu-west-1:222222222222:jobs";
    const policy = c.state.accounts.get("222222222222")?.resourcePolicies.get(queue)?.policy;
    expect(decide(c, sessionOf("arn:aws:iam::111111111111:role/w"), "sqs:SendMessage", queue, { resourcePolicy: policy })).toBe("Allow");
    expect(decide(c, sessionOf("arn:aws:iam::111111111111:role/w"), "sqs:SendMessage", queue)).toBe("ImplicitDeny");
    expect(c.state.accounts.get("222222222222")?.roles.size).toBe(0);
    expect(c.chains[0]?.hops).toEqual([]);
  });

  it("a grant in the workload's own account goes on its own role, with no hop", () => {
    const c = model("{ type: lambda }", glue.replace("account: b", "account: a"));
    expect(
      decide(c, sessionOf("arn:aws:iam::111111111111:role/w"), "glue:StartJobRun", "arn:aws:glue:eu-west-1:111111111111:job/etl"),
    ).toBe("Allow");
    expect(c.chains[0]?.hops).toEqual([]);
  });

  it("orgOnly adds aws:PrincipalOrgID to the trust", () => {
    const text = `${accounts.replace('a: { id: "111111111111", region: eu-west-1 }', 'a: { id: "111111111111", region: eu-west-1, organization: o-abcdef0123 }')}workloads:\n  w:\n    account: a\n    identity: { type: lambda }\ngrants:\n  - workload: w\n${glue}    role: { orgOnly: true }\n`;
    const c = compile(loadModel(text));
    expect(role(c, "arn:aws:iam::222222222222:role/xacct-w").trustPolicy.Statement[0]?.Condition).toEqual({
      StringEquals: { "aws:PrincipalOrgID": "o-abcdef0123" },
    });
  });
});

describe("reference problems", () => {
  const refused = (text: string) => {
    try {
      loadModel(text);
    } catch (error) {
      return (error as ModelError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    throw new Error("expected the model to be refused");
  };
  const base = `${accounts}workloads:\n  w:\n    account: a\n    identity: { type: lambda }\ngrants:\n  - workload: w\n`;

  it.each([
    [
      "an unknown account in a grant",
      `${base}${glue.replace("account: b", "account: bb")}`,
      'grants[0].account: unknown account "bb" (did you mean "b"?)',
    ],
    [
      "an unknown cluster",
      base.replace("{ type: lambda }", "{ type: irsa, cluster: kk, namespace: n, serviceAccount: s }") + glue,
      'workloads.w.identity.cluster: unknown cluster "kk" (did you mean "k"?)',
    ],
    [
      "an unknown resource name",
      `${base}${glue.replace("{ job: etl }", "{ job: etl, jbo: x }")}`,
      'grants[0].resources.jbo: AWS Glue resources are named by job, database, not "jbo" (did you mean "job"?)',
    ],
    [
      "a missing resource name",
      `${base}${glue.replace("{ job: etl }", "{}")}`,
      "grants[0].resources: AWS Glue needs resources.job for this access",
    ],
    [
      "via: resource-policy where the service has none",
      `${base}${glue}    via: resource-policy\n`,
      "grants[0].via: AWS Glue has no resource-based policy xacct can write; use via: role",
    ],
    [
      "via: chain without roles in between",
      `${base}${glue}    via: chain\n`,
      "grants[0].through: via: chain needs the roles in between (through: [{account, role}])",
    ],
    [
      "stages: true without a stage mapping",
      `${base}${glue}    stages: true\n`,
      "grants[0].stages: stages: true needs stages.consumers to map the app's stages",
    ],
    [
      "a duplicated account ID",
      accounts.replace('c: { id: "333333333333"', 'c: { id: "111111111111"') + "workloads: {}\ngrants: []\n",
      'accounts.c.id: account ID 111111111111 is already account "a"',
    ],
    [
      "a chained duration for an outside role (its AssumeRole is role chaining too)",
      base.replace("{ type: lambda }", '{ type: external, principal: "arn:aws:iam::444444444444:role/Vendor", externalId: ex-1234 }') +
        glue +
        "    role: { sessionDuration: 7200 }\n",
      "grants[0].role.sessionDuration: 7200 s is refused: this hop is role chaining (the workload's own credentials are a role session), and AWS caps a chained session at 3600 s — asking for more makes AssumeRole fail",
    ],
    [
      "IRSA on a cluster without an OIDC issuer",
      base
        .replace("{ type: lambda }", "{ type: irsa, cluster: k2, namespace: n, serviceAccount: s }")
        .replace("clusters:\n", "clusters:\n  k2: { account: a }\n") + glue,
      "workloads.w.identity.cluster: IRSA needs the cluster's OIDC issuer: add clusters.k2.oidcIssuer",
    ],
  ])("%s", (_name, text, message) => {
    expect(refused(text)).toContain(message);
  });
});

describe("recipes that need more than their own service", () => {
  it("the Redshift Data API also gets database credentials for the caller's IAM identity", () => {
    const c = model(
      "{ type: lambda }",
      "    account: b\n    service: redshift-data\n    access: [query]\n    resources: { cluster: analytics, database: dev }\n",
    );
    const session = sessionOf("arn:aws:iam::222222222222:role/xacct-w");
    expect(decide(c, session, "redshift-data:ExecuteStatement", "arn:aws:redshift:eu-west-1:222222222222:cluster:analytics")).toBe("Allow");
    expect(
      decide(c, session, "redshift:GetClusterCredentialsWithIAM", "arn:aws:redshift:eu-west-1:222222222222:dbname:analytics/dev"),
    ).toBe("Allow");
    expect(
      decide(c, session, "redshift:GetClusterCredentialsWithIAM", "arn:aws:redshift:eu-west-1:222222222222:dbname:analytics/prod"),
    ).toBe("ImplicitDeny");
  });

  it("a role reached from EKS Pod Identity allows sts:TagSession too, as the EKS guide asks", () => {
    const c = model("{ type: pod-identity, cluster: k, namespace: ns, serviceAccount: sa }", glue);
    const statement = role(c, "arn:aws:iam::222222222222:role/xacct-w").trustPolicy.Statement[0];
    expect(statement?.Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
  });
});

describe("resource policies in accounts the model does not manage", () => {
  it("become a manual step with the exact statement to add", () => {
    const text = `${accounts.replace('b: { id: "222222222222", region: eu-west-1 }', 'b: { id: "222222222222", region: eu-west-1, external: true }')}workloads:\n  w:\n    account: a\n    identity: { type: lambda }\ngrants:\n  - workload: w\n    account: b\n    service: sqs\n    access: [send]\n    resources: { queue: jobs }\n    via: resource-policy\n`;
    const c = compile(loadModel(text));
    const step = c.manualSteps.find((s) => s.account === "222222222222");
    expect(step?.title).toContain("arn:aws:sqs:eu-west-1:222222222222:jobs");
    expect(step?.detail).toContain('"Principal":{"AWS":"arn:aws:iam::111111111111:role/w"}');
  });

  it("lambda invoke grants InvokeFunction, not the function URL", () => {
    const c = model("{ type: lambda }", "    account: b\n    service: lambda\n    access: [invoke]\n    resources: { function: f }\n");
    const session = sessionOf("arn:aws:iam::222222222222:role/xacct-w");
    expect(decide(c, session, "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:222222222222:function:f")).toBe("Allow");
    expect(decide(c, session, "lambda:InvokeFunctionUrl", "arn:aws:lambda:eu-west-1:222222222222:function:f")).toBe("ImplicitDeny");
  });
});

describe("API Gateway through its resource policy", () => {
  it("the REST API's policy names the caller for GET methods, and the caller's side allows them too", () => {
    const c = model(
      "{ type: lambda }",
      "    account: b\n    service: execute-api\n    access: [invoke-read]\n    resources: { api: a1b2c3, stage: prod }\n    via: resource-policy\n",
    );
    const holder = "arn:aws:execute-api:eu-west-1:222222222222:a1b2c3/*/*/*";
    const policy = c.state.accounts.get("222222222222")?.resourcePolicies.get(holder)?.policy;
    const caller = sessionOf("arn:aws:iam::111111111111:role/w");
    expect(
      decide(c, caller, "execute-api:Invoke", "arn:aws:execute-api:eu-west-1:222222222222:a1b2c3/prod/GET/orders", {
        resourcePolicy: policy,
      }),
    ).toBe("Allow");
    expect(
      decide(c, caller, "execute-api:Invoke", "arn:aws:execute-api:eu-west-1:222222222222:a1b2c3/prod/DELETE/orders", {
        resourcePolicy: policy,
      }),
    ).toBe("ImplicitDeny");
  });
});

describe("the catalog's joined access levels", () => {
  it("an action AWS lists under two levels is selected by either", async () => {
    const { selectActions, findAction } = await import("../src/catalog/catalog.js");
    const joined = ["s3", "iam", "kms", "sqs"].flatMap((service) =>
      (selectActions(service, {}) ?? []).filter((a) => a.accessLevel.includes(", ")),
    );
    expect(joined.length).toBeGreaterThan(0);
    const sample = joined[0]!;
    for (const level of sample.accessLevel.split(", ")) {
      expect(selectActions(sample.service, { accessLevels: [level as "Write"], names: [sample.name] }).map((a) => a.name)).toEqual([
        findAction(sample.service, sample.name)!.name,
      ]);
    }
  });
});

describe("the catalog's files", () => {
  it("GIVEN a service name that is a path out of the data's folder, THEN the catalog has no such service and opens no other file", async () => {
    const { findAction, resourceTypes, serviceActions } = await import("../src/catalog/catalog.js");
    // GIVEN "../actions/s3", which joined under the data's actions folder would name S3's own file
    // WHEN the catalog is asked about it (a policy's Action names its service; names are input)
    // THEN it answers as for any service the data does not have
    expect(serviceActions("../actions/s3")).toBeUndefined();
    expect(findAction("../actions/s3", "GetObject")).toBeUndefined();
    expect(resourceTypes("../resourceTypes/s3")).toBeUndefined();
    // AND a real service is found whatever its case, its action by name whatever the case
    expect(findAction("S3", "getobject")?.name).toBe("GetObject");
    expect(findAction("s3", "constructor")).toBeUndefined();
  });

  it("GIVEN a resource type named like an object's built-in property, THEN the catalog has no such type", async () => {
    const { resourceArn, resourceTypeOf } = await import("../src/catalog/catalog.js");
    const where = { partition: "aws", region: "us-east-1", account: "111111111111" };
    // GIVEN S3's types (bucket, object, …) and the names __proto__ and constructor
    // WHEN a type is looked up or its ARN filled
    // THEN those names are no type, and filling one fails with the catalog's own message
    expect(resourceTypeOf("s3", "__proto__")).toBeUndefined();
    expect(resourceTypeOf("s3", "constructor")).toBeUndefined();
    expect(() => resourceArn("s3", "__proto__", where)).toThrow('no resource type "__proto__" for s3');
    // AND a real type is found whatever its case, and filled as AWS's format writes it
    expect(resourceArn("s3", "Bucket", where, { BucketName: "data" })).toBe("arn:aws:s3:::data");
  });
});
