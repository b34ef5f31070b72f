/**
 * Whole organizations and OUs as grantees of resource policies (issue 13). AWS
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
 * - aws:PrincipalOrgID: "This key is included in the request context only if the principal is a
 *   member of an organization." "Value type – Single-valued". Example: `"Principal": "*"` with
 *   `{"StringEquals": {"aws:PrincipalOrgID": "o-xxxxxxxxxxx"}}`.
 * - aws:PrincipalOrgPaths: "Value type – Multivalued"; `"ForAnyValue:StringLike"` with
 *   `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*` admits that OU or any child. "We
 *   recommend that you always include the organization ID when you specify an OU or root."
 * - "You can use a policy variable in the Resource element, but only in the resource portion of
 *   the ARN" (reference_policies_variables.html): AWSLogs/${aws:PrincipalAccount}/* lets each
 *   account write only under its own prefix.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { AccessGraph } from "../src/graph/graph.js";
import { can } from "../src/graph/query.js";
import { verify } from "../src/graph/verify.js";
import { loadModel, ModelError } from "../src/model/load.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { assume, clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";
import { addWriterRole, APP, BUCKET, LOGGING, LOOSE, logArchiveModel, ORG, TOOLS } from "./support/org-models.js";

const object = (account: string) => `arn:aws:s3:::${BUCKET}/AWSLogs/${account}/2026/12/03/trail.json.gz`;
const bucketPolicy = (text: string) => compile(loadModel(text)).state.accounts.get(LOGGING)?.resourcePolicies.get(`arn:aws:s3:::${BUCKET}`);

describe("a grant to a whole organization", () => {
  it("writes Principal * with aws:PrincipalOrgID into the bucket policy, on the account's own prefix", () => {
    // GIVEN a grant whose grantees are the organization of the bucket's account
    const text = logArchiveModel("{organization: true}");
    // WHEN it is compiled
    const policy = bucketPolicy(text)?.policy;
    // THEN the bucket policy admits everyone on the organization condition, under AWSLogs/${aws:PrincipalAccount}/
    expect(policy?.Statement).toHaveLength(1);
    const statement = policy?.Statement[0];
    expect(statement?.Principal).toEqual({ AWS: "*" });
    expect(statement?.Condition).toEqual({ StringEquals: { "aws:PrincipalOrgID": ORG } });
    expect(statement?.Resource).toEqual([`arn:aws:s3:::${BUCKET}/AWSLogs/\${aws:PrincipalAccount}/*`]);
  });

  it("lets a principal of the organization write under its own account's prefix, and only there", () => {
    // GIVEN the compiled model and a role in account app (in the organization) whose own policy allows s3:PutObject
    const state = compile(loadModel(logArchiveModel("{organization: true}"))).state;
    const writer = addWriterRole(state, APP, "log-shipper", ["s3:PutObject"]);
    const graph = new AccessGraph(state);
    // WHEN it writes under its own account's prefix, and under another's
    const own = can(graph, { principal: writer, action: "s3:PutObject", resource: object(APP) });
    const other = can(graph, { principal: writer, action: "s3:PutObject", resource: object(LOOSE) });
    // THEN the first is allowed by the bucket policy, the second is not
    expect(own.decision).toBe("Allow");
    expect(other.decision).toBe("Deny");
  });

  it("denies a principal of an account with no known organization, saying the key was absent", () => {
    // GIVEN a role in account loose, which declares no organization
    const state = compile(loadModel(logArchiveModel("{organization: true}"))).state;
    const writer = addWriterRole(state, LOOSE, "log-shipper", ["s3:PutObject"]);
    // WHEN it writes under its own prefix
    const answer = can(new AccessGraph(state), { principal: writer, action: "s3:PutObject", resource: object(LOOSE) });
    // THEN it is denied, and the explanation names the missing aws:PrincipalOrgID rather than denying silently
    expect(answer.decision).toBe("Deny");
    expect(answer.explain?.summary).toMatch(/aws:PrincipalOrgID in arn:aws:s3:::org-log-archive\.Statement\[0\]/);
    expect(answer.explain?.summary).toMatch(/member of an organization/);
    expect(answer.explain?.summary).toContain(LOOSE);
  });
});

describe("a grant to the organization on a KMS key", () => {
  it("puts the same organization condition into the key policy, which the engine honours", () => {
    // GIVEN a key in account logging granted (decrypt) to the whole organization
    const KEY = "arn:aws:kms:eu-west-1:333333333333:key/0a1b2c3d-1111-2222-3333-444455556666";
    const grant = `  - grantees: {organization: true}
    account: logging
    service: kms
    access: [decrypt]
    resources: {key: 0a1b2c3d-1111-2222-3333-444455556666}
    via: resource-policy
`;
    const state = compile(loadModel(logArchiveModel("{organization: true}", grant))).state;
    // WHEN the key policy is read, and principals of app and loose decrypt with their own kms:Decrypt
    const statement = state.accounts.get(LOGGING)?.resourcePolicies.get(KEY)?.policy.Statement[0];
    const member = addWriterRole(state, APP, "log-reader", ["kms:Decrypt"]);
    const stranger = addWriterRole(state, LOOSE, "log-reader", ["kms:Decrypt"]);
    const graph = new AccessGraph(state);
    // THEN the key policy admits everyone on aws:PrincipalOrgID, and only the member may decrypt
    expect(statement?.Principal).toEqual({ AWS: "*" });
    expect(statement?.Condition).toEqual({ StringEquals: { "aws:PrincipalOrgID": ORG } });
    expect(can(graph, { principal: member, action: "kms:Decrypt", resource: KEY }).decision).toBe("Allow");
    expect(can(graph, { principal: stranger, action: "kms:Decrypt", resource: KEY }).decision).toBe("Deny");
  });
});

describe("a grant to OUs", () => {
  it("writes aws:PrincipalOrgPaths with the organization ID, the OU's path found from the accounts", () => {
    // GIVEN a grant to OU ou-ab12-22222222, which account app's ou path holds under r-ab12
    const policy = bucketPolicy(logArchiveModel("{ous: [ou-ab12-22222222]}"))?.policy;
    // THEN the condition is ForAnyValue:StringLike on the path from the organization down, with /* for child OUs
    expect(policy?.Statement[0]?.Condition).toEqual({
      "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": [`${ORG}/r-ab12/ou-ab12-22222222/*`] },
    });
  });

  it("admits an account in that OU and refuses one in a sibling OU of the same organization", () => {
    // GIVEN the grant to ou-ab12-22222222 (account app), and roles in app and in tools (ou-ab12-33333333)
    const state = compile(loadModel(logArchiveModel("{ous: [ou-ab12-22222222]}"))).state;
    const inOu = addWriterRole(state, APP, "log-shipper", ["s3:PutObject"]);
    const sibling = addWriterRole(state, TOOLS, "log-shipper", ["s3:PutObject"]);
    const graph = new AccessGraph(state);
    // WHEN each writes under its own prefix
    // THEN the principal of the OU may, the other (same organization, other OU) may not
    expect(can(graph, { principal: inOu, action: "s3:PutObject", resource: object(APP) }).decision).toBe("Allow");
    expect(can(graph, { principal: sibling, action: "s3:PutObject", resource: object(TOOLS) }).decision).toBe("Deny");
  });

  it("takes an account's OU path from an inventory's organization when the model gives none", () => {
    // GIVEN the grant to ou-ab12-22222222, account tools declared with no ou path, and an organization (as an
    // inventory reads it) that places tools under r-ab12/ou-ab12-22222222
    const state = compile(loadModel(logArchiveModel("{ous: [ou-ab12-22222222]}"))).state;
    const tools = state.accounts.get(TOOLS);
    if (tools) tools.organization = { id: ORG, path: [] };
    state.organization = {
      id: ORG,
      parents: new Map([[TOOLS, ["r-ab12", "ou-ab12-22222222"]]]),
      serviceControlPolicies: new Map(),
      resourceControlPolicies: new Map(),
    };
    const writer = addWriterRole(state, TOOLS, "log-shipper", ["s3:PutObject"]);
    // WHEN it writes under its own prefix
    // THEN aws:PrincipalOrgPaths is o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/, which the bucket policy admits
    expect(can(new AccessGraph(state), { principal: writer, action: "s3:PutObject", resource: object(TOOLS) }).decision).toBe("Allow");
  });

  it("refuses an OU no account of the organization holds, saying to write its path", () => {
    // GIVEN a grant to an OU that no account's ou path names
    const text = logArchiveModel("{ous: [ou-ab12-99999999]}");
    // WHEN it is loaded
    // THEN the error locates the OU and says to write the path from the root
    expect(() => loadModel(text)).toThrow(ModelError);
    expect(() => loadModel(text)).toThrow(/grants\[0\]\.grantees\.ous\[0\].*r-…\/ou-…/s);
  });

  it("refuses grantees on an account with no organization, and grantees outside via: resource-policy", () => {
    // GIVEN grants to the organization of account loose (none declared), and one via a role
    const noOrg = logArchiveModel("{organization: true}").replace("account: logging", "account: loose");
    const viaRole = logArchiveModel("{organization: true}").replace("via: resource-policy", "via: role");
    // THEN each is a located error saying what to do
    expect(() => loadModel(noOrg)).toThrow(/accounts\.loose\.organization/);
    expect(() => loadModel(viaRole)).toThrow(/via: resource-policy/);
  });
});

describe("the sandbox: role sessions of an organization's accounts carry its keys", () => {
  const newSandbox = sandboxPerTest();
  const s3 = (s: Sandbox, k: Keys) => new S3Client({ ...clientConfig(s, k), forcePathStyle: true });

  it("a session of a role in the OU writes under its own account's prefix; one in a sibling OU is refused", async () => {
    // GIVEN the archive open to OU ou-ab12-22222222, its bucket created by the logging account, and writer roles in
    // app (in that OU) and tools (a sibling OU of the same organization)
    const state = compile(loadModel(logArchiveModel("{ous: [ou-ab12-22222222]}"))).state;
    const inOrg = addWriterRole(state, APP, "log-shipper", ["s3:PutObject"]);
    const outside = addWriterRole(state, TOOLS, "log-shipper", ["s3:PutObject"]);
    const s = await newSandbox({ state });
    await s3(s, userKeys(s, `arn:aws:iam::${LOGGING}:root`)).send(new CreateBucketCommand({ Bucket: BUCKET }));
    const member = s3(s, await assume(s, userKeys(s, `arn:aws:iam::${APP}:user/operator`), inOrg));
    const stranger = s3(s, await assume(s, userKeys(s, `arn:aws:iam::${TOOLS}:user/operator`), outside));
    // WHEN the real SDK for JavaScript puts objects under the accounts' prefixes
    const put = (client: S3Client, account: string) =>
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `AWSLogs/${account}/trail.json`, Body: "{}" }));
    // THEN the member's session may write under its own account's prefix (aws:PrincipalOrgPaths in its context)
    await put(member, APP);
    // and is refused under another account's prefix, as is the session of the sibling OU under its own
    expect(await refusal(put(member, TOOLS))).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(await refusal(put(stranger, TOOLS))).toMatchObject({ name: "AccessDenied", status: 403 });
  });
});

describe("verify on grants to organizations and OUs", () => {
  const verifyText = (text: string, change: (state: ReturnType<typeof compile>["state"]) => void = () => {}) => {
    const compiled = compile(loadModel(text));
    const deployed = structuredClone(compiled.state);
    change(deployed);
    return verify(compiled, new AccessGraph(deployed));
  };
  const bucketStatement = (state: ReturnType<typeof compile>["state"]) =>
    state.accounts.get(LOGGING)?.resourcePolicies.get(`arn:aws:s3:::${BUCKET}`)?.policy.Statement[0];

  it("proves an OU grant: a principal of the OU may write under its own prefix, one of a sibling OU or outside the organization may not", () => {
    // GIVEN the archive open to OU ou-ab12-22222222 (account app); tools is in a sibling OU, loose in no organization
    // WHEN verify checks the model's own graph
    const result = verifyText(logArchiveModel("{ous: [ou-ab12-22222222]}"));
    // THEN the grant is checked and possible, and verify passes
    expect(result.grants).toEqual([expect.objectContaining({ grant: 0, possible: true })]);
    expect(result.ok).toBe(true);
  });

  it("fails when the deployed bucket policy lost its organization condition: an outsider could write", () => {
    // GIVEN the organization grant, deployed with the bucket policy's aws:PrincipalOrgID condition removed
    // (Principal "*" then admits every AWS account)
    const result = verifyText(logArchiveModel("{organization: true}"), (state) => {
      const statement = bucketStatement(state);
      if (statement) delete statement.Condition;
    });
    // THEN verify fails on the grant, naming a principal outside the organization that may write
    expect(result.ok).toBe(false);
    expect(result.grants[0]).toMatchObject({ grant: 0, possible: false });
    expect(result.grants[0]?.reason).toMatch(
      /arn:aws:iam::\d{12}:role\/xacct-verify, not one of organization o-a1b2c3d4e5, may s3:\w+ on arn:aws:s3:::org-log-archive\/AWSLogs\/(\d{12})\/x/,
    );
  });

  it("fails when the deployed bucket policy names a different OU: a principal of the granted OU cannot write", () => {
    // GIVEN the OU grant, deployed with the bucket policy's path pointing at the sibling OU ou-ab12-33333333
    const result = verifyText(logArchiveModel("{ous: [ou-ab12-22222222]}"), (state) => {
      const statement = bucketStatement(state);
      if (statement) statement.Condition = { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": [`${ORG}/r-ab12/ou-ab12-33333333/*`] } };
    });
    // THEN verify fails, naming the member of app that is refused
    expect(result.ok).toBe(false);
    expect(result.grants[0]?.reason).toMatch(
      new RegExp(`^arn:aws:iam::${APP}:role/xacct-verify, a member, cannot s3:\\w+ on arn:aws:s3:::${BUCKET}/AWSLogs/${APP}/x`),
    );
  });
});
