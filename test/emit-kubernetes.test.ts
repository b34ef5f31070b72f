/**
 * Kubernetes manifests (seed 001, the CATS platform): every emitted document parses as YAML and
 * validates against the real schemas — Kubernetes' own (kubernetes-models) and External Secrets'
 * (@kubernetes-models/external-secrets) — and says what EKS, the AWS CLI and the External Secrets
 * Operator document. Expected values come from the compiled chains, never from emitted text.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExternalSecret, SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { ConfigMap, ServiceAccount } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { compile } from "../src/compile/compile.js";
import type { Chain } from "../src/compile/plan.js";
import { awsConfigText } from "../src/emit/aws-config.js";
import {
  AWS_CONFIG_FILE,
  awsConfigMapName,
  DEFAULT_IMAGE,
  DEFAULT_SCHEDULE,
  emitKubernetes,
  tokenSecretName,
} from "../src/emit/kubernetes.js";
import type { EmittedFile } from "../src/emit/types.js";
import { loadModel } from "../src/model/load.js";
import { emitAll } from "../src/emit/index.js";
import { expectChainInConfig, parseAwsConfig } from "./support/aws-config-file.js";
import { compileExample } from "./support/emit-model.js";
import { YAMLLINT, yamllint } from "./support/yamllint.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// GIVEN the CATS platform of seed 001: an EKS cluster in one account, the resources in another.
const MODEL = `
version: 1
name: cats
accounts:
  cats: { id: "111111111111", region: us-east-2 }
  hub:  { id: "333333333333", region: us-east-2 }
  apps: { id: "490262564977", region: us-east-2 }
clusters:
  cats-eks: { account: cats, oidcIssuer: oidc.eks.us-east-2.amazonaws.com/id/ABCDEF0123456789 }
workloads:
  nightly-etl:
    account: cats
    identity: { type: irsa, cluster: cats-eks, namespace: data, serviceAccount: nightly-etl }
    runtime: { kind: cronjob, schedule: "30 2 * * *", credentialsImage: registry.example.com/xacct:0.1.0 }
  invoker:
    account: cats
    identity: { type: irsa, cluster: cats-eks, namespace: data, serviceAccount: invoker }
    runtime: { kind: cronjob }
  scorer:
    account: cats
    identity: { type: pod-identity, cluster: cats-eks, namespace: ml, serviceAccount: scorer }
    runtime: { kind: deployment, image: registry.example.com/tools/aws-cli:2 }
  cluwe:
    account: cats
    identity: { type: irsa, cluster: cats-eks, namespace: cluwe-qa, serviceAccount: cluwe }
    runtime: { kind: job, credentialsImage: registry.example.com/xacct:0.1.0 }
  reader:
    account: cats
    identity: { type: irsa, cluster: cats-eks, namespace: data, serviceAccount: reader }
    runtime: { kind: job, credentialsImage: registry.example.com/xacct:0.1.0 }
  on-ecs:
    account: cats
    identity: { type: ecs-task }
    runtime: { kind: ecs }
  emr:
    account: cats
    identity: { type: irsa, cluster: cats-eks, namespace: emr, serviceAccount: "emr-containers-sa-*-*-111111111111-*" }
    runtime: { kind: spark }
grants:
  - { workload: nightly-etl, account: apps, service: glue, access: [run, watch], resources: { job: nightly-etl } }
  - { workload: invoker, account: apps, service: lambda, access: [invoke], resources: { function: refresh }, via: resource-policy }
  - { workload: scorer, account: apps, service: sagemaker, access: [invoke], resources: { endpoint: churn } }
  - workload: cluwe
    account: apps
    service: secretsmanager
    access: [read]
    resources: { secret: cluwe-dev/rds/secret }
    via: chain
    through: [{ account: hub, role: hub-broker }]
    role: { name: lrl-cluwe-cats-cross-connection }
  - { workload: scorer, account: apps, service: secretsmanager, access: [read], resources: { secret: ml/api-key } }
  - { workload: cluwe, account: apps, service: redshift-data, access: [query, results], resources: { cluster: analytics } }
  - { workload: reader, account: apps, service: s3, access: [list], resources: { bucket: reports, prefix: daily/ } }
  - { workload: reader, account: apps, service: sqs, access: [send], resources: { queue: events } }
  - { workload: on-ecs, account: apps, service: glue, access: [run], resources: { job: nightly-etl } }
  - { workload: emr, account: apps, service: s3, access: [read], resources: { bucket: lake } }
`;

const compiled = compile(loadModel(MODEL));
const files = emitKubernetes(compiled);
const chainsOf = (workload: string): Chain[] => compiled.chains.filter((c) => c.workload === workload);
const chainOf = (workload: string, service: string): Chain => {
  const chain = compiled.chains.find((c) => c.workload === workload && c.service === service);
  if (!chain) throw new Error(`no chain ${workload}/${service}`);
  return chain;
};
const dir = (workload: string) => `workloads/${workload}/kubernetes`;

function documents(file: EmittedFile): Obj[] {
  const docs = parseAllDocuments(file.content);
  if (!Array.isArray(docs)) throw new Error(`${file.path}: not YAML documents`);
  for (const d of docs) expect(d.errors, file.path).toEqual([]);
  return docs.map((d) => d.toJS() as Obj);
}
const yamlFiles = files.filter((f) => f.path.endsWith(".yaml"));
const allDocs = yamlFiles.flatMap((f) => documents(f).map((doc) => ({ file: f.path, doc })));
const docsOf = (workload: string) => allDocs.filter((d) => d.file.startsWith(`${dir(workload)}/`)).map((d) => d.doc);
/** A workload's documents of one kind; ExternalSecret means ESO's, not the legacy controller's. */
const find = (workload: string, kind: string) =>
  docsOf(workload).filter((d) => d.kind === kind && d.apiVersion !== "kubernetes-client.io/v1");
const one = (workload: string, kind: string): Obj => {
  const found = find(workload, kind);
  expect(found, `${workload} ${kind}`).toHaveLength(1);
  return found[0]!;
};

/** The kubernetes-client.io/v1 ExternalSecret CRD of the deprecated controller (test/fixtures). */
/**
 * The deprecated kubernetes-client.io/v1 ExternalSecret, as its project's README documents it
 * (no schema package exists for it, and xacct copies no other project's files): the spec fields,
 * the backend types, and the fields of each data entry.
 */
const legacySchema = {
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    spec: {
      properties: {
        backendType: {
          enum: [
            "secretsManager",
            "systemManager",
            "vault",
            "azureKeyVault",
            "gcpSecretsManager",
            "alicloudSecretsManager",
            "ibmcloudSecretsManager",
            "akeyless",
          ],
        },
        vaultRole: {},
        vaultMountPoint: {},
        kvVersion: {},
        keyVaultName: {},
        projectId: {},
        roleArn: {},
        region: {},
        data: { items: { properties: { key: {}, name: {}, property: {}, version: {}, versionStage: {}, isBinary: {}, path: {} } } },
        dataFrom: {},
        dataFromWithOptions: {},
        template: {},
      },
    },
  },
} as Obj;

function validateLegacy(doc: Obj): void {
  const spec = legacySchema.properties.spec as Obj;
  for (const key of legacySchema.required as string[]) if (!(key in doc)) throw new Error(`missing ${key}`);
  for (const key of Object.keys(doc.spec))
    if (!(key in spec.properties)) throw new Error(`spec.${key} is not in the CRD (the API server prunes it)`);
  if (!(spec.properties.backendType.enum as string[]).includes(doc.spec.backendType))
    throw new Error(`backendType ${doc.spec.backendType}`);
  if (!("data" in doc.spec) && !("dataFrom" in doc.spec)) throw new Error("needs data or dataFrom");
  const item = spec.properties.data.items as Obj;
  for (const entry of doc.spec.data ?? []) {
    for (const key of Object.keys(entry)) if (!(key in item.properties)) throw new Error(`data[].${key} is not in the CRD`);
    for (const key of ["key", "name"]) if (typeof entry[key] !== "string") throw new Error(`data[].${key} must be a string`);
  }
}

/** Validates one document against its schema (External Secrets' own v1 models for ESO objects). */
function validate(doc: Obj): void {
  const key = `${doc.apiVersion} ${doc.kind}`;
  switch (key) {
    case "v1 ServiceAccount":
      return new ServiceAccount(doc).validate();
    case "v1 ConfigMap":
      return new ConfigMap(doc).validate();
    case "batch/v1 CronJob":
      return new CronJob(doc as never).validate();
    case "batch/v1 Job":
      return new Job(doc as never).validate();
    case "apps/v1 Deployment":
      return new Deployment(doc as never).validate();
    case "external-secrets.io/v1 SecretStore":
      return new SecretStore(doc as never).validate();
    case "external-secrets.io/v1 ExternalSecret":
      return new ExternalSecret(doc as never).validate();
    case "kubernetes-client.io/v1 ExternalSecret":
      return validateLegacy(doc);
    default:
      // Any other pair is unknown to these schemas (the seed's batch/v1 Deployment, for one):
      // validate it as its kind so the schema reports the wrong apiVersion.
      if (doc.kind === "Deployment") return new Deployment(doc as never).validate();
      if (doc.kind === "CronJob") return new CronJob(doc as never).validate();
      throw new Error(`no schema for ${key}`);
  }
}

/** Kubernetes object names: DNS-1123 subdomains; label values at most 63 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function podSpec(doc: Obj): Obj {
  if (doc.kind === "CronJob") return doc.spec.jobTemplate.spec.template.spec;
  return doc.spec.template.spec;
}
function container(doc: Obj): Obj {
  const containers = podSpec(doc).containers as Obj[];
  expect(containers).toHaveLength(1);
  return containers[0]!;
}
function env(doc: Obj): Record<string, string> {
  return Object.fromEntries((container(doc).env as Obj[]).map((e) => [e.name, e.value]));
}
function commandLine(doc: Obj): string {
  return (container(doc).command as string[]).join(" ");
}

describe("kubernetes: every manifest against the real schemas", () => {
  it("parses every YAML file, multi-document files included", () => {
    expect(yamlFiles.length).toBeGreaterThan(0);
    expect(allDocs.length).toBeGreaterThan(yamlFiles.length);
  });

  it("validates every document against the Kubernetes, External Secrets or legacy CRD schema", () => {
    for (const { file, doc } of allDocs) expect(() => validate(doc), `${file}: ${doc.kind}`).not.toThrow();
  });

  it("gives every object a DNS-1123 name and a namespace, and CronJobs at most 52 characters (Jobs get an 11-character suffix)", () => {
    for (const { doc } of allDocs) {
      expect(doc.metadata.name).toMatch(DNS_SUBDOMAIN);
      expect(doc.metadata.name.length).toBeLessThanOrEqual(doc.kind === "CronJob" ? 52 : 63);
      expect(doc.metadata.namespace).toBeTruthy();
      for (const value of Object.values(doc.metadata.labels ?? {})) expect(String(value).length).toBeLessThanOrEqual(63);
    }
  });

  it("rejects deliberately broken manifests: the schemas are really checked", () => {
    const deployment = one("scorer", "Deployment");
    // Seed 001's mistake: a Deployment under batch/v1.
    expect(() => validate({ ...deployment, apiVersion: "batch/v1" })).toThrow(/apiVersion/);
    // A Deployment needs spec.selector.
    const noSelector = { ...deployment.spec };
    delete noSelector.selector;
    expect(() => validate({ ...deployment, spec: noSelector })).toThrow(/selector/);
    // A CronJob needs spec.schedule.
    const cronJob = one("nightly-etl", "CronJob");
    const noSchedule = { ...cronJob.spec };
    delete noSchedule.schedule;
    expect(() => validate({ ...cronJob, spec: noSchedule })).toThrow(/schedule/);
    // External Secrets knows only the services SecretsManager, ParameterStore (…).
    const store = one("cluwe", "SecretStore");
    expect(() => validate({ ...store, spec: { provider: { aws: { ...store.spec.provider.aws, service: "SecretManager" } } } })).toThrow(
      /service/,
    );
    // The legacy CRD has no spec.roleArns.
    const old = allDocs.find((d) => d.file.startsWith(dir("cluwe")) && d.doc.apiVersion === "kubernetes-client.io/v1")!.doc;
    expect(() => validate({ ...old, spec: { ...old.spec, roleArns: [] } })).toThrow(/roleArns/);
  });
});

describe("kubernetes: ServiceAccount", () => {
  it("annotates an IRSA service account with eks.amazonaws.com/role-arn: the workload's start role (EKS IRSA)", () => {
    for (const workload of ["nightly-etl", "invoker", "cluwe", "reader"]) {
      const chain = chainsOf(workload)[0]!;
      const sa = one(workload, "ServiceAccount");
      expect(sa.metadata.name).toBe(chain.start.cluster!.serviceAccount);
      expect(sa.metadata.namespace).toBe(chain.start.cluster!.namespace);
      expect(sa.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": chain.start.roleArn });
    }
  });

  it("leaves a Pod Identity service account unannotated and writes the association command instead", () => {
    const chain = chainOf("scorer", "sagemaker");
    const sa = one("scorer", "ServiceAccount");
    expect(sa.metadata.annotations).toBeUndefined();
    const notes = files.find((f) => f.path === `${dir("scorer")}/pod-identity-association.md`)!.content;
    const cluster = chain.start.cluster!;
    expect(notes).toContain(
      `aws eks create-pod-identity-association --cluster-name ${cluster.name} --namespace ${cluster.namespace} --service-account ${cluster.serviceAccount} --role-arn ${chain.start.roleArn}`,
    );
    // The chain has one cross-account hop: EKS Pod Identity can make it natively with a target role.
    expect(chain.hops).toHaveLength(1);
    expect(notes).toContain(`--target-role-arn ${chain.hops[0]!.roleArn}`);
  });

  it("writes no ServiceAccount for an EMR on EKS service-account pattern, and nothing at all for workloads off EKS", () => {
    expect(find("emr", "ServiceAccount")).toEqual([]);
    expect(one("emr", "ConfigMap").data.config).toBe(awsConfigText(chainsOf("emr")));
    expect(files.filter((f) => f.path.startsWith(dir("on-ecs")))).toEqual([]);
  });
});

describe("kubernetes: ConfigMap with the AWS config", () => {
  it("holds the workload's AWS config under the key config, each chain resolving through its profiles", () => {
    for (const workload of ["nightly-etl", "invoker", "scorer", "cluwe", "reader"]) {
      const cm = one(workload, "ConfigMap");
      expect(cm.metadata.namespace).toBe(chainsOf(workload)[0]!.start.cluster!.namespace);
      expect(Object.keys(cm.data)).toEqual(["config"]);
      expect(cm.data.config).toBe(awsConfigText(chainsOf(workload)));
      const config = parseAwsConfig(cm.data.config);
      for (const chain of chainsOf(workload)) expectChainInConfig(config, chain);
    }
  });
});

describe("kubernetes: workload templates", () => {
  it("uses CronJob and Job from batch/v1 and Deployment from apps/v1, never a Deployment under batch/v1", () => {
    expect(one("nightly-etl", "CronJob").apiVersion).toBe("batch/v1");
    expect(one("cluwe", "Job").apiVersion).toBe("batch/v1");
    expect(one("scorer", "Deployment").apiVersion).toBe("apps/v1");
    for (const { doc } of allDocs) if (doc.kind === "Deployment") expect(doc.apiVersion).toBe("apps/v1");
  });

  it("schedules a CronJob as the model says, daily at midnight by default", () => {
    expect(one("nightly-etl", "CronJob").spec.schedule).toBe(chainOf("nightly-etl", "glue").runtime!.schedule);
    expect(one("invoker", "CronJob").spec.schedule).toBe(DEFAULT_SCHEDULE);
    expect(DEFAULT_SCHEDULE).toBe("0 0 * * *");
  });

  it("runs the workload's service account with the config mounted where AWS_CONFIG_FILE points, and the grant's profile and region", () => {
    const triggers = allDocs.filter((d) => ["CronJob", "Job", "Deployment"].includes(d.doc.kind));
    expect(triggers.length).toBe(6); // every grant but the secret (delivered by the ExternalSecret)
    for (const { file, doc } of triggers) {
      const workload = file.split("/")[1]!;
      const chain = chainsOf(workload).find((c) => c.service === doc.metadata.labels["app.kubernetes.io/component"])!;
      expect(chain, file).toBeDefined();
      const spec = podSpec(doc);
      expect(spec.serviceAccountName).toBe(chain.start.cluster!.serviceAccount);
      const vars = env(doc);
      expect(vars.AWS_REGION).toBe(chain.region);
      expect(vars.AWS_DEFAULT_REGION).toBe(chain.region);
      // An IRSA chain that assumes roles is served by the credentials sidecar (its own tests are in
      // emit-credentials-sidecar.test.ts): the profile and the config file are the sidecar's.
      const sidecar = (spec.initContainers as Obj[] | undefined)?.[0];
      expect(sidecar !== undefined, file).toBe(chain.start.type === "irsa" && chain.hops.length > 0);
      const configUser = sidecar ?? container(doc);
      const configVars = Object.fromEntries((configUser.env as Obj[]).map((e) => [e.name, e.value]));
      if (sidecar) {
        expect(sidecar.command.slice(0, 2)).toEqual(["xacct", "serve-credentials"]);
        expect(sidecar.args).toEqual(["--profile", chain.profile]);
      } else {
        expect(vars.AWS_PROFILE).toBe(chain.profile);
        expect(vars.AWS_SDK_LOAD_CONFIG).toBe("1");
      }
      expect(configVars.AWS_CONFIG_FILE).toBe(AWS_CONFIG_FILE);
      // AWS_CONFIG_FILE is the ConfigMap's key "config", mounted from the workload's ConfigMap.
      const configMap = one(workload, "ConfigMap");
      const volume = (spec.volumes as Obj[]).find((v) => v.configMap?.name === configMap.metadata.name)!;
      const item = (volume.configMap.items as Obj[]).find((i) => i.key === "config")!;
      const mount = (configUser.volumeMounts as Obj[]).find((m) => m.name === volume.name)!;
      expect(`${mount.mountPath}/${item.path}`).toBe(configVars.AWS_CONFIG_FILE);
      expect(parseAwsConfig(configMap.data.config).has(chain.profile)).toBe(true);
      expect(container(doc).image).toBe(chain.runtime?.image ?? DEFAULT_IMAGE);
    }
  });

  it("runs as non-root on a read-only root filesystem, with an emptyDir at /tmp", () => {
    for (const { doc } of allDocs.filter((d) => ["CronJob", "Job", "Deployment"].includes(d.doc.kind))) {
      const spec = podSpec(doc);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      // The AWS CLI image runs as root: runAsNonRoot alone would stop the kubelet from starting it.
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container(doc).securityContext.readOnlyRootFilesystem).toBe(true);
      const tmp = (container(doc).volumeMounts as Obj[]).find((m) => m.mountPath === "/tmp")!;
      expect((spec.volumes as Obj[]).find((v) => v.name === tmp.name)!.emptyDir).toEqual({});
    }
  });

  it("triggers each target with the AWS CLI command its service documents", () => {
    // aws glue start-job-run --job-name NAME
    expect(container(one("nightly-etl", "CronJob")).command).toEqual([
      "aws",
      "glue",
      "start-job-run",
      "--job-name",
      chainOf("nightly-etl", "glue").resources.job,
    ]);
    // aws lambda invoke --function-name NAME-or-ARN OUTFILE; through a resource policy the caller
    // keeps its own identity, so only the function's ARN reaches the other account.
    const lambda = chainOf("invoker", "lambda");
    expect(lambda.hops).toEqual([]);
    expect(container(one("invoker", "CronJob")).command).toEqual([
      "aws",
      "lambda",
      "invoke",
      "--function-name",
      `arn:aws:lambda:${lambda.region}:${lambda.account}:function:${lambda.resources.function}`,
      "/tmp/out.json",
    ]);
    // aws sagemaker-runtime invoke-endpoint --endpoint-name NAME --body fileb://FILE OUTFILE, in a
    // loop (a Deployment's container must keep running); the body is a file so that AWS CLI v1
    // and v2 (which reads a literal blob argument as base64) send the same bytes.
    const sagemaker = commandLine(one("scorer", "Deployment"));
    expect(sagemaker).toContain(
      `aws sagemaker-runtime invoke-endpoint --endpoint-name ${chainOf("scorer", "sagemaker").resources.endpoint}`,
    );
    expect(sagemaker).toMatch(/--body fileb:\/\/\/tmp\//);
    expect(sagemaker).toMatch(/while true; do[\s\S]*sleep/);
    expect(container(one("scorer", "Deployment")).command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    // aws redshift-data execute-statement --cluster-identifier ID --database DB --sql SQL
    const redshift = container(one("cluwe", "Job")).command as string[];
    expect(redshift.slice(0, 5)).toEqual([
      "aws",
      "redshift-data",
      "execute-statement",
      "--cluster-identifier",
      chainOf("cluwe", "redshift-data").resources.cluster,
    ]);
    expect(redshift).toContain("--database");
    expect(redshift).toContain("--sql");
    // aws s3 ls s3://BUCKET/PREFIX, and sts get-caller-identity for services without a trigger
    const jobs = find("reader", "Job").map((d) => container(d).command as string[]);
    expect(jobs).toContainEqual(["aws", "s3", "ls", "s3://reports/daily/"]);
    expect(jobs).toContainEqual(["aws", "sts", "get-caller-identity"]);
  });

  // The real AWS CLI, when installed: each container command is run as the pod would run it, with
  // \`aws\` pointed at an endpoint nobody listens on (placeholder keys, nothing reaches AWS) and
  // \`sleep\` ending a Deployment's loop. "Could not connect" means the CLI parsed the command
  // and built the request; a command it rejects ends in its usage message instead.
  const realAws = spawnSync("/bin/sh", ["-c", "command -v aws"], { encoding: "utf8" }).stdout.trim();
  it.skipIf(!realAws)("runs every trigger command as its container would, and the real AWS CLI accepts each", () => {
    const bin = mkdtempSync(join(tmpdir(), "xacct-bin-"));
    writeFileSync(join(bin, "aws"), `#!/bin/sh\nexec '${realAws}' "$@" --endpoint-url http://127.0.0.1:9 --cli-connect-timeout 1\n`, {
      mode: 0o755,
    });
    writeFileSync(join(bin, "sleep"), '#!/bin/sh\nkill -TERM "$PPID"\n', { mode: 0o755 });
    const triggers = allDocs.filter((d) => ["CronJob", "Job", "Deployment"].includes(d.doc.kind));
    expect(triggers.length).toBeGreaterThan(0);
    for (const { file, doc } of triggers) {
      const [command, ...args] = container(doc).command as string[];
      const vars = env(doc);
      const r = spawnSync(command!, args, {
        encoding: "utf8",
        timeout: 30_000,
        env: {
          PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
          HOME: mkdtempSync(join(tmpdir(), "xacct-home-")),
          AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
          AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          AWS_CONFIG_FILE: join(bin, "no-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(bin, "no-credentials"),
          AWS_DEFAULT_REGION: vars.AWS_DEFAULT_REGION!,
          // One attempt: the endpoint refuses at once, retries would only wait.
          AWS_MAX_ATTEMPTS: "1",
          AWS_RETRY_MODE: "standard",
          ...(vars.XACCT_INTERVAL_SECONDS ? { XACCT_INTERVAL_SECONDS: vars.XACCT_INTERVAL_SECONDS } : {}),
        },
      });
      const output = `${r.stdout}${r.stderr}`;
      expect(output, `${file}: ${output}`).toContain("Could not connect to the endpoint URL");
      expect(output, file).not.toMatch(/usage:|Unknown options|Invalid base64/);
    }
  });

  it("names templates after the workload and service, never lambda-trigger (seed 001's Glue job)", () => {
    const glue = one("nightly-etl", "CronJob");
    expect(glue.metadata.name).toContain("glue");
    expect(JSON.stringify(glue)).not.toMatch(/lambda/i);
    for (const file of files) expect(file.content).not.toContain("lambda-trigger");
  });

  it("never writes [profile default] (the config file's default section is [default])", () => {
    for (const file of files) expect(file.content).not.toMatch(/\[profile default\]/);
  });
});

describe("kubernetes: RDS credentials through External Secrets", () => {
  const chain = chainOf("cluwe", "secretsmanager");

  it("makes a SecretStore that reaches Secrets Manager through the chain: additionalRoles in order, then role (ESO AWS provider)", () => {
    expect(chain.hops.length).toBe(2);
    const store = one("cluwe", "SecretStore");
    expect(store.apiVersion).toBe("external-secrets.io/v1");
    const aws = store.spec.provider.aws;
    expect(aws.service).toBe("SecretsManager");
    expect(aws.region).toBe(chain.region);
    expect(aws.additionalRoles).toEqual(chain.hops.slice(0, -1).map((h) => h.roleArn));
    expect(aws.role).toBe(chain.hops[chain.hops.length - 1]!.roleArn);
    // IRSA: the operator exchanges the workload's service-account token for its annotated role.
    expect(aws.auth.jwt.serviceAccountRef.name).toBe(chain.start.cluster!.serviceAccount);
  });

  it("makes an ExternalSecret reading the secret through that store into a Secret", () => {
    const store = one("cluwe", "SecretStore");
    const es = one("cluwe", "ExternalSecret");
    expect(es.metadata.namespace).toBe(store.metadata.namespace);
    expect(es.spec.secretStoreRef).toEqual({ name: store.metadata.name, kind: "SecretStore" });
    expect(es.spec.dataFrom).toEqual([{ extract: { key: chain.resources.secret } }]);
    expect(es.spec.target.name).toMatch(DNS_SUBDOMAIN);
  });

  it("gives a Pod Identity workload's SecretStore no auth: the operator cannot act as another service account (external-secrets#2951)", () => {
    const store = one("scorer", "SecretStore");
    const podChain = chainOf("scorer", "secretsmanager");
    expect(store.spec.provider.aws.auth).toBeUndefined();
    expect(store.spec.provider.aws.role).toBe(podChain.hops[podChain.hops.length - 1]!.roleArn);
    expect(files.find((f) => f.path === `${dir("scorer")}/external-secret.yaml`)!.content).toContain("operator's role");
  });

  it("writes the legacy kubernetes-client.io/v1 form into its own file, outside the directory kubectl applies", () => {
    const file = files.find((f) => f.path.startsWith(dir("cluwe")) && f.path.endsWith("external-secret-legacy.yaml"))!;
    expect(file.path).toBe(`${dir("cluwe")}/legacy/external-secret-legacy.yaml`);
    expect(file.content).toMatch(/deprecated kubernetes-external-secrets/);
    const [legacy, ...rest] = documents(file);
    expect(rest).toEqual([]);
    expect(legacy!.apiVersion).toBe("kubernetes-client.io/v1");
    expect(legacy!.kind).toBe("ExternalSecret");
    expect(legacy!.spec.backendType).toBe("secretsManager");
    expect(legacy!.spec.roleArn).toBe(chain.hops[chain.hops.length - 1]!.roleArn);
    expect(legacy!.spec.region).toBe(chain.region);
    for (const entry of legacy!.spec.data as Obj[]) {
      expect(entry.key).toBe(chain.resources.secret);
      expect(entry.name).toBe(entry.property);
    }
    expect((legacy!.spec.data as Obj[]).map((d) => d.property)).toEqual(["username", "password"]);
  });
});

describe("kubernetes: YAML as yamllint takes it", () => {
  // GIVEN every Kubernetes file xacct generates: this model's, and those of every example's build
  // (the Kubernetes manifests and the Spark pod templates)
  const examples = readdirSync("examples", { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join("examples", d.name, "xacct.yaml")))
    .map((d) => d.name);
  const kubernetesFiles = [
    ...yamlFiles,
    ...examples.flatMap((example) =>
      emitAll(compileExample(example))
        .filter((f) => f.path.endsWith(".yaml") && /\/(kubernetes|spark)\//.test(f.path))
        .map((f) => ({ path: `${example}/${f.path}`, content: f.content })),
    ),
  ];

  it("starts every document with --- (yamllint's document-start rule)", () => {
    expect(kubernetesFiles.length).toBeGreaterThan(yamlFiles.length);
    for (const f of kubernetesFiles) {
      // THEN each file begins a document at its first line, and every document of it does
      expect(f.content.startsWith("---\n"), f.path).toBe(true);
      const docs = parseAllDocuments(f.content);
      expect(f.content.match(/^---$/gm)?.length, f.path).toBe(Array.isArray(docs) ? docs.length : 1);
    }
  });

  it.skipIf(!YAMLLINT)(
    "raises nothing but line length with yamllint's default rules (skipped when yamllint is not installed)",
    { timeout: 60_000 },
    () => {
      // WHEN yamllint reads them with its default configuration
      const { problems, output } = yamllint(kubernetesFiles);
      // THEN the only problems are lines longer than 80 characters (ARNs, comments, commands)
      expect(
        problems.filter((p) => p.rule !== "line-length"),
        output,
      ).toEqual([]);
      // and yamllint really ran and judged: it finds the long lines, and a missing document start
      expect(problems.length).toBeGreaterThan(0);
      const [first] = kubernetesFiles;
      const broken = yamllint([{ path: "broken.yaml", content: first!.content.replace(/^---\n/, "") }]);
      expect(broken.problems.map((p) => p.rule)).toContain("document-start");
    },
  );
});

describe("names of a workload's ConfigMap and token Secret", () => {
  // Kubernetes object names are DNS-1123 labels here: lowercase letters, digits and '-', at most 63.
  const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

  it("keeps a workload name that is already a short label, and tells apart names that clean to the same label", () => {
    // GIVEN workload names the model allows: plain, with '_' or '.', alike in their first 40 characters
    const names = ["nightly-etl", "my_app", "my.app", "My-App", `${"a".repeat(40)}-one`, `${"a".repeat(40)}-two`];
    // WHEN their ConfigMap and Secret are named
    const configMaps = names.map(awsConfigMapName);
    const secrets = names.map(tokenSecretName);
    // THEN a plain name is kept, every name is a label, and no two workloads share one
    expect(configMaps[0]).toBe("nightly-etl-aws-config");
    expect(secrets[0]).toBe("nightly-etl-xacct-token");
    for (const name of [...configMaps, ...secrets]) expect(name).toMatch(DNS_LABEL);
    expect(new Set(configMaps).size).toBe(names.length);
    expect(new Set(secrets).size).toBe(names.length);
  });
});
