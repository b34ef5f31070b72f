/**
 * Deterministic generator of a synthetic AWS organization as an xacct inventory, for
 * `npm run bench:graph`: one folder per account with `authorization-details.json` in the exact
 * shape `aws iam get-account-authorization-details` prints (4-space indented; policy documents as
 * objects, a fraction as the API's URL-encoded strings), `oidc-providers.json` where the account
 * has a cluster, `resource-policies.json` for the buckets and queues shared across accounts, and
 * `organization.json` (OUs, SCPs, an RCP) at the top. Same seed and sizes, same bytes.
 *
 * The organization: a management account, a security account (auditors, incident response), a CI
 * account (GitHub Actions runners through OIDC, a legacy Jenkins IAM user), a data account
 * (org-wide data lake buckets) and workload accounts in prod/staging/dev/sandbox OUs. Each account
 * has exactly `rolesPerAccount` roles:
 *   - platform roles: OrganizationAccountAccessRole (trusts the management account root),
 *     ReadOnly and SecurityAudit (trust the security account root; auditors hold the matching
 *     sts:AssumeRole), platform-deployer (trusts the CI runners), break-glass (MFA condition),
 *     eks-node (ec2.amazonaws.com, instance profile), a third-party monitoring role (an account
 *     outside the organization, with sts:ExternalId), in some accounts `org-shared-reader` with
 *     `Principal: "*"` narrowed by aws:PrincipalOrgID;
 *   - per service: `-irsa` (EKS IRSA web identity with sub and aud), `-task` (ecs-tasks, most with
 *     aws:SourceAccount), `-lambda`, `-ci` (trusts one CI runner role), `-app` (trusts the
 *     service's own irsa and task roles: a chain), `-consumer` (trusts producer roles in other
 *     accounts, which hold sts:AssumeRole on it — a few links miss one side, as in real estates),
 *     and for some services `-analytics` (trusts the data account root, narrowed by
 *     aws:PrincipalArn).
 * Identity policies grant S3, SQS and DynamoDB on the service's own resources, partners' buckets
 * and queues across accounts, and the sts:AssumeRole of the links above; customer managed
 * policies (app-base, a permissions boundary) and a few AWS managed ones are attached.
 *
 * Usage: `node bench/generate-inventory.mjs DIR [accounts] [rolesPerAccount] [seed]`; prints a
 * JSON summary (counts, bytes and sample who-can targets) on stdout. Or import
 * `generateInventory(dir, { accounts, rolesPerAccount, seed })`.
 */
import { Buffer } from "node:buffer";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRandom } from "./generate-requests.mjs";

export const DEFAULT_SEED = 4_020_417;
export const DEFAULT_ACCOUNTS = 1000;
export const DEFAULT_ROLES_PER_ACCOUNT = 100;

const V = "2012-10-17";
const REGION = "us-east-1";
const ORG_ID = "o-a1b2c3d4e5";
const ROOT_ID = "r-a1b2";
/** Accounts outside the organization that some roles trust (monitoring and security vendors). */
const VENDORS = ["464622532012", "725459486012", "887763259121"];
const SERVICES = [
  "orders",
  "payments",
  "billing",
  "catalog",
  "search",
  "users",
  "auth",
  "inventory",
  "shipping",
  "notifications",
  "reports",
  "analytics",
  "ingest",
  "export",
  "pricing",
  "reviews",
  "media",
  "ledger",
  "fraud",
  "recommendations",
  "checkout",
  "carts",
  "loyalty",
  "support",
  "tickets",
  "events",
  "audit",
  "gateway",
  "profiles",
  "sessions",
];
/** A workload account's platform roles (with org-shared-reader); services fill the rest. */
const PLATFORM_ROLES = 8;
const rolesOfService = (s) => (s % 4 === 2 ? 7 : 6);
const MANAGEMENT = 0;
const SECURITY = 1;
const CI = 2;
const DATA = 3;
const FIRST_WORKLOAD = 4;

/** The requests benchmark's seeded generator (mulberry32), with the few helpers used here. */
function random(seed) {
  const { next, int, chance, pick } = createRandom(seed);
  return { next, int, chance, pick };
}

/** A stable hash of small integers, for choices that must not depend on generation order. */
function hash(...values) {
  let h = 2166136261;
  for (const v of values) {
    h ^= v;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export function accountId(i) {
  return String(210_000_000_000 + i * 1_000_003);
}

function envOf(i) {
  if (i < FIRST_WORKLOAD) return "core";
  return ["prod", "prod", "staging", "dev", "dev", "sandbox"][i % 6];
}

/** How many services fit in every workload account (generic batch-job roles fill what is left). */
function servicesFitting(rolesPerAccount) {
  let n = 0;
  for (let total = PLATFORM_ROLES; total + rolesOfService(n) <= rolesPerAccount; n++) total += rolesOfService(n);
  return n;
}

/** The services deployed in account `i`: a rotation of the vocabulary, so accounts differ. */
function serviceNames(i, count) {
  const offset = hash(i, 7) % SERVICES.length;
  return Array.from({ length: count }, (_, j) => {
    const base = SERVICES[(offset + j) % SERVICES.length];
    const round = Math.floor(j / SERVICES.length);
    return round ? `${base}${round + 1}` : base;
  });
}

const roleArn = (account, name) => `arn:aws:iam::${account}:role/${name}`;
const bucketOf = (account, service) => `acme-${account}-${service}-data`;
const queueArn = (account, service) => `arn:aws:sqs:${REGION}:${account}:${service}-events`;
const clusterIssuer = (i) =>
  `oidc.eks.${REGION}.amazonaws.com/id/${hash(i, 1).toString(16).toUpperCase().padStart(8, "0")}${hash(i, 2).toString(16).toUpperCase().padStart(8, "0")}${hash(i, 3).toString(16).toUpperCase().padStart(8, "0")}`;
const GITHUB = "token.actions.githubusercontent.com";

/**
 * The cross-account links, planned once so both sides agree: producer roles that assume consumer
 * roles, readers of partners' buckets, senders to partners' queues. Some links miss one side.
 */
function plan(rng, accounts, servicesPer) {
  const workloads = accounts - FIRST_WORKLOAD;
  const otherWorkload = (i) => {
    if (workloads < 2) return FIRST_WORKLOAD;
    let j;
    do j = FIRST_WORKLOAD + rng.int(workloads);
    while (j === i);
    return j;
  };
  const key = (i, s) => `${i}/${s}`;
  const push = (map, k, v) => {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  };
  const assumes = new Map(); // producer "i/s" -> [{ account, service, granted }]
  const trustedBy = new Map(); // consumer "i/s" -> [{ account, role, trusted }]
  const reads = new Map(); // reader "i/s" -> [{ account, service }]
  const readers = new Map(); // bucket "i/s" -> [{ account, role }]
  const sends = new Map();
  const senders = new Map();
  for (let i = FIRST_WORKLOAD; i < accounts; i++) {
    for (let s = 0; s < servicesPer; s++) {
      // Producers: this service's irsa and task roles assume 0-2 consumer roles elsewhere.
      for (const kind of ["irsa", "task"]) {
        const n = rng.int(3);
        for (let k = 0; k < n; k++) {
          const j = otherWorkload(i);
          const t = rng.int(servicesPer);
          const r = rng.next();
          // 4% miss the caller's sts:AssumeRole; 3% miss the trust.
          const granted = r >= 0.04;
          const trusted = r < 0.04 || r >= 0.07;
          push(assumes, key(i, s), { account: j, service: t, kind, granted });
          push(trustedBy, key(j, t), { account: i, role: `${serviceNames(i, servicesPer)[s]}-${kind}`, trusted });
        }
      }
      if (s % 3 === 0) {
        const j = otherWorkload(i);
        const t = rng.int(servicesPer);
        push(reads, key(i, s), { account: j, service: t });
        push(readers, key(j, t), { account: i, role: `${serviceNames(i, servicesPer)[s]}-irsa` });
      }
      if (s % 4 === 1) {
        const j = otherWorkload(i);
        const t = rng.int(servicesPer);
        push(sends, key(i, s), { account: j, service: t });
        push(senders, key(j, t), { account: i, role: `${serviceNames(i, servicesPer)[s]}-task` });
      }
    }
  }
  return { assumes, trustedBy, reads, readers, sends, senders, key };
}

// ---- documents ---------------------------------------------------------------------------------

const allow = (Action, Resource, Condition) => ({ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });
const doc = (...Statement) => ({ Version: V, Statement });
const trust = (...Statement) => ({ Version: V, Statement });
const trustAws = (principals, Condition, Sid) => ({
  ...(Sid ? { Sid } : {}),
  Effect: "Allow",
  Principal: { AWS: principals.length === 1 ? principals[0] : principals },
  Action: "sts:AssumeRole",
  ...(Condition ? { Condition } : {}),
});
const trustService = (service, Condition) => ({
  Effect: "Allow",
  Principal: { Service: service },
  Action: "sts:AssumeRole",
  ...(Condition ? { Condition } : {}),
});

function awsManaged() {
  return {
    AdministratorAccess: doc(allow("*", "*")),
    ReadOnlyAccess: doc(
      allow(
        [
          "s3:Get*",
          "s3:List*",
          "sqs:Get*",
          "sqs:List*",
          "dynamodb:Describe*",
          "dynamodb:List*",
          "ec2:Describe*",
          "iam:Get*",
          "iam:List*",
          "logs:Describe*",
          "cloudwatch:Get*",
          "cloudwatch:List*",
        ],
        "*",
      ),
    ),
    SecurityAudit: doc(
      allow(
        [
          "iam:GenerateCredentialReport",
          "iam:Get*",
          "iam:List*",
          "s3:GetBucketPolicy",
          "s3:GetBucketAcl",
          "s3:ListAllMyBuckets",
          "sqs:GetQueueAttributes",
          "ec2:Describe*",
          "config:Describe*",
          "cloudtrail:DescribeTrails",
          "kms:DescribeKey",
          "kms:GetKeyPolicy",
        ],
        "*",
      ),
    ),
    AmazonEKSWorkerNodePolicy: doc(
      allow(
        [
          "ec2:DescribeInstances",
          "ec2:DescribeRouteTables",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVolumes",
          "ec2:DescribeVpcs",
          "eks:DescribeCluster",
        ],
        "*",
      ),
    ),
    AWSLambdaBasicExecutionRole: doc(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "*")),
  };
}

function customerManaged(account) {
  return {
    "app-base": doc(
      { Sid: "Logs", ...allow(["logs:CreateLogStream", "logs:PutLogEvents"], `arn:aws:logs:${REGION}:${account}:log-group:/app/*`) },
      { Sid: "Traces", ...allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*") },
      {
        Sid: "Decrypt",
        ...allow("kms:Decrypt", `arn:aws:kms:${REGION}:${account}:key/*`, {
          StringLike: { "kms:ViaService": [`s3.${REGION}.amazonaws.com`, `sqs.${REGION}.amazonaws.com`] },
        }),
      },
    ),
    "app-boundary": doc(
      {
        Sid: "Workloads",
        ...allow(["s3:*", "sqs:*", "dynamodb:*", "logs:*", "xray:*", "kms:Decrypt", "sts:AssumeRole", "sts:TagSession"], "*"),
      },
      { Sid: "NoIam", Effect: "Deny", Action: ["iam:*", "organizations:*"], Resource: "*" },
    ),
    "ci-deploy": doc(
      { Sid: "Stacks", ...allow(["cloudformation:*"], `arn:aws:cloudformation:${REGION}:${account}:stack/*`) },
      { Sid: "Images", ...allow(["ecr:GetAuthorizationToken"], "*") },
      {
        Sid: "Push",
        ...allow(
          ["ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
          `arn:aws:ecr:${REGION}:${account}:repository/*`,
        ),
      },
      {
        Sid: "PassAppRoles",
        ...allow("iam:PassRole", `arn:aws:iam::${account}:role/*-task`, {
          StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
        }),
      },
    ),
  };
}

/** The roles of account `i`, exactly `perAccount` of them. */
function rolesOf(i, ctx) {
  const { perAccount, servicesPer, links, rng } = ctx;
  const a = accountId(i);
  const mgmt = accountId(MANAGEMENT);
  const sec = accountId(SECURITY);
  const ci = accountId(CI);
  const data = accountId(DATA);
  const env = envOf(i);
  const ciRunner = `ci-runner-${env === "core" ? "prod" : env === "sandbox" ? "dev" : env}`;
  const roles = [];
  const role = (name, trustPolicy, inline = {}, managed = [], extra = {}) => roles.push({ name, trustPolicy, inline, managed, ...extra });

  // Platform roles, in every account.
  role("OrganizationAccountAccessRole", trust(trustAws([`arn:aws:iam::${mgmt}:root`])), {}, ["aws:AdministratorAccess"]);
  role("ReadOnly", trust(trustAws([`arn:aws:iam::${sec}:root`, `arn:aws:iam::${ci}:root`])), {}, ["aws:ReadOnlyAccess"]);
  role("SecurityAudit", trust(trustAws([`arn:aws:iam::${sec}:root`], { Bool: { "aws:SecureTransport": "true" } })), {}, [
    "aws:SecurityAudit",
  ]);
  role(
    "platform-deployer",
    trust(trustAws([roleArn(ci, ciRunner), roleArn(ci, "ci-runner-platform")], undefined, "CiRunners")),
    { deploy: doc(allow(["cloudformation:*", "s3:*", "sqs:*", "dynamodb:*", "lambda:*", "ecs:*", "iam:GetRole", "iam:PassRole"], "*")) },
    [],
  );
  role("break-glass", trust(trustAws([roleArn(sec, "incident-responder")], { Bool: { "aws:MultiFactorAuthPresent": "true" } })), {}, [
    "aws:AdministratorAccess",
  ]);
  role("eks-node", trust(trustService("ec2.amazonaws.com")), {}, ["aws:AmazonEKSWorkerNodePolicy"], { instanceProfile: true });
  const vendor = VENDORS[i % VENDORS.length];
  role(
    "monitoring-integration",
    trust(trustAws([`arn:aws:iam::${vendor}:root`], { StringEquals: { "sts:ExternalId": `ext-${hash(i, 9).toString(36)}` } })),
    {
      metrics: doc(
        allow(["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "ec2:DescribeInstances", "tag:GetResources", "sqs:ListQueues"], "*"),
      ),
    },
  );
  if (i % 20 === 7) {
    // An org-wide role: everyone in the organization, if their own side allows.
    role(
      "org-shared-reader",
      trust({
        Sid: "Organization",
        Effect: "Allow",
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": ORG_ID } },
      }),
      { read: doc(allow(["s3:GetObject", "s3:ListBucket"], [`arn:aws:s3:::acme-${a}-shared`, `arn:aws:s3:::acme-${a}-shared/*`])) },
    );
  }

  // Roles only the shared accounts have.
  if (i === MANAGEMENT) {
    for (let k = 0; k < 3; k++) {
      role(`org-admin-${k + 1}`, trust(trustAws([`arn:aws:iam::${mgmt}:root`])), {
        assume: doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/OrganizationAccountAccessRole")),
      });
    }
  } else if (i === SECURITY) {
    for (let k = 0; k < 4; k++) {
      role(`auditor-${k + 1}`, trust(trustAws([`arn:aws:iam::${sec}:root`])), {
        assume: doc(
          allow(
            "sts:AssumeRole",
            k % 2 ? "arn:aws:iam::*:role/ReadOnly" : ["arn:aws:iam::*:role/ReadOnly", "arn:aws:iam::*:role/SecurityAudit"],
          ),
        ),
      });
    }
    role("incident-responder", trust(trustAws([`arn:aws:iam::${sec}:root`])), {
      assume: doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/break-glass")),
    });
  } else if (i === CI) {
    for (const stage of ["prod", "staging", "dev", "platform"]) {
      role(
        `ci-runner-${stage}`,
        trust({
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${ci}:oidc-provider/${GITHUB}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
            StringLike: { [`${GITHUB}:sub`]: `repo:acme/*:environment:${stage}` },
          },
        }),
        { assume: doc(allow("sts:AssumeRole", ["arn:aws:iam::*:role/platform-deployer", "arn:aws:iam::*:role/*-ci"])) },
      );
    }
  } else if (i === DATA) {
    for (let k = 0; k < 3; k++) {
      role(`analytics-${k + 1}`, trust(trustService("glue.amazonaws.com"), trustAws([`arn:aws:iam::${data}:root`])), {
        lake: doc(
          allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::acme-datalake-*", "arn:aws:s3:::acme-datalake-*/*"]),
          allow("sts:AssumeRole", "arn:aws:iam::*:role/*-analytics"),
        ),
      });
    }
  }

  // Services fill the rest.
  const names = serviceNames(i, servicesPer);
  const cluster = clusterIssuer(i);
  const provider = `arn:aws:iam::${a}:oidc-provider/${cluster}`;
  for (let s = 0; s < servicesPer && roles.length < perAccount; s++) {
    const svc = names[s];
    const key = links.key(i, s);
    const ownData = doc(
      { Sid: "Objects", ...allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], `arn:aws:s3:::${bucketOf(a, svc)}/*`) },
      { Sid: "Bucket", ...allow("s3:ListBucket", `arn:aws:s3:::${bucketOf(a, svc)}`) },
      {
        Sid: "Queue",
        ...allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queueArn(a, svc)),
      },
      {
        Sid: "Table",
        ...allow(
          ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
          [`arn:aws:dynamodb:${REGION}:${a}:table/${svc}`, `arn:aws:dynamodb:${REGION}:${a}:table/${svc}/index/*`],
        ),
      },
    );
    const partners = (kind) => {
      const statements = [];
      const targets = (links.assumes.get(key) ?? [])
        .filter((l) => l.kind === kind && l.granted)
        .map((l) => roleArn(accountId(l.account), `${serviceNames(l.account, servicesPer)[l.service]}-consumer`));
      if (targets.length) statements.push({ Sid: "AssumeConsumers", ...allow("sts:AssumeRole", targets) });
      if (kind === "irsa") {
        const buckets = (links.reads.get(key) ?? []).map(
          (l) => `arn:aws:s3:::${bucketOf(accountId(l.account), serviceNames(l.account, servicesPer)[l.service])}/*`,
        );
        if (buckets.length) statements.push({ Sid: "ReadPartners", ...allow("s3:GetObject", buckets) });
        if (s === 0) statements.push({ Sid: "SharedReader", ...allow("sts:AssumeRole", "arn:aws:iam::*:role/org-shared-reader") });
      } else {
        const queues = (links.sends.get(key) ?? []).map((l) =>
          queueArn(accountId(l.account), serviceNames(l.account, servicesPer)[l.service]),
        );
        if (queues.length) statements.push({ Sid: "SendPartners", ...allow("sqs:SendMessage", queues) });
      }
      return statements;
    };
    const tags = [
      { Key: "service", Value: svc },
      { Key: "team", Value: `team-${hash(i, s) % 40}` },
      { Key: "env", Value: env },
    ];
    const app = { managed: ["app-base"], boundary: "app-boundary", tags };
    const add = (name, trustPolicy, inline, extra = app) =>
      roles.length < perAccount && role(name, trustPolicy, inline, extra.managed, extra);

    add(
      `${svc}-irsa`,
      trust({
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${cluster}:sub`]: `system:serviceaccount:${svc}:${svc}`, [`${cluster}:aud`]: "sts.amazonaws.com" } },
      }),
      { [`${svc}-data`]: { ...ownData, Statement: [...ownData.Statement, ...partners("irsa")] } },
    );
    add(
      `${svc}-task`,
      trust(
        trustService(
          "ecs-tasks.amazonaws.com",
          rng.chance(0.8)
            ? { ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${a}:*` }, StringEquals: { "aws:SourceAccount": a } }
            : undefined,
        ),
      ),
      { [`${svc}-data`]: { ...ownData, Statement: [...ownData.Statement, ...partners("task")] } },
    );
    add(
      `${svc}-lambda`,
      trust(trustService("lambda.amazonaws.com")),
      {
        [`${svc}-worker`]: doc(
          allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], queueArn(a, svc)),
          allow("dynamodb:PutItem", `arn:aws:dynamodb:${REGION}:${a}:table/${svc}`),
        ),
      },
      {
        ...app,
        managed: ["app-base", "aws:AWSLambdaBasicExecutionRole"],
      },
    );
    add(`${svc}-ci`, trust(trustAws([roleArn(ci, ciRunner)])), {}, { managed: ["ci-deploy"], tags });
    add(`${svc}-app`, trust(trustAws([roleArn(a, `${svc}-irsa`), roleArn(a, `${svc}-task`)])), {
      [`${svc}-table`]: doc(allow(["dynamodb:*"], `arn:aws:dynamodb:${REGION}:${a}:table/${svc}*`)),
    });
    const producers = (links.trustedBy.get(key) ?? []).filter((l) => l.trusted).map((l) => roleArn(accountId(l.account), l.role));
    add(`${svc}-consumer`, trust(trustAws(producers.length ? producers : [roleArn(a, `${svc}-app`)], undefined, "Producers")), {
      [`${svc}-read`]: doc(
        allow(["s3:GetObject", "s3:ListBucket"], [`arn:aws:s3:::${bucketOf(a, svc)}`, `arn:aws:s3:::${bucketOf(a, svc)}/*`]),
        allow(["sqs:SendMessage"], queueArn(a, svc)),
      ),
    });
    if (rolesOfService(s) === 7) {
      add(
        `${svc}-analytics`,
        trust(trustAws([`arn:aws:iam::${data}:root`], { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${data}:role/analytics-*` } })),
        {
          export: doc(
            allow(["s3:GetObject", "s3:ListBucket"], [`arn:aws:s3:::${bucketOf(a, svc)}`, `arn:aws:s3:::${bucketOf(a, svc)}/*`]),
            allow("dynamodb:Scan", `arn:aws:dynamodb:${REGION}:${a}:table/${svc}`),
          ),
        },
      );
    }
  }
  // Generic roles fill whatever is left (small sizes of rolesPerAccount stop earlier).
  for (let k = 0; roles.length < perAccount; k++) {
    role(`batch-job-${k + 1}`, trust(trustService("ecs-tasks.amazonaws.com", { StringEquals: { "aws:SourceAccount": a } })), {
      work: doc(allow("sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${a}:batch-*`)),
    });
  }
  return roles.slice(0, perAccount);
}

function resourcePoliciesOf(i, ctx) {
  const { servicesPer, links } = ctx;
  const a = accountId(i);
  const names = serviceNames(i, servicesPer);
  const out = {};
  for (let s = 0; s < servicesPer; s++) {
    const svc = names[s];
    const readers = links.readers.get(links.key(i, s));
    if (readers) {
      out[`arn:aws:s3:::${bucketOf(a, svc)}`] = {
        Version: V,
        Statement: [
          {
            Sid: "PartnerRead",
            Effect: "Allow",
            Principal: { AWS: readers.map((r) => roleArn(accountId(r.account), r.role)) },
            Action: "s3:GetObject",
            Resource: `arn:aws:s3:::${bucketOf(a, svc)}/*`,
          },
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${bucketOf(a, svc)}`, `arn:aws:s3:::${bucketOf(a, svc)}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      };
    }
    const senders = links.senders.get(links.key(i, s));
    if (senders) {
      out[queueArn(a, svc)] = {
        Version: V,
        Id: `${svc}-events-policy`,
        Statement: [
          {
            Sid: "PartnerSend",
            Effect: "Allow",
            Principal: { AWS: senders.map((r) => roleArn(accountId(r.account), r.role)) },
            Action: "sqs:SendMessage",
            Resource: queueArn(a, svc),
          },
          {
            Sid: "Topic",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn(a, svc),
            Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:${REGION}:${a}:${svc}-topic` } },
          },
        ],
      };
    }
  }
  if (i % 20 === 7) {
    out[`arn:aws:s3:::acme-${a}-shared`] = {
      Version: V,
      Statement: [
        {
          Sid: "Org",
          Effect: "Allow",
          Principal: "*",
          Action: ["s3:GetObject", "s3:ListBucket"],
          Resource: [`arn:aws:s3:::acme-${a}-shared`, `arn:aws:s3:::acme-${a}-shared/*`],
          Condition: { StringEquals: { "aws:PrincipalOrgID": ORG_ID } },
        },
      ],
    };
  }
  if (i === DATA) {
    for (let k = 0; k < 5; k++) {
      const bucket = `arn:aws:s3:::acme-datalake-${k + 1}`;
      out[bucket] = {
        Version: V,
        Statement: [
          {
            Sid: "OrgRead",
            Effect: "Allow",
            Principal: "*",
            Action: ["s3:GetObject", "s3:ListBucket"],
            Resource: [bucket, `${bucket}/*`],
            Condition: { StringEquals: { "aws:PrincipalOrgID": ORG_ID } },
          },
          {
            Sid: "Glue",
            Effect: "Allow",
            Principal: { Service: "glue.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${bucket}/*`,
            Condition: { StringEquals: { "aws:SourceAccount": a } },
          },
        ],
      };
    }
  }
  return out;
}

// ---- the CLI's output shape ----------------------------------------------------------------------

const DATE = "2022-03-14T09:26:53+00:00";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function uniqueId(prefix, rng) {
  let s = prefix;
  for (let k = 0; k < 17; k++) s += ALPHABET[rng.int(32)];
  return s;
}

/** As the CLI prints it, or (a fraction) as the API returns it: URL-encoded JSON. */
function asDocument(document, rng, encodedShare) {
  return rng.chance(encodedShare) ? encodeURIComponent(JSON.stringify(document)) : document;
}

function authorizationDetails(i, ctx) {
  const { rng, encodedShare } = ctx;
  const a = accountId(i);
  const awsPolicies = awsManaged();
  const customer = customerManaged(a);
  const used = new Map();
  const managedArn = (name) => (name.startsWith("aws:") ? `arn:aws:iam::aws:policy/${name.slice(4)}` : `arn:aws:iam::${a}:policy/${name}`);
  const attach = (names) =>
    names.map((name) => {
      const arn = managedArn(name);
      used.set(arn, (used.get(arn) ?? 0) + 1);
      return { PolicyName: name.replace(/^aws:/, ""), PolicyArn: arn };
    });
  const RoleDetailList = rolesOf(i, ctx).map((r) => {
    const arn = roleArn(a, r.name);
    const roleId = uniqueId("AROA", rng);
    const assume = asDocument(r.trustPolicy, rng, encodedShare);
    const entry = {
      Path: "/",
      RoleName: r.name,
      RoleId: roleId,
      Arn: arn,
      CreateDate: DATE,
      AssumeRolePolicyDocument: assume,
      InstanceProfileList: r.instanceProfile
        ? [
            {
              Path: "/",
              InstanceProfileName: r.name,
              InstanceProfileId: uniqueId("AIPA", rng),
              Arn: `arn:aws:iam::${a}:instance-profile/${r.name}`,
              CreateDate: DATE,
              Roles: [{ Path: "/", RoleName: r.name, RoleId: roleId, Arn: arn, CreateDate: DATE, AssumeRolePolicyDocument: assume }],
            },
          ]
        : [],
      RolePolicyList: Object.entries(r.inline).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: asDocument(d, rng, encodedShare) })),
      AttachedManagedPolicies: attach(r.managed),
      ...(r.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: managedArn(r.boundary) } } : {}),
      Tags: r.tags ?? [],
      RoleLastUsed: rng.chance(0.7) ? { LastUsedDate: "2024-11-02T17:03:11+00:00", Region: REGION } : {},
    };
    if (r.boundary) used.set(managedArn(r.boundary), used.get(managedArn(r.boundary)) ?? 0);
    return entry;
  });

  const UserDetailList = [];
  const GroupDetailList = [];
  const user = (name, inline, groups = [], managed = []) =>
    UserDetailList.push({
      Path: "/",
      UserName: name,
      UserId: uniqueId("AIDA", rng),
      Arn: `arn:aws:iam::${a}:user/${name}`,
      CreateDate: DATE,
      UserPolicyList: Object.entries(inline).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: asDocument(d, rng, encodedShare) })),
      GroupList: groups,
      AttachedManagedPolicies: attach(managed),
      Tags: [],
    });
  if (i === MANAGEMENT) {
    GroupDetailList.push({
      Path: "/",
      GroupName: "admins",
      GroupId: uniqueId("AGPA", rng),
      Arn: `arn:aws:iam::${a}:group/admins`,
      CreateDate: DATE,
      GroupPolicyList: [
        {
          PolicyName: "assume-admin",
          PolicyDocument: doc(
            allow("sts:AssumeRole", "arn:aws:iam::*:role/OrganizationAccountAccessRole", {
              Bool: { "aws:MultiFactorAuthPresent": "true" },
            }),
          ),
        },
      ],
      AttachedManagedPolicies: attach(["aws:ReadOnlyAccess"]),
    });
    user("alice", {}, ["admins"]);
    user("bob", {}, ["admins"]);
  } else if (i === CI) {
    user("legacy-jenkins", { deploy: doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/platform-deployer")) });
  }

  const Policies = [...used.entries()].map(([arn, count]) => {
    const name = arn.slice(arn.lastIndexOf("/") + 1);
    const aws = arn.includes(":iam::aws:");
    const document = aws ? awsPolicies[name] : customer[name];
    return {
      PolicyName: name,
      PolicyId: uniqueId("ANPA", rng),
      Arn: arn,
      Path: aws && name === "AWSLambdaBasicExecutionRole" ? "/service-role/" : "/",
      DefaultVersionId: "v2",
      AttachmentCount: count,
      PermissionsBoundaryUsageCount: name === "app-boundary" ? RoleDetailList.filter((r) => r.PermissionsBoundary).length : 0,
      IsAttachable: true,
      CreateDate: DATE,
      UpdateDate: DATE,
      PolicyVersionList: [
        { Document: asDocument(document, rng, encodedShare), VersionId: "v2", IsDefaultVersion: true, CreateDate: DATE },
        {
          Document: asDocument(doc(allow("s3:ListAllMyBuckets", "*")), rng, encodedShare),
          VersionId: "v1",
          IsDefaultVersion: false,
          CreateDate: DATE,
        },
      ],
    };
  });
  return { UserDetailList, GroupDetailList, RoleDetailList, Policies };
}

function organization(accounts) {
  // AWS's OU ID: ou-, 4 to 32 of the root's characters, -, 8 to 32 more (ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}).
  const ou = (name) => `ou-a1b2-${name.padEnd(8, "0")}`;
  const parentsOf = (i) => {
    const env = envOf(i);
    if (env === "core") return [ROOT_ID, ou("core")];
    if (env === "sandbox") return [ROOT_ID, ou("sandbox")];
    return [ROOT_ID, ou("workloads"), ou(env)];
  };
  const out = { organizationId: ORG_ID, managementAccount: accountId(MANAGEMENT), accounts: {} };
  for (let i = 0; i < accounts; i++) out.accounts[accountId(i)] = { parents: parentsOf(i) };
  out.serviceControlPolicies = {
    [ROOT_ID]: [
      doc(allow("*", "*")),
      doc(
        { Sid: "NoLeaving", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
        { Sid: "ProtectAudit", Effect: "Deny", Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], Resource: "*" },
      ),
    ],
    [ou("sandbox")]: [
      doc(allow("*", "*")),
      doc({
        Sid: "StayHome",
        Effect: "Deny",
        Action: "sts:AssumeRole",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:ResourceAccount": "${aws:PrincipalAccount}" } },
      }),
    ],
    [ou("prod")]: [
      doc(allow("*", "*")),
      doc({ Sid: "NoUsers", Effect: "Deny", Action: ["iam:CreateUser", "iam:CreateAccessKey"], Resource: "*" }),
    ],
  };
  out.resourceControlPolicies = {
    [ou("workloads")]: [
      doc({
        Sid: "DataPerimeter",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*", "sqs:*", "sts:AssumeRole"],
        Resource: "*",
        Condition: {
          StringNotEqualsIfExists: { "aws:PrincipalOrgID": ORG_ID, "aws:PrincipalAccount": VENDORS },
          BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
        },
      }),
    ],
  };
  return out;
}

/** Writes the inventory; returns a summary with sample who-can targets. */
export function generateInventory(
  dir,
  { accounts = DEFAULT_ACCOUNTS, rolesPerAccount = DEFAULT_ROLES_PER_ACCOUNT, seed = DEFAULT_SEED, encodedShare = 0.1 } = {},
) {
  if (accounts < FIRST_WORKLOAD + 2) throw new Error(`at least ${FIRST_WORKLOAD + 2} accounts, got ${accounts}`);
  if (rolesPerAccount < 20) throw new Error(`at least 20 roles per account, got ${rolesPerAccount}`);
  const rng = random(seed);
  const servicesPer = servicesFitting(rolesPerAccount);
  const links = plan(rng, accounts, servicesPer);
  const ctx = { accounts, perAccount: rolesPerAccount, servicesPer, links, rng, encodedShare };
  mkdirSync(dir, { recursive: true });
  let files = 0;
  let bytes = 0;
  let roles = 0;
  const write = (file, value) => {
    // The AWS CLI prints JSON with 4-space indentation.
    const text = `${JSON.stringify(value, null, 4)}\n`;
    writeFileSync(file, text);
    files++;
    bytes += Buffer.byteLength(text);
  };
  for (let i = 0; i < accounts; i++) {
    const a = accountId(i);
    const folder = join(dir, a);
    mkdirSync(folder, { recursive: true });
    const details = authorizationDetails(i, ctx);
    roles += details.RoleDetailList.length;
    write(join(folder, "authorization-details.json"), details);
    const policies = resourcePoliciesOf(i, ctx);
    if (Object.keys(policies).length) {
      for (const arn of Object.keys(policies)) policies[arn] = asDocument(policies[arn], rng, ctx.encodedShare);
      write(join(folder, "resource-policies.json"), policies);
    }
    const providers =
      i >= FIRST_WORKLOAD
        ? [`arn:aws:iam::${a}:oidc-provider/${clusterIssuer(i)}`]
        : i === CI
          ? [`arn:aws:iam::${a}:oidc-provider/${GITHUB}`]
          : [];
    if (providers.length) write(join(folder, "oidc-providers.json"), { OpenIDConnectProviderList: providers.map((Arn) => ({ Arn })) });
  }
  write(join(dir, "organization.json"), organization(accounts));
  return { dir, accounts, rolesPerAccount, roles, files, bytes, seed, targets: targets(accounts, servicesPer, seed) };
}

/**
 * 100 who-can questions over the generated organization: S3 objects (shared buckets, the data
 * lake, org-wide buckets, private ones), SQS queues and roles (consumers, platform, wildcard).
 */
function targets(accounts, servicesPer, seed) {
  const rng = random(seed ^ 0x5eed);
  const workload = () => FIRST_WORKLOAD + rng.int(accounts - FIRST_WORKLOAD);
  const out = [];
  for (let k = 0; k < 40; k++) {
    const i = workload();
    const a = accountId(i);
    const svc = serviceNames(i, servicesPer)[rng.int(servicesPer)];
    if (k % 10 === 0)
      out.push({
        action: "s3:GetObject",
        resource: `arn:aws:s3:::acme-datalake-${(k % 5) + 1}/raw/2024/11/part-${k}.parquet`,
        resourceAccount: accountId(DATA),
      });
    else if (k % 10 === 5) {
      const shared = 7 + 20 * rng.int(Math.max(1, Math.floor((accounts - 7) / 20)));
      out.push({
        action: "s3:GetObject",
        resource: `arn:aws:s3:::acme-${accountId(shared)}-shared/docs/readme-${k}.md`,
        resourceAccount: accountId(shared),
      });
    } else out.push({ action: "s3:GetObject", resource: `arn:aws:s3:::${bucketOf(a, svc)}/exports/${k}/data.json`, resourceAccount: a });
  }
  for (let k = 0; k < 30; k++) {
    const i = workload();
    out.push({ action: "sqs:SendMessage", resource: queueArn(accountId(i), serviceNames(i, servicesPer)[rng.int(servicesPer)]) });
  }
  for (let k = 0; k < 30; k++) {
    const i = workload();
    const svc = serviceNames(i, servicesPer)[rng.int(servicesPer)];
    const name = [`${svc}-consumer`, `${svc}-consumer`, `${svc}-app`, "platform-deployer", "ReadOnly", "OrganizationAccountAccessRole"][
      k % 6
    ];
    out.push({
      action: "sts:AssumeRole",
      resource: roleArn(
        accountId(k % 10 === 9 ? 7 + 20 * rng.int(Math.max(1, Math.floor((accounts - 7) / 20))) : i),
        k % 10 === 9 ? "org-shared-reader" : name,
      ),
    });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [dir, accounts, roles, seed] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write("usage: node bench/generate-inventory.mjs DIR [accounts] [rolesPerAccount] [seed]\n");
    process.exit(2);
  }
  const summary = generateInventory(dir, {
    ...(accounts ? { accounts: Number(accounts) } : {}),
    ...(roles ? { rolesPerAccount: Number(roles) } : {}),
    ...(seed ? { seed: Number(seed) } : {}),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
