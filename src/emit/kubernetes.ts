/**
 * Kubernetes manifests for workloads that start on EKS (IRSA or EKS Pod Identity), under
 * `workloads/<workload>/kubernetes/`:
 *
 * - `service-account.yaml`: the ServiceAccount; for IRSA annotated `eks.amazonaws.com/role-arn`.
 * - `aws-config.yaml`: a ConfigMap holding the workload's AWS config under the key `config`.
 * - `<name>.yaml`: a CronJob (batch/v1), Job (batch/v1) or Deployment (apps/v1) per grant that
 *   triggers its target with the AWS CLI through the grant's profile; for an IRSA workload whose
 *   chain assumes roles, through the credentials sidecar instead (credentials-sidecar.ts): the
 *   sidecar serves the profile, the app container reads AWS_CONTAINER_CREDENTIALS_FULL_URI and
 *   the token from the workload's Secret (`tokenSecretName`), which the operator creates.
 * - `external-secret.yaml`: SecretStore + ExternalSecret (`external-secrets.io/v1`) for each
 *   Secrets Manager grant, the role chain in `spec.provider.aws.role`/`additionalRoles`.
 * - `legacy/external-secret-legacy.yaml`: the same secrets for the deprecated
 *   kubernetes-external-secrets controller (`kubernetes-client.io/v1`); in a subdirectory so that
 *   `kubectl apply -f kubernetes/` does not fail on clusters without that CRD.
 * - `pod-identity-association.md`: for Pod Identity, the association to create (it is an EKS API
 *   object, not a Kubernetes one).
 */
import { shortHash } from "../text/hash.js";
import type { Compiled } from "../compile/compile.js";
import type { Chain, StartIdentity } from "../compile/plan.js";
import { awsConfigText, chainsByWorkload, hasProfile } from "./aws-config.js";
import {
  SKIP_CONTAINERS_ANNOTATION,
  sidecarClientEnv,
  sidecarContainer,
  sidecarImage,
  sidecarVolume,
  usesSidecar,
} from "./credentials-sidecar.js";
import { DNS_SUBDOMAIN, MANAGED_ONLY } from "../model/names.js";
import { mdCode, mdFence, mdText, shellWord, yamlDocuments } from "../text/escape.js";
import { recipeFor } from "../services/index.js";
import type { CliCommand, ExternalSecrets } from "../services/outputs.js";
import { type EmittedFile, type Emitter, slug } from "./types.js";

/** The image a trigger runs when the workload names none: AWS's own AWS CLI v2 image. */
export const DEFAULT_IMAGE = "public.ecr.aws/aws-cli/aws-cli:latest";
/** The CronJob schedule when the workload names none: daily at midnight, as in `examples/001-cats-external`. */
export const DEFAULT_SCHEDULE = "0 0 * * *";
/** Where the ConfigMap with the AWS config is mounted (a directory mount, so updates reach the pod). */
export const AWS_CONFIG_DIR = "/etc/xacct/aws";
export const AWS_CONFIG_FILE = `${AWS_CONFIG_DIR}/config`;
/** A non-root user for the trigger pods (the AWS CLI image itself runs as root). */
const RUN_AS = 65532;
/** How long a Deployment's trigger waits between runs. */
const DEPLOYMENT_INTERVAL_SECONDS = 300;
/** Keys of Secrets Manager's database credential secrets that RDS-managed secrets also hold. */
const RDS_SECRET_KEYS = ["username", "password"];

type Manifest = Record<string, unknown>;
interface Doc {
  value: Manifest;
  comment?: string;
}

const KUBERNETES_STARTS = new Set<StartIdentity["type"]>(["irsa", "pod-identity"]);
const TRIGGER_KINDS: Record<string, { kind: string; apiVersion: string }> = {
  cronjob: { kind: "CronJob", apiVersion: "batch/v1" },
  job: { kind: "Job", apiVersion: "batch/v1" },
  deployment: { kind: "Deployment", apiVersion: "apps/v1" },
};

export const emitKubernetes: Emitter = (compiled) => {
  const files: EmittedFile[] = [];
  for (const [workload, chains] of chainsByWorkload(compiled.chains)) {
    const onEks = chains.filter((c) => KUBERNETES_STARTS.has(c.start.type) && c.start.cluster !== undefined);
    // A workload expanded per stage may start from a different role per stage: one set each.
    const byStart = groupBy(onEks, (c) => `${c.start.account}|${c.start.roleArn ?? ""}`);
    for (const group of byStart.values()) {
      const first = group[0] as Chain;
      const dir = `workloads/${slug(workload)}/kubernetes${byStart.size > 1 ? `/${first.start.account}` : ""}`;
      files.push(...workloadFiles(compiled, workload, group, dir));
    }
  }
  return files;
};

/**
 * The chains whose trigger pods (CronJob, Job, Deployment) run the credentials sidecar: what
 * workloadFiles writes such a pod for.
 */
export function sidecarTriggerChains(compiled: Compiled, chains: readonly Chain[]): Chain[] {
  return chains.filter(
    (c) =>
      KUBERNETES_STARTS.has(c.start.type) &&
      c.start.cluster !== undefined &&
      DNS_SUBDOMAIN.pattern.test(c.start.cluster.serviceAccount) &&
      TRIGGER_KINDS[c.runtime?.kind ?? ""] !== undefined &&
      !secretsOf(c) &&
      usesSidecar(compiled, c),
  );
}

/**
 * The start of every Kubernetes name a workload's manifests take: the workload's name where it is
 * already a short DNS label, else a label made of it and a hash of the whole name, so that two
 * workloads (`my_app` and `my.app`, or names alike in their first 40 characters) never share a
 * ConfigMap or a Secret in one namespace.
 */
function workloadLabel(workload: string): string {
  const label = dnsLabel(workload, WORKLOAD_LABEL_MAX);
  return label === workload ? label : `${dnsLabel(workload, WORKLOAD_LABEL_MAX - 9)}-${shortHash(workload)}`;
}
const WORKLOAD_LABEL_MAX = 40;

/** The name of a workload's ConfigMap with its AWS config (the first name its manifests take). */
export function awsConfigMapName(workload: string): string {
  return `${workloadLabel(workload)}-aws-config`;
}

/**
 * The name of the Secret holding the token of a workload's credentials sidecar: the operator
 * creates it (README.md, *Credentials sidecar*), so that no manifest holds the token.
 */
export function tokenSecretName(workload: string): string {
  return `${workloadLabel(workload)}-xacct-token`;
}

function workloadFiles(compiled: Compiled, workload: string, chains: Chain[], dir: string): EmittedFile[] {
  const start = (chains[0] as Chain).start;
  const cluster = start.cluster!;
  const names = new NameAllocator();
  const base = workloadLabel(workload);
  const labels = { "app.kubernetes.io/name": base, "app.kubernetes.io/managed-by": "xacct" };
  const namespace = cluster.namespace;
  // A pattern (EMR on EKS creates such accounts itself) is no name to write a ServiceAccount under.
  const serviceAccount = DNS_SUBDOMAIN.pattern.test(cluster.serviceAccount) ? cluster.serviceAccount : undefined;
  const configMapName = names.take(awsConfigMapName(workload));
  const files: EmittedFile[] = [];
  const header = `Generated by xacct for workload ${workload}. Do not edit; change xacct.yaml and run xacct build.`;

  if (serviceAccount) {
    const annotations = start.type === "irsa" && start.roleArn ? { "eks.amazonaws.com/role-arn": start.roleArn } : undefined;
    files.push(
      yamlFile(`${dir}/service-account.yaml`, [
        {
          comment: `${header}\n${start.type === "irsa" ? "IRSA: EKS injects a web identity token for the annotated role into pods using this account." : "EKS Pod Identity: the role is bound by a pod identity association (see pod-identity-association.md), not by an annotation."}`,
          value: {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: serviceAccount, namespace, labels, ...(annotations ? { annotations } : {}) },
          },
        },
      ]),
    );
  }

  files.push(
    yamlFile(`${dir}/aws-config.yaml`, [
      {
        comment: `${header}\nThe AWS config file (profiles of every chain of ${workload}); pods mount it at ${AWS_CONFIG_FILE} and set AWS_CONFIG_FILE.`,
        value: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: configMapName, namespace, labels },
          data: { config: awsConfigText(chains) },
        },
      },
    ]),
  );

  if (start.type === "pod-identity" && start.roleArn)
    files.push({ path: `${dir}/pod-identity-association.md`, content: podIdentityNotes(workload, start, chains) });

  if (!serviceAccount) {
    files.push({
      path: `${dir}/README.md`,
      content: `# ${mdText(workload)} on Kubernetes\n\nThe service account ${mdCode(cluster.serviceAccount)} is a pattern (EMR on EKS creates such accounts itself), so xacct writes no ServiceAccount, no pod templates and no SecretStore for it: only the ConfigMap with the AWS config. Mount it at \`${AWS_CONFIG_FILE}\` and set \`AWS_CONFIG_FILE\` and \`AWS_PROFILE\` in the pods EMR starts (see \`../spark/\`)${chains.some((c) => usesSidecar(compiled, c)) ? "; the credentials sidecar of the Spark pod templates there mounts it" : ""}.\n`,
    });
    return files;
  }

  const runtime = TRIGGER_KINDS[(chains[0] as Chain).runtime?.kind ?? ""];
  if (runtime) {
    for (const chain of chains) {
      if (secretsOf(chain)) continue; // delivered by the ExternalSecret below
      const name = names.take(
        `${base}-${dnsLabel(chain.service ?? MANAGED_ONLY, 20)}${chain.stage ? `-${dnsLabel(chain.stage.app, 10)}` : ""}`,
        runtime.kind === "CronJob" ? 52 : 63,
      );
      const manifest = triggerManifest(compiled, chain, { ...runtime, name, namespace, labels, serviceAccount, configMapName });
      const secret = usesSidecar(compiled, chain)
        ? `\nIts pods need the Secret ${tokenSecretName(workload)} in namespace ${namespace}: see README.md, Credentials sidecar.`
        : "";
      files.push(yamlFile(`${dir}/${name}.yaml`, [{ comment: `${header}\n${chain.summary}.${secret}`, value: manifest }]));
    }
  }

  const secretChains = chains.filter((c) => {
    const secrets = secretsOf(c);
    return secrets !== undefined && c.resources[secrets.resource] !== undefined;
  });
  if (secretChains.length > 0) {
    const current: Doc[] = [];
    const legacy: Doc[] = [];
    for (const chain of secretChains) {
      const store = names.take(`${base}-${chain.service}${chain.stage ? `-${dnsLabel(chain.stage.app, 10)}` : ""}`);
      const podIdentity =
        chain.start.type === "pod-identity"
          ? `\nEKS Pod Identity: the operator cannot act as ${serviceAccount} (external-secrets/external-secrets#2951); it starts from its own\nservice account's credentials, so the first role's trust policy must admit the operator's role, not ${chain.start.roleArn}.`
          : "";
      current.push({
        comment: `${chain.summary}.\nThe External Secrets Operator assumes additionalRoles in order, then role (https://external-secrets.io/latest/provider/aws-secrets-manager/).${podIdentity}`,
        value: secretStore(chain, store, namespace, serviceAccount, labels),
      });
      for (const secret of list(chain.resources[(secretsOf(chain) as ExternalSecrets).resource])) {
        const name = names.take(`${base}-${dnsLabel(secret, 40)}`);
        current.push({ value: externalSecret(compiled, chain, secret, name, store, namespace, labels) });
        legacy.push({ value: legacyExternalSecret(compiled, chain, secret, name, namespace) });
      }
    }
    const first = current[0] as Doc;
    first.comment = `${header}\n${first.comment ?? ""}`;
    files.push(yamlFile(`${dir}/external-secret.yaml`, current));
    (legacy[0] as Doc).comment = [
      header,
      "For clusters still running the deprecated kubernetes-external-secrets controller (kubernetes-client.io/v1, archived);",
      "use ../external-secret.yaml with the External Secrets Operator everywhere else.",
      "That controller assumes roleArn in one step with its own credentials: the role's trust policy must admit the",
      "controller's role, and role chains (several hops) cannot be expressed. The keys read are those of",
      "Secrets Manager's database credential secrets (username, password).",
    ].join("\n");
    files.push(yamlFile(`${dir}/legacy/external-secret-legacy.yaml`, legacy));
  }
  return files;
}

interface TriggerContext {
  kind: string;
  apiVersion: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  configMapName: string;
}

function triggerManifest(compiled: Compiled, chain: Chain, ctx: TriggerContext): Manifest {
  const labels = { ...ctx.labels, "app.kubernetes.io/component": dnsLabel(chain.service ?? MANAGED_ONLY, 63) };
  const once = ctx.kind !== "Deployment";
  // Chained roles from an IRSA start: the sidecar serves them, the app reads container credentials.
  const sidecar = usesSidecar(compiled, chain);
  const name = dnsLabel(chain.service ?? MANAGED_ONLY, 63);
  const credentials = sidecar
    ? sidecarClientEnv(tokenSecretName(chain.workload))
    : // Without a profile (Pod Identity, no role to assume), the default chain reads the pod's own credentials.
      [{ name: "AWS_CONFIG_FILE", value: AWS_CONFIG_FILE }, ...(hasProfile(chain) ? [{ name: "AWS_PROFILE", value: chain.profile }] : [])];
  const container = {
    name,
    image: chain.runtime?.image ?? DEFAULT_IMAGE,
    command: containerCommand(triggerCommand(compiled, chain), once),
    env: [
      ...credentials,
      { name: "AWS_REGION", value: chain.region },
      { name: "AWS_DEFAULT_REGION", value: chain.region },
      ...(sidecar ? [] : [{ name: "AWS_SDK_LOAD_CONFIG", value: "1" }]),
      // The AWS CLI caches assumed-role credentials under ~/.aws/cli/cache: keep HOME writable.
      { name: "HOME", value: "/tmp" },
      ...(once ? [] : [{ name: "XACCT_INTERVAL_SECONDS", value: String(DEPLOYMENT_INTERVAL_SECONDS) }]),
    ],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    volumeMounts: [
      ...(sidecar ? [] : [{ name: "aws-config", mountPath: AWS_CONFIG_DIR, readOnly: true }]),
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
  const podSpec = {
    serviceAccountName: ctx.serviceAccount,
    restartPolicy: once ? "Never" : "Always",
    // fsGroup lets the non-root user read the projected service account token.
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      fsGroup: RUN_AS,
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...(sidecar
      ? {
          initContainers: [
            sidecarContainer({
              image: sidecarImage(compiled, chain.workload),
              profile: chain.profile,
              region: chain.region,
              tokenSecret: tokenSecretName(chain.workload),
              configFile: AWS_CONFIG_FILE,
              configVolume: "aws-config",
              configDir: AWS_CONFIG_DIR,
            }),
          ],
        }
      : {}),
    containers: [container],
    volumes: [
      { name: "aws-config", configMap: { name: ctx.configMapName, items: [{ key: "config", path: "config" }] } },
      { name: "tmp", emptyDir: {} },
      ...(sidecar ? [sidecarVolume()] : []),
    ],
  };
  // IRSA's variables go to the sidecar only: the SDKs would read them before the sidecar's.
  const template = { metadata: { labels, ...(sidecar ? { annotations: { [SKIP_CONTAINERS_ANNOTATION]: name } } : {}) }, spec: podSpec };
  const metadata = { name: ctx.name, namespace: ctx.namespace, labels };
  if (ctx.kind === "CronJob") {
    return {
      apiVersion: ctx.apiVersion,
      kind: ctx.kind,
      metadata,
      spec: {
        schedule: chain.runtime?.schedule ?? DEFAULT_SCHEDULE,
        concurrencyPolicy: "Forbid",
        jobTemplate: { spec: { backoffLimit: 2, template } },
      },
    };
  }
  if (ctx.kind === "Job") return { apiVersion: ctx.apiVersion, kind: ctx.kind, metadata, spec: { backoffLimit: 2, template } };
  return { apiVersion: ctx.apiVersion, kind: ctx.kind, metadata, spec: { replicas: 1, selector: { matchLabels: labels }, template } };
}

/** A trigger: the AWS CLI arguments, and a shell line to run first (writing a request body). */
export type Trigger = CliCommand;

/** The container command: the CLI itself when it runs once; a shell when it needs setup or repeats. */
function containerCommand(trigger: Trigger, once: boolean): string[] {
  if (once && !trigger.setup) return trigger.argv;
  const run = `${trigger.setup ? `${trigger.setup} && ` : ""}${trigger.argv.map(shellWord).join(" ")}`;
  if (once) return ["/bin/sh", "-c", run];
  return ["/bin/sh", "-c", `while true; do\n  ${run} || echo "trigger failed" >&2\n  sleep "$XACCT_INTERVAL_SECONDS"\ndone`];
}

/**
 * The AWS CLI command that exercises the grant, as its service module names it (or
 * sts get-caller-identity). Works with AWS CLI v1 and v2 alike.
 */
export function triggerCommand(compiled: Compiled, chain: Chain): Trigger {
  const partition = compiled.state.accounts.get(chain.account)?.partition ?? "aws";
  const place = { partition, region: chain.region, account: chain.account };
  return recipeFor(chain.service)?.cliCommand?.(chain, place) ?? { argv: ["aws", "sts", "get-caller-identity"] };
}

/** What the External Secrets Operator delivers for the chain's service, if anything. */
function secretsOf(chain: Chain): ExternalSecrets | undefined {
  return recipeFor(chain.service)?.externalSecrets;
}

function secretStore(chain: Chain, name: string, namespace: string, serviceAccount: string, labels: Record<string, string>): Manifest {
  const hops = chain.hops;
  const last = hops[hops.length - 1];
  const aws: Record<string, unknown> = {
    service: "SecretsManager",
    region: chain.region,
    ...(last ? { role: last.roleArn } : {}),
    ...(hops.length > 1 ? { additionalRoles: hops.slice(0, -1).map((h) => h.roleArn) } : {}),
    ...(last?.externalId ? { externalID: last.externalId } : {}),
    // IRSA: the operator exchanges this service account's token for its annotated role. With EKS
    // Pod Identity it cannot act as another service account: it uses its own identity (no auth).
    ...(chain.start.type === "irsa" ? { auth: { jwt: { serviceAccountRef: { name: serviceAccount } } } } : {}),
  };
  return { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name, namespace, labels }, spec: { provider: { aws } } };
}

function secretKey(compiled: Compiled, chain: Chain, secret: string): string {
  if (chain.hops.length > 0 || secret.startsWith("arn:")) return secret;
  // Read with the workload's own identity through the secret's resource policy: a bare name would
  // resolve in the caller's account, so name the secret by its (partial) ARN.
  const partition = compiled.state.accounts.get(chain.account)?.partition ?? "aws";
  return secretsOf(chain)?.arn(secret, { partition, region: chain.region, account: chain.account }) ?? secret;
}

function externalSecret(
  compiled: Compiled,
  chain: Chain,
  secret: string,
  name: string,
  store: string,
  namespace: string,
  labels: Record<string, string>,
): Manifest {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace, labels },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { name: store, kind: "SecretStore" },
      target: { name, creationPolicy: "Owner" },
      dataFrom: [{ extract: { key: secretKey(compiled, chain, secret) } }],
    },
  };
}

function legacyExternalSecret(compiled: Compiled, chain: Chain, secret: string, name: string, namespace: string): Manifest {
  const last = chain.hops[chain.hops.length - 1];
  const key = secretKey(compiled, chain, secret);
  return {
    apiVersion: "kubernetes-client.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace },
    spec: {
      backendType: "secretsManager",
      ...(last ? { roleArn: last.roleArn } : {}),
      region: chain.region,
      data: RDS_SECRET_KEYS.map((property) => ({ key, name: property, property })),
    },
  };
}

function podIdentityNotes(workload: string, start: StartIdentity, chains: Chain[]): string {
  const cluster = start.cluster!;
  const base = [
    "aws",
    "eks",
    "create-pod-identity-association",
    "--cluster-name",
    cluster.name,
    "--namespace",
    cluster.namespace,
    "--service-account",
    cluster.serviceAccount,
    "--role-arn",
    start.roleArn ?? "",
    "--region",
    cluster.region,
  ]
    .map(shellWord)
    .join(" ");
  const lines = [
    `# EKS Pod Identity association for ${mdText(workload)}`,
    "",
    `Generated by xacct. Pods of service account ${mdCode(`${cluster.namespace}/${cluster.serviceAccount}`)} in cluster ${mdCode(cluster.name)} get the credentials of ${mdCode(start.roleArn ?? "")} once an administrator of account ${start.account} creates this association (the EKS Pod Identity Agent add-on must be installed):`,
    "",
    mdFence("sh", base),
    "",
    "The AWS config in `aws-config.yaml` starts from these credentials (`credential_source = EcsContainer`) and chains to the target roles.",
  ];
  const single = chains.filter((c) => c.hops.length === 1 && c.hops[0]!.account !== start.account);
  const targets = [...new Set(single.map((c) => c.hops[0]!.roleArn))];
  if (targets.length > 0) {
    lines.push(
      "",
      "## Alternative: EKS Pod Identity's native cross-account target role",
      "",
      "EKS can do the cross-account hop itself: with `--target-role-arn`, it assumes the association role and then the target role, and hands the pods the target role's credentials. The pods then need no profile chain (leave `AWS_PROFILE` unset). One association has one target role, so this fits a service account that needs exactly one of:",
      "",
      ...targets.map((t) => `- ${mdCode(t)}`),
      "",
      mdFence("sh", `${base} --target-role-arn ${shellWord(targets[0] as string)}`),
      "",
      "The target role's trust policy must admit the association role as EKS's guide to target IAM roles describes (including `sts:TagSession` unless session tags are disabled).",
    );
  }
  const chained = chains.filter((c) => c.hops.length > 1);
  if (chained.length > 0)
    lines.push(
      "",
      `Grants reached through more than one role (${mdText(chained.map((c) => c.profile).join(", "))}) need the profile chain: a target role is a single hop.`,
    );
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------

function yamlFile(path: string, docs: Doc[]): EmittedFile {
  return { path, content: yamlDocuments(docs) };
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** A DNS-1123 label (lower-case letters, digits and '-', starting and ending alphanumeric). */
export function dnsLabel(text: string, max = 63): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cleaned.slice(0, max).replace(/-+$/, "") || "x";
}

/** Unique object names within one workload's manifests, within a length limit. */
class NameAllocator {
  private readonly used = new Set<string>();
  take(wanted: string, max = 63): string {
    let name = dnsLabel(wanted, max);
    for (let n = 2; this.used.has(name); n++) name = `${dnsLabel(wanted, max - String(n).length - 1)}-${n}`;
    this.used.add(name);
    return name;
  }
}
