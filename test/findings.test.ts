/**
 * `xacct findings`: every rule fires on a small hand-written state that has the problem and stays
 * quiet on one that does not. Expectations come from each rule's definition and AWS's
 * documentation (role chaining's one-hour cap, ExternalId for third parties, OIDC sub/aud, the
 * service authorization reference's resource types), never from the rules' own output.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli/program.js";
import { compile } from "../src/compile/compile.js";
import type { Chain, Hop, StartIdentity } from "../src/compile/plan.js";
import { type Finding, findings } from "../src/graph/findings/index.js";
import { loadModel } from "../src/model/load.js";
import { type AccountState, policyDocument, type PolicyStatement } from "../src/state/account-state.js";
import { loadInventory } from "../src/state/inventory.js";
import { A, accounts, addRole, addUser, allow, B, ec2Trust, mayAssume, trusts, underScp } from "./support/accounts.js";
import { compileExample, examplesDir } from "./support/state.js";

const OUTSIDE = "999999999999";

function rule(state: AccountState, id: string, chains: Chain[] = []): Finding[] {
  return findings(state, { chains }).filter((f) => f.id === id);
}

// ---------------------------------------------------------------- XA001

describe("XA001: one side of a grant is missing", () => {
  it("GIVEN B's role trusts A's role, WHEN A's role has no sts:AssumeRole on it, THEN the trust is reported with the path", () => {
    const { a, b, state } = accounts();
    const caller = addRole(a, "caller", [ec2Trust]);
    const target = addRole(b, "target", [trusts(caller.arn)]);
    const found = rule(state, "XA001");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "medium", resource: target.arn, path: [caller.arn, target.arn] });
    expect(found[0]?.fix).toContain(`"Resource": "${target.arn}"`);
  });

  it("GIVEN A's role may assume B's role, WHEN B's trust names someone else, THEN the identity side is reported", () => {
    const { a, b, state } = accounts();
    const target = addRole(b, "target", [trusts(`arn:aws:iam::${A}:role/other`)]);
    addRole(a, "other", [ec2Trust]);
    const caller = addRole(a, "caller", [ec2Trust], [mayAssume(target.arn)]);
    const found = rule(state, "XA001").filter((f) => f.resource === caller.arn);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual([caller.arn, target.arn]);
    expect(found[0]?.title).toContain("without the role's trust");
  });

  it("GIVEN A's role may assume a role of B, WHEN B has no such role, THEN that is reported", () => {
    const { a, state } = accounts();
    const caller = addRole(a, "caller", [ec2Trust], [mayAssume(`arn:aws:iam::${B}:role/missing`)]);
    const found = rule(state, "XA001");
    expect(found.map((f) => [f.resource, f.title])).toEqual([[caller.arn, "sts:AssumeRole on a role that does not exist"]]);
  });

  it("stays quiet when both sides are written, and when the trust names the caller's account and the caller allows itself", () => {
    const { a, b, state } = accounts();
    const named = addRole(b, "named", [trusts(`arn:aws:iam::${A}:role/caller`)]);
    const byAccount = addRole(b, "by-account", [trusts(A)]);
    addRole(a, "caller", [ec2Trust], [mayAssume(named.arn, byAccount.arn)]);
    expect(rule(state, "XA001")).toEqual([]);
  });

  it("stays quiet for a user the trust names directly in the same account (the trust alone grants it there)", () => {
    const { a, state } = accounts();
    const user = addUser(a, "admin");
    addRole(a, "admin-role", [trusts(user.arn)]);
    expect(rule(state, "XA001")).toEqual([]);
  });

  it("stays quiet when the trust admits the caller but an SCP blocks it: the caller's side is there", () => {
    const { a, b, state } = accounts();
    const target = addRole(b, "target", [trusts(`arn:aws:iam::${A}:role/caller`)]);
    addRole(a, "caller", [ec2Trust], [mayAssume(target.arn)]);
    state.organization = {
      id: "o-example",
      parents: new Map([
        [A, ["r-root"]],
        [B, ["r-root"]],
      ]),
      serviceControlPolicies: new Map([
        [
          "r-root",
          [
            policyDocument([
              { Effect: "Deny", Action: "sts:AssumeRole", Resource: "*" },
              { Effect: "Allow", Action: "*", Resource: "*" },
            ]),
          ],
        ],
      ]),
      resourceControlPolicies: new Map(),
    };
    expect(rule(state, "XA001")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA002

describe("XA002: a third party trusted without sts:ExternalId", () => {
  it("GIVEN a trust naming an account outside the state, WHEN there is no sts:ExternalId condition, THEN it is high", () => {
    const { b, state } = accounts();
    const role = addRole(b, "vendor", [trusts(`arn:aws:iam::${OUTSIDE}:root`)]);
    const found = rule(state, "XA002");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "high", resource: role.arn });
    expect(found[0]?.detail).toContain(OUTSIDE);
  });

  it("counts a negated condition on sts:ExternalId as no condition", () => {
    const { b, state } = accounts();
    addRole(b, "vendor", [
      trusts(`arn:aws:iam::${OUTSIDE}:role/their-role`, { Condition: { StringNotEquals: { "sts:ExternalId": "x" } } }),
    ]);
    expect(rule(state, "XA002")).toHaveLength(1);
  });

  it("stays quiet with an external ID, for accounts of the state, and for members of the organization", () => {
    const { a, b, state } = accounts();
    addRole(b, "vendor", [trusts(`arn:aws:iam::${OUTSIDE}:root`, { Condition: { StringEquals: { "sts:ExternalId": "4f9c2b" } } })]);
    addRole(b, "sibling", [trusts(`arn:aws:iam::${A}:root`)]);
    addRole(a, "member", [trusts("333333333333")]);
    state.organization = {
      id: "o-example",
      parents: new Map([["333333333333", ["r-root"]]]),
      serviceControlPolicies: new Map(),
      resourceControlPolicies: new Map(),
    };
    expect(rule(state, "XA002")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA003

describe("XA003: an account root trusted for more than read-only", () => {
  it("GIVEN B's role trusts A's root, WHEN it may write objects, THEN it is high", () => {
    const { b, state } = accounts();
    const role = addRole(b, "writer", [trusts(`arn:aws:iam::${A}:root`)], [allow("s3:PutObject", "arn:aws:s3:::data/*")]);
    const found = rule(state, "XA003");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "high", resource: role.arn });
    expect(found[0]?.detail).toContain("s3:PutObject (Write)");
  });

  it("reports Permissions management and Tagging too, and a bare account ID as the root", () => {
    const { b, state } = accounts();
    addRole(b, "policy-admin", [trusts(A)], [allow("iam:PutRolePolicy", `arn:aws:iam::${B}:role/x`)]);
    addRole(b, "tagger", [trusts(A)], [allow("s3:PutObjectTagging", "arn:aws:s3:::data/*")]);
    expect(
      rule(state, "XA003")
        .map((f) => f.resource)
        .sort(),
    ).toEqual([`arn:aws:iam::${B}:role/policy-admin`, `arn:aws:iam::${B}:role/tagger`]);
  });

  it("rates the role's own account root low", () => {
    const { b, state } = accounts();
    addRole(b, "local", [trusts(`arn:aws:iam::${B}:root`)], [allow("s3:PutObject", "arn:aws:s3:::data/*")]);
    expect(rule(state, "XA003").map((f) => f.severity)).toEqual(["low"]);
  });

  it("stays quiet for read and list access, and for a trust naming a role", () => {
    const { b, state } = accounts();
    addRole(
      b,
      "reader",
      [trusts(`arn:aws:iam::${A}:root`)],
      [allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::data", "arn:aws:s3:::data/*"])],
    );
    addRole(b, "writer", [trusts(`arn:aws:iam::${A}:role/etl`)], [allow("s3:PutObject", "arn:aws:s3:::data/*")]);
    expect(rule(state, "XA003")).toEqual([]);
  });

  it("stays quiet where aws:PrincipalArn names the account's roles, as AWS recommends for IAM Identity Center's roles; not for a pattern of any role", () => {
    // GIVEN a writing role trusting A's root only for A's AWSReservedSSO_Audit_* roles ("Referencing permission sets in
    // resource policies": the role name's suffix is unknown, so AWS matches aws:PrincipalArn with a wildcard)
    const { b, state } = accounts();
    const sso = [`arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Audit_*`];
    const narrowed = (operator: string, values: string[]) => ({
      ...trusts(`arn:aws:iam::${A}:root`),
      Condition: { [operator]: { "aws:PrincipalArn": values } },
    });
    addRole(b, "sso-writer", [narrowed("ArnLike", sso)], [allow("s3:PutObject", "arn:aws:s3:::data/*")]);
    // AND the same trusts where the condition still admits every role of A, or holds when the key is absent
    addRole(b, "any-role", [narrowed("ArnLike", [`arn:aws:iam::${A}:role/*`])], [allow("s3:PutObject", "arn:aws:s3:::data/*")]);
    addRole(b, "if-exists", [narrowed("ArnLikeIfExists", sso)], [allow("s3:PutObject", "arn:aws:s3:::data/*")]);
    // WHEN the rule runs
    const found = rule(state, "XA003").map((f) => f.resource);
    // THEN only the two that still delegate to the whole account are reported
    expect(found.sort()).toEqual([`arn:aws:iam::${B}:role/any-role`, `arn:aws:iam::${B}:role/if-exists`]);
  });

  it("treats execute-api:Invoke on GET methods as read-only (seed 002's consumers), and on other methods as write", () => {
    const { b, state } = accounts();
    addRole(b, "read-api", [trusts(A)], [allow("execute-api:Invoke", `arn:aws:execute-api:eu-central-1:${B}:a1b2c3d4e5/prod/GET/*`)]);
    expect(rule(state, "XA003")).toEqual([]);
    addRole(b, "write-api", [trusts(A)], [allow("execute-api:Invoke", `arn:aws:execute-api:eu-central-1:${B}:a1b2c3d4e5/prod/POST/*`)]);
    expect(rule(state, "XA003").map((f) => f.resource)).toEqual([`arn:aws:iam::${B}:role/write-api`]);
  });
});

// ---------------------------------------------------------------- XA004

describe('XA004: Principal "*" without a restricting condition', () => {
  it('GIVEN a trust with Principal "*" and no condition, THEN it is critical', () => {
    const { b, state } = accounts();
    const role = addRole(b, "open", [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }]);
    expect(rule(state, "XA004").map((f) => [f.severity, f.resource])).toEqual([["critical", role.arn]]);
  });

  it('GIVEN a bucket policy with {"AWS": "*"}, THEN it is high and names the bucket', () => {
    const { b, state } = accounts();
    b.resourcePolicies.set("arn:aws:s3:::data", {
      arn: "arn:aws:s3:::data",
      service: "s3",
      policy: policyDocument([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }]),
    });
    expect(rule(state, "XA004").map((f) => [f.severity, f.resource])).toEqual([["high", "arn:aws:s3:::data"]]);
  });

  it("does not count conditions that hold when the key is absent or that only exclude", () => {
    const { b, state } = accounts();
    addRole(b, "if-exists", [
      {
        Effect: "Allow",
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-example" } },
      },
    ]);
    addRole(b, "negated", [
      { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringNotEquals: { "aws:PrincipalAccount": OUTSIDE } } },
    ]);
    expect(rule(state, "XA004")).toHaveLength(2);
  });

  it("stays quiet with aws:PrincipalOrgID, aws:PrincipalArn or aws:SourceAccount, and for Deny statements", () => {
    const { b, state } = accounts();
    addRole(b, "org", [
      { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-example" } } },
    ]);
    addRole(b, "arn", [
      {
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${A}:role/etl-*` } },
      },
    ]);
    b.resourcePolicies.set("arn:aws:sqs:us-east-1:222222222222:q", {
      arn: "arn:aws:sqs:us-east-1:222222222222:q",
      service: "sqs",
      policy: policyDocument([
        {
          Effect: "Allow",
          Principal: "*",
          Action: "sqs:SendMessage",
          Resource: "arn:aws:sqs:us-east-1:222222222222:q",
          Condition: { StringEquals: { "aws:SourceAccount": B } },
        },
        {
          Effect: "Deny",
          Principal: "*",
          Action: "sqs:*",
          Resource: "arn:aws:sqs:us-east-1:222222222222:q",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
    expect(rule(state, "XA004")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA005

describe("XA005: a service principal trusted without aws:SourceAccount/aws:SourceArn", () => {
  it("GIVEN a Lambda execution role trusting lambda.amazonaws.com with no condition, THEN it is reported", () => {
    const { a, state } = accounts();
    const role = addRole(a, "fn", [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    const found = rule(state, "XA005");
    expect(found.map((f) => [f.severity, f.resource])).toEqual([["medium", role.arn]]);
    expect(found[0]?.fix).toContain(`"aws:SourceAccount": "${A}"`);
  });

  it("stays quiet with aws:SourceAccount or aws:SourceArn, and for EC2, which sends neither", () => {
    const { a, state } = accounts();
    addRole(a, "fn", [
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": A } },
      },
    ]);
    addRole(a, "task", [
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${A}:*` } },
      },
    ]);
    addRole(a, "instance", [ec2Trust]);
    expect(rule(state, "XA005")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA006

describe("XA006: an OIDC trust without sub and aud", () => {
  const issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123456789";
  const provider = `arn:aws:iam::${A}:oidc-provider/${issuer}`;
  const web = (condition?: PolicyStatement["Condition"]): PolicyStatement => ({
    Effect: "Allow",
    Principal: { Federated: provider },
    Action: "sts:AssumeRoleWithWebIdentity",
    ...(condition ? { Condition: condition } : {}),
  });

  it("GIVEN only the audience is pinned, THEN every service account of the cluster may assume the role: high", () => {
    const { a, state } = accounts();
    const role = addRole(a, "irsa", [web({ StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" } })]);
    const found = rule(state, "XA006");
    expect(found.map((f) => [f.severity, f.resource])).toEqual([["high", role.arn]]);
    expect(found[0]?.title).toContain(`${issuer}:sub`);
  });

  it("GIVEN only the subject is pinned, THEN the missing audience is medium", () => {
    const { a, state } = accounts();
    addRole(a, "irsa", [web({ StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:ns:sa" } })]);
    expect(rule(state, "XA006").map((f) => [f.severity, f.title])).toEqual([["medium", `OIDC trust without ${issuer}:aud`]]);
  });

  it("counts a subject of just * as no subject, and no condition at all as both missing", () => {
    const { a, state } = accounts();
    addRole(a, "star", [web({ StringLike: { [`${issuer}:sub`]: "*" }, StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" } })]);
    addRole(a, "none", [web()]);
    expect(rule(state, "XA006").map((f) => f.severity)).toEqual(["high", "high"]);
  });

  it("stays quiet with both conditions (a wildcard subject that names a namespace counts)", () => {
    const { a, state } = accounts();
    addRole(a, "exact", [
      web({ StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:ns:sa", [`${issuer}:aud`]: "sts.amazonaws.com" } }),
    ]);
    addRole(a, "pattern", [
      web({
        StringLike: { [`${issuer}:sub`]: "system:serviceaccount:emr:emr-containers-sa-*" },
        StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" },
      }),
    ]);
    expect(rule(state, "XA006")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA007

function chainOf(start: StartIdentity, hops: Hop[], extra: Partial<Chain> = {}): Chain {
  return {
    grant: 0,
    workload: "job",
    accountName: "b",
    account: B,
    region: "us-east-1",
    service: "s3",
    access: ["read"],
    resources: { bucket: "data" },
    via: "role",
    profile: "b-s3",
    start,
    hops,
    maxSessionSeconds: hops[hops.length - 1]?.durationSeconds ?? 3600,
    summary: "job reads data",
    ...extra,
  };
}

const irsaStart: StartIdentity = {
  type: "irsa",
  account: A,
  roleArn: `arn:aws:iam::${A}:role/job`,
  webIdentityTokenFile: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
};
const hop = (durationSeconds: number, chained: boolean): Hop => ({
  roleArn: `arn:aws:iam::${B}:role/target`,
  account: B,
  sessionName: "xacct-job",
  durationSeconds,
  chained,
});

describe("XA007: a chained hop asking for more than 3600 s", () => {
  it("GIVEN a model chain whose hop from a role session asks for 7200 s, THEN it is high, with the path", () => {
    const { state } = accounts();
    const found = rule(state, "XA007", [chainOf(irsaStart, [hop(7200, true)])]);
    expect(found.map((f) => [f.severity, f.resource, f.path])).toEqual([
      ["high", `arn:aws:iam::${B}:role/target`, [irsaStart.roleArn, `arn:aws:iam::${B}:role/target`]],
    ]);
  });

  it("stays quiet for a chained hop of 3600 s and for a first hop from a user's keys asking for 7200 s", () => {
    const { state } = accounts();
    const userStart: StartIdentity = { type: "iam-user", account: A, userArn: `arn:aws:iam::${A}:user/u` };
    expect(rule(state, "XA007", [chainOf(irsaStart, [hop(3600, true)]), chainOf(userStart, [hop(7200, false)])])).toEqual([]);
  });

  it("GIVEN a role with MaxSessionDuration 43200 that only a role can assume, THEN it is low", () => {
    const { a, b, state } = accounts();
    const target = addRole(b, "long", [trusts(`arn:aws:iam::${A}:role/caller`)], [], { maxSessionDuration: 43200 });
    addRole(a, "caller", [ec2Trust], [mayAssume(target.arn)]);
    expect(rule(state, "XA007").map((f) => [f.severity, f.resource])).toEqual([["low", target.arn]]);
  });

  it("stays quiet when a user can assume the long role without chaining", () => {
    const { a, b, state } = accounts();
    const target = addRole(b, "long", [trusts(`arn:aws:iam::${A}:role/caller`), trusts(`arn:aws:iam::${A}:user/person`)], [], {
      maxSessionDuration: 43200,
    });
    addRole(a, "caller", [ec2Trust], [mayAssume(target.arn)]);
    addUser(a, "person", [mayAssume(target.arn)]);
    expect(rule(state, "XA007")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA008

describe("XA008: unknown actions and Action/Resource type mismatches", () => {
  function withPolicy(statement: PolicyStatement): AccountState {
    const { a, state } = accounts();
    addRole(a, "app", [ec2Trust], [statement]);
    return state;
  }

  it("GIVEN s3:ListBucket on object ARNs (seed 000's mistake), THEN it cannot apply: the bucket is its resource", () => {
    const found = rule(withPolicy(allow("s3:ListBucket", "arn:aws:s3:::sparkflows-air/*")), "XA008");
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toContain("s3:ListBucket");
  });

  it("GIVEN s3:GetObject on the bucket ARN, THEN it cannot apply: objects are its resource", () => {
    expect(rule(withPolicy(allow("s3:GetObject", "arn:aws:s3:::data")), "XA008")).toHaveLength(1);
  });

  it("GIVEN an action name the data does not have, or an unknown service, THEN it is reported", () => {
    const found = rule(withPolicy(allow(["s3:GetObjects", "s4:GetObject"], "arn:aws:s3:::data/*")), "XA008");
    expect(found.map((f) => f.title)).toEqual(["Action unknown to the service authorization data"]);
    expect(found[0]?.detail).toContain("s3:GetObjects, s4:GetObject");
    expect(found[0]?.detail).toContain('no service "s4"');
  });

  it("GIVEN a wildcard that matches no action, THEN it is reported too", () => {
    expect(rule(withPolicy(allow("s3:Gte*", "arn:aws:s3:::data/*")), "XA008")).toHaveLength(1);
  });

  it("stays quiet for actions on their own resource types, qualified Lambda ARNs, slashed secret names, wildcards and Resource *", () => {
    const statements: PolicyStatement[] = [
      allow(["s3:ListBucket", "s3:GetObject"], ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]),
      allow("lambda:InvokeFunction", `arn:aws:lambda:us-east-1:${A}:function:refresh:*`),
      allow("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-2:${A}:secret:cluwe-dev/rds/secret-??????`),
      allow("s3:Get*", "arn:aws:s3:::data"),
      allow("s3:GetObject", "*"),
      allow("iam:GetRole", "arn:aws:iam::${aws:PrincipalAccount}:role/app"),
    ];
    const { a, state } = accounts();
    addRole(a, "app", [ec2Trust], statements);
    expect(rule(state, "XA008")).toEqual([]);
  });

  it("GIVEN resource types whose names hold spaces, THEN each type is judged on its own Resource (no answer is shared between them)", async () => {
    const { canName } = await import("../src/graph/findings/resource-types.js");
    // GIVEN Lambda's "function alias" type beside "function", and a Resource naming a qualified function
    const qualified = `arn:aws:lambda:us-east-1:${A}:function:f:prod`;
    // WHEN "function" is first asked about a text that begins "alias " (no ARN), then "function alias" about the ARN
    const bogus = canName("lambda", "function", `alias ${qualified}`);
    const alias = canName("lambda", "function alias", qualified);
    // THEN the text names no function, and the alias's format does meet its ARN (arn:…:function:NAME:ALIAS)
    expect(bogus).toBe(false);
    expect(alias).toBe(true);
  });

  it("GIVEN a Resource a million characters long, THEN its type is judged as for a short one (AWS's S3 formats: a bucket name holds no /)", async () => {
    const { canName } = await import("../src/graph/findings/resource-types.js");
    // GIVEN an object ARN whose key is a million characters, and a bucket pattern as long
    const object = `arn:aws:s3:::bucket/${"k".repeat(1_000_000)}`;
    const bucket = `arn:aws:s3:::${"b".repeat(1_000_000)}*`;
    // WHEN each is asked whether it can name an object and a bucket
    // THEN the object ARN names an object and no bucket; the bucket pattern (its * may hold a /) may name both
    expect(canName("s3", "object", object)).toBe(true);
    expect(canName("s3", "bucket", object)).toBe(false);
    expect(canName("s3", "bucket", bucket)).toBe(true);
    expect(canName("s3", "object", bucket)).toBe(true);
  });

  it("GIVEN any Resource pattern and any format, THEN whether they meet is what a sweep over every state of the format says", async () => {
    const { meet } = await import("../src/graph/findings/resource-types.js");
    type Token = import("../src/graph/findings/resource-types.js").Token;
    // The definition, state by state (i read of the Resource, j of the format), every state of each row visited.
    const reference = (a: readonly string[], b: readonly Token[]): boolean => {
      let row = new Set([0]);
      for (let i = 0; ; i++) {
        const x = a[i];
        for (let j = 0; j < b.length; j++) if (row.has(j) && ("part" in (b[j] as Token) || x === "*")) row.add(j + 1);
        if (x === undefined) return row.has(b.length);
        const next = new Set<number>();
        for (const j of row) {
          const y = b[j];
          if (x === "*") next.add(j);
          else if (y === undefined) continue;
          else if ("char" in y) {
            if (x === "?" || x === y.char) next.add(j + 1);
          } else if (x === "?" || !y.excludes.has(x)) next.add(j);
        }
        if (next.size === 0) return false;
        row = next;
      }
    };
    const char = fc.constantFrom("a", "b", ":", "/");
    const token = fc.oneof(
      char.map((c): Token => ({ char: c })),
      fc.subarray([":", "/"]).map((ex): Token => ({ part: "P", excludes: new Set(ex) })),
    );
    const wild = fc.array(fc.oneof(char, fc.constantFrom("*", "?")), { maxLength: 12 });
    // GIVEN formats of literal characters and named parts (each excluding some characters), and Resources with * and ?
    // WHEN meet decides, one pair after another (its rows are kept between calls)
    // THEN it says what the full sweep says
    fc.assert(
      fc.property(wild, fc.array(token, { maxLength: 12 }), (a, b) => meet(a, b) === reference(a, b)),
      { seed: 20261206, numRuns: 5000 },
    );
    // AND after a format longer than the rows it keeps (they grow), formats long and short are decided as before
    const long = Array.from({ length: 100 }, (_, i): Token => ({ char: i % 2 ? "a" : "b" }));
    const text = [...long.map((t) => ("char" in t ? t.char : "")).join("")];
    expect(meet(text, long)).toBe(true);
    expect(meet(text.slice(0, 99), long)).toBe(false);
    expect(meet([...text.slice(0, 50), "*"], long)).toBe(true);
    fc.assert(
      fc.property(wild, fc.array(token, { maxLength: 12 }), (a, b) => meet(a, b) === reference(a, b)),
      { seed: 20261207, numRuns: 1000 },
    );
  });

  it("checks resource policies too", () => {
    const { b, state } = accounts();
    b.resourcePolicies.set("arn:aws:s3:::data", {
      arn: "arn:aws:s3:::data",
      service: "s3",
      policy: policyDocument([
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:role/app` }, Action: "s3:ListBucket", Resource: "arn:aws:s3:::data/*" },
      ]),
    });
    expect(rule(state, "XA008").map((f) => f.resource)).toEqual(["arn:aws:s3:::data"]);
  });
});

// ---------------------------------------------------------------- XA009

describe('XA009: "*" actions or resources in a cross-account role', () => {
  function crossAccountRole(...permissions: PolicyStatement[]): AccountState {
    const { b, state } = accounts();
    addRole(b, "shared", [trusts(`arn:aws:iam::${A}:role/etl`)], permissions);
    return state;
  }

  it('GIVEN Action "*" on Resource "*", THEN it is critical', () => {
    expect(rule(crossAccountRole(allow("*", "*")), "XA009").map((f) => f.severity)).toEqual(["critical"]);
  });

  it('GIVEN "s3:*" on one bucket, THEN it is high; GIVEN s3:GetObject on "*", THEN medium', () => {
    expect(rule(crossAccountRole(allow("s3:*", ["arn:aws:s3:::data", "arn:aws:s3:::data/*"])), "XA009").map((f) => f.severity)).toEqual([
      "high",
    ]);
    expect(rule(crossAccountRole(allow("s3:GetObject", "*")), "XA009").map((f) => f.severity)).toEqual(["medium"]);
  });

  it('stays quiet for actions that take only "*", for specific actions and resources, and for roles only their own account can assume', () => {
    expect(
      rule(
        crossAccountRole(allow(["s3:ListAllMyBuckets", "sts:GetCallerIdentity"], "*"), allow("s3:GetObject", "arn:aws:s3:::data/*")),
        "XA009",
      ),
    ).toEqual([]);
    const { a, state } = accounts();
    addRole(a, "admin", [trusts(`arn:aws:iam::${A}:root`)], [allow("*", "*")]);
    expect(rule(state, "XA009")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA010

describe('XA010: iam:PassRole on "*"', () => {
  it('GIVEN iam:PassRole on "*", THEN it is high; with iam:PassedToService, medium', () => {
    const { a, state } = accounts();
    addRole(a, "deployer", [ec2Trust], [allow("iam:PassRole", "*")]);
    addRole(
      a,
      "scheduler",
      [ec2Trust],
      [allow("iam:PassRole", "*", { Condition: { StringEquals: { "iam:PassedToService": "glue.amazonaws.com" } } })],
    );
    expect(rule(state, "XA010").map((f) => [f.resource, f.severity])).toEqual([
      [`arn:aws:iam::${A}:role/deployer`, "high"],
      [`arn:aws:iam::${A}:role/scheduler`, "medium"],
    ]);
  });

  it("reports every role of the account (role/*) and an iam:* wildcard the same way", () => {
    const { a, state } = accounts();
    addRole(a, "deployer", [ec2Trust], [allow("iam:*", `arn:aws:iam::${A}:role/*`)]);
    expect(rule(state, "XA010")).toHaveLength(1);
  });

  it("stays quiet for iam:PassRole on named roles", () => {
    const { a, state } = accounts();
    addRole(
      a,
      "scheduler",
      [ec2Trust],
      [allow("iam:PassRole", [`arn:aws:iam::${A}:role/EMR_DefaultRole`, `arn:aws:iam::${A}:role/EMR_EC2_DefaultRole`])],
    );
    expect(rule(state, "XA010")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA011

describe("XA011: NotPrincipal or NotAction with Allow", () => {
  it("GIVEN a bucket policy allowing with NotPrincipal, THEN it is high; GIVEN an identity policy allowing with NotAction, THEN medium", () => {
    const { a, b, state } = accounts();
    b.resourcePolicies.set("arn:aws:s3:::data", {
      arn: "arn:aws:s3:::data",
      service: "s3",
      policy: policyDocument([
        {
          Effect: "Allow",
          NotPrincipal: { AWS: `arn:aws:iam::${B}:role/blocked` },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::data/*",
        },
      ]),
    });
    const power = addRole(a, "power", [ec2Trust], [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }]);
    expect(rule(state, "XA011").map((f) => [f.resource, f.severity, f.title])).toEqual([
      ["arn:aws:s3:::data", "high", "NotPrincipal with Allow"],
      [power.arn, "medium", "NotAction with Allow"],
    ]);
  });

  it("stays quiet for NotPrincipal and NotAction with Deny", () => {
    const { a, b, state } = accounts();
    b.resourcePolicies.set("arn:aws:s3:::data", {
      arn: "arn:aws:s3:::data",
      service: "s3",
      policy: policyDocument([
        { Effect: "Deny", NotPrincipal: { AWS: [`arn:aws:iam::${B}:role/reader`, B] }, Action: "s3:*", Resource: "arn:aws:s3:::data/*" },
      ]),
    });
    addRole(
      a,
      "guarded",
      [ec2Trust],
      [allow("s3:GetObject", "arn:aws:s3:::data/*"), { Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }],
    );
    expect(rule(state, "XA011")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA012

describe("XA012: long-lived access keys used for cross-account access", () => {
  it("GIVEN a user with access keys that can assume a role of another account, THEN it is high, with the path", () => {
    const { a, b, state } = accounts();
    const target = addRole(b, "athena", [trusts(`arn:aws:iam::${A}:user/keys`)]);
    const user = addUser(a, "keys", [mayAssume(target.arn)]);
    expect(rule(state, "XA012").map((f) => [f.severity, f.resource, f.path])).toEqual([["high", user.arn, [user.arn, target.arn]]]);
  });

  it("GIVEN a user with keys allowed sts:AssumeRole on *, THEN it is reported even with no known role to reach", () => {
    const { a, state } = accounts();
    addUser(a, "keys", [mayAssume("*")]);
    expect(rule(state, "XA012")).toHaveLength(1);
  });

  it("stays quiet for a user without access keys, and for roles in the user's own account", () => {
    const { a, b, state } = accounts();
    const target = addRole(b, "athena", [trusts(`arn:aws:iam::${A}:user/console`)]);
    addUser(a, "console", [mayAssume(target.arn)], { accessKeys: false });
    const local = addRole(a, "local", [trusts(`arn:aws:iam::${A}:user/keys`)]);
    addUser(a, "keys", [mayAssume(local.arn)]);
    expect(rule(state, "XA012")).toEqual([]);
  });
});

// ---------------------------------------------------------------- XA013

describe("XA013: a JVM or Spark workload on a chained profile", () => {
  const chained = [hop(3600, true)];

  it("GIVEN a Spark job on IRSA chaining to another account, THEN the Java SDK's web-identity-first order is high", () => {
    const { state } = accounts();
    const found = rule(state, "XA013", [chainOf(irsaStart, chained, { runtime: { kind: "spark" }, language: "python" })]);
    expect(found.map((f) => [f.severity, f.resource, f.path])).toEqual([
      ["high", `arn:aws:iam::${B}:role/target`, [irsaStart.roleArn, `arn:aws:iam::${B}:role/target`]],
    ]);
    expect(found[0]?.fix).toMatch(/credentials endpoint/);
  });

  it("GIVEN JVM code in a Deployment on IRSA with a chained profile, THEN it fires too", () => {
    const { state } = accounts();
    expect(rule(state, "XA013", [chainOf(irsaStart, chained, { runtime: { kind: "deployment" }, language: "jvm" })])).toHaveLength(1);
  });

  it("stays quiet for Python on IRSA, for the JVM on an ECS task role (no web identity to read first), and with no chained hop", () => {
    const { state } = accounts();
    const ecs: StartIdentity = { type: "ecs-task", account: A, roleArn: `arn:aws:iam::${A}:role/task` };
    expect(
      rule(state, "XA013", [
        chainOf(irsaStart, chained, { runtime: { kind: "deployment" }, language: "python" }),
        chainOf(ecs, chained, { runtime: { kind: "ecs" }, language: "jvm" }),
        chainOf(irsaStart, [], { runtime: { kind: "spark" } }),
      ]),
    ).toEqual([]);
  });

  it("GIVEN a model whose JVM workload chains from IRSA, THEN compiling it and running findings reports it", () => {
    const model = loadModel(`version: 1
name: jvm
accounts:
  a: { id: "${A}", region: us-east-1 }
  b: { id: "${B}", region: us-east-1 }
clusters:
  eks: { account: a, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123456789 }
workloads:
  api:
    account: a
    identity: { type: irsa, cluster: eks, namespace: api, serviceAccount: api }
    runtime: { kind: deployment, language: jvm }
grants:
  - workload: api
    account: b
    service: sqs
    access: [send]
    resources: { queue: orders }
`);
    const { state, chains } = compile(model);
    expect(findings(state, { chains }).map((f) => [f.id, f.resource])).toEqual([["XA013", `arn:aws:iam::${B}:role/xacct-api`]]);
  });
});

// ---------------------------------------------------------------- the seed examples

describe("the seed examples", () => {
  const severe = (name: string) => {
    const { state, chains } = compileExample(name);
    return findings(state, { chains }).filter((f) => f.severity === "critical" || f.severity === "high");
  };

  it("000 and 001 have no high or critical finding", () => {
    for (const name of ["000-sparkflows-mwaa", "001-cats-external"]) expect(severe(name), name).toEqual([]);
  });

  it("002 has exactly its accepted ones: each stage's API role trusts the external consumer account without sts:ExternalId (XA002)", () => {
    // The consumer roots may only call GET methods (no XA003), but their account is declared external
    // and outside any organization of the model: a third party, trusted with no external ID.
    expect(severe("002-stage-consumers").map((f) => [f.id, f.resource])).toEqual([
      ["XA002", "arn:aws:iam::310000000001:role/readonly-invoke-alpha-orders-by-analytics-api-client-testing"],
      ["XA002", "arn:aws:iam::310000000002:role/readonly-invoke-beta-orders-by-analytics-api-client-staging"],
      ["XA002", "arn:aws:iam::310000000003:role/readonly-invoke-prod-orders-by-analytics-api-client-production"],
    ]);
  });

  it("003 has exactly its deliberate one: the IAM user's access keys reaching the query account (XA012)", () => {
    expect(severe("003-airflow-multi-account").map((f) => [f.id, f.resource, f.path])).toEqual([
      [
        "XA012",
        "arn:aws:iam::333333333333:user/airflow-cross-account",
        ["arn:aws:iam::333333333333:user/airflow-cross-account", "arn:aws:iam::222222222222:role/airflow-keys-athena"],
      ],
    ]);
  });

  it("004 has exactly its deliberate one: Spark on a chained profile from its web identity (XA013)", () => {
    expect(severe("004-emr-eks-chain").map((f) => [f.id, f.resource])).toEqual([["XA013", "arn:aws:iam::222222222222:role/client-role-2"]]);
  });
});

// ---------------------------------------------------------------- an inventory in the AWS CLI's format

describe("findings over an inventory directory", () => {
  it("GIVEN get-account-authorization-details output (one document URL-encoded as the API returns it), THEN the rules read it", () => {
    const dir = mkdtempSync(join(tmpdir(), "xacct-findings-"));
    const trust = { Version: "2012-10-17", Statement: [trusts(`arn:aws:iam::${A}:user/deployer`), trusts(`arn:aws:iam::${OUTSIDE}:root`)] };
    const details = (roles: unknown[], users: unknown[]) => ({
      UserDetailList: users,
      GroupDetailList: [],
      RoleDetailList: roles,
      Policies: [],
    });
    mkdirSync(join(dir, A));
    mkdirSync(join(dir, B));
    writeFileSync(
      join(dir, A, "authorization-details.json"),
      JSON.stringify(
        details(
          [],
          [
            {
              Path: "/",
              UserName: "deployer",
              UserId: "AIDAEXAMPLE",
              Arn: `arn:aws:iam::${A}:user/deployer`,
              UserPolicyList: [],
              GroupList: [],
              AttachedManagedPolicies: [],
              Tags: [],
            },
          ],
        ),
      ),
    );
    writeFileSync(
      join(dir, B, "authorization-details.json"),
      JSON.stringify(
        details(
          [
            {
              Path: "/",
              RoleName: "deploy",
              RoleId: "AROAEXAMPLE",
              Arn: `arn:aws:iam::${B}:role/deploy`,
              AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
              InstanceProfileList: [],
              RolePolicyList: [
                { PolicyName: "deploy", PolicyDocument: { Version: "2012-10-17", Statement: [allow("iam:PassRole", "*")] } },
              ],
              AttachedManagedPolicies: [],
              Tags: [],
            },
          ],
          [],
        ),
      ),
    );
    const ids = findings(loadInventory(dir)).map((f) => f.id);
    // An outside account is trusted without an external ID (XA002) and by its root for a role that
    // can write (iam:PassRole is Write: XA003), the role passes any role (XA010), the user has no
    // sts:AssumeRole on the role (XA001), and the role, assumable from other accounts, acts on "*" (XA009).
    expect(ids).toEqual(["XA002", "XA003", "XA010", "XA001", "XA009"]);
  });
});

// ---------------------------------------------------------------- the command

describe("xacct findings (the command)", () => {
  afterEach(() => vi.restoreAllMocks());

  function capture(args: string[]): Promise<{ status: number; out: string }> {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    return runCli(["findings", ...args]).then((status) => ({ status, out }));
  }

  it("prints {findings: [...]} with --json, each with id, severity, title, resource, detail and fix", async () => {
    const { status, out } = await capture(["--model", join(examplesDir, "004-emr-eks-chain", "xacct.yaml"), "--json"]);
    expect(status).toBe(0);
    const parsed = JSON.parse(out) as { findings: Finding[] };
    const spark = parsed.findings.find((f) => f.id === "XA013");
    expect(spark).toMatchObject({
      severity: "high",
      resource: "arn:aws:iam::222222222222:role/client-role-2",
      path: ["arn:aws:iam::111111111111:role/job-execution-role-1", "arn:aws:iam::222222222222:role/client-role-2"],
    });
    for (const f of parsed.findings)
      expect(Object.keys(f).sort()).toEqual(expect.arrayContaining(["detail", "fix", "id", "resource", "severity", "title"]));
  });

  it("prints a readable list with a count by severity, or says there is none", async () => {
    const one = await capture(["--model", join(examplesDir, "003-airflow-multi-account", "xacct.yaml")]);
    expect(one.out).toContain("HIGH     XA012  Long-lived access keys used for cross-account access");
    expect(one.out).toContain("fix: ");
    expect(one.out.trim().split("\n").pop()).toBe("1 finding: 1 high");
    vi.restoreAllMocks();
    const none = await capture(["--model", join(examplesDir, "001-cats-external", "xacct.yaml")]);
    expect(none.out).toBe("no findings\n");
  });

  it("asks for exactly one of --inventory and --model", async () => {
    await expect(runCli(["findings"])).rejects.toThrow(/exactly one of --inventory DIR or --model FILE/);
    await expect(runCli(["findings", "--inventory", "x", "--model", "y"])).rejects.toThrow(/exactly one/);
  });
});

// ---------------------------------------------------------------- XA014

describe("XA014: a cross-account role, or one a model grants something, reachable by privilege escalation", () => {
  it("GIVEN B's role assumed from A, WHEN a user of B may rewrite its trust, THEN the user's path is reported (medium: it only enters B)", () => {
    const { a, b, state } = accounts();
    const caller = addRole(a, "caller", [ec2Trust], [mayAssume(`arn:aws:iam::${B}:role/shared`)]);
    const shared = addRole(b, "shared", [trusts(caller.arn)], [allow("s3:GetObject", "*")]);
    const dev = addUser(b, "dev", [allow("iam:UpdateAssumeRolePolicy", shared.arn)]);
    const found = rule(state, "XA014");
    expect(found).toEqual([expect.objectContaining({ severity: "medium", resource: shared.arn, path: [dev.arn, shared.arn] })]);
    expect(found[0]?.detail).toContain("update-assume-role-policy");
  });

  it("GIVEN A's role that assumes a role of B, WHEN a CI role of A may pass it to Lambda, THEN it is reported high (it opens B)", () => {
    const { a, b, state } = accounts();
    const bridge = addRole(
      a,
      "bridge",
      [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      [mayAssume(`arn:aws:iam::${B}:role/target`)],
    );
    addRole(b, "target", [trusts(bridge.arn)]);
    const ci = addRole(
      a,
      "ci",
      [ec2Trust],
      [
        allow("iam:PassRole", bridge.arn, { Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
      ],
    );
    expect(rule(state, "XA014")).toEqual([expect.objectContaining({ severity: "high", resource: bridge.arn, path: [ci.arn, bridge.arn] })]);
  });

  it("GIVEN a model's grant to A's role on B's bucket (a resource policy, no assumption), WHEN a user of A may take it over, THEN high", () => {
    // GIVEN the role a grant acts with, reading B's bucket through its policy, and a Lambda function running as it
    const { a, state } = accounts();
    const job = addRole(a, "job", [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    const grant = chainOf({ type: "lambda", account: A, roleArn: job.arn }, [], { via: "resource-policy", summary: "job reads data in b" });
    // AND a local role nobody grants anything, equally exposed
    const idle = addRole(a, "idle", [ec2Trust]);
    // AND a developer of A allowed to rewrite any trust of its account
    const dev = addUser(a, "dev", [allow("iam:UpdateAssumeRolePolicy", `arn:aws:iam::${A}:role/*`)]);
    // WHEN XA014 runs with the model's chains
    const found = rule(state, "XA014", [grant]);
    // THEN the granted role's escalation is reported, high (the grant opens another account's data), the idle one's not
    expect(found).toEqual([expect.objectContaining({ severity: "high", resource: job.arn, path: [dev.arn, job.arn] })]);
    expect(found[0]?.detail).toContain("the model grants it: job reads data in b");
    expect(found.some((f) => f.resource === idle.arn)).toBe(false);
    // AND without the chains (an inventory alone) the role is not singled out
    expect(rule(state, "XA014")).toEqual([]);
  });

  it("stays quiet for a role that crosses no account, and for an escalation the SCP denies", () => {
    // GIVEN a local role whose trust a user may rewrite
    const local = accounts();
    const role = addRole(local.a, "local", [ec2Trust]);
    addUser(local.a, "dev", [allow("iam:UpdateAssumeRolePolicy", role.arn)]);
    expect(rule(local.state, "XA014")).toEqual([]);
    // AND a cross-account role whose rewrite an SCP denies
    const { a, b, state } = accounts();
    const caller = addRole(a, "caller", [ec2Trust], [mayAssume(`arn:aws:iam::${B}:role/shared`)]);
    const shared = addRole(b, "shared", [trusts(caller.arn)]);
    addUser(b, "dev", [allow("iam:UpdateAssumeRolePolicy", shared.arn)]);
    underScp(state, { Effect: "Deny", Action: "iam:UpdateAssumeRolePolicy", Resource: "*" });
    expect(rule(state, "XA014")).toEqual([]);
  });
});
