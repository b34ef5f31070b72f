/**
 * The sandbox's STS beyond the first slice, driven by the real @aws-sdk/client-sts: session tags
 * and sts:TagSession, transitive tags down a chain, SourceIdentity and sts:SetSourceIdentity,
 * session policies (Policy, PolicyArns), GetSessionToken, AssumeRoleWithWebIdentity, and the
 * response XML as the STS API reference's examples lay it out. Expected answers come from the
 * STS API reference and the IAM User Guide ("Passing session tags in AWS STS", "Monitor and
 * control actions taken with assumed roles", "Session policies", GetSessionToken), and from
 * what real STS answers (error texts quoted below).
 */
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { issueToken } from "../src/sandbox/oidc.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { iamRefusal } from "../src/sandbox/session.js";
import {
  type AccountState,
  emptyAccount,
  type PolicyDocument,
  type PolicyStatement,
  policyDocument,
  type RoleState,
} from "../src/state/account-state.js";
import { type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/SANDBOXSTSTEST";
const PROVIDER = `arn:aws:iam::${B}:oidc-provider/${ISSUER}`;
const SERVICE_ACCOUNT = "system:serviceaccount:jobs:spark";

const arn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const DEV = `arn:aws:iam::${A}:user/dev`;
const NARROW = `arn:aws:iam::${A}:user/narrow`;
const ACCOUNT_A = `arn:aws:iam::${A}:root`;

function allow(actions: string | string[], resource: string | string[], condition?: PolicyStatement["Condition"]): PolicyStatement {
  return { Effect: "Allow", Action: actions, Resource: resource, ...(condition ? { Condition: condition } : {}) };
}

function trust(principal: Record<string, string>, actions: string | string[], condition?: PolicyStatement["Condition"]): PolicyStatement {
  return { Effect: "Allow", Principal: principal, Action: actions, ...(condition ? { Condition: condition } : {}) };
}

function role(
  account: string,
  name: string,
  trustStatements: PolicyStatement[],
  permissions: PolicyStatement[] = [],
  extra: Partial<RoleState> = {},
): RoleState {
  return {
    name,
    path: "/",
    arn: arn(account, name),
    trustPolicy: policyDocument(trustStatements),
    policies: new Map(permissions.length ? [["main", policyDocument(permissions)]] : []),
    managedPolicyArns: [],
    maxSessionDuration: 3600,
    tags: new Map(),
    ...extra,
  };
}

const READ_ONLY = `arn:aws:iam::${B}:policy/read-only`;
const AWS_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const BUCKET = "arn:aws:s3:::data-bucket";

/**
 * GIVEN account A's users `dev` (team=data; may assume roles, tag sessions and set source
 * identities anywhere) and `narrow` (may only assume roles); account B's roles, each trusting
 * account A with a different rule; account C's roles that B's roles chain to; and an OIDC
 * provider in B with a role trusting one Kubernetes service account.
 */
function state(): AccountState {
  const a = emptyAccount(A, "aws");
  a.users.set("dev", {
    name: "dev",
    path: "/",
    arn: DEV,
    policies: new Map([["assume", policyDocument([allow(["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], "*")])]]),
    managedPolicyArns: [],
    accessKeys: true,
    tags: new Map([["team", "data"]]),
  });
  a.users.set("narrow", {
    name: "narrow",
    path: "/",
    arn: NARROW,
    policies: new Map([["assume", policyDocument([allow("sts:AssumeRole", "*")])]]),
    managedPolicyArns: [],
    accessKeys: true,
    tags: new Map(),
  });

  const b = emptyAccount(B, "aws");
  const chainOn = allow(["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], `arn:aws:iam::${C}:role/*`);
  // tagged: the IAM User Guide's pattern — the assume statement requires a `project` request tag,
  // the TagSession statement limits which keys may be passed and which set transitive.
  b.roles.set(
    "tagged",
    role(
      B,
      "tagged",
      [
        trust({ AWS: ACCOUNT_A }, "sts:AssumeRole", { StringLike: { "aws:RequestTag/project": "*" } }),
        trust({ AWS: ACCOUNT_A }, "sts:TagSession", {
          "ForAllValues:StringEquals": { "aws:TagKeys": ["project", "cost"], "sts:TransitiveTagKeys": ["project"] },
        }),
      ],
      [chainOn],
      { maxSessionDuration: 7200 },
    ),
  );
  b.roles.set("untagged", role(B, "untagged", [trust({ AWS: ACCOUNT_A }, "sts:AssumeRole")], [chainOn]));
  b.roles.set(
    "audited",
    role(
      B,
      "audited",
      [trust({ AWS: ACCOUNT_A }, ["sts:AssumeRole", "sts:SetSourceIdentity"], { StringLike: { "sts:SourceIdentity": "dev-*" } })],
      [chainOn],
    ),
  );
  b.roles.set(
    "reader",
    role(
      B,
      "reader",
      [trust({ AWS: ACCOUNT_A }, "sts:AssumeRole")],
      [allow(["s3:GetObject", "s3:PutObject"], `${BUCKET}/*`), allow("sts:AssumeRole", `arn:aws:iam::${C}:role/*`)],
    ),
  );
  b.managedPolicies.set(READ_ONLY, policyDocument([allow("s3:GetObject", `${BUCKET}/*`)]));
  b.oidcProviders.set(PROVIDER, { arn: PROVIDER, issuer: ISSUER, clientIds: ["sts.amazonaws.com"] });
  b.roles.set(
    "irsa",
    role(
      B,
      "irsa",
      [
        trust({ Federated: PROVIDER }, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${ISSUER}:sub`]: SERVICE_ACCOUNT, [`${ISSUER}:aud`]: "sts.amazonaws.com" },
        }),
      ],
      [allow(["s3:GetObject", "s3:PutObject"], `${BUCKET}/*`)],
      { maxSessionDuration: 7200 },
    ),
  );

  const c = emptyAccount(C, "aws");
  const fromB = (name: string) => ({ AWS: arn(B, name) });
  // next: admits a session of `tagged` only while it carries project=blue as a principal tag.
  c.roles.set(
    "next",
    role(
      C,
      "next",
      [
        trust(fromB("tagged"), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/project": "blue" } }),
        trust(fromB("tagged"), "sts:TagSession"),
      ],
      [allow(["sts:AssumeRole", "sts:TagSession"], `arn:aws:iam::${C}:role/*`)],
    ),
  );
  // last / costly: the third hop, admitting `next` by the tags its session carries.
  c.roles.set(
    "last",
    role(C, "last", [
      trust({ AWS: arn(C, "next") }, ["sts:AssumeRole", "sts:TagSession"], { StringEquals: { "aws:PrincipalTag/project": "blue" } }),
    ]),
  );
  c.roles.set(
    "costly",
    role(C, "costly", [
      trust({ AWS: arn(C, "next") }, ["sts:AssumeRole", "sts:TagSession"], { Null: { "aws:PrincipalTag/cost": "false" } }),
    ]),
  );
  // strict: trusts `tagged` to assume it, but not to tag the session.
  c.roles.set("strict", role(C, "strict", [trust(fromB("tagged"), "sts:AssumeRole")]));
  c.roles.set(
    "audit2",
    role(C, "audit2", [
      trust(fromB("audited"), ["sts:AssumeRole", "sts:SetSourceIdentity"], { StringLike: { "aws:SourceIdentity": "dev-*" } }),
    ]),
  );
  c.roles.set("audit-strict", role(C, "audit-strict", [trust(fromB("audited"), "sts:AssumeRole")]));
  c.roles.set("x", role(C, "x", [trust(fromB("reader"), "sts:AssumeRole")]));
  c.roles.set("y", role(C, "y", [trust(fromB("reader"), "sts:AssumeRole")]));

  return {
    accounts: new Map([a, b, c].map((e) => [e.id, e])),
    awsManagedPolicies: new Map<string, PolicyDocument>([[AWS_READ, policyDocument([allow(["s3:GetObject", "s3:ListBucket"], "*")])]]),
  };
}

const newSandbox = sandboxPerTest();

/** A sandbox over the state whose clock stands at the real time when it starts, unless moved. */
async function start(): Promise<{ s: Sandbox; clock: { now: number }; keys: (arn: string) => Keys }> {
  const clock = { now: Date.now() };
  const s = await newSandbox({ state: state(), clock: () => clock.now });
  return { s, clock, keys: (userArn) => userKeys(s, userArn) };
}

function sts(s: Sandbox, credentials?: Keys): STSClient {
  return new STSClient({ endpoint: s.url, region: "eu-west-1", maxAttempts: 1, ...(credentials ? { credentials } : {}) });
}

async function assume(client: STSClient, input: Omit<AssumeRoleCommandInput, "RoleSessionName"> & { RoleSessionName?: string }) {
  const out = await client.send(new AssumeRoleCommand({ RoleSessionName: "s1", ...input }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("incomplete AssumeRole answer");
  return { keys: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, out };
}

const denied = (caller: string, action: string, roleArn: string) => ({
  name: "AccessDenied",
  status: 403,
  message: `User: ${caller} is not authorized to perform: ${action} on resource: ${roleArn}`,
});
const session = (account: string, name: string, sessionName = "s1") => `arn:aws:sts::${account}:assumed-role/${name}/${sessionName}`;

describe("AssumeRole session tags", () => {
  it("passes tags the trust allows with sts:TagSession, and reports a packed size", async () => {
    const { s, keys } = await start();
    const { out } = await assume(sts(s, keys(DEV)), {
      RoleArn: arn(B, "tagged"),
      Tags: [{ Key: "project", Value: "blue" }],
      TransitiveTagKeys: ["project"],
    });
    expect(out.AssumedRoleUser?.Arn).toBe(session(B, "tagged"));
    // "A percentage value that indicates the packed size of the session policies and session tags".
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(100);
  });

  it("refuses a request the assume statement's aws:RequestTag condition does not admit", async () => {
    const { s, keys } = await start();
    // No `project` tag: the trust's sts:AssumeRole statement requires one.
    expect(await refusal(assume(sts(s, keys(DEV)), { RoleArn: arn(B, "tagged"), Tags: [{ Key: "cost", Value: "42" }] }))).toEqual(
      denied(DEV, "sts:AssumeRole", arn(B, "tagged")),
    );
  });

  it("refuses tags the trust's sts:TagSession statement does not allow (a key outside aws:TagKeys, a transitive key outside sts:TransitiveTagKeys)", async () => {
    const { s, keys } = await start();
    const client = sts(s, keys(DEV));
    const tagSession = denied(DEV, "sts:TagSession", arn(B, "tagged"));
    expect(
      await refusal(
        assume(client, {
          RoleArn: arn(B, "tagged"),
          Tags: [
            { Key: "project", Value: "blue" },
            { Key: "owner", Value: "me" },
          ],
        }),
      ),
    ).toEqual(tagSession);
    expect(
      await refusal(
        assume(client, {
          RoleArn: arn(B, "tagged"),
          Tags: [
            { Key: "project", Value: "blue" },
            { Key: "cost", Value: "42" },
          ],
          TransitiveTagKeys: ["cost"],
        }),
      ),
    ).toEqual(tagSession);
  });

  it("needs sts:TagSession in the trust (untagged allows only sts:AssumeRole) and on the caller's side (narrow's policy lacks it)", async () => {
    const { s, keys } = await start();
    expect(await refusal(assume(sts(s, keys(DEV)), { RoleArn: arn(B, "untagged"), Tags: [{ Key: "project", Value: "blue" }] }))).toEqual(
      denied(DEV, "sts:TagSession", arn(B, "untagged")),
    );
    expect(await refusal(assume(sts(s, keys(NARROW)), { RoleArn: arn(B, "tagged"), Tags: [{ Key: "project", Value: "blue" }] }))).toEqual(
      denied(NARROW, "sts:TagSession", arn(B, "tagged")),
    );
    // Without tags, sts:TagSession is not needed.
    expect((await assume(sts(s, keys(NARROW)), { RoleArn: arn(B, "untagged") })).out.AssumedRoleUser?.Arn).toBe(session(B, "untagged"));
  });

  it("refuses duplicate keys (case-insensitive), transitive keys not among the tags, and more than 50 tags, in AWS's words", async () => {
    const { s, keys } = await start();
    const client = sts(s, keys(DEV));
    // Texts as real STS answers them (InvalidParameterValue).
    expect(
      await refusal(
        assume(client, {
          RoleArn: arn(B, "tagged"),
          Tags: [
            { Key: "project", Value: "blue" },
            { Key: "Project", Value: "red" },
          ],
        }),
      ),
    ).toEqual({
      name: "InvalidParameterValue",
      status: 400,
      message: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    });
    expect(
      await refusal(assume(client, { RoleArn: arn(B, "tagged"), Tags: [{ Key: "project", Value: "blue" }], TransitiveTagKeys: ["cost"] })),
    ).toEqual({
      name: "InvalidParameterValue",
      status: 400,
      message: "The specified transitive tag key must be included in the requested tags.",
    });
    // "You can pass up to 50 session tags" (tagListType: max 50).
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await refusal(assume(client, { RoleArn: arn(B, "tagged"), Tags: many }))).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    });
  });

  it("refuses keys over 128 and values over 256 characters, naming the member, in one ValidationError", async () => {
    const { s, keys } = await start();
    const key = "k".repeat(129);
    const value = "v".repeat(257);
    expect(
      await refusal(
        assume(sts(s, keys(DEV)), {
          RoleArn: arn(B, "tagged"),
          Tags: [
            { Key: key, Value: "ok" },
            { Key: "project", Value: value },
          ],
        }),
      ),
    ).toEqual({
      name: "ValidationError",
      status: 400,
      message: `2 validation errors detected: Value '${key}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128; Value '${value}' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
    });
  });
});

describe("transitive tags down a chain", () => {
  it("carries a transitive tag to the second hop, where the trust sees it as aws:PrincipalTag, and on to the third; a non-transitive tag stops after the first session", async () => {
    const { s, keys } = await start();
    const first = await assume(sts(s, keys(DEV)), {
      RoleArn: arn(B, "tagged"),
      Tags: [
        { Key: "project", Value: "blue" },
        { Key: "cost", Value: "42" },
      ],
      TransitiveTagKeys: ["project"],
    });
    // Second hop: `next` admits only a caller whose principal tag project is blue.
    const second = await assume(sts(s, first.keys), { RoleArn: arn(C, "next") });
    expect(second.out.AssumedRoleUser?.Arn).toBe(session(C, "next"));
    // Third hop: project=blue came along (transitive), cost=42 did not.
    expect((await assume(sts(s, second.keys), { RoleArn: arn(C, "last") })).out.AssumedRoleUser?.Arn).toBe(session(C, "last"));
    expect(await refusal(assume(sts(s, second.keys), { RoleArn: arn(C, "costly") }))).toEqual(
      denied(session(C, "next"), "sts:AssumeRole", arn(C, "costly")),
    );
  });

  it("without TransitiveTagKeys no tag passes on: the second hop's trust does not see project=blue", async () => {
    const { s, keys } = await start();
    const first = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "tagged"), Tags: [{ Key: "project", Value: "blue" }] });
    const second = await assume(sts(s, first.keys), { RoleArn: arn(C, "next") });
    // `next` itself saw the first session's own tags; the session it gives carries none on.
    expect(await refusal(assume(sts(s, second.keys), { RoleArn: arn(C, "last") }))).toEqual(
      denied(session(C, "next"), "sts:AssumeRole", arn(C, "last")),
    );
  });

  it("refuses a request that passes a tag with the same key as an inherited transitive tag", async () => {
    const { s, keys } = await start();
    const first = await assume(sts(s, keys(DEV)), {
      RoleArn: arn(B, "tagged"),
      Tags: [{ Key: "project", Value: "blue" }],
      TransitiveTagKeys: ["project"],
    });
    // "If you pass a session tag with the same key as an inherited tag, the operation fails."
    expect(await refusal(assume(sts(s, first.keys), { RoleArn: arn(C, "next"), Tags: [{ Key: "Project", Value: "red" }] }))).toEqual({
      name: "InvalidParameterValue",
      status: 400,
      message:
        "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    });
  });

  it("inherited transitive tags are session tags of the next session too: its trust must allow sts:TagSession", async () => {
    const { s, keys } = await start();
    const first = await assume(sts(s, keys(DEV)), {
      RoleArn: arn(B, "tagged"),
      Tags: [{ Key: "project", Value: "blue" }],
      TransitiveTagKeys: ["project"],
    });
    expect(await refusal(assume(sts(s, first.keys), { RoleArn: arn(C, "strict") }))).toEqual(
      denied(session(B, "tagged"), "sts:TagSession", arn(C, "strict")),
    );
    // A session with no transitive tags assumes `strict` without it.
    const plain = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "tagged"), Tags: [{ Key: "project", Value: "blue" }] });
    expect((await assume(sts(s, plain.keys), { RoleArn: arn(C, "strict") })).out.AssumedRoleUser?.Arn).toBe(session(C, "strict"));
  });
});

describe("SourceIdentity", () => {
  it("is set when the trust allows sts:SetSourceIdentity with the value's condition, and answered back", async () => {
    const { s, keys } = await start();
    const { out } = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "audited"), SourceIdentity: "dev-alice" });
    expect(out.SourceIdentity).toBe("dev-alice");
    // The trust's sts:SourceIdentity condition: dev-* only.
    expect(await refusal(assume(sts(s, keys(DEV)), { RoleArn: arn(B, "audited"), SourceIdentity: "ops-bob" }))).toEqual(
      denied(DEV, "sts:AssumeRole", arn(B, "audited")),
    );
    // untagged's trust has no sts:SetSourceIdentity.
    expect(await refusal(assume(sts(s, keys(DEV)), { RoleArn: arn(B, "untagged"), SourceIdentity: "dev-alice" }))).toEqual(
      denied(DEV, "sts:SetSourceIdentity", arn(B, "untagged")),
    );
  });

  it("is carried through the chain (aws:SourceIdentity in the next trust), cannot be changed, and needs sts:SetSourceIdentity at every hop", async () => {
    const { s, keys } = await start();
    const first = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "audited"), SourceIdentity: "dev-alice" });
    const second = await assume(sts(s, first.keys), { RoleArn: arn(C, "audit2") });
    expect(second.out.SourceIdentity).toBe("dev-alice");
    // Passing the same value again is no change.
    expect((await assume(sts(s, first.keys), { RoleArn: arn(C, "audit2"), SourceIdentity: "dev-alice" })).out.SourceIdentity).toBe(
      "dev-alice",
    );
    // "If the user attempts to set a source identity that is different from the value set when
    // CriticalRole was assumed, the assume role request will be denied."
    expect(await refusal(assume(sts(s, first.keys), { RoleArn: arn(C, "audit2"), SourceIdentity: "dev-mallory" }))).toMatchObject({
      name: "AccessDenied",
      status: 403,
    });
    // "permissions for sts:SetSourceIdentity are required in ... the role trust policy of the target role".
    expect(await refusal(assume(sts(s, first.keys), { RoleArn: arn(C, "audit-strict") }))).toEqual(
      denied(session(B, "audited"), "sts:SetSourceIdentity", arn(C, "audit-strict")),
    );
  });

  it("refuses a value outside its shape (2–64 characters of [\\w+=,.@-], so never aws:…)", async () => {
    const { s, keys } = await start();
    expect(await refusal(assume(sts(s, keys(DEV)), { RoleArn: arn(B, "audited"), SourceIdentity: "aws:me" }))).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value 'aws:me' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
  });
});

describe("session policies", () => {
  const onlyY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: arn(C, "y") }],
  });

  it("narrow the session: an action the role allows but the inline Policy does not is denied", async () => {
    const { s, keys } = await start();
    const reader = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "reader"), Policy: onlyY });
    expect(reader.out.PackedPolicySize).toBeGreaterThan(0);
    // The role allows sts:AssumeRole on every role of C; the session policy only on y.
    expect((await assume(sts(s, reader.keys), { RoleArn: arn(C, "y") })).out.AssumedRoleUser?.Arn).toBe(session(C, "y"));
    expect(await refusal(assume(sts(s, reader.keys), { RoleArn: arn(C, "x") }))).toEqual(
      denied(session(B, "reader"), "sts:AssumeRole", arn(C, "x")),
    );
    // Without the session policy, the role's own permissions allow x.
    const full = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "reader") });
    expect((await assume(sts(s, full.keys), { RoleArn: arn(C, "x") })).out.AssumedRoleUser?.Arn).toBe(session(C, "x"));
  });

  it("PolicyArns: a customer managed policy of the role's account, or an AWS managed one; the session may only what both the role and they allow", async () => {
    const { s, keys } = await start();
    for (const policyArn of [READ_ONLY, AWS_READ]) {
      const reader = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "reader"), PolicyArns: [{ arn: policyArn }] });
      const credential = s.core.store.get(reader.keys.accessKeyId);
      if (!credential) throw new Error("the session is not in the store");
      const decide = (action: string) =>
        s.core.authorize(credential, action, `${BUCKET}/report.csv`, { requestId: "test", resourceAccount: B })?.decision;
      expect(decide("s3:GetObject")).toBe("Allow");
      // The role allows s3:PutObject; neither managed session policy does.
      expect(decide("s3:PutObject")).toBe("ImplicitDeny");
    }
  });

  it("refuses a malformed Policy, an unknown policy ARN, and policies too large once packed", async () => {
    const { s, keys } = await start();
    const client = sts(s, keys(DEV));
    expect(await refusal(assume(client, { RoleArn: arn(B, "reader"), Policy: "{not json" }))).toMatchObject({
      name: "MalformedPolicyDocumentException",
      status: 400,
    });
    // A session policy has no Principal: it applies to the session.
    expect(
      await refusal(
        assume(client, {
          RoleArn: arn(B, "reader"),
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }],
          }),
        }),
      ),
    ).toMatchObject({ name: "MalformedPolicyDocumentException", status: 400 });
    // "The policies must exist in the same account as the role."
    expect(
      await refusal(assume(client, { RoleArn: arn(B, "reader"), PolicyArns: [{ arn: `arn:aws:iam::${A}:policy/elsewhere` }] })),
    ).toMatchObject({ name: "MalformedPolicyDocumentException", status: 400 });
    // Under the 2,048-character plaintext limit, but with random names nothing packs away.
    const statements = Array.from({ length: 17 }, () => ({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${randomBytes(30).toString("base64url")}/*`,
    }));
    const text = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    expect(text.length).toBeLessThanOrEqual(2048);
    const large = await refusal(assume(client, { RoleArn: arn(B, "reader"), Policy: text }));
    expect(large).toMatchObject({ name: "PackedPolicyTooLargeException", status: 400 });
    expect(large.message).toMatch(/^Packed policy consumes \d{3,}% of allotted space, please use smaller policy\.$/);
    // "The total size of the plain text of session policies exceeds 2048 characters": refused before packing.
    const over = await refusal(
      assume(client, { RoleArn: arn(B, "reader"), Policy: `${text.slice(0, -2)}${" ".repeat(2049 - text.length)}]}` }),
    );
    expect(over).toMatchObject({ name: "ValidationError", status: 400 });
    expect(over.message).toMatch(/ at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048$/);
  });
});

describe("DurationSeconds", () => {
  it("runs from 900 s up to the role's MaxSessionDuration; over 3600 s on a chained session fails with AWS's text", async () => {
    const { s, keys, clock } = await start();
    const client = sts(s, keys(DEV));
    const tagged = await assume(client, { RoleArn: arn(B, "tagged"), Tags: [{ Key: "project", Value: "blue" }], DurationSeconds: 7200 });
    expect(tagged.out.Credentials?.Expiration?.getTime()).toBe(Math.floor((clock.now + 7200_000) / 1000) * 1000);
    expect(await refusal(assume(client, { RoleArn: arn(B, "untagged"), DurationSeconds: 7200 }))).toEqual({
      name: "ValidationError",
      status: 400,
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    expect(await refusal(assume(client, { RoleArn: arn(B, "untagged"), DurationSeconds: 899 }))).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    expect(await refusal(assume(sts(s, tagged.keys), { RoleArn: arn(C, "next"), DurationSeconds: 3601 }))).toEqual({
      name: "ValidationError",
      status: 400,
      message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
  });

  it("the root user cannot assume a role", async () => {
    const { s, keys } = await start();
    // What real STS answers when root's keys call AssumeRole.
    expect(await refusal(assume(sts(s, keys(ACCOUNT_A)), { RoleArn: arn(B, "untagged") }))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: "Roles may not be assumed by root accounts.",
    });
  });
});

describe("GetSessionToken", () => {
  it("gives an IAM user a session with the user's own ARN, 12 hours by default and up to 36", async () => {
    const { s, keys, clock } = await start();
    const out = await sts(s, keys(DEV)).send(new GetSessionTokenCommand({}));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("incomplete answer");
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.Expiration?.getTime()).toBe(Math.floor((clock.now + 43200_000) / 1000) * 1000);
    const me = await sts(s, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(me).toMatchObject({ Arn: DEV, Account: A });
    expect(me.UserId).toMatch(/^AIDA/);
    const longest = await sts(s, keys(DEV)).send(new GetSessionTokenCommand({ DurationSeconds: 129600 }));
    expect(longest.Credentials?.Expiration?.getTime()).toBe(Math.floor((clock.now + 129600_000) / 1000) * 1000);
    expect(await refusal(sts(s, keys(DEV)).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })))).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    });
  });

  it("gives the root user an hour at most ('If the duration is longer than one hour, the session for AWS account owners defaults to one hour')", async () => {
    const { s, keys, clock } = await start();
    const out = await sts(s, keys(ACCOUNT_A)).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    expect(out.Credentials?.Expiration?.getTime()).toBe(Math.floor((clock.now + 3600_000) / 1000) * 1000);
  });

  it("is refused to session credentials, its own included, with real STS's text", async () => {
    const { s, keys } = await start();
    const role = await assume(sts(s, keys(DEV)), { RoleArn: arn(B, "untagged") });
    const expected = { name: "AccessDenied", status: 403, message: "Cannot call GetSessionToken with session credentials" };
    expect(await refusal(sts(s, role.keys).send(new GetSessionTokenCommand({})))).toEqual(expected);
    const own = (await sts(s, keys(DEV)).send(new GetSessionTokenCommand({}))).Credentials;
    const ownKeys = {
      accessKeyId: own?.AccessKeyId as string,
      secretAccessKey: own?.SecretAccessKey as string,
      sessionToken: own?.SessionToken as string,
    };
    expect(await refusal(sts(s, ownKeys).send(new GetSessionTokenCommand({})))).toEqual(expected);
  });

  it("its session may call AssumeRole, which is not role chaining (a 2-hour session is allowed), and IAM refuses it without MFA", async () => {
    const { s, keys } = await start();
    const own = (await sts(s, keys(DEV)).send(new GetSessionTokenCommand({}))).Credentials;
    const ownKeys = {
      accessKeyId: own?.AccessKeyId as string,
      secretAccessKey: own?.SecretAccessKey as string,
      sessionToken: own?.SessionToken as string,
    };
    const role = await assume(sts(s, ownKeys), {
      RoleArn: arn(B, "tagged"),
      Tags: [{ Key: "project", Value: "blue" }],
      DurationSeconds: 7200,
    });
    expect(role.out.AssumedRoleUser?.Arn).toBe(session(B, "tagged"));
    // "You cannot call any IAM API operations unless MFA authentication information is included";
    // IAM answers InvalidClientTokenId, as it does for a token it does not know.
    const credential = s.core.store.get(ownKeys.accessKeyId);
    expect(credential && iamRefusal(credential)).toMatchObject({
      status: 403,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid",
    });
    const longTerm = s.core.store.get(keys(DEV).accessKeyId);
    expect(longTerm && iamRefusal(longTerm)).toBeUndefined();
  });

  it("refuses an MFA device the sandbox cannot verify", async () => {
    const { s, keys } = await start();
    expect(
      await refusal(sts(s, keys(DEV)).send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${A}:mfa/dev`, TokenCode: "123456" }))),
    ).toMatchObject({ name: "AccessDenied", status: 403 });
  });
});

describe("AssumeRoleWithWebIdentity", () => {
  it("exchanges a token of the trusted service account for a session of the role, unsigned, with AWS's response fields", async () => {
    const { s } = await start();
    const token = await issueToken(s.core, { issuer: ISSUER, sub: SERVICE_ACCOUNT });
    const out = await sts(s).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: arn(B, "irsa"),
        RoleSessionName: "spark",
        WebIdentityToken: token,
        DurationSeconds: 7200,
      }),
    );
    expect(out).toMatchObject({
      SubjectFromWebIdentityToken: SERVICE_ACCOUNT,
      Audience: "sts.amazonaws.com",
      Provider: `https://${ISSUER}`,
      AssumedRoleUser: { Arn: session(B, "irsa", "spark") },
    });
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]+:spark$/);
    const c = out.Credentials;
    const me = await sts(s, {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    }).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(session(B, "irsa", "spark"));
  });

  it("refuses a subject the trust does not name: 'Not authorized to perform sts:AssumeRoleWithWebIdentity'", async () => {
    const { s } = await start();
    const token = await issueToken(s.core, { issuer: ISSUER, sub: "system:serviceaccount:jobs:other" });
    expect(
      await refusal(
        sts(s).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn(B, "irsa"), RoleSessionName: "spark", WebIdentityToken: token })),
      ),
    ).toEqual({ name: "AccessDenied", status: 403, message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" });
  });

  it("refuses an expired token (ExpiredTokenException) and one that is no token (InvalidIdentityToken)", async () => {
    const { s, clock } = await start();
    const token = await issueToken(s.core, { issuer: ISSUER, sub: SERVICE_ACCOUNT, expiresInSeconds: 60 });
    clock.now += 120_000;
    const call = (t: string) =>
      sts(s).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn(B, "irsa"), RoleSessionName: "spark", WebIdentityToken: t }));
    expect(await refusal(call(token))).toMatchObject({ name: "ExpiredTokenException", status: 400 });
    expect(await refusal(call("not-a-jwt"))).toMatchObject({ name: "InvalidIdentityTokenException", status: 400 });
  });

  it("takes a session policy that narrows the session, and the role's MaxSessionDuration", async () => {
    const { s } = await start();
    const token = await issueToken(s.core, { issuer: ISSUER, sub: SERVICE_ACCOUNT });
    const Policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    const out = await sts(s).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: arn(B, "irsa"), RoleSessionName: "spark", WebIdentityToken: token, Policy }),
    );
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const credential = s.core.store.get(out.Credentials?.AccessKeyId as string);
    if (!credential) throw new Error("the session is not in the store");
    expect(s.core.authorize(credential, "s3:GetObject", `${BUCKET}/a`, { requestId: "test", resourceAccount: B })?.decision).toBe("Allow");
    expect(s.core.authorize(credential, "s3:PutObject", `${BUCKET}/a`, { requestId: "test", resourceAccount: B })?.decision).toBe(
      "ImplicitDeny",
    );
    expect(
      await refusal(
        sts(s).send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: arn(B, "irsa"),
            RoleSessionName: "spark",
            WebIdentityToken: token,
            DurationSeconds: 7201,
          }),
        ),
      ),
    ).toEqual({
      name: "ValidationError",
      status: 400,
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
  });

  it("never repeats the token in a validation error", async () => {
    const { s } = await start();
    // webIdentityToken is 4–20000 characters and sensitive: the message names the member, not the value.
    const refused = await refusal(
      sts(s).send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn(B, "irsa"), RoleSessionName: "spark", WebIdentityToken: "eyJ" })),
    );
    expect(refused).toMatchObject({ name: "ValidationError", status: 400 });
    expect(refused.message).toContain("'webIdentityToken'");
    expect(refused.message).not.toContain("eyJ");
  });
});

/** A raw STS request signed with SigV4, for the body exactly as the sandbox writes it. */
async function rawSts(s: Sandbox, form: Record<string, string>, credentials?: Keys): Promise<string> {
  const body = new URLSearchParams({ Version: "2011-06-15", ...form }).toString();
  const headers: Record<string, string> = { host: `127.0.0.1:${s.port}`, "content-type": "application/x-www-form-urlencoded" };
  const signed = credentials
    ? (
        await new SignatureV4({ credentials, region: "eu-west-1", service: "sts", sha256: Sha256 }).sign({
          method: "POST",
          protocol: "http:",
          hostname: "127.0.0.1",
          port: s.port,
          path: "/",
          headers,
          body,
          query: {},
        })
      ).headers
    : headers;
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${s.url}/`, { method: "POST", headers: signed }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("response XML, as the STS API reference's examples lay it out", () => {
  const T = "[^<]+";
  it("AssumeRole: SourceIdentity, AssumedRoleUser (Arn, AssumedRoleId), Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration), PackedPolicySize", async () => {
    const { s, keys } = await start();
    const ok = await rawSts(
      s,
      {
        Action: "AssumeRole",
        RoleArn: arn(B, "audited"),
        RoleSessionName: "s1",
        SourceIdentity: "dev-alice",
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      },
      keys(DEV),
    );
    expect(ok).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><SourceIdentity>dev-alice</SourceIdentity><AssumedRoleUser><Arn>${session(B, "audited")}</Arn><AssumedRoleId>AROA${T}:s1</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIA${T}</AccessKeyId><SecretAccessKey>${T}</SecretAccessKey><SessionToken>${T}</SessionToken><Expiration>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ</Expiration></Credentials><PackedPolicySize>\\d+</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></AssumeRoleResponse>$`,
      ),
    );
  });

  it("GetSessionToken: Credentials (SessionToken, SecretAccessKey, Expiration, AccessKeyId)", async () => {
    const { s, keys } = await start();
    expect(await rawSts(s, { Action: "GetSessionToken" }, keys(DEV))).toMatch(
      new RegExp(
        `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials><SessionToken>${T}</SessionToken><SecretAccessKey>${T}</SecretAccessKey><Expiration>${T}</Expiration><AccessKeyId>ASIA${T}</AccessKeyId></Credentials></GetSessionTokenResult><ResponseMetadata>`,
      ),
    );
  });

  it("AssumeRoleWithWebIdentity (unsigned): SubjectFromWebIdentityToken, Audience, AssumedRoleUser, Credentials (SessionToken, SecretAccessKey, Expiration, AccessKeyId), Provider", async () => {
    const { s } = await start();
    const token = await issueToken(s.core, { issuer: ISSUER, sub: SERVICE_ACCOUNT });
    expect(
      await rawSts(s, { Action: "AssumeRoleWithWebIdentity", RoleArn: arn(B, "irsa"), RoleSessionName: "spark", WebIdentityToken: token }),
    ).toMatch(
      new RegExp(
        `<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>${SERVICE_ACCOUNT}</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience><AssumedRoleUser><Arn>${session(B, "irsa", "spark")}</Arn><AssumedRoleId>AROA${T}:spark</AssumedRoleId></AssumedRoleUser><Credentials><SessionToken>${T}</SessionToken><SecretAccessKey>${T}</SecretAccessKey><Expiration>${T}</Expiration><AccessKeyId>ASIA${T}</AccessKeyId></Credentials><Provider>https://${ISSUER}</Provider></AssumeRoleWithWebIdentityResult>`,
      ),
    );
  });
});
