/**
 * examples/006-org-log-archive (issue 13, setup 2): an organization-wide log archive.
 *
 * What AWS says it takes, and what the tests hold the example to:
 * - aws:PrincipalOrgID: "Use this key to compare the identifier of the organization in AWS
 *   Organizations to which the requesting principal belongs … This key is included in the request
 *   context only if the principal is a member of an organization." With `"Principal": "*"` it admits
 *   every principal of the organization and nobody else
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 * - "You can use a policy variable in the Resource element, but only in the resource portion of the
 *   ARN" (reference_policies_variables.html): AWSLogs/${aws:PrincipalAccount}/* is each account's own prefix.
 * - "To upload an object encrypted with an AWS KMS key to Amazon S3, you need kms:GenerateDataKey
 *   permissions on the key. To download an object encrypted with an AWS KMS key, you need kms:Decrypt
 *   permissions." (UsingKMSEncryption.html); "To perform a multipart upload with encryption using an
 *   AWS KMS key, the requester must have permission to the kms:Decrypt and kms:GenerateDataKey
 *   actions on the key." (mpuoverview.html).
 * - IAM Identity Center makes a permission set's role as
 *   arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/REGION/AWSReservedSSO_<set>_<suffix>;
 *   the suffix is not known in advance, so a trust matches it by aws:PrincipalArn.
 * - "Cross-account permissions" need both sides: the bucket or key policy, and the caller's own
 *   identity policy (the member accounts' administrators' step). Test principals here get an
 *   identity policy allowing every action they try, so each refusal is the resource side's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { emitAll } from "../src/emit/index.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { modelAsApplied, verify } from "../src/graph/verify.js";
import { type AccountState, emptyAccount, type PolicyDocument } from "../src/state/account-state.js";
import { loadInventory } from "../src/state/inventory.js";
import { addWriterRole } from "./support/org-models.js";
import { AWS } from "./support/real-clients.js";
import { apply, emptyCopy, readBack } from "./support/iam-apply.js";
import { assume, awsCliAt, clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { itPassesTheValidators } from "./support/generated-validators.js";
import { compileExample } from "./support/state.js";

const ORG = "o-a1b2c3d4e5";
const LOGGING = "222222222222";
const SECURITY = "333333333333";
const APP = "111111111111";
const DATA = "444444444444";
/** An account in no organization. */
const OUTSIDER = "999988887777";
const BUCKET = "acme-org-log-archive";
const KEY = `arn:aws:kms:eu-west-1:${LOGGING}:key/6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5`;
const READ_ROLE = `arn:aws:iam::${LOGGING}:role/log-archive-read`;
const SSO_PATH = "/aws-reserved/sso.amazonaws.com/eu-west-1/";
const AUDIT_SET = "AWSReservedSSO_SecurityAudit_0123456789abcdef";
const OTHER_SET = "AWSReservedSSO_ReadOnly_0123456789abcdef";
/** Everything a test principal's own administrators allow it: the resource side decides. */
const EVERYTHING = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket", "kms:GenerateDataKey", "kms:Decrypt"];

const object = (account: string, name = "trail.json.gz") => `arn:aws:s3:::${BUCKET}/AWSLogs/${account}/${name}`;
const allowAssume: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] };

/** A permission set's role as IAM Identity Center makes it (its inline policy: sts:AssumeRole, the manual step). */
function addSsoRole(state: AccountState, name: string): string {
  const arn = `arn:aws:iam::${SECURITY}:role${SSO_PATH}${name}`;
  state.accounts.get(SECURITY)?.roles.set(name, {
    name,
    path: SSO_PATH,
    arn,
    trustPolicy: { Version: "2012-10-17", Statement: [] },
    policies: new Map([["AwsSSOInlinePolicy", allowAssume]]),
    managedPolicyArns: [],
    maxSessionDuration: 3600,
    tags: new Map(),
  });
  return arn;
}

/** The example's state with a log shipper in app, one in an account outside the organization, and two permission sets' roles. */
function withPrincipals() {
  const compiled = compileExample("006-org-log-archive");
  const state = structuredClone(compiled.state);
  state.accounts.set(OUTSIDER, emptyAccount(OUTSIDER, "aws", { name: "outsider", region: "eu-west-1" }));
  return {
    compiled,
    state,
    shipper: addWriterRole(state, APP, "log-shipper", EVERYTHING),
    stranger: addWriterRole(state, OUTSIDER, "log-shipper", EVERYTHING),
    audit: addSsoRole(state, AUDIT_SET),
    other: addSsoRole(state, OTHER_SET),
  };
}

describe("examples/006-org-log-archive: both sides of each grant, decided by the engine", () => {
  const { state, shipper, stranger, audit, other } = withPrincipals();
  const graph = new AccessGraph(state);
  const decision = (principal: string, action: string, resource: string) => can(graph, { principal, action, resource }).decision;

  it("a role of a member account may put under AWSLogs/<its own account>/ and generate a data key", () => {
    // GIVEN a role in app (a member of the organization) whose own policy allows the calls
    // WHEN it puts a log under its account's prefix and asks the key for a data key
    // THEN both are allowed by the bucket and key policies' aws:PrincipalOrgID statements
    expect(decision(shipper, "s3:PutObject", object(APP))).toBe("Allow");
    expect(decision(shipper, "kms:GenerateDataKey", KEY)).toBe("Allow");
    // AND the multipart upload's kms:Decrypt
    expect(decision(shipper, "kms:Decrypt", KEY)).toBe("Allow");
  });

  it("the same role may not put under another account's prefix, list the bucket or delete its own logs", () => {
    // WHEN it writes under data's prefix, lists, deletes
    // THEN each is denied: the bucket policy grants only PutObject (and multipart) under AWSLogs/${aws:PrincipalAccount}/
    expect(decision(shipper, "s3:PutObject", object(DATA))).toBe("Deny");
    expect(decision(shipper, "s3:ListBucket", `arn:aws:s3:::${BUCKET}`)).toBe("Deny");
    expect(decision(shipper, "s3:DeleteObject", object(APP))).toBe("Deny");
  });

  it("a role of an account outside the organization may not write or generate a data key", () => {
    // GIVEN a role in an account of no organization, allowed everything by its own policy
    // THEN aws:PrincipalOrgID is absent from its requests, and neither policy admits it
    expect(decision(stranger, "s3:PutObject", object(OUTSIDER))).toBe("Deny");
    expect(decision(stranger, "kms:GenerateDataKey", KEY)).toBe("Deny");
  });

  it("the SecurityAudit permission set's role reads logs and decrypts them through log-archive-read; another set's role may not", () => {
    // GIVEN the roles IAM Identity Center made for SecurityAudit and for ReadOnly in account security
    // WHEN each asks to read an app log and decrypt it
    // THEN SecurityAudit's may (it assumes log-archive-read, whose trust matches AWSReservedSSO_SecurityAudit_*)
    expect(decision(audit, "sts:AssumeRole", READ_ROLE)).toBe("Allow");
    expect(decision(audit, "s3:GetObject", object(APP))).toBe("Allow");
    expect(decision(audit, "kms:Decrypt", KEY)).toBe("Allow");
    // AND ReadOnly's may not: the trust's aws:PrincipalArn patterns do not match it
    expect(decision(other, "sts:AssumeRole", READ_ROLE)).toBe("Deny");
    expect(decision(other, "s3:GetObject", object(APP))).toBe("Deny");
  });
});

describe("examples/006-org-log-archive: manual steps", () => {
  it("asks once to let the SecurityAudit permission set assume log-archive-read, though two grants go through it", () => {
    // GIVEN the example, whose S3 read and KMS decrypt grants share the role log-archive-read
    const steps = compileExample("006-org-log-archive").manualSteps.filter((s) => s.account === SECURITY);
    // THEN one step adds sts:AssumeRole on that role to the permission set's inline policy
    expect(steps.map((s) => s.title)).toEqual(["Add sts:AssumeRole to permission set SecurityAudit"]);
    expect(steps[0]?.detail).toContain(READ_ROLE);
  });
});

describe("examples/006-org-log-archive: verify", () => {
  it("on the model proves every grant, the SSO ones on a stand-in for the permission set's role with the manual step taken as done", () => {
    // GIVEN the example compiled, and its accounts as they stand once the manual step on permission set SecurityAudit is done
    const compiled = compileExample("006-org-log-archive");
    const { state, standIns } = modelAsApplied(compiled);
    // WHEN verify walks the graph of that
    const result = verify(compiled, new AccessGraph(state), { standIns });
    // THEN the grants to the organization are proven both ways, and the permission set's chains hold
    expect(result.grants.map((g) => [g.grant, g.possible, g.reason])).toEqual([
      [0, true, undefined],
      [1, true, undefined],
      [2, true, undefined],
      [3, true, undefined],
    ]);
    // AND they start from a role named as IAM Identity Center names it (user guide, "Referencing permission sets":
    // /aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<set>_<suffix>), and say what they take as done
    for (const g of result.grants.filter((x) => x.workload === "security-audit")) {
      expect(g.path).toEqual([
        `arn:aws:iam::${SECURITY}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_SecurityAudit_0000000000000000`,
        READ_ROLE,
      ]);
      expect(g.assumes?.join()).toMatch(/Add sts:AssumeRole to permission set SecurityAudit \(manual step/);
    }
    expect(result.undeclared).toEqual([]);
  });

  it("on the model, a permission set the read role's trust does not admit is not proven", () => {
    // GIVEN the example with the read role's trust naming another permission set's roles (aws:PrincipalArn AWSReservedSSO_Billing_*)
    const compiled = compileExample("006-org-log-archive");
    const role = compiled.state.accounts.get(LOGGING)?.roles.get("log-archive-read");
    if (!role) throw new Error("the example has no log-archive-read role");
    role.trustPolicy = JSON.parse(JSON.stringify(role.trustPolicy).replaceAll("AWSReservedSSO_SecurityAudit_", "AWSReservedSSO_Billing_"));
    const { state, standIns } = modelAsApplied(compiled);
    // WHEN verify walks it
    const result = verify(compiled, new AccessGraph(state), { standIns });
    // THEN the SecurityAudit chains fail at the trust
    for (const g of result.grants.filter((x) => x.workload === "security-audit")) {
      expect(g.possible).toBe(false);
      expect(g.reason).toMatch(/cannot assume .*log-archive-read/);
    }
  });

  it("on the model's own state, without the manual step taken as done, the permission set's role is said to be missing", () => {
    // GIVEN the example compiled, its graph holding no role for the permission set
    const compiled = compileExample("006-org-log-archive");
    // WHEN verify walks it
    const result = verify(compiled, new AccessGraph(compiled.state));
    // THEN the SSO chains are not claimed
    for (const g of result.grants.filter((x) => x.workload === "security-audit"))
      expect(g.reason).toMatch(/IAM Identity Center creates it/);
  });

  const newSandbox = sandboxPerTest();

  it("on its IAM applied to the sandbox and read back, with the permission set's role assigned, every grant holds", async () => {
    // GIVEN the example's IAM applied through the sandbox's IAM API, and IAM Identity Center's role for SecurityAudit
    // (IAM Identity Center makes its roles: they are in the account from the start, "only modifiable by AWS")
    const compiled = compileExample("006-org-log-archive");
    const start = emptyCopy(compiled.state);
    addSsoRole(start, AUDIT_SET);
    const s = await newSandbox({ state: start });
    await apply(s, compiled.state);
    // WHEN it is read back with GetAccountAuthorizationDetails, with the bucket and key policies as built
    // (accounts/logging/iam/resource-policies/) and the organization's parents as Organizations lists them
    const dir = await readBack(s, compiled.state);
    const built = emitAll(compiled).filter((f) => f.path.startsWith("accounts/logging/iam/resource-policies/"));
    const policies = Object.fromEntries(
      built.map((f) => JSON.parse(f.content) as { ResourceArn: string; Policy: unknown }).map((p) => [p.ResourceArn, p.Policy]),
    );
    writeFileSync(join(dir, LOGGING, "resource-policies.json"), JSON.stringify(policies));
    const accounts = Object.fromEntries(Object.values(compiled.model.accounts).map((a) => [String(a.id), { parents: a.ou ?? [] }]));
    writeFileSync(join(dir, "organization.json"), JSON.stringify({ organizationId: ORG, accounts }));
    const deployed = loadInventory(dir);
    const result = verify(compiled, new AccessGraph(deployed), { deployed });
    // THEN every grant is possible, nothing is undeclared, nothing drifted
    expect(result.grants.filter((g) => !g.possible).map((g) => g.reason)).toEqual([]);
    expect(result.grants.map((g) => g.grant).sort()).toEqual([0, 1, 2, 3]);
    expect(result.undeclared).toEqual([]);
    expect(result.drift).toEqual([]);
    expect(readFileSync(join(dir, LOGGING, "resource-policies.json"), "utf8")).toContain("aws:PrincipalOrgID");
  });
});

describe("examples/006-org-log-archive: its CloudFormation and Terraform", () => {
  const files = new Map(emitAll(compileExample("006-org-log-archive")).map((f) => [f.path, f.content]));

  itPassesTheValidators(files);
});

const clients = process.env.CI ? describe : describe.skipIf(!AWS);

clients("examples/006-org-log-archive in the sandbox, with the SDK for JavaScript and the AWS CLI", () => {
  const newSandbox = sandboxPerTest();

  /** The sandbox of the example with its test principals, the bucket created by the logging account. */
  async function archive() {
    const { state, shipper, stranger, audit, other } = withPrincipals();
    // On AWS a permission set's role trusts IAM Identity Center's SAML provider; here a user of account
    // security stands in for the signed-in person (STS refuses a role to root).
    const person = `arn:aws:iam::${SECURITY}:user/person`;
    state.accounts.get(SECURITY)?.users.set("person", {
      name: "person",
      path: "/",
      arn: person,
      policies: new Map([["sign-in", allowAssume]]),
      managedPolicyArns: [],
      accessKeys: true,
      tags: new Map(),
    });
    for (const name of [AUDIT_SET, OTHER_SET]) {
      const role = state.accounts.get(SECURITY)?.roles.get(name);
      if (role)
        role.trustPolicy = {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: person }, Action: "sts:AssumeRole" }],
        };
    }
    const s = await newSandbox({ state });
    const s3 = (keys: Keys) => new S3Client({ ...clientConfig(s, keys), forcePathStyle: true });
    await s3(userKeys(s, `arn:aws:iam::${LOGGING}:root`)).send(new CreateBucketCommand({ Bucket: BUCKET }));
    const session = (account: string, role: string) => assume(s, userKeys(s, `arn:aws:iam::${account}:user/operator`), role);
    return { s, s3, shipper: await session(APP, shipper), stranger: await session(OUTSIDER, stranger), audit, other, person };
  }
  const put = (client: S3Client, account: string) =>
    client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `AWSLogs/${account}/trail.json.gz`, Body: "{}" }));

  it("the SDK for JavaScript: a member's session puts under its own prefix; under another account's it is AccessDenied", async () => {
    // GIVEN a session of app's log shipper
    const { s3, shipper } = await archive();
    // WHEN it puts under AWSLogs/<app>/ THEN the bucket policy admits it
    await put(s3(shipper), APP);
    // WHEN under AWSLogs/<data>/ THEN AccessDenied, 403
    expect(await refusal(put(s3(shipper), DATA))).toMatchObject({ name: "AccessDenied", status: 403 });
  });

  it("the AWS CLI: a member's session generates a data key but may not delete; an outsider's session may not put", async () => {
    // GIVEN sessions of app's log shipper and of the outsider's
    const { s, shipper, stranger } = await archive();
    // WHEN app's session asks the key for a data key THEN it is given (the key policy's aws:PrincipalOrgID statement)
    const key = await awsCliAt(s, shipper, ["kms", "generate-data-key", "--key-id", KEY, "--key-spec", "AES_256", "--region", "eu-west-1"]);
    expect(key.stderr).toBe("");
    expect(key.code).toBe(0);
    // WHEN it deletes a log of its own prefix THEN AccessDenied: the grant is put without delete
    const del = await awsCliAt(s, shipper, ["s3api", "delete-object", "--bucket", BUCKET, "--key", `AWSLogs/${APP}/trail.json.gz`]);
    expect(del.code).not.toBe(0);
    expect(del.stderr).toMatch(/AccessDenied/);
    // WHEN the outsider's session puts under its own account's prefix THEN AccessDenied
    const outside = await awsCliAt(s, stranger, ["s3api", "put-object", "--bucket", BUCKET, "--key", `AWSLogs/${OUTSIDER}/x.json`]);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/AccessDenied/);
  });

  it("the SecurityAudit set's session reads a log through log-archive-read with the AWS CLI; another set's session cannot assume it", async () => {
    // GIVEN a log app's shipper wrote, and sessions of the two permission sets' roles
    const { s, s3, shipper, audit, other, person } = await archive();
    await put(s3(shipper), APP);
    const auditSession = await assume(s, userKeys(s, person), audit);
    const otherSession = await assume(s, userKeys(s, person), other);
    // WHEN SecurityAudit's session assumes log-archive-read (the SDK) and gets the object (the CLI)
    const read = await assume(s, auditSession, READ_ROLE);
    const got = await awsCliAt(s, read, ["s3api", "get-object", "--bucket", BUCKET, "--key", `AWSLogs/${APP}/trail.json.gz`, "/dev/null"]);
    // THEN it reads it
    expect(got.stderr).toBe("");
    expect(got.code).toBe(0);
    // AND ReadOnly's session is refused by log-archive-read's trust
    const refused = await refusal(
      new STSClient(clientConfig(s, otherSession)).send(new AssumeRoleCommand({ RoleArn: READ_ROLE, RoleSessionName: "read" })),
    );
    expect(refused.name).toBe("AccessDenied");
  });
});
