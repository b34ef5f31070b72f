/**
 * Names that every JavaScript object also inherits — `__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, `valueOf` — are names like any other wherever xacct reads them:
 * - IAM inline policy names match `[\w+=,.@-]+` and tag keys `[\p{L}\p{Z}\p{N}_.:/=+\-@]+` (IAM API
 *   reference, PutRolePolicy's PolicyName and Tag's Key), so an inventory or the sandbox's IAM may
 *   hold a policy or a tag by each of them, and the access it grants must count in `can`,
 *   `who-can`, `reach`, `findings` and `verify`, and in the sandbox's decisions;
 * - a condition on `aws:PrincipalTag/KEY` matches the principal's tag KEY (IAM User Guide, "AWS
 *   global condition context keys"), whatever the key's name;
 * - in xacct.yaml an account, cluster or workload may be called `constructor` and the like and
 *   works end to end, while a reference to one that is not declared is an error at its line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  type IAMServiceException,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
} from "@aws-sdk/client-iam";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { chainFromProfile } from "../src/credentials/profile.js";
import { emitTerraform } from "../src/emit/terraform.js";
import { AccessGraph } from "../src/graph/graph.js";
import { verify } from "../src/graph/verify.js";
import { loadModel, ModelError } from "../src/model/load.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { authorizationDetails } from "../src/state/authorization-details.js";
import { userAndRoleModel } from "./support/models.js";
import { sandboxPerTest } from "./support/sandbox-clients.js";
import {
  APP,
  CALLER_ACCOUNT,
  INTERN,
  PROTOTYPE_MODEL_NAMES,
  PROTOTYPE_NAMES,
  prototypeNamedInventory,
  roleDetail,
  SHARED_OBJECT,
  TARGET,
  TARGET_ACCOUNT,
  writeInventory,
  xacctJson,
} from "./support/prototype-keys.js";

interface CanAnswer {
  decision: "Allow" | "Deny";
  paths: { via: string[] }[];
}
interface WhoCanAnswer {
  principals: { principal: string; via: string[] }[];
}
interface ReachAnswer {
  roles: { role: string; via: string[] }[];
}
interface Finding {
  id: string;
  resource: string;
  title: string;
}
interface VerifyAnswer {
  ok: boolean;
  grants: { possible: boolean; reason?: string }[];
  undeclared: { from: string; to: string }[];
  drift: unknown[];
}

/** A sandbox of the user-and-role model (user app, role glue-runner), closed after each test. */
const startPerTest = sandboxPerTest();
function userAndRoleSandbox(): Promise<Sandbox> {
  return startPerTest({
    state: compile(loadModel(userAndRoleModel({ name: "prototype-keys", role: "glue-runner", region: "us-east-1" }))).state,
  });
}

describe.each(PROTOTYPE_NAMES)("an inventory whose policy and tag are named %s", (name) => {
  // GIVEN app (tagged `name`, its hop allowed by an inline policy named `name`) and intern (untagged) in
  // 111111111111, and target in 222222222222 trusting both when tagged: see prototypeNamedInventory.
  const dir = prototypeNamedInventory(name);
  const read = ["--action", "s3:GetObject", "--resource", SHARED_OBJECT, "--resource-account", TARGET_ACCOUNT, "--inventory", dir];

  it("can: the tagged user reads through the target role its inline policy lets it assume; the untagged one cannot", () => {
    // WHEN
    const app = xacctJson<CanAnswer>("can", ["--principal", APP, ...read]);
    const intern = xacctJson<CanAnswer>("can", ["--principal", INTERN, ...read]);
    // THEN both sides hold for app (its inline policy allows the hop, its tag meets the trust's condition).
    expect(app.status).toBe(0);
    expect(app.out.decision).toBe("Allow");
    expect(app.out.paths.map((p) => p.via)).toEqual([[TARGET]]);
    // intern's policy allows the hop too, but the trust's aws:PrincipalTag condition fails without the tag.
    expect(intern.out.decision).toBe("Deny");
  });

  it("who-can names the tagged user through the target role, and not the untagged one", () => {
    // WHEN
    const answer = xacctJson<WhoCanAnswer>("who-can", read);
    // THEN
    expect(answer.status).toBe(0);
    const principals = answer.out.principals.map((p) => p.principal);
    expect(principals).toContain(APP);
    expect(principals).not.toContain(INTERN);
    expect(answer.out.principals.find((p) => p.principal === APP)?.via).toEqual([TARGET]);
  });

  it("reach: the tagged user reaches the target role", () => {
    // WHEN
    const answer = xacctJson<ReachAnswer>("reach", ["--principal", APP, "--inventory", dir]);
    // THEN
    expect(answer.status).toBe(0);
    expect(answer.out.roles.map((r) => r.role)).toEqual([TARGET]);
  });

  it("findings report no one-sided grant: the trust's caller has its sts:AssumeRole in its inline policy", () => {
    // WHEN
    const answer = xacctJson<{ findings: Finding[] }>("findings", ["--inventory", dir]);
    // THEN
    expect(answer.status).toBe(0);
    expect(answer.out.findings.filter((f) => f.id === "XA001")).toEqual([]);
  });

  it("verify sees undeclared access that a deployed inline policy of that name grants", () => {
    // GIVEN a model (user app in 111111111111 may run Glue through glue-runner in 222222222222),
    // deployed as written, plus a role `admin` in 222222222222 trusting account 111111111111 and,
    // on the user, an inline policy named `name` that allows assuming it: access the model never declared.
    const model = userAndRoleModel({ name: "prototype-keys", role: "glue-runner" });
    const compiled = compile(loadModel(model));
    const admin = `arn:aws:iam::${TARGET_ACCOUNT}:role/admin`;
    const accounts: Record<string, { UserDetailList?: unknown[]; RoleDetailList?: unknown[] }> = {};
    for (const account of compiled.state.accounts.values())
      accounts[account.id] = authorizationDetails(account) as (typeof accounts)[string];
    const users = accounts[CALLER_ACCOUNT]?.UserDetailList as { UserName: string; UserPolicyList: unknown[] }[];
    users
      .find((u) => u.UserName === "app")
      ?.UserPolicyList.push({
        PolicyName: name,
        PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: admin }] },
      });
    accounts[TARGET_ACCOUNT]?.RoleDetailList?.push(
      roleDetail(
        TARGET_ACCOUNT,
        "admin",
        {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${CALLER_ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
        },
        [["all", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }]],
      ),
    );
    const deployed = writeInventory(accounts);
    const file = join(deployed, "xacct.yaml");
    writeFileSync(file, model);
    // WHEN
    const answer = xacctJson<VerifyAnswer>("verify", ["--model", file, "--inventory", deployed]);
    // THEN the declared grant holds, and the hop to admin is reported as undeclared.
    expect(answer.out.grants.map((g) => g.reason)).toEqual([undefined]);
    expect(answer.out.undeclared.map((u) => [u.from, u.to])).toEqual([[APP, admin]]);
    expect(answer.out.ok).toBe(false);
    expect(answer.status).toBe(1);
  });
});

describe.each(PROTOTYPE_NAMES)("the sandbox's IAM with a policy and a tag named %s, through the AWS SDK for JavaScript", (name) => {
  const A = "111111111111";
  const B = "222222222222";
  const USER = `arn:aws:iam::${A}:user/app`;
  const DEPLOYER = `arn:aws:iam::${B}:role/deployer`;
  const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
  const TAGGED_READ = doc([
    { Effect: "Allow", Action: "iam:GetRole", Resource: "*", Condition: { StringEquals: { [`aws:PrincipalTag/${name}`]: "data-team" } } },
  ]);

  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  const keysOf = (s: Sandbox, arn: string): Keys => {
    const boot = s.bootstrap.find((b) => b.userArn === arn);
    if (!boot) throw new Error(`no bootstrap credential for ${arn}`);
    return { accessKeyId: boot.accessKeyId, secretAccessKey: boot.secretAccessKey };
  };
  const iam = (s: Sandbox, credentials: Keys) => new IAMClient({ endpoint: s.url, region: "us-east-1", credentials, maxAttempts: 1 });
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return (e as IAMServiceException).name;
    }
    return "succeeded";
  };

  /** GIVEN the user-and-role model's sandbox, and a role `deployer` in B that A's user may assume (and tag). */
  async function start(): Promise<{ s: Sandbox; b: IAMClient; session: (tags?: { Key: string; Value: string }[]) => Promise<IAMClient> }> {
    const s = (sandbox = await startSandbox({
      state: compile(loadModel(userAndRoleModel({ name: "prototype-keys", role: "glue-runner", region: "us-east-1" }))).state,
      port: 0,
      host: "127.0.0.1",
    }));
    const b = iam(s, keysOf(s, `arn:aws:iam::${B}:root`));
    await b.send(
      new CreateRoleCommand({
        RoleName: "deployer",
        AssumeRolePolicyDocument: doc([{ Effect: "Allow", Principal: { AWS: USER }, Action: ["sts:AssumeRole", "sts:TagSession"] }]),
      }),
    );
    await iam(s, keysOf(s, `arn:aws:iam::${A}:root`)).send(
      new PutUserPolicyCommand({
        UserName: "app",
        PolicyName: "assume-deployer",
        PolicyDocument: doc([{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: DEPLOYER }]),
      }),
    );
    const session = async (tags?: { Key: string; Value: string }[]) => {
      const sts = new STSClient({ endpoint: s.url, region: "us-east-1", credentials: keysOf(s, USER), maxAttempts: 1 });
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: "s1", ...(tags ? { Tags: tags } : {}) })))
        .Credentials;
      return iam(s, { accessKeyId: c?.AccessKeyId ?? "", secretAccessKey: c?.SecretAccessKey ?? "", sessionToken: c?.SessionToken ?? "" });
    };
    return { s, b, session };
  }

  it("PutRolePolicy stores the policy: ListRolePolicies and GetRolePolicy return it, the role's sessions may do what it allows, until it is deleted", async () => {
    // GIVEN
    const { b, session } = await start();
    const getRole = async () => refusal((await session()).send(new GetRoleCommand({ RoleName: "deployer" })));
    expect(await getRole()).toBe("AccessDenied");
    // WHEN
    await b.send(
      new PutRolePolicyCommand({
        RoleName: "deployer",
        PolicyName: name,
        PolicyDocument: doc([{ Effect: "Allow", Action: "iam:GetRole", Resource: "*" }]),
      }),
    );
    // THEN
    expect((await b.send(new ListRolePoliciesCommand({ RoleName: "deployer" }))).PolicyNames).toEqual([name]);
    const got = await b.send(new GetRolePolicyCommand({ RoleName: "deployer", PolicyName: name }));
    expect(got.PolicyName).toBe(name);
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument ?? ""))).toEqual(
      JSON.parse(doc([{ Effect: "Allow", Action: "iam:GetRole", Resource: "*" }])),
    );
    expect(await getRole()).toBe("succeeded");
    // WHEN it is deleted THEN it is gone and no longer allows anything.
    await b.send(new DeleteRolePolicyCommand({ RoleName: "deployer", PolicyName: name }));
    expect((await b.send(new ListRolePoliciesCommand({ RoleName: "deployer" }))).PolicyNames).toEqual([]);
    expect(await refusal(b.send(new GetRolePolicyCommand({ RoleName: "deployer", PolicyName: name })))).toBe("NoSuchEntityException");
    expect(await getRole()).toBe("AccessDenied");
  });

  it("a policy by that name that was never put is NoSuchEntity (the SDK's NoSuchEntityException), not something every object has", async () => {
    // GIVEN
    const { b } = await start();
    // WHEN / THEN
    expect(await refusal(b.send(new GetRolePolicyCommand({ RoleName: "deployer", PolicyName: name })))).toBe("NoSuchEntityException");
    expect(await refusal(b.send(new DeleteRolePolicyCommand({ RoleName: "deployer", PolicyName: name })))).toBe("NoSuchEntityException");
  });

  it("TagRole stores the tag: ListRoleTags and GetRole show it, and aws:PrincipalTag conditions see it until UntagRole", async () => {
    // GIVEN
    const { b, session } = await start();
    await b.send(new PutRolePolicyCommand({ RoleName: "deployer", PolicyName: "read-if-tagged", PolicyDocument: TAGGED_READ }));
    const getRole = async () => refusal((await session()).send(new GetRoleCommand({ RoleName: "deployer" })));
    expect(await getRole()).toBe("AccessDenied");
    // WHEN
    await b.send(new TagRoleCommand({ RoleName: "deployer", Tags: [{ Key: name, Value: "data-team" }] }));
    // THEN
    expect((await b.send(new ListRoleTagsCommand({ RoleName: "deployer" }))).Tags).toEqual([{ Key: name, Value: "data-team" }]);
    expect((await b.send(new GetRoleCommand({ RoleName: "deployer" }))).Role?.Tags).toEqual([{ Key: name, Value: "data-team" }]);
    expect(await getRole()).toBe("succeeded");
    // WHEN it is untagged THEN the condition fails again.
    await b.send(new UntagRoleCommand({ RoleName: "deployer", TagKeys: [name] }));
    expect((await b.send(new ListRoleTagsCommand({ RoleName: "deployer" }))).Tags).toEqual([]);
    expect(await getRole()).toBe("AccessDenied");
  });

  it("CreateRole keeps the tag it is given", async () => {
    // GIVEN
    const { b } = await start();
    // WHEN
    await b.send(
      new CreateRoleCommand({
        RoleName: "tagged",
        AssumeRolePolicyDocument: doc([{ Effect: "Allow", Principal: { AWS: USER }, Action: "sts:AssumeRole" }]),
        Tags: [{ Key: name, Value: "data-team" }],
      }),
    );
    // THEN
    expect((await b.send(new ListRoleTagsCommand({ RoleName: "tagged" }))).Tags).toEqual([{ Key: name, Value: "data-team" }]);
  });

  it("a session tag by that name meets an aws:PrincipalTag condition; a session without it does not", async () => {
    // GIVEN
    const { b, session } = await start();
    await b.send(new PutRolePolicyCommand({ RoleName: "deployer", PolicyName: "read-if-tagged", PolicyDocument: TAGGED_READ }));
    // WHEN
    const tagged = await refusal((await session([{ Key: name, Value: "data-team" }])).send(new GetRoleCommand({ RoleName: "deployer" })));
    const untagged = await refusal((await session()).send(new GetRoleCommand({ RoleName: "deployer" })));
    // THEN
    expect(tagged).toBe("succeeded");
    expect(untagged).toBe("AccessDenied");
  });
});

/** GIVEN a model whose names are given: the caller account, the target account, a cluster and a workload. */
function modelNamed(o: {
  caller?: string;
  target?: string;
  cluster?: string;
  workload?: string;
  grantAccount?: string;
  grantWorkload?: string;
  identityCluster?: string;
  access?: string;
  roleName?: string;
}): string {
  const caller = o.caller ?? "platform";
  const target = o.target ?? "data";
  const cluster = o.cluster ?? "main";
  const workload = o.workload ?? "etl";
  return `version: 1
name: demo
accounts:
  ${caller}: { id: "111111111111", region: us-east-1 }
  ${target}: { id: "222222222222", region: us-east-1 }
clusters:
  ${cluster}: { account: ${caller}, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/ABC123 }
workloads:
  ${workload}:
    account: ${caller}
    identity: { type: irsa, cluster: ${o.identityCluster ?? cluster}, namespace: jobs, serviceAccount: etl }
grants:
  - workload: ${o.grantWorkload ?? workload}
    account: ${o.grantAccount ?? target}
    service: glue
    access: [${o.access ?? "run"}]
    resources: { job: nightly }
    role: { name: "${o.roleName ?? "glue-runner"}" }
`;
}

function problems(text: string): string[] {
  try {
    loadModel(text, "xacct.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return (error as ModelError).problems.map((p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`);
  }
  throw new Error("expected the model to be refused");
}

/** `LINE:COLUMN` (1-based) of `value` on the first line of `text` that holds `line`. */
function where(text: string, line: string, value: string): string {
  const lines = text.split("\n");
  const index = lines.findIndex((l) => l.includes(line));
  if (index < 0) throw new Error(`no line with ${line}`);
  const found = lines[index] as string;
  return `${index + 1}:${found.indexOf(value, found.indexOf(line)) + 1}`;
}

describe.each(PROTOTYPE_MODEL_NAMES)("a model naming an account, cluster or workload %s", (name) => {
  it.each([
    ["the target account", { target: name }],
    ["the workload's account", { caller: name }],
    ["the cluster", { cluster: name }],
    ["the workload", { workload: name }],
  ])("works end to end when %s is called so: the grant compiles and verify holds", (_what, names) => {
    // GIVEN
    const compiled = compile(loadModel(modelNamed(names)));
    // WHEN
    const result = verify(compiled, new AccessGraph(compiled.state));
    // THEN the one grant is there, through the target role, and possible.
    expect(compiled.chains.map((c) => c.hops.map((h) => h.roleArn))).toEqual([["arn:aws:iam::222222222222:role/glue-runner"]]);
    expect(result.grants.map((g) => g.possible)).toEqual([true]);
    expect(result.ok).toBe(true);
  });

  it("a grant to an undeclared account of that name is an error at its line, not a grant dropped", () => {
    // GIVEN
    const text = modelNamed({ grantAccount: name });
    // WHEN / THEN
    expect(problems(text)).toEqual([`${where(text, `    account: ${name}`, name)}: grants[0].account: unknown account "${name}"`]);
  });

  it("a grant for an undeclared workload of that name is an error at its line", () => {
    // GIVEN
    const text = modelNamed({ grantWorkload: name });
    // WHEN / THEN
    expect(problems(text)).toEqual([`${where(text, `- workload: ${name}`, name)}: grants[0].workload: unknown workload "${name}"`]);
  });

  it("an identity on an undeclared cluster of that name is an error at its line", () => {
    // GIVEN
    const text = modelNamed({ identityCluster: name });
    // WHEN / THEN
    expect(problems(text)).toEqual([`${where(text, `cluster: ${name}`, name)}: workloads.etl.identity.cluster: unknown cluster "${name}"`]);
  });

  it("an access verb of that name is an error at its line, not a crash", () => {
    // GIVEN
    const text = modelNamed({ access: name });
    // WHEN / THEN
    expect(problems(text)).toEqual([
      `${where(text, `access: [${name}]`, name)}: grants[0].access[0]: AWS Glue has no access "${name}"; known: run, watch, catalog-read`,
    ]);
  });

  it("a name template using {%s} is refused, never filled with what objects inherit", () => {
    // GIVEN a role name template with a placeholder that only objects inherit
    const text = modelNamed({ roleName: `runner-{${name}}` });
    // WHEN it is loaded THEN the role name is refused at its line: the placeholder is not one a name template may use
    expect(() => loadModel(text)).toThrow(/^xacct\.yaml:\d+:\d+: grants\[0\]\.role\.name: must be an IAM role name/);
  });

  it("a workload of that name with stages: true gets a grant per mapped stage (stages.consumers keyed by its account)", () => {
    // GIVEN stages dev and prod, the target account with one ID per stage, and the mapping under the workload's account.
    const text = `version: 1
name: demo
accounts:
  platform: { id: "111111111111", region: us-east-1 }
  data: { id: { dev: "222222222221", prod: "222222222222" }, region: us-east-1 }
stages:
  app: [dev, prod]
  consumers:
    platform: { dev: dev, prod: prod }
workloads:
  ${name}:
    account: platform
    identity: { type: ecs-task }
grants:
  - workload: ${name}
    account: data
    service: glue
    access: [run]
    resources: { job: nightly }
    role: { name: "runner-{stage}" }
    stages: true
`;
    // WHEN
    const compiled = compile(loadModel(text));
    // THEN
    expect(compiled.chains.map((c) => c.hops.map((h) => h.roleArn))).toEqual([
      ["arn:aws:iam::222222222221:role/runner-dev"],
      ["arn:aws:iam::222222222222:role/runner-prod"],
    ]);
  });
});

describe("__proto__ in a model", () => {
  it("as an account's name is an error at its key, not an account silently dropped", () => {
    // GIVEN a valid model with an account named __proto__ added
    const text = modelNamed({}).replace("accounts:\n", `accounts:\n  __proto__: { id: "333333333333", region: us-east-1 }\n`);
    // WHEN / THEN
    expect(problems(text)).toContain(
      `${where(text, "__proto__:", "__proto__")}: accounts.__proto__: "__proto__" cannot be a name or field in xacct.yaml: rename it`,
    );
  });

  it("as a grant's resource kind is an error at its key", () => {
    // GIVEN
    const text = modelNamed({}).replace("resources: { job: nightly }", "resources: { job: nightly, __proto__: x }");
    // WHEN / THEN
    expect(problems(text)).toContain(
      `${where(text, "__proto__:", "__proto__")}: grants[0].resources.__proto__: "__proto__" cannot be a name or field in xacct.yaml: rename it`,
    );
  });
});

describe.each(PROTOTYPE_NAMES)("other collections keyed by names from input, with %s", (name) => {
  it("findings: an action named s3:NAME is unknown to the service authorization data (XA008), not a crash", () => {
    // GIVEN a role whose policy allows s3:NAME, which the service authorization reference does not list
    const dir = writeInventory({
      [CALLER_ACCOUNT]: {
        RoleDetailList: [
          roleDetail(CALLER_ACCOUNT, "r", { Version: "2012-10-17", Statement: [] }, [
            ["p", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: `s3:${name}`, Resource: "arn:aws:s3:::bucket/*" }] }],
          ]),
        ],
      },
    });
    // WHEN
    const answer = xacctJson<{ findings: Finding[] }>("findings", ["--inventory", dir]);
    // THEN
    expect(answer.stderr).toBe("");
    expect(answer.status).toBe(0);
    expect(answer.out.findings.map((f) => f.id)).toEqual(["XA008"]);
  });

  it("Terraform: a role of that name gets its own aws_iam_role block and policy", () => {
    // GIVEN a model whose target role is named so (IAM role names allow [\w+=,.@-]+)
    const compiled = compile(loadModel(userAndRoleModel({ name: "prototype-keys", role: name })));
    // WHEN
    const files = emitTerraform(compiled);
    // THEN
    const config = JSON.parse(files.find((f) => f.path === "accounts/b/terraform/main.tf.json")?.content ?? "{}") as {
      resource: Record<string, Record<string, { name?: string; role?: string }>>;
    };
    const roles = config.resource.aws_iam_role ?? {};
    expect(Object.hasOwn(roles, name)).toBe(true);
    expect(roles[name]?.name).toBe(name);
    expect(Object.values(config.resource.aws_iam_role_policy ?? {}).map((p) => p.role)).toEqual([`\${aws_iam_role.${name}.id}`]);
    expect(Object.hasOwn(Object.prototype, "name")).toBe(false);
  });

  it("AWS config files: a profile, source_profile or credential_source of that name is read as a name", async () => {
    // GIVEN profile a whose credential_source is NAME, b whose source_profile is NAME, and no profile NAME
    const dir = mkdtempSync(join(tmpdir(), "xacct-prototype-profiles-"));
    const files = { configFile: join(dir, "config"), credentialsFile: join(dir, "credentials") };
    writeFileSync(
      files.configFile,
      `[profile a]\nrole_arn = ${TARGET}\ncredential_source = ${name}\n\n[profile b]\nrole_arn = ${TARGET}\nsource_profile = ${name}\n`,
    );
    writeFileSync(files.credentialsFile, "");
    // WHEN / THEN: the AWS CLI's credential_source takes only EcsContainer, Ec2InstanceMetadata or Environment.
    await expect(chainFromProfile("a", files, {})).rejects.toThrow(
      `credential_source = ${name} is not one of EcsContainer, Ec2InstanceMetadata, Environment`,
    );
    await expect(chainFromProfile("b", files, {})).rejects.toThrow(
      `source_profile "${name}" is in neither the config nor the credentials file`,
    );
    await expect(chainFromProfile(name, files, {})).rejects.toThrow("no such profile");
  });

  it("the sandbox checks a signature over a query parameter of that name as sent", async () => {
    // GIVEN a sandbox and user app's keys
    const s = await userAndRoleSandbox();
    const boot = s.bootstrap.find((b) => b.userArn === APP);
    const url = new URL(s.url);
    const query = Object.assign(Object.create(null) as Record<string, string>, { Action: "GetCallerIdentity", Version: "2011-06-15" });
    Object.defineProperty(query, name, { value: "x", enumerable: true });
    const signer = new SignatureV4({
      service: "sts",
      region: "us-east-1",
      credentials: { accessKeyId: boot?.accessKeyId ?? "", secretAccessKey: boot?.secretAccessKey ?? "" },
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query,
      headers: { host: url.host },
    });
    // WHEN GetCallerIdentity is sent with the extra parameter, signed with it
    const response = await fetch(`${s.url}/?${new URLSearchParams(Object.entries(query)).toString()}`, { headers: signed.headers });
    // THEN the signature matches and the caller is app
    const text = await response.text();
    expect(text).not.toContain("SignatureDoesNotMatch");
    expect(response.status).toBe(200);
    expect(text).toContain(`<Arn>${APP}</Arn>`);
  });
});

describe("a SigV4 signing name that every object inherits", () => {
  it("is a service the sandbox does not know (a 4xx in AWS's shape), not an internal failure", async () => {
    // GIVEN a sandbox and user app's keys
    const s = await userAndRoleSandbox();
    const boot = s.bootstrap.find((b) => b.userArn === APP);
    const url = new URL(s.url);
    for (const service of ["constructor", "toString", "hasOwnProperty"]) {
      const signer = new SignatureV4({
        service,
        region: "us-east-1",
        credentials: { accessKeyId: boot?.accessKeyId ?? "", secretAccessKey: boot?.secretAccessKey ?? "" },
        sha256: Sha256,
      });
      const query = { Action: "GetCallerIdentity", Version: "2011-06-15" };
      const signed = await signer.sign({
        method: "GET",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: "/",
        query,
        headers: { host: url.host },
      });
      // WHEN
      const response = await fetch(`${s.url}/?${new URLSearchParams(query).toString()}`, { headers: signed.headers });
      // THEN
      expect(response.status, service).toBeGreaterThanOrEqual(400);
      expect(response.status, service).toBeLessThan(500);
      expect(await response.text()).not.toContain("InternalFailure");
    }
  });
});
