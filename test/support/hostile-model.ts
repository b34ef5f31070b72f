/**
 * A model that reaches every emitter (IRSA with a CronJob and the credentials sidecar, EKS Pod
 * Identity with an ExternalSecret, Airflow with MWAA tokens, Spark, an IAM user with an API
 * client, a third party with an ExternalId, a role chain, a resource policy), the fields of it
 * where a name goes, and hostile names to put there.
 */
import fc from "fast-check";
import { parse, stringify } from "yaml";

export const HOSTILE_BASE = `
version: 1
name: app
accounts:
  home: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
  vendor: { id: "333333333333", region: us-east-1, external: true }
clusters:
  eks: { account: home, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789 }
workloads:
  job:
    account: home
    identity: { type: irsa, cluster: eks, namespace: jobs, serviceAccount: job, role: job-role }
    runtime: { kind: cronjob, schedule: "0 3 * * *", image: registry.example.com/tools/aws-cli:2, profile: job-data, credentialsImage: "registry.example.com/xacct:0.1.0" }
  pods:
    account: home
    identity: { type: pod-identity, cluster: eks, namespace: apps, serviceAccount: api }
    runtime: { kind: deployment }
  flows:
    account: home
    identity: { type: irsa, cluster: eks, namespace: airflow, serviceAccount: worker }
    runtime: { kind: airflow, schedule: "@daily" }
  spark:
    account: home
    identity: { type: irsa, cluster: eks, namespace: emr, serviceAccount: "emr-containers-sa-*", role: spark-exec }
    runtime: { kind: spark, credentialsImage: "registry.example.com/xacct:0.1.0" }
  keys:
    account: home
    identity: { type: iam-user, user: legacy }
  partner:
    account: vendor
    identity: { type: external, principal: "arn:aws:iam::333333333333:role/Vendor", externalId: partner-123 }
  env:
    account: home
    identity: { type: mwaa, environment: env1 }
    runtime: { kind: airflow }
grants:
  - { workload: job, account: data, service: s3, access: [read, list], resources: { bucket: lake, prefix: raw/ }, role: { name: job-reader }, profile: job-data }
  - { workload: pods, account: data, service: secretsmanager, access: [read], resources: { secret: db-creds } }
  - { workload: flows, account: data, service: glue, access: [run], resources: { job: nightly } }
  - { workload: flows, account: data, service: airflow, access: [read, cli-token, web-login], resources: { environment: data-env, airflow-role: User } }
  - { workload: spark, account: data, service: s3, access: [read], resources: { bucket: spark-data } }
  - { workload: keys, account: data, service: execute-api, access: [invoke-read], resources: { api: a1b2c3d4e5, stage: prod, path: /orders/* } }
  - { workload: partner, account: data, service: glue, access: [run], resources: { job: nightly }, role: { name: partner-glue } }
  - { workload: env, account: data, service: kinesis, access: [read], resources: { stream: events }, via: resource-policy }
  - { workload: flows, account: data, service: sqs, access: [send], resources: { queue: jobs }, via: chain, through: [{ account: home, role: hop-role }] }
`;

type Model = Record<string, unknown>;
type Key = string | number;

/** A place in the model where a name goes: a value at a path, or a key that other fields refer to. */
export interface Field {
  label: string;
  apply(model: Model, name: string): void;
}

function at(path: Key[]): Field {
  return {
    label: path.join("."),
    apply(model, name) {
      let node = model as Record<Key, unknown>;
      for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
      node[path[path.length - 1] as Key] = name;
    },
  };
}

/** Renames a key of `section` and every reference to it. */
function key(
  section: "workloads" | "accounts" | "clusters",
  old: string,
  refs: (model: Model) => Record<string, unknown>[],
  field: string,
): Field {
  return {
    label: `${section} key ${old}`,
    apply(model, name) {
      const entries = Object.entries(model[section] as Record<string, unknown>).map(([k, v]) => [k === old ? name : k, v] as const);
      // fromEntries defines each key, "__proto__" included, as an own property.
      model[section] = Object.fromEntries(entries);
      for (const ref of refs(model)) if (ref[field] === old) ref[field] = name;
    },
  };
}

const grants = (m: Model) => m.grants as Record<string, unknown>[];
const workloadsOf = (m: Model) => Object.values(m.workloads as Record<string, Record<string, unknown>>);

export const FIELDS: Field[] = [
  at(["name"]),
  key("workloads", "job", grants, "workload"),
  key("accounts", "data", grants, "account"),
  key("clusters", "eks", (m) => workloadsOf(m).map((w) => w.identity as Record<string, unknown>), "cluster"),
  at(["workloads", "job", "runtime", "profile"]),
  at(["grants", 0, "profile"]),
  at(["grants", 0, "role", "name"]),
  at(["workloads", "job", "identity", "role"]),
  at(["workloads", "job", "identity", "namespace"]),
  at(["workloads", "job", "identity", "serviceAccount"]),
  at(["workloads", "pods", "identity", "serviceAccount"]),
  at(["workloads", "job", "runtime", "schedule"]),
  at(["workloads", "flows", "runtime", "schedule"]),
  at(["workloads", "job", "runtime", "image"]),
  at(["workloads", "spark", "runtime", "credentialsImage"]),
  at(["workloads", "keys", "identity", "user"]),
  at(["workloads", "partner", "identity", "principal"]),
  at(["workloads", "partner", "identity", "externalId"]),
  at(["workloads", "env", "identity", "environment"]),
  at(["grants", 0, "resources", "bucket"]),
  at(["grants", 0, "resources", "prefix"]),
  at(["grants", 1, "resources", "secret"]),
  at(["grants", 2, "resources", "job"]),
  at(["grants", 3, "resources", "environment"]),
  at(["grants", 3, "resources", "airflow-role"]),
  at(["grants", 4, "resources", "bucket"]),
  at(["grants", 5, "resources", "stage"]),
  at(["grants", 5, "resources", "path"]),
  at(["grants", 7, "resources", "stream"]),
  at(["grants", 8, "through", 0, "role"]),
];

/** The marker a hostile name's injected line or command starts with; no generated line may. */
export const INJECTED = "INJECTED";
/** The file an injected shell command would create in the directory it runs in. */
export const PWNED = "PWNED";

/** Pieces of hostile names: line breaks before INJECTED, brackets, quotes, substitutions, comments. */
const PIECES = [
  `\n${INJECTED}`,
  `\r\n${INJECTED}`,
  `\r${INJECTED}`,
  `\u2028${INJECTED}`,
  `\u0085${INJECTED}`,
  `\n[profile ${INJECTED}]\ncredential_process = touch ${PWNED}\n`,
  "]",
  "[",
  "'",
  '"',
  '"""',
  `$(touch\${IFS}${PWNED})`,
  `\`touch\${IFS}${PWNED}\``,
  `;touch\${IFS}${PWNED};`,
  `';touch\${IFS}${PWNED};'`,
  "#",
  ";",
  "${HOME}",
  "%{x}",
  "{stage}",
  "```",
  "|",
  "<b>",
  "\\",
  " ",
  "__proto__",
  "constructor",
  "x".repeat(300),
  "a",
  "b-1",
  "ok.name",
];

/** A hostile name: a few pieces, or one of the names that are hostile whole (5,000 characters: beyond every limit, short enough to print). */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    `a\n[profile ${INJECTED}]\ncredential_process = touch ${PWNED}`,
    "x".repeat(5000),
  ),
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")),
);

/** The base model with `name` put in `field`, as YAML. */
export function hostileModel(field: Field, name: string): string {
  const model = parse(HOSTILE_BASE) as Model;
  field.apply(model, name);
  return stringify(model, { lineWidth: 0 });
}
