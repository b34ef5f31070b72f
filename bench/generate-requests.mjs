/**
 * Deterministic generator of varied `xacct simulate` requests, for the benchmark and for anything
 * else that needs a realistic batch (same seed, same requests, on every machine).
 *
 * The requests mix same-account and cross-account calls by IAM users, role sessions, account
 * roots and service principals against S3, SQS, KMS and STS AssumeRole (whose trust policy is the
 * resourcePolicy). Identity policies have 1-6 statements with wildcards, NotAction, policy
 * variables (${aws:username}, ${aws:PrincipalTag/team}) and conditions (StringEquals, StringLike,
 * IpAddress, Bool, NumericLessThan, ForAnyValue, …IfExists); some requests carry a resource
 * policy, a permissions boundary, a session policy, a VPC endpoint policy, SCP levels and RCP
 * levels. Statements are drawn partly to fit the request and partly as noise, so the decisions
 * are a mix of Allow, ImplicitDeny and ExplicitDeny.
 *
 * Usage: `generateRequests({ count, seed })` returns request objects; `toJsonLines(requests)`
 * returns the JSON Lines text. Run directly, it prints JSON Lines:
 * `node bench/generate-requests.mjs [count] [seed] > requests.jsonl`.
 */
import { pathToFileURL } from "node:url";

export const DEFAULT_SEED = 20261123;

/** mulberry32: a small, fast 32-bit PRNG; good enough for test data, and fully deterministic. */
export function createRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const range = (lo, hi) => lo + int(hi - lo + 1);
  const chance = (p) => next() < p;
  const pick = (list) => list[int(list.length)];
  /** Picks one of `[weight, value]` pairs. */
  const weighted = (pairs) => {
    const total = pairs.reduce((n, [w]) => n + w, 0);
    let r = next() * total;
    for (const [w, v] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  };
  /** Up to `n` distinct elements, in list order. */
  const some = (list, n) => {
    const chosen = new Set();
    while (chosen.size < Math.min(n, list.length)) chosen.add(int(list.length));
    return [...chosen].sort((x, y) => x - y).map((i) => list[i]);
  };
  const hex = (n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[int(16)];
    return s;
  };
  const digits = (n) => {
    let s = String(range(1, 9));
    for (let i = 1; i < n; i++) s += String(int(10));
    return s;
  };
  return { next, int, range, chance, pick, weighted, some, hex, digits };
}

const VERSION = "2012-10-17";
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const ROLES = ["app", "deploy-ci", "data-reader", "admin", "lambda-exec", "audit", "etl-worker", "support"];
const TEAMS = ["data", "platform", "web", "security", "data-science"];
const SESSIONS = ["i-0abc123", "botocore-session-1700000000", "ci-run-4821", "alice@example.com", "etl-nightly"];
const BUCKET_KINDS = ["data-lake", "logs", "home", "artifacts", "reports"];
const QUEUE_NAMES = ["orders", "events", "app-jobs", "data-ingest", "orders-dlq", "web-notifications"];
const S3_ACTIONS = ["s3:GetObject", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetObjectTagging"];
const SQS_ACTIONS = [
  "sqs:SendMessage",
  "sqs:SendMessage",
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:PurgeQueue",
];
const KMS_ACTIONS = ["kms:Decrypt", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ReEncryptFrom"];
const OTHER_ACTIONS = [
  "dynamodb:GetItem",
  "ec2:DescribeInstances",
  "iam:PassRole",
  "lambda:InvokeFunction",
  "logs:PutLogEvents",
  "sns:Publish",
];
const SOURCE_IPS_INTERNAL = ["10.1.2.3", "10.20.30.40", "10.0.0.7", "192.0.2.44"];
const SOURCE_IPS_EXTERNAL = ["203.0.113.7", "198.51.100.23", "2001:db8::1", "203.0.113.200"];

/**
 * A fixed world for one seed: an organization with accounts and OUs, plus accounts outside it,
 * each with buckets, queues, keys and roles.
 */
function makeWorld(rnd) {
  const orgId = `o-${rnd.hex(10)}`;
  const rootId = `r-${rnd.hex(4)}`;
  const ous = ["prod", "dev", "sandbox"].map((name) => ({ name, id: `ou-${rootId.slice(2)}-${name}${rnd.hex(4)}` }));
  const accounts = [];
  for (let i = 0; i < 8; i++) {
    const inOrg = i < 6;
    const ou = inOrg ? ous[i % ous.length] : undefined;
    const id = rnd.digits(12);
    accounts.push({
      id,
      inOrg,
      ou,
      orgPath: inOrg ? `${orgId}/${rootId}/${ou.id}/` : undefined,
      region: REGIONS[i % REGIONS.length],
      buckets: BUCKET_KINDS.map((kind) => `${kind}-${id.slice(-4)}${rnd.hex(2)}`),
      keys: [0, 1, 2].map(() => `${rnd.hex(8)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(12)}`),
    });
  }
  return { orgId, rootId, ous, accounts };
}

/** Builds a Condition object from `[operator, key, value]` triples (later duplicates of a key are dropped). */
function condition(tests) {
  const out = {};
  for (const [op, key, value] of tests) {
    out[op] ??= {};
    if (out[op][key] === undefined) out[op][key] = value;
  }
  return out;
}

/** One value or a list, as policy authors write them. */
function oneOrMany(rnd, list) {
  return list.length === 1 && rnd.chance(0.6) ? list[0] : list;
}

/** A glob of an action that still matches it: `s3:Get*`, `s3:*`, `s3:GetObjec?`, or lower-cased. */
function actionPatternFor(rnd, action) {
  const [service, name] = action.split(":");
  return rnd.weighted([
    [5, action],
    [3, `${service}:*`],
    [3, `${service}:${name.slice(0, Math.max(1, Math.min(name.length - 1, rnd.range(3, 7))))}*`],
    [1, `${service}:${name.slice(0, -1)}?`],
    [1, action.toLowerCase()],
    [1, "*"],
  ]);
}

/** A related action that is not the request's (a near miss). */
function otherActionOf(rnd, action) {
  const service = action.split(":")[0];
  const pool =
    { s3: S3_ACTIONS, sqs: SQS_ACTIONS, kms: KMS_ACTIONS, sts: ["sts:TagSession", "sts:GetCallerIdentity"] }[service] ?? OTHER_ACTIONS;
  const others = pool.filter((a) => a !== action);
  return rnd.chance(0.7) && others.length ? rnd.pick(others) : rnd.pick(OTHER_ACTIONS);
}

/** A resource pattern that matches the request's resource (wildcards of several shapes). */
function resourcePatternFor(rnd, req) {
  const { resource, kind } = req;
  const choices = [
    [4, resource],
    [2, "*"],
  ];
  if (kind === "s3") {
    const bucket = req.bucket;
    if (req.key !== undefined) {
      choices.push([4, `arn:aws:s3:::${bucket}/*`]);
      choices.push([2, `arn:aws:s3:::${bucket.split("-")[0]}-*/*`]);
      const dir = req.key.slice(0, req.key.lastIndexOf("/") + 1);
      if (dir) choices.push([2, `arn:aws:s3:::${bucket}/${dir}*`]);
      choices.push([1, `arn:aws:s3:::${bucket}/${req.key.slice(0, -1)}?`]);
    } else {
      choices.push([3, `arn:aws:s3:::${bucket.split("-")[0]}-*`]);
    }
  } else {
    const [, , service, region, account, rest] = resource.match(/^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.*)$/);
    choices.push([3, `arn:aws:${service}:*:${account}:*`]);
    choices.push([2, `arn:aws:${service}:${region}:*:${rest}`]);
    if (rest.includes("/")) choices.push([2, `arn:aws:${service}:${region}:${account}:${rest.split("/")[0]}/*`]);
    else choices.push([2, `arn:aws:${service}:${region}:${account}:${rest.slice(0, 3)}*`]);
  }
  return rnd.weighted(choices);
}

/** A resource pattern for the same service that does not match the request's resource. */
function otherResourceOf(rnd, world, req) {
  const account = rnd.pick(world.accounts);
  switch (req.kind) {
    case "s3":
      return rnd.pick([
        `arn:aws:s3:::${rnd.pick(account.buckets)}-archive/*`,
        `arn:aws:s3:::${req.bucket}/private/*`,
        `arn:aws:s3:::other-bucket-${account.id.slice(0, 4)}`,
      ]);
    case "sqs":
      return `arn:aws:sqs:${rnd.pick(REGIONS)}:${account.id}:${rnd.pick(QUEUE_NAMES)}-legacy`;
    case "kms":
      return `arn:aws:kms:${account.region}:${account.id}:key/${rnd.hex(8)}-0000-0000-0000-${rnd.hex(12)}`;
    default:
      return `arn:aws:iam::${account.id}:role/${rnd.pick(ROLES)}-readonly`;
  }
}

/**
 * Condition tests for a principal-side (identity, boundary, session) statement; each holds for
 * the request more often than not, but not always.
 */
function identityConditionTests(rnd, world, req) {
  const ctx = req.context;
  const p = req.principal;
  const candidates = [
    () => ["StringEquals", "aws:PrincipalOrgID", rnd.chance(0.85) ? world.orgId : `o-${rnd.hex(10)}`],
    () => ["StringLike", "aws:PrincipalTag/team", rnd.pick(["data*", "platform", "*", "web", "sec*"])],
    () => [
      "IpAddress",
      "aws:SourceIp",
      oneOrMany(rnd, rnd.some(["10.0.0.0/8", "192.0.2.0/24", "203.0.113.0/24", "2001:db8::/32"], rnd.range(1, 3))),
    ],
    () => ["NotIpAddress", "aws:SourceIp", rnd.pick(["198.51.100.0/24", "203.0.113.128/25"])],
    () => ["Bool", "aws:SecureTransport", rnd.chance(0.85) ? "true" : "false"],
    () => ["Bool", "aws:MultiFactorAuthPresent", "true"],
    () => ["BoolIfExists", "aws:MultiFactorAuthPresent", "true"],
    () => ["NumericLessThan", "aws:MultiFactorAuthAge", rnd.pick(["3600", "900", "43200"])],
    () => [
      "ForAnyValue:StringLike",
      "aws:PrincipalOrgPaths",
      rnd.pick([`${world.orgId}/*/${world.ous[0].id}/*`, `${world.orgId}/${world.rootId}/*`, `${world.orgId}/*/${world.ous[1].id}/*`]),
    ],
    () => ["ForAnyValue:StringEquals", "aws:CalledVia", rnd.pick(["cloudformation.amazonaws.com", "athena.amazonaws.com"])],
    () => ["StringEqualsIfExists", "aws:RequestedRegion", oneOrMany(rnd, rnd.some(REGIONS, rnd.range(1, 4)))],
    () => ["StringEquals", "aws:PrincipalAccount", rnd.chance(0.8) && p.account ? p.account : rnd.pick(world.accounts).id],
    () => [
      "ArnLike",
      "aws:PrincipalArn",
      rnd.pick(["arn:aws:iam::*:role/deploy-*", "arn:aws:iam::*:user/*", `arn:aws:iam::${p.account ?? "*"}:*`]),
    ],
  ];
  if (req.action === "s3:ListBucket")
    candidates.push(() => ["StringLike", "s3:prefix", rnd.pick(["home/${aws:username}/*", "reports/*", "${aws:PrincipalTag/team}/*", ""])]);
  if (req.kind === "kms")
    candidates.push(() => [
      "StringEqualsIfExists",
      "kms:ViaService",
      [`s3.${req.region}.amazonaws.com`, `sqs.${req.region}.amazonaws.com`],
    ]);
  if (ctx["aws:username"] !== undefined)
    candidates.push(() => ["StringEquals", "aws:username", rnd.chance(0.8) ? "${aws:username}" : rnd.pick(USERS)]);
  return rnd
    .some(
      candidates,
      rnd.weighted([
        [6, 1],
        [3, 2],
        [1, 3],
      ]),
    )
    .map((make) => make());
}

/** One Allow statement of an identity-based policy. */
function identityAllow(rnd, world, req) {
  const s = { Effect: "Allow" };
  if (rnd.chance(0.3)) s.Sid = `Allow${rnd.hex(4).toUpperCase()}`;
  const targeted = rnd.chance(0.62);
  if (targeted && rnd.chance(0.12)) {
    // NotAction: everything but some other services (matches), or but this one (does not).
    s.NotAction = rnd.chance(0.8)
      ? oneOrMany(rnd, rnd.some(["iam:*", "organizations:*", "account:*", "ec2:*"], rnd.range(1, 3)))
      : [`${req.action.split(":")[0]}:*`, "iam:*"];
  } else if (targeted) {
    const actions = [actionPatternFor(rnd, req.action)];
    if (rnd.chance(0.4)) actions.push(otherActionOf(rnd, req.action));
    s.Action = oneOrMany(rnd, actions);
  } else {
    s.Action = oneOrMany(
      rnd,
      rnd.some([otherActionOf(rnd, req.action), rnd.pick(OTHER_ACTIONS), actionPatternFor(rnd, rnd.pick(OTHER_ACTIONS))], rnd.range(1, 3)),
    );
  }
  const resources = [];
  if (targeted || rnd.chance(0.3)) {
    if (req.kind === "s3" && req.bucketKind === "home" && rnd.chance(0.6)) {
      resources.push(req.key === undefined ? `arn:aws:s3:::${req.bucket}` : `arn:aws:s3:::${req.bucket}/home/\${aws:username}/*`);
    } else if (req.kind === "sqs" && rnd.chance(0.15)) {
      resources.push(`arn:aws:sqs:*:${req.resourceAccount}:\${aws:PrincipalTag/team}-*`);
    } else resources.push(resourcePatternFor(rnd, req));
  }
  if (!resources.length || rnd.chance(0.3)) resources.push(otherResourceOf(rnd, world, req));
  s.Resource = oneOrMany(rnd, resources);
  if (rnd.chance(0.4)) s.Condition = condition(identityConditionTests(rnd, world, req));
  return s;
}

/** One Deny statement of an identity-based policy: guardrails and targeted denials. */
function identityDeny(rnd, world, req) {
  const make = rnd.weighted([
    [
      3,
      () => ({
        Sid: "DenyDeletes",
        Effect: "Deny",
        Action: ["s3:DeleteObject", "s3:DeleteBucket", "sqs:PurgeQueue", "sqs:DeleteQueue"],
        Resource: "*",
      }),
    ],
    [
      req.principal.type === "user" ? 3 : 0,
      () => ({
        Sid: "DenyWithoutMFA",
        Effect: "Deny",
        NotAction: ["iam:*", "sts:GetSessionToken"],
        Resource: "*",
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
      }),
    ],
    [
      2,
      () => ({
        Sid: "DenyOutsideNetwork",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"] }, Bool: { "aws:ViaAWSService": "false" } },
      }),
    ],
    [
      2,
      () => ({
        Effect: "Deny",
        Action: "kms:*",
        Resource: "arn:aws:kms:*:*:key/*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": rnd.some(REGIONS, 2) } },
      }),
    ],
    [
      2,
      () => ({
        Effect: "Deny",
        Action: actionPatternFor(rnd, req.action),
        Resource: rnd.chance(0.5) ? resourcePatternFor(rnd, req) : otherResourceOf(rnd, world, req),
      }),
    ],
    [1, () => ({ Effect: "Deny", Action: otherActionOf(rnd, req.action), Resource: "*" })],
    [
      1,
      () => ({
        Effect: "Deny",
        Action: ["s3:PutObject", "sqs:SendMessage"],
        Resource: "*",
        Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["athena.amazonaws.com"] } },
      }),
    ],
  ]);
  return make();
}

/** 1-6 statements, spread over 1-3 identity policies. */
function identityPolicies(rnd, world, req) {
  const total = rnd.weighted([
    [3, 1],
    [4, 2],
    [3, 3],
    [2, 4],
    [1, 5],
    [1, 6],
  ]);
  const statements = [];
  for (let i = 0; i < total; i++) statements.push(rnd.chance(0.2) ? identityDeny(rnd, world, req) : identityAllow(rnd, world, req));
  const policyCount = Math.min(
    total,
    rnd.weighted([
      [5, 1],
      [3, 2],
      [1, 3],
    ]),
  );
  const policies = [];
  for (let i = 0; i < policyCount; i++) policies.push([]);
  statements.forEach((s, i) => policies[i % policyCount].push(s));
  // AWS requires the Sids of a policy to be unique: number repeated ones.
  for (const list of policies) {
    const seen = new Set();
    list.forEach((s, i) => {
      if (s.Sid === undefined) return;
      if (seen.has(s.Sid)) s.Sid = `${s.Sid}${i}`;
      seen.add(s.Sid);
    });
  }
  return policies.map((list) => ({ Version: VERSION, Statement: list.length === 1 && rnd.chance(0.3) ? list[0] : list }));
}

/** The `Principal` element naming the caller (at one of several strengths) or someone else. */
function principalElementFor(rnd, world, req, named) {
  const p = req.principal;
  if (!named) {
    const other = rnd.pick(world.accounts.filter((a) => a.id !== p.account));
    return rnd.pick([{ AWS: other.id }, { AWS: `arn:aws:iam::${other.id}:role/${rnd.pick(ROLES)}` }, { Service: "events.amazonaws.com" }]);
  }
  switch (p.type) {
    case "service":
      return { Service: rnd.chance(0.8) ? p.arn : [p.arn, "sns.amazonaws.com"] };
    case "user":
      return rnd.weighted([
        [2, { AWS: p.arn }],
        [2, { AWS: `arn:aws:iam::${p.account}:root` }],
        [1, { AWS: p.account }],
        [1, "*"],
      ]);
    case "session":
      return rnd.weighted([
        [3, { AWS: p.roleArn }],
        [2, { AWS: `arn:aws:iam::${p.account}:root` }],
        [1, { AWS: [p.account, `arn:aws:iam::${rnd.pick(world.accounts).id}:root`] }],
        [1, { AWS: p.arn }],
        [1, "*"],
      ]);
    default:
      return rnd.chance(0.7) ? { AWS: `arn:aws:iam::${p.account}:root` } : { AWS: p.account };
  }
}

/** A condition on a resource-policy statement: org membership, a source, transport, or none. */
function resourceConditionTests(rnd, world, req) {
  const p = req.principal;
  if (p.type === "service") {
    return rnd.weighted([
      [3, [["StringEquals", "aws:SourceAccount", rnd.chance(0.85) ? req.resourceAccount : rnd.pick(world.accounts).id]]],
      [2, [["ArnLike", "aws:SourceArn", `arn:aws:*:*:${rnd.chance(0.85) ? req.resourceAccount : rnd.pick(world.accounts).id}:*`]]],
      [2, []],
    ]);
  }
  return rnd.weighted([
    [4, []],
    [3, [["StringEquals", "aws:PrincipalOrgID", world.orgId]]],
    [1, [["ForAnyValue:StringLike", "aws:PrincipalOrgPaths", `${world.orgId}/${world.rootId}/*`]]],
    [1, [["IpAddress", "aws:SourceIp", ["10.0.0.0/8", "203.0.113.0/24"]]]],
    [1, [["StringLikeIfExists", "aws:PrincipalTag/team", ["data*", "platform"]]]],
  ]);
}

function resourcePolicyFor(rnd, world, req) {
  const statements = [];
  const named = rnd.chance(req.crossAccount || req.kind === "kms" || req.kind === "sts" ? 0.75 : 0.55);
  const allow = { Effect: "Allow", Principal: principalElementFor(rnd, world, req, named) };
  if (rnd.chance(0.25)) allow.Sid = "Grant";
  if (req.kind === "kms") {
    // The default key policy: the owning account's IAM policies decide.
    statements.push({
      Sid: "EnableIAMUserPermissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${req.resourceAccount}:root` },
      Action: "kms:*",
      Resource: "*",
    });
    allow.Action = oneOrMany(
      rnd,
      rnd.chance(0.7) ? ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"] : ["kms:Encrypt", "kms:ReEncrypt*"],
    );
    allow.Resource = "*";
  } else if (req.kind === "sts") {
    allow.Action = rnd.chance(0.8) ? "sts:AssumeRole" : ["sts:AssumeRole", "sts:TagSession"];
  } else {
    allow.Action = oneOrMany(rnd, rnd.chance(0.75) ? [actionPatternFor(rnd, req.action)] : [otherActionOf(rnd, req.action)]);
    allow.Resource = rnd.chance(0.8) ? resourcePatternFor(rnd, req) : otherResourceOf(rnd, world, req);
  }
  const tests = resourceConditionTests(rnd, world, req);
  if (req.kind === "sts" && req.principal.type !== "service" && rnd.chance(0.4)) {
    tests.push(
      rnd.pick([
        ["StringEquals", "sts:ExternalId", "ext-1234"],
        ["Bool", "aws:MultiFactorAuthPresent", "true"],
        ["StringLike", "aws:PrincipalArn", "arn:aws:iam::*:role/deploy-*"],
      ]),
    );
  }
  if (tests.length) allow.Condition = condition(tests);
  if (req.kind !== "kms" || named) statements.push(allow);
  if (req.kind === "s3" && rnd.chance(0.4)) {
    statements.push({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${req.bucket}`, `arn:aws:s3:::${req.bucket}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  }
  if (req.kind === "sqs" && rnd.chance(0.3)) {
    statements.push({ Effect: "Deny", Principal: { AWS: "*" }, Action: ["sqs:PurgeQueue", "sqs:DeleteQueue"], Resource: req.resource });
  }
  if (req.kind === "sts" && rnd.chance(0.15)) {
    statements.push({
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "sts:AssumeRole",
      Condition: { StringNotEquals: { "aws:PrincipalOrgID": world.orgId } },
    });
  }
  return { Version: VERSION, ...(rnd.chance(0.2) ? { Id: `policy-${rnd.hex(6)}` } : {}), Statement: statements };
}

function boundaryFor(rnd, req) {
  return rnd.weighted([
    [
      3,
      {
        Version: VERSION,
        Statement: [{ Effect: "Allow", Action: ["s3:*", "sqs:*", "kms:Decrypt", "kms:GenerateDataKey", "sts:AssumeRole"], Resource: "*" }],
      },
    ],
    [
      2,
      {
        Version: VERSION,
        Statement: [
          { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
          {
            Effect: "Deny",
            Action: "kms:*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
          },
        ],
      },
    ],
    [1, { Version: VERSION, Statement: { Effect: "Allow", Action: ["s3:Get*", "s3:List*", "sqs:ReceiveMessage"], Resource: "*" } }],
    [
      1,
      {
        Version: VERSION,
        Statement: [
          {
            Effect: "Allow",
            Action: actionPatternFor(rnd, req.action),
            Resource: "*",
            Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:*::${aws:PrincipalAccount}:*" } },
          },
        ],
      },
    ],
  ]);
}

function sessionPolicyFor(rnd, world, req) {
  return rnd.weighted([
    [
      3,
      {
        Version: VERSION,
        Statement: [
          {
            Effect: "Allow",
            Action: actionPatternFor(rnd, req.action),
            Resource: rnd.chance(0.8) ? resourcePatternFor(rnd, req) : otherResourceOf(rnd, world, req),
          },
        ],
      },
    ],
    [1, { Version: VERSION, Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" }] }],
    [
      1,
      {
        Version: VERSION,
        Statement: [
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: "*" },
        ],
      },
    ],
  ]);
}

const FULL_ACCESS = { Version: VERSION, Statement: [{ Sid: "FullAWSAccess", Effect: "Allow", Action: "*", Resource: "*" }] };

/** SCP levels, root first: FullAWSAccess at the root, guardrails on the OU, an allow list on the account. */
function scpLevels(rnd) {
  const ouLevel = [FULL_ACCESS];
  if (rnd.chance(0.5)) {
    ouLevel.push({
      Version: VERSION,
      Statement: [
        {
          Sid: "DenyOutsideRegions",
          Effect: "Deny",
          NotAction: ["iam:*", "sts:*", "organizations:*"],
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2", "eu-west-1"] } },
        },
      ],
    });
  }
  if (rnd.chance(0.3)) {
    ouLevel.push({
      Version: VERSION,
      Statement: {
        Effect: "Deny",
        Action: ["s3:DeleteObject", "kms:ScheduleKeyDeletion"],
        Resource: "*",
        Condition: { StringNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin" } },
      },
    });
  }
  const accountLevel = rnd.weighted([
    [3, [FULL_ACCESS]],
    [
      2,
      [
        {
          Version: VERSION,
          Statement: { Sid: "AllowList", Effect: "Allow", Action: ["s3:*", "sqs:*", "kms:*", "sts:*", "logs:*"], Resource: "*" },
        },
      ],
    ],
    [1, [{ Version: VERSION, Statement: { Sid: "AllowListNoKms", Effect: "Allow", Action: ["s3:*", "sqs:*", "sts:*"], Resource: "*" } }]],
  ]);
  return rnd.chance(0.3) ? [[FULL_ACCESS], accountLevel] : [[FULL_ACCESS], ouLevel, accountLevel];
}

/** RCP levels (the engine adds RCPFullAWSAccess): data perimeter guardrails. */
function rcpLevels(rnd, world) {
  const perimeter = {
    Version: VERSION,
    Statement: [
      {
        Sid: "EnforceOrgIdentities",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*", "sqs:*", "kms:*", "sts:AssumeRole"],
        Resource: "*",
        Condition: {
          StringNotEqualsIfExists: { "aws:PrincipalOrgID": world.orgId },
          BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
        },
      },
    ],
  };
  const transport = {
    Version: VERSION,
    Statement: [
      {
        Sid: "EnforceSecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*", "sqs:*", "kms:*"],
        Resource: "*",
        Condition: { BoolIfExists: { "aws:SecureTransport": "false" } },
      },
    ],
  };
  return rnd.weighted([
    [2, [[perimeter]]],
    [1, [[transport], [perimeter]]],
    [1, [[transport]]],
  ]);
}

function endpointPolicyFor(rnd, req) {
  return {
    Version: VERSION,
    Statement: [
      { Effect: "Allow", Principal: "*", Action: rnd.chance(0.7) ? `${req.action.split(":")[0]}:*` : "s3:GetObject", Resource: "*" },
    ],
  };
}

/** Picks who calls, on what, and the request context that goes with it. */
function makeCall(rnd, world) {
  const kind = rnd.weighted([
    [35, "s3"],
    [25, "sqs"],
    [20, "kms"],
    [20, "sts"],
  ]);
  const principalKind = rnd.weighted([
    [40, "user"],
    [44, "session"],
    [11, "service"],
    [5, "root"],
  ]);
  const inOrg = world.accounts.filter((a) => a.inOrg);
  const callerAccount = rnd.chance(0.9) ? rnd.pick(inOrg) : rnd.pick(world.accounts.filter((a) => !a.inOrg));
  let principal;
  if (principalKind === "user") {
    const name = rnd.pick(USERS);
    principal = {
      type: "user",
      arn: `arn:aws:iam::${callerAccount.id}:user/${rnd.chance(0.2) ? "dev/" : ""}${name}`,
      account: callerAccount.id,
      name,
    };
  } else if (principalKind === "session") {
    const role = rnd.pick(ROLES);
    principal = {
      type: "session",
      arn: `arn:aws:sts::${callerAccount.id}:assumed-role/${role}/${rnd.pick(SESSIONS)}`,
      account: callerAccount.id,
      roleArn: `arn:aws:iam::${callerAccount.id}:role/${role}`,
      role,
    };
  } else if (principalKind === "root") {
    principal = { type: "root", arn: `arn:aws:iam::${callerAccount.id}:root`, account: callerAccount.id };
  } else {
    const service = {
      s3: "cloudtrail.amazonaws.com",
      sqs: rnd.pick(["sns.amazonaws.com", "events.amazonaws.com"]),
      kms: "s3.amazonaws.com",
      sts: rnd.pick(["lambda.amazonaws.com", "ec2.amazonaws.com"]),
    }[kind];
    principal = { type: "service", arn: service, account: undefined };
  }
  const crossAccount = principal.type !== "service" && rnd.chance(0.4);
  const owner =
    principal.type === "service"
      ? rnd.pick(world.accounts)
      : crossAccount
        ? rnd.pick(world.accounts.filter((a) => a.id !== callerAccount.id))
        : callerAccount;
  const region = rnd.chance(0.8) ? owner.region : rnd.pick(REGIONS);
  const req = { kind, principal, crossAccount, resourceAccount: owner.id, region };

  if (kind === "s3") {
    const bucketIndex = principal.type === "service" ? 1 : rnd.int(owner.buckets.length);
    req.bucket = owner.buckets[bucketIndex];
    req.bucketKind = BUCKET_KINDS[bucketIndex];
    req.action = principal.type === "service" ? "s3:PutObject" : rnd.pick(S3_ACTIONS);
    if (req.action === "s3:ListBucket") req.resource = `arn:aws:s3:::${req.bucket}`;
    else {
      const user = principal.type === "user" && rnd.chance(0.8) ? principal.name : rnd.pick(USERS);
      req.key = {
        "data-lake": `${rnd.pick(TEAMS)}/year=2026/month=${String(rnd.range(1, 12)).padStart(2, "0")}/part-${rnd.hex(5)}.parquet`,
        logs: `AWSLogs/${rnd.chance(0.85) ? owner.id : rnd.pick(world.accounts).id}/CloudTrail/${region}/2026/11/${rnd.hex(8)}.json.gz`,
        home: `home/${user}/${rnd.pick(["notes.txt", "photos/cat.jpg", "drafts/q4.docx"])}`,
        artifacts: `builds/${rnd.pick(["web", "api", "etl"])}/${rnd.range(100, 999)}/bundle.zip`,
        reports: `reports/2026-${String(rnd.range(1, 12)).padStart(2, "0")}.csv`,
      }[req.bucketKind];
      req.resource = `arn:aws:s3:::${req.bucket}/${req.key}`;
    }
  } else if (kind === "sqs") {
    req.action = principal.type === "service" ? "sqs:SendMessage" : rnd.pick(SQS_ACTIONS);
    req.resource = `arn:aws:sqs:${region}:${owner.id}:${rnd.pick(QUEUE_NAMES)}`;
  } else if (kind === "kms") {
    req.action = principal.type === "service" ? rnd.pick(["kms:Decrypt", "kms:GenerateDataKey"]) : rnd.pick(KMS_ACTIONS);
    req.resource = `arn:aws:kms:${region}:${owner.id}:key/${rnd.pick(owner.keys)}`;
  } else {
    req.action = "sts:AssumeRole";
    req.resource = `arn:aws:iam::${owner.id}:role/${rnd.pick(ROLES)}`;
  }
  req.context = contextFor(rnd, world, req, callerAccount);
  return req;
}

function contextFor(rnd, world, req, callerAccount) {
  const p = req.principal;
  const c = {};
  if (p.type === "service") {
    c["aws:PrincipalServiceName"] = p.arn;
    c["aws:PrincipalIsAWSService"] = "true";
    c["aws:SourceAccount"] = rnd.chance(0.9) ? req.resourceAccount : rnd.pick(world.accounts).id;
    if (req.kind === "sqs")
      c["aws:SourceArn"] =
        `arn:aws:${p.arn.split(".")[0]}:${req.region}:${c["aws:SourceAccount"]}:${rnd.pick(["alerts", "orders-topic", "rule/nightly"])}`;
    c["aws:SecureTransport"] = "true";
    return c;
  }
  c["aws:PrincipalArn"] = p.type === "session" ? p.roleArn : p.arn;
  c["aws:PrincipalAccount"] = p.account;
  c["aws:PrincipalIsAWSService"] = "false";
  c["aws:PrincipalType"] = { user: "User", session: "AssumedRole", root: "Account" }[p.type];
  if (p.type === "user") {
    c["aws:username"] = p.name;
    c["aws:userid"] = `AIDA${rnd.hex(16).toUpperCase()}`;
  } else if (p.type === "session") {
    c["aws:userid"] = `AROA${rnd.hex(16).toUpperCase()}:${p.arn.slice(p.arn.lastIndexOf("/") + 1)}`;
  }
  if (callerAccount.inOrg) {
    c["aws:PrincipalOrgID"] = world.orgId;
    c["aws:PrincipalOrgPaths"] = [callerAccount.orgPath];
  }
  if (p.type !== "root" && rnd.chance(0.75)) c["aws:PrincipalTag/team"] = rnd.pick(TEAMS);
  if (rnd.chance(0.9)) c["aws:SourceIp"] = rnd.chance(0.7) ? rnd.pick(SOURCE_IPS_INTERNAL) : rnd.pick(SOURCE_IPS_EXTERNAL);
  const transport = rnd.weighted([
    [17, "true"],
    [2, "false"],
    [1, undefined],
  ]);
  if (transport !== undefined) c["aws:SecureTransport"] = transport;
  if (p.type === "user") {
    const mfa = rnd.weighted([
      [12, "true"],
      [5, "false"],
      [3, undefined],
    ]);
    if (mfa !== undefined) c["aws:MultiFactorAuthPresent"] = mfa;
    if (mfa === "true") c["aws:MultiFactorAuthAge"] = String(rnd.range(0, 7200));
  }
  if (rnd.chance(0.9)) c["aws:RequestedRegion"] = req.kind === "sts" ? "us-east-1" : req.region;
  c["aws:ViaAWSService"] = rnd.chance(0.9) ? "false" : "true";
  if (p.type === "session" && rnd.chance(0.15))
    c["aws:CalledVia"] = rnd.some(["cloudformation.amazonaws.com", "athena.amazonaws.com"], rnd.range(1, 2));
  if (req.action === "s3:ListBucket" && rnd.chance(0.85))
    c["s3:prefix"] = rnd.pick(["home/" + (p.name ?? "alice") + "/", "reports/", "data/", ""]);
  if (req.kind === "kms" && rnd.chance(0.5))
    c["kms:ViaService"] = `${rnd.pick(["s3", "sqs", "secretsmanager"])}.${req.region}.amazonaws.com`;
  if (req.kind === "sts" && rnd.chance(0.3)) c["sts:ExternalId"] = rnd.chance(0.7) ? "ext-1234" : "ext-9999";
  return c;
}

/** One request in the `xacct simulate` format. */
function makeRequest(rnd, world) {
  const req = makeCall(rnd, world);
  const p = req.principal;
  const out = { principal: p.arn, action: req.action, resource: req.resource };
  // S3 ARNs carry no account: say whose bucket it is. Sometimes say it where it could be derived too.
  if (req.kind === "s3" || rnd.chance(0.2)) out.resourceAccount = req.resourceAccount;
  out.context = req.context;
  const caller = p.type === "user" || p.type === "session";
  if (caller) out.identityPolicies = identityPolicies(rnd, world, req);
  else if (p.type === "root" && rnd.chance(0.3)) out.identityPolicies = [{ Version: VERSION, Statement: [identityDeny(rnd, world, req)] }];
  const needsResourcePolicy = req.kind === "kms" || req.kind === "sts" || p.type === "service";
  if (needsResourcePolicy || rnd.chance(req.crossAccount ? 0.85 : 0.5)) out.resourcePolicy = resourcePolicyFor(rnd, world, req);
  if (caller && rnd.chance(0.18)) out.permissionsBoundary = boundaryFor(rnd, req);
  if (p.type === "session" && rnd.chance(0.25)) out.sessionPolicy = sessionPolicyFor(rnd, world, req);
  if ((req.kind === "s3" || req.kind === "sqs") && p.type !== "service" && rnd.chance(0.05)) {
    out.endpointPolicy = endpointPolicyFor(rnd, req);
    out.context["aws:SourceVpce"] = `vpce-${rnd.hex(17)}`;
  }
  const callerInOrg = p.account !== undefined && world.accounts.find((a) => a.id === p.account).inOrg;
  if (p.type !== "service" && callerInOrg && rnd.chance(0.6)) out.scps = scpLevels(rnd);
  if (world.accounts.find((a) => a.id === req.resourceAccount).inOrg && rnd.chance(0.2)) out.rcps = rcpLevels(rnd, world);
  return out;
}

/**
 * `count` requests (default 20,000), the same for the same seed. Each is a plain JSON-ready
 * object in the `xacct simulate` request format.
 */
export function generateRequests({ count = 20000, seed = DEFAULT_SEED } = {}) {
  const rnd = createRandom(seed);
  const world = makeWorld(rnd);
  const requests = [];
  for (let i = 0; i < count; i++) requests.push(makeRequest(rnd, world));
  return requests;
}

/** JSON Lines text: one request per line, each line ending with a newline. */
export function toJsonLines(requests) {
  let text = "";
  for (const r of requests) text += `${JSON.stringify(r)}\n`;
  return text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = process.argv[2] === undefined ? 20000 : Number(process.argv[2]);
  const seed = process.argv[3] === undefined ? DEFAULT_SEED : Number(process.argv[3]);
  process.stdout.write(toJsonLines(generateRequests({ count, seed })));
}
