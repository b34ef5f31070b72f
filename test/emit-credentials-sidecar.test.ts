/**
 * The credentials sidecar in generated Kubernetes manifests (seed 001's CATS platform) and Spark
 * pod templates (seed 004's EMR on EKS job): valid against Kubernetes' own schemas
 * (kubernetes-models), shaped as Kubernetes documents native sidecars (an init container with
 * restartPolicy Always) and as the EKS Pod Identity Webhook reads `eks.amazonaws.com/skip-containers`
 * (comma-separated container names left without IRSA's variables), and run for real: the sidecar's
 * own command (the built CLI) against the sandbox, and the SDK for JavaScript given exactly the app
 * container's environment. Expected values come from the compiled chains.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp } from "@aws-sdk/credential-providers";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Pod } from "kubernetes-models/v1";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { compile, type Compiled } from "../src/compile/compile.js";
import { type Chain, WEB_IDENTITY_TOKEN_FILE } from "../src/compile/plan.js";
import { CREDENTIALS_PATH } from "../src/credentials/server.js";
import { DEFAULT_CREDENTIALS_IMAGE, SKIP_CONTAINERS_ANNOTATION } from "../src/emit/credentials-sidecar.js";
import { emitKubernetes } from "../src/emit/kubernetes.js";
import { EMRFS_CONTAINER_PROVIDER, emitSpark, S3A_CONTAINER_PROVIDER } from "../src/emit/spark.js";
import type { EmittedFile } from "../src/emit/types.js";
import { loadModel, loadModelFile } from "../src/model/load.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { expectChainInConfig, parseAwsConfig } from "./support/aws-config-file.js";
import { MAIN, runProgram } from "./support/chain-cli.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SEED_001 = "examples/001-cats-external/xacct.yaml";
const SEED_004 = "examples/004-emr-eks-chain/xacct.yaml";
const cats = compile(loadModelFile(SEED_001));
const catsFiles = emitKubernetes(cats);

function docs(file: EmittedFile): Obj[] {
  return parseAllDocuments(file.content).map((d) => d.toJS() as Obj);
}
const triggerKinds = new Set(["CronJob", "Job", "Deployment"]);
const triggers = (files: EmittedFile[]) =>
  files.flatMap((f) =>
    docs(f)
      .filter((d) => triggerKinds.has(d.kind))
      .map((doc) => ({ file: f.path, doc })),
  );
const podTemplate = (doc: Obj): Obj => (doc.kind === "CronJob" ? doc.spec.jobTemplate.spec.template : doc.spec.template);
const envOf = (container: Obj): Record<string, string> =>
  Object.fromEntries(((container.env ?? []) as Obj[]).map((e) => [e.name, e.value]));
const argOf = (command: string[], flag: string): string => command[command.indexOf(flag) + 1]!;
function chainOfTrigger(compiled: Compiled, file: string, doc: Obj): Chain {
  const workload = file.split("/")[1]!;
  const chain = compiled.chains.find((c) => c.workload === workload && c.service === doc.metadata.labels["app.kubernetes.io/component"]);
  if (!chain) throw new Error(`no chain for ${file}`);
  return chain;
}
const MODELS = { CronJob, Job, Deployment, Pod };
/** Validates a document against Kubernetes' own schema (kubernetes-models). */
const validate = (doc: Obj): void => new MODELS[doc.kind as keyof typeof MODELS](doc as never).validate();

/** The mount of a volume in a container, and whether the volume is the pod's emptyDir. */
function mountOf(container: Obj, volume: string): Obj {
  const mount = (container.volumeMounts as Obj[]).find((m) => m.name === volume);
  expect(mount, `${container.name} mounts ${volume}`).toBeDefined();
  return mount!;
}

/** What every pod with the sidecar must hold, whatever made it (trigger or Spark pod template). */
function expectSidecarPod(spec: Obj, app: Obj, profile: string): { sidecar: Obj; port: string; tokenFile: string } {
  const sidecars = (spec.initContainers ?? []) as Obj[];
  expect(sidecars).toHaveLength(1);
  const sidecar = sidecars[0]!;
  // A native sidecar: an init container that keeps running (Kubernetes 1.29+).
  expect(sidecar.restartPolicy).toBe("Always");
  const command = sidecar.command as string[];
  expect(command.slice(0, 2)).toEqual(["xacct", "serve-credentials"]);
  expect(argOf(command, "--profile")).toBe(profile);
  const port = argOf(command, "--port");
  const tokenFile = argOf(command, "--token-file");
  // The app's SDK reads the sidecar on loopback (plain HTTP is allowed only there), on its port and path.
  const vars = envOf(app);
  expect(vars.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBe(`http://127.0.0.1:${port}${CREDENTIALS_PATH}`);
  expect(vars.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE).toBe(tokenFile);
  // The token file lives in a volume both mount, an emptyDir in memory, read-only for the app.
  const tokenVolume = (sidecar.volumeMounts as Obj[]).find((m) => tokenFile.startsWith(`${m.mountPath}/`))!;
  expect(tokenVolume).toBeDefined();
  expect(tokenVolume.readOnly).not.toBe(true);
  const appMount = mountOf(app, tokenVolume.name);
  expect(appMount.mountPath).toBe(tokenVolume.mountPath);
  expect(appMount.readOnly).toBe(true);
  expect((spec.volumes as Obj[]).find((v) => v.name === tokenVolume.name)!.emptyDir.medium).toBe("Memory");
  // The sidecar reads the AWS config from a mounted ConfigMap, where its AWS_CONFIG_FILE points.
  const configFile = envOf(sidecar).AWS_CONFIG_FILE!;
  const configMount = (sidecar.volumeMounts as Obj[]).find((m) => configFile.startsWith(`${m.mountPath}/`))!;
  expect((spec.volumes as Obj[]).find((v) => v.name === configMount.name)!.configMap).toBeDefined();
  return { sidecar, port, tokenFile };
}

describe("kubernetes: the credentials sidecar of trigger pods (seed 001)", () => {
  const all = triggers(catsFiles);

  it("gives every IRSA chain that assumes roles a native sidecar serving its profile, and no other pod one", () => {
    expect(all.length).toBeGreaterThan(0);
    let withSidecar = 0;
    for (const { file, doc } of all) {
      const chain = chainOfTrigger(cats, file, doc);
      const spec = podTemplate(doc).spec;
      const app = (spec.containers as Obj[])[0]!;
      if (chain.start.type !== "irsa" || chain.hops.length === 0) {
        expect(spec.initContainers, file).toBeUndefined();
        expect(envOf(app).AWS_PROFILE).toBe(chain.profile);
        continue;
      }
      withSidecar++;
      const { sidecar } = expectSidecarPod(spec, app, chain.profile);
      expect(sidecar.image).toBe(DEFAULT_CREDENTIALS_IMAGE);
      // The app reads no profile: with one, the SDKs' default chains would use it before the sidecar.
      expect(Object.keys(envOf(app))).not.toEqual(expect.arrayContaining(["AWS_PROFILE"]));
      expect(envOf(app).AWS_CONFIG_FILE).toBeUndefined();
      expect(validate(doc)).toBeUndefined();
    }
    expect(withSidecar).toBeGreaterThan(0);
  });

  it("leaves the app containers out of IRSA's injection (eks.amazonaws.com/skip-containers), not the sidecar", () => {
    for (const { doc } of all) {
      const template = podTemplate(doc);
      if (!template.spec.initContainers) {
        expect(template.metadata.annotations?.[SKIP_CONTAINERS_ANNOTATION]).toBeUndefined();
        continue;
      }
      const skipped = String(template.metadata.annotations[SKIP_CONTAINERS_ANNOTATION]).split(",");
      expect(skipped).toEqual((template.spec.containers as Obj[]).map((c) => c.name));
      expect(skipped).not.toContain(template.spec.initContainers[0].name);
    }
  });

  it("serves the profile's chain from the workload's ConfigMap: the profile is there, from the projected token", () => {
    for (const { file, doc } of all) {
      const spec = podTemplate(doc).spec;
      if (!spec.initContainers) continue;
      const chain = chainOfTrigger(cats, file, doc);
      const configMapName = (spec.volumes as Obj[]).find((v) => v.configMap)!.configMap.name;
      const configMap = docs(catsFiles.find((f) => f.path === `${file.split("/").slice(0, 3).join("/")}/aws-config.yaml`)!)[0]!;
      expect(configMap.metadata.name).toBe(configMapName);
      expectChainInConfig(parseAwsConfig(configMap.data.config), chain);
    }
  });

  it("takes the sidecar's image from runtime.credentialsImage, and writes no sidecar with runtime.credentials: profile", () => {
    const text = loadModelFile(SEED_001);
    const workload = Object.keys(text.workloads).find((w) =>
      cats.chains.some((c) => c.workload === w && c.start.type === "irsa" && c.hops.length > 0 && c.runtime?.kind === "cronjob"),
    )!;
    const runtime = text.workloads[workload]!.runtime!;
    const withImage = compile({
      ...text,
      workloads: {
        ...text.workloads,
        [workload]: { ...text.workloads[workload]!, runtime: { ...runtime, credentialsImage: "registry.example.com/xacct:0.1.0" } },
      },
    });
    const profileOnly = compile({
      ...text,
      workloads: { ...text.workloads, [workload]: { ...text.workloads[workload]!, runtime: { ...runtime, credentials: "profile" } } },
    });
    const mine = (c: Compiled) => triggers(emitKubernetes(c)).filter((t) => t.file.split("/")[1] === workload);
    for (const { doc } of mine(withImage)) expect(podTemplate(doc).spec.initContainers[0].image).toBe("registry.example.com/xacct:0.1.0");
    for (const { doc } of mine(profileOnly)) expect(podTemplate(doc).spec.initContainers).toBeUndefined();
    expect(mine(profileOnly).length).toBeGreaterThan(0);
  });

  it("rejects a sidecar Kubernetes cannot run: the schema is really checked", () => {
    const { doc } = all.find((t) => podTemplate(t.doc).spec.initContainers)!;
    const broken = structuredClone(doc);
    podTemplate(broken).spec.initContainers[0].restartPolicy = ["Always"];
    expect(() => validate(broken)).toThrow(/restartPolicy/);
  });
});

// ------------------------------------------------------------------------------------------------
// The generated pod, run: its sidecar's command with the built CLI against the sandbox, and the
// SDK with its app container's environment. Two translations only, as the pod's filesystem and
// network are not this machine's: each volume's mount path becomes a temporary directory, and the
// sidecar's port becomes 0 (any free one, as tests bind), the app's URL following it.

const children: ChildProcess[] = [];
const dirs: string[] = [];
let sandbox: Sandbox | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await sandbox?.close();
  sandbox = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface RunningPod {
  /** The app container's environment on this machine. */
  appEnv: Record<string, string>;
  sandbox: Sandbox;
}

async function runPod(compiled: Compiled, workload: string, spec: Obj, app: Obj, configText: string): Promise<RunningPod> {
  const s = await startSandbox({ state: compiled.state, port: 0, host: "127.0.0.1", workloads: workloadsOf(compiled) });
  sandbox = s;
  const root = mkdtempSync(join(tmpdir(), "xacct-pod-"));
  dirs.push(root);
  // The projected service account token, as EKS mounts it, from the sandbox's issuer.
  const token = await (await fetch(`${s.url}/_xacct/token?workload=${workload}`, { headers: { authorization: s.token } })).text();
  writeFileSync(join(root, "irsa-token"), token, { mode: 0o600 });
  const sidecar = (spec.initContainers as Obj[])[0]!;
  const local = new Map<string, string>();
  for (const m of [...(sidecar.volumeMounts as Obj[]), ...(app.volumeMounts as Obj[])]) {
    if (local.has(m.mountPath)) continue;
    const dir = join(root, m.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    local.set(m.mountPath, dir);
  }
  const here = (path: string) => {
    for (const [mount, dir] of local) if (path.startsWith(`${mount}/`)) return `${dir}${path.slice(mount.length)}`;
    return path;
  };
  // The ConfigMap's file, its token path the one the webhook mounts (here, the sandbox's token).
  const configFile = here(envOf(sidecar).AWS_CONFIG_FILE!);
  writeFileSync(configFile, configText.replaceAll(WEB_IDENTITY_TOKEN_FILE, join(root, "irsa-token")));
  const command = (sidecar.command as string[]).map((word, i, all) => (all[i - 1] === "--port" ? "0" : here(word)));
  const env = {
    ...Object.fromEntries(Object.entries(envOf(sidecar)).map(([k, v]) => [k, here(v)])),
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    AWS_ENDPOINT_URL: s.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  expect(command[0]).toBe("xacct");
  const child = spawn(process.execPath, [MAIN, ...command.slice(1)], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^export AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)$/m.exec(out);
      if (m && /AUTHORIZATION_TOKEN_FILE=/.test(out)) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`the sidecar exited ${code}: ${err}`)));
  });
  const appEnv = Object.fromEntries(
    Object.entries(envOf(app)).map(([k, v]) => [k, k === "AWS_CONTAINER_CREDENTIALS_FULL_URI" ? url : here(v)]),
  );
  return { appEnv, sandbox: s };
}

describe("the generated pod, run against the sandbox", () => {
  it("seed 001: the SDK's default chain, with only the app container's environment, acts as the chain's last role through the sidecar", async () => {
    const { file, doc } = triggers(catsFiles).find((t) => podTemplate(t.doc).spec.initContainers)!;
    const chain = chainOfTrigger(cats, file, doc);
    const spec = podTemplate(doc).spec;
    const configMap = docs(catsFiles.find((f) => f.path === `${file.split("/").slice(0, 3).join("/")}/aws-config.yaml`)!)[0]!;
    const pod = await runPod(cats, chain.workload, spec, (spec.containers as Obj[])[0]!, configMap.data.config);
    const script = `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const me = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
process.stdout.write(me.Arn);`;
    const r = await runProgram(process.execPath, ["--input-type=module", "-e", script], {
      ...pod.appEnv,
      PATH: process.env.PATH ?? "",
      AWS_ENDPOINT_URL: pod.sandbox.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    expect(r.code, r.stderr).toBe(0);
    const last = chain.hops.at(-1)!.roleArn;
    const [, account, role] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(last)!;
    expect(r.stdout).toMatch(new RegExp(`^arn:aws:sts::${account}:assumed-role/${role}/`));
  });
});

describe("spark: the credentials sidecar of seed 004's pod templates", () => {
  const emr = compile(loadModelFile(SEED_004));
  const spark = emitSpark(emr);
  const k8s = emitKubernetes(emr);
  const file = (path: string) => spark.find((f) => f.path === `workloads/spark-job/spark/${path}`)!;
  const properties = (JSON.parse(file("spark-defaults.json").content) as { properties: Record<string, string> }[])[0]!.properties;
  const primary = emr.chains.find((c) => c.workload === "spark-job" && c.profile === "default")!;

  it("writes a driver and an executor pod template, valid Pods, each naming Spark's main container and the sidecar", () => {
    for (const [role, main] of [
      ["driver", "spark-kubernetes-driver"],
      ["executor", "spark-kubernetes-executor"],
    ] as const) {
      const pod = parse(file(`${role}-pod-template.yaml`).content) as Obj;
      expect(validate(pod)).toBeUndefined();
      const app = (pod.spec.containers as Obj[]).find((c) => c.name === main)!;
      expect(app).toBeDefined();
      // The main container's environment comes from spark-defaults (Spark's driverEnv / executorEnv).
      const prefix = role === "driver" ? "spark.kubernetes.driverEnv." : "spark.executorEnv.";
      const sparkEnv = Object.entries(properties).flatMap(([k, v]) =>
        k.startsWith(prefix) ? [{ name: k.slice(prefix.length), value: v }] : [],
      );
      expectSidecarPod(pod.spec, { ...app, env: sparkEnv }, primary.profile);
      // Spark's pod template properties name the file by its own name.
      expect(properties[`spark.kubernetes.${role}.podTemplateFile`]).toMatch(new RegExp(`/${role}-pod-template\\.yaml$`));
    }
  });

  it("mounts the ConfigMap the kubernetes output writes for the workload, in its namespace", () => {
    const pod = parse(file("driver-pod-template.yaml").content) as Obj;
    const configMap = docs(k8s.find((f) => f.path === "workloads/spark-job/kubernetes/aws-config.yaml")!)[0]!;
    expect((pod.spec.volumes as Obj[]).find((v) => v.configMap)!.configMap.name).toBe(configMap.metadata.name);
    expectChainInConfig(parseAwsConfig(configMap.data.config), primary);
  });

  it("reads the served role's buckets with EMRFS's and S3A's container providers, and no longer assumes that role directly", () => {
    const bucket = String(
      primary.resources.bucket ??
        emr.chains.find((c) => c.service === "s3" && c.hops.at(-1)?.roleArn === primary.hops.at(-1)?.roleArn)!.resources.bucket,
    );
    expect(properties[`spark.hadoop.fs.s3.bucket.${bucket}.customAWSCredentialsProvider`]).toBe(EMRFS_CONTAINER_PROVIDER);
    expect(properties[`spark.hadoop.fs.s3a.bucket.${bucket}.aws.credentials.provider`]).toBe(S3A_CONTAINER_PROVIDER);
    expect(Object.keys(properties).some((k) => k.endsWith("ASSUME_ROLE_CREDENTIALS_ROLE_ARN"))).toBe(false);
  });

  it("serves a bucket reached through two roles too, when the served chain is the one that reaches it", () => {
    const model = loadModel(`version: 1
name: two-hops
accounts:
  a: { id: "111111111111", region: us-east-1 }
  b: { id: "222222222222", region: us-east-1 }
  c: { id: "444444444444", region: us-east-1 }
clusters:
  emr-eks: { account: a, oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF }
workloads:
  job:
    account: a
    identity: { type: irsa, cluster: emr-eks, namespace: emr, serviceAccount: "emr-containers-sa-*-*-111111111111-*", role: job-role }
    runtime: { kind: spark }
grants:
  - { workload: job, account: c, service: s3, access: [read], resources: { bucket: far-bucket }, via: chain, through: [{ account: b, role: broker }], role: { name: far-role }, profile: default }
`);
    const props = (
      JSON.parse(emitSpark(compile(model)).find((f) => f.path.endsWith("spark-defaults.json"))!.content) as {
        properties: Record<string, string>;
      }[]
    )[0]!.properties;
    expect(props["spark.hadoop.fs.s3.bucket.far-bucket.customAWSCredentialsProvider"]).toBe(EMRFS_CONTAINER_PROVIDER);
  });

  it("the driver's settings, run: the sidecar from the pod template serves the chain, and the container provider as EMRFS builds it acts as client-role-2", async () => {
    const pod = parse(file("driver-pod-template.yaml").content) as Obj;
    const configMap = docs(k8s.find((f) => f.path === "workloads/spark-job/kubernetes/aws-config.yaml")!)[0]!;
    const driverEnv = Object.entries(properties).flatMap(([k, v]) =>
      k.startsWith("spark.kubernetes.driverEnv.") ? [{ name: k.slice("spark.kubernetes.driverEnv.".length), value: v }] : [],
    );
    const app = { ...(pod.spec.containers as Obj[])[0]!, env: driverEnv };
    const running = await runPod(emr, "spark-job", pod.spec, app, configMap.data.config);
    const credentials = fromHttp({
      awsContainerCredentialsFullUri: running.appEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
      awsContainerAuthorizationTokenFile: running.appEnv.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE!,
    });
    const me = await new STSClient({ endpoint: running.sandbox.url, region: primary.region, credentials, maxAttempts: 1 }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(me.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/client-role-2\//);
  });
});
