/**
 * The credentials sidecar in generated Kubernetes manifests (seed 001's CATS platform) and Spark
 * pod templates (seed 004's EMR on EKS job): valid against Kubernetes' own schemas
 * (kubernetes-models), shaped as Kubernetes documents native sidecars (an init container with
 * restartPolicy Always) and as the EKS Pod Identity Webhook reads `eks.amazonaws.com/skip-containers`
 * (comma-separated container names left without IRSA's variables), its command the ENTRYPOINT of
 * xacct's Dockerfile, its token from a Secret both containers reference (never in a manifest), and
 * run for real: the sidecar's own command (the built CLI) against the sandbox, then clients given
 * exactly the app container's environment — the SDK for JavaScript, and Debian's AWS CLI 2.9 and
 * botocore 1.29, which read AWS_CONTAINER_AUTHORIZATION_TOKEN but not its _FILE variant.
 * Expected values come from the compiled chains and the model.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp } from "@aws-sdk/credential-providers";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Pod } from "kubernetes-models/v1";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, parseDocument } from "yaml";
import { compile, type Compiled } from "../src/compile/compile.js";
import { type Chain, WEB_IDENTITY_TOKEN_FILE } from "../src/compile/plan.js";
import { CREDENTIALS_PATH } from "../src/credentials/server.js";
import { SIDECAR_COMMAND, SIDECAR_DOCKERFILE, SKIP_CONTAINERS_ANNOTATION } from "../src/emit/credentials-sidecar.js";
import { emitKubernetes } from "../src/emit/kubernetes.js";
import { emitSpark, S3A_CONTAINER_PROVIDER } from "../src/emit/spark.js";
import type { EmittedFile } from "../src/emit/types.js";
import { loadModel, loadModelFile } from "../src/model/load.js";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { workloadsOf } from "../src/sandbox/workloads.js";
import { expectChainInConfig, parseAwsConfig } from "./support/aws-config-file.js";
import { MAIN, runProgram } from "./support/chain-cli.js";
import { AWS, CLI_PLUGIN_SECTION, PYTHON } from "./support/real-clients.js";
import { xacct } from "./support/xacct-cli.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SEED_001 = "examples/001-cats-external/xacct.yaml";
const SEED_004 = "examples/004-emr-eks-chain/xacct.yaml";
const catsModel = loadModelFile(SEED_001);
const cats = compile(catsModel);
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
const argOf = (words: string[], flag: string): string => words[words.indexOf(flag) + 1]!;
/** A container's environment: literal values, and `secret:key` for a secretKeyRef. */
const envOf = (container: Obj): Record<string, string> =>
  Object.fromEntries(
    ((container.env ?? []) as Obj[]).map((e) => [
      e.name,
      e.valueFrom ? `secret ${e.valueFrom.secretKeyRef.name}:${e.valueFrom.secretKeyRef.key}` : e.value,
    ]),
  );
function chainOfTrigger(compiled: Compiled, file: string, doc: Obj): Chain {
  const workload = file.split("/")[1]!;
  const chain = compiled.chains.find((c) => c.workload === workload && c.service === doc.metadata.labels["app.kubernetes.io/component"]);
  if (!chain) throw new Error(`no chain for ${file}`);
  return chain;
}
const MODELS = { CronJob, Job, Deployment, Pod };
/** Validates a document against Kubernetes' own schema (kubernetes-models). */
const validate = (doc: Obj): void => new MODELS[doc.kind as keyof typeof MODELS](doc as never).validate();

/** What every pod with the sidecar must hold, whatever made it (trigger or Spark pod template). */
function expectSidecarPod(spec: Obj, app: Obj, profile: string): { sidecar: Obj; secret: string } {
  const sidecars = (spec.initContainers ?? []) as Obj[];
  expect(sidecars).toHaveLength(1);
  const sidecar = sidecars[0]!;
  // A native sidecar: an init container that keeps running (Kubernetes 1.29+).
  expect(sidecar.restartPolicy).toBe("Always");
  // Its command is the image's ENTRYPOINT (checked against the Dockerfile below), its args the profile.
  expect(sidecar.command).toEqual([...SIDECAR_COMMAND]);
  expect(sidecar.args).toEqual(["--profile", profile]);
  const port = argOf(sidecar.command as string[], "--port");
  // The app's SDK reads the sidecar on loopback (plain HTTP is allowed only there), on its port and path.
  const vars = envOf(app);
  expect(vars.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBe(`http://127.0.0.1:${port}${CREDENTIALS_PATH}`);
  // The token: one Secret's key, read by the sidecar as XACCT_CREDENTIALS_TOKEN and by the app as
  // AWS_CONTAINER_AUTHORIZATION_TOKEN (every SDK reading the URI reads it); no value in the manifest.
  const secret = envOf(sidecar).XACCT_CREDENTIALS_TOKEN!;
  expect(secret).toMatch(/^secret [a-z0-9-]+:token$/);
  expect(vars.AWS_CONTAINER_AUTHORIZATION_TOKEN).toBe(secret);
  expect(vars.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE).toBeUndefined();
  // The server's token file stays in the sidecar's own memory-backed emptyDir.
  const tokenFile = argOf(sidecar.command as string[], "--token-file");
  const tokenMount = (sidecar.volumeMounts as Obj[]).find((m) => tokenFile.startsWith(`${m.mountPath}/`))!;
  expect((spec.volumes as Obj[]).find((v) => v.name === tokenMount.name)!.emptyDir.medium).toBe("Memory");
  expect(((app.volumeMounts ?? []) as Obj[]).map((m) => m.name)).not.toContain(tokenMount.name);
  // The sidecar reads the AWS config from a mounted ConfigMap, where its AWS_CONFIG_FILE points.
  const configFile = envOf(sidecar).AWS_CONFIG_FILE!;
  const configMount = (sidecar.volumeMounts as Obj[]).find((m) => configFile.startsWith(`${m.mountPath}/`))!;
  expect((spec.volumes as Obj[]).find((v) => v.name === configMount.name)!.configMap).toBeDefined();
  return { sidecar, secret: secret.slice("secret ".length, secret.lastIndexOf(":")) };
}

describe("kubernetes: the credentials sidecar of trigger pods (seed 001)", () => {
  const all = triggers(catsFiles);

  it("gives every IRSA chain that assumes roles a native sidecar serving its profile, in the model's image, and no other pod one", () => {
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
      expect(sidecar.image).toBe(catsModel.workloads[chain.workload]!.runtime!.credentialsImage);
      // The app reads no profile: with one, the SDKs' default chains would use it before the sidecar.
      expect(Object.keys(envOf(app))).not.toEqual(expect.arrayContaining(["AWS_PROFILE"]));
      expect(envOf(app).AWS_CONFIG_FILE).toBeUndefined();
      expect(validate(doc)).toBeUndefined();
    }
    expect(withSidecar).toBeGreaterThan(0);
  });

  it("gives each workload's pods its own Secret, named in the manifest's comment", () => {
    const secrets = new Map<string, string>();
    for (const { file, doc } of all) {
      const spec = podTemplate(doc).spec;
      if (!spec.initContainers) continue;
      const { secret } = expectSidecarPod(spec, spec.containers[0], chainOfTrigger(cats, file, doc).profile);
      const workload = file.split("/")[1]!;
      expect(secrets.get(workload) ?? secret).toBe(secret);
      secrets.set(workload, secret);
      expect(catsFiles.find((f) => f.path === file)!.content).toContain(`Secret ${secret} in namespace ${doc.metadata.namespace}`);
    }
    expect(new Set(secrets.values()).size).toBe(secrets.size);
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

  it("writes no sidecar with runtime.credentials: profile, and needs no image then", () => {
    const workload = Object.keys(catsModel.workloads).find((w) =>
      cats.chains.some((c) => c.workload === w && c.start.type === "irsa" && c.hops.length > 0 && c.runtime?.kind === "cronjob"),
    )!;
    const runtime = { ...catsModel.workloads[workload]!.runtime! };
    delete runtime.credentialsImage;
    const profileOnly = compile({
      ...catsModel,
      workloads: {
        ...catsModel.workloads,
        [workload]: { ...catsModel.workloads[workload]!, runtime: { ...runtime, credentials: "profile" } },
      },
    });
    const mine = triggers(emitKubernetes(profileOnly)).filter((t) => t.file.split("/")[1] === workload);
    expect(mine.length).toBeGreaterThan(0);
    for (const { doc } of mine) expect(podTemplate(doc).spec.initContainers).toBeUndefined();
  });

  it("rejects a sidecar Kubernetes cannot run: the schema is really checked", () => {
    const { doc } = all.find((t) => podTemplate(t.doc).spec.initContainers)!;
    const broken = structuredClone(doc);
    podTemplate(broken).spec.initContainers[0].restartPolicy = ["Always"];
    expect(() => validate(broken)).toThrow(/restartPolicy/);
  });
});

describe("the sidecar's image", () => {
  it("xacct build refuses a model whose pods need the sidecar without runtime.credentialsImage, at that runtime in the file, and writes nothing", () => {
    // GIVEN seed 001 with one workload's credentialsImage taken out
    const dir = mkdtempSync(join(tmpdir(), "xacct-no-image-"));
    try {
      const text = readFileSync(SEED_001, "utf8");
      const line = text.split("\n").findIndex((l) => l.includes("credentialsImage:"));
      const lines = text.split("\n");
      lines[line] = lines[line]!.replace(/, credentialsImage: [^ }]+/, "");
      writeFileSync(join(dir, "xacct.yaml"), lines.join("\n"));
      // WHEN it is built
      const r = xacct(["build", join(dir, "xacct.yaml"), "--out", join(dir, "out")]);
      // THEN the build fails at that workload's runtime (its line, and the column where the mapping starts),
      // saying what to write and where the image comes from, and no output directory appears
      expect(r.status).not.toBe(0);
      const column = lines[line]!.indexOf("{") + 1;
      const workload = /^ {2}(\S+):$/.exec(
        lines
          .slice(0, line)
          .reverse()
          .find((l) => /^ {2}\S+:$/.test(l))!,
      )![1]!;
      expect(r.stderr).toContain(`${join(dir, "xacct.yaml")}:${line + 1}:${column}: workloads.${workload}.runtime: needs credentialsImage`);
      expect(r.stderr).toContain(SIDECAR_DOCKERFILE);
      // the example to write names a registry of the workload's own account and region
      expect(r.stderr).toMatch(/credentialsImage: 283234040926\.dkr\.ecr\.us-east-2\.amazonaws\.com\/xacct:/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user's mistake
      expect(() => readFileSync(join(dir, "out", ".xacct-build"))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the Dockerfile installs the packed xacct on a current Node image, runs as a numeric non-root user, and its ENTRYPOINT is the sidecar's command", () => {
    // GIVEN the Dockerfile's instructions (continuation lines joined, comments dropped)
    const instructions = readFileSync(SIDECAR_DOCKERFILE, "utf8")
      .replace(/\\\n/g, " ")
      .split("\n")
      .filter((l) => l.trim() && !l.trim().startsWith("#"))
      .map((l) => {
        const [, op, rest] = /^\s*(\w+)\s+(.*)$/.exec(l)!;
        return { op: op!.toUpperCase(), rest: rest!.trim() };
      });
    const one = (op: string) => {
      const found = instructions.filter((i) => i.op === op);
      expect(found, op).toHaveLength(1);
      return found[0]!.rest;
    };
    // THEN a current Node.js (22 or 24, the versions xacct is tested on), slim
    expect(one("FROM")).toMatch(/^node:(22|24)-slim$/);
    // the tarball `npm pack` makes, installed globally without its dev dependencies
    expect(one("COPY")).toMatch(/^xacct-\*\.tgz\s+\S+\/$/);
    expect(one("RUN")).toMatch(/npm install --global --omit=dev .*xacct-\*\.tgz/);
    // a user by number (Kubernetes checks runAsNonRoot only then) that is not root
    const [uid, gid] = one("USER").split(":").map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    // and the exec-form ENTRYPOINT that every generated sidecar runs, word for word
    const entrypoint = JSON.parse(one("ENTRYPOINT")) as string[];
    expect(entrypoint).toEqual([...SIDECAR_COMMAND]);
    const emr = compile(loadModelFile(SEED_004));
    const sidecars = [
      ...triggers(catsFiles).flatMap(({ doc }) => podTemplate(doc).spec.initContainers ?? []),
      ...emitSpark(emr)
        .filter((f) => f.path.endsWith("-pod-template.yaml"))
        .map((f) => (parse(f.content) as Obj).spec.initContainers[0]),
    ] as Obj[];
    expect(sidecars.length).toBeGreaterThan(2);
    for (const sidecar of sidecars) expect(sidecar.command).toEqual(entrypoint);
  });
});

// ------------------------------------------------------------------------------------------------
// The generated pod, run: its sidecar's command with the built CLI against the sandbox, and clients
// with its app container's environment. Three translations only, as the pod's filesystem, network
// and Secrets are not this machine's: each volume's mount path becomes a temporary directory, the
// sidecar's port becomes 0 (any free one, as tests bind), the app's URL following it, and each
// secretKeyRef reads a Secret made here as the generated README says (a random 64-hex token).

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
  /** The Secret's token, which the test made. */
  token: string;
  /** The sidecar's token file on this machine. */
  tokenFile: string;
  root: string;
}

/** The value of an environment entry: a literal, or the Secret's key (the one Secret this pod has). */
function resolveEnv(container: Obj, token: string): Record<string, string> {
  return Object.fromEntries(
    ((container.env ?? []) as Obj[]).map((e) => {
      if (!e.valueFrom) return [e.name, e.value];
      expect(e.valueFrom.secretKeyRef.key).toBe("token");
      return [e.name, token];
    }),
  );
}

async function runPod(compiled: Compiled, workload: string, spec: Obj, app: Obj, configText: string): Promise<RunningPod> {
  const s = await startSandbox({ state: compiled.state, port: 0, host: "127.0.0.1", workloads: workloadsOf(compiled) });
  sandbox = s;
  const root = mkdtempSync(join(tmpdir(), "xacct-pod-"));
  dirs.push(root);
  // The Secret, made as the README's `kubectl create secret … --from-literal=token="$(openssl rand -hex 32)"`.
  const token = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
  // The projected service account token, as EKS mounts it, from the sandbox's issuer.
  const irsa = await (await fetch(`${s.url}/_xacct/token?workload=${workload}`, { headers: { authorization: s.token } })).text();
  writeFileSync(join(root, "irsa-token"), irsa, { mode: 0o600 });
  const sidecar = (spec.initContainers as Obj[])[0]!;
  const local = new Map<string, string>();
  for (const m of [...(sidecar.volumeMounts as Obj[]), ...((app.volumeMounts ?? []) as Obj[])]) {
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
  const sidecarEnv = resolveEnv(sidecar, token);
  const configFile = here(sidecarEnv.AWS_CONFIG_FILE!);
  writeFileSync(configFile, configText.replaceAll(WEB_IDENTITY_TOKEN_FILE, join(root, "irsa-token")));
  const command = [...(sidecar.command as string[]), ...(sidecar.args as string[])].map((word, i, all) =>
    all[i - 1] === "--port" ? "0" : here(word),
  );
  const env = {
    ...Object.fromEntries(Object.entries(sidecarEnv).map(([k, v]) => [k, here(v)])),
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
  // No token on the sidecar's output or command line.
  expect(`${out}${err}`).not.toContain(token);
  expect(readFileSync(`/proc/${child.pid}/cmdline`, "utf8")).not.toContain(token);
  const appEnv = Object.fromEntries(
    Object.entries(resolveEnv(app, token)).map(([k, v]) => [k, k === "AWS_CONTAINER_CREDENTIALS_FULL_URI" ? url : here(v)]),
  );
  return { appEnv, sandbox: s, token, tokenFile: here(argOf(sidecar.command as string[], "--token-file")), root };
}

/** The ARN an STS session of the chain's last role starts with. */
function lastRoleSession(chain: Chain): RegExp {
  const [, account, role] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(chain.hops.at(-1)!.roleArn)!;
  return new RegExp(`^arn:aws:sts::${account}:assumed-role/${role}/`);
}

/** Runs Debian's AWS CLI or python3 with exactly the app's environment, plus what reaches the sandbox from this machine. */
function oldClient(pod: RunningPod, program: string, args: string[]) {
  // CLI 2.9 and botocore 1.29 predate AWS_ENDPOINT_URL: a config file holding only the plugin that
  // sends their requests to the sandbox (and no profile: credentials come from the container provider).
  const config = join(pod.root, "client-config");
  writeFileSync(config, CLI_PLUGIN_SECTION);
  return runProgram(program, args, {
    ...pod.appEnv,
    PATH: "/usr/bin:/bin",
    HOME: pod.root,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(pod.root, "none"),
    AWS_EC2_METADATA_DISABLED: "true",
    XACCT_SANDBOX_URL: pod.sandbox.url,
    PYTHONPATH: join(import.meta.dirname, "support"),
    PYTHONDONTWRITEBYTECODE: "1",
  });
}

const withDebianCli = process.env.CI ? it : it.skipIf(!AWS);
const withDebianPython = process.env.CI ? it : it.skipIf(!PYTHON);

describe("the generated pod, run against the sandbox (seed 001)", () => {
  const { file, doc } = triggers(catsFiles).find((t) => podTemplate(t.doc).spec.initContainers)!;
  const chain = chainOfTrigger(cats, file, doc);
  const spec = podTemplate(doc).spec;
  const configMap = docs(catsFiles.find((f) => f.path === `${file.split("/").slice(0, 3).join("/")}/aws-config.yaml`)!)[0]!;
  const start = () => runPod(cats, chain.workload, spec, (spec.containers as Obj[])[0]!, configMap.data.config);

  it("the sidecar serves with the Secret's token, kept in its token file; the SDK's default chain with the app's environment acts as the chain's last role", async () => {
    const pod = await start();
    // THEN the server's token is the Secret's: in its file, and the one the app sends
    expect(readFileSync(pod.tokenFile, "utf8")).toBe(pod.token);
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
    expect(r.stdout).toMatch(lastRoleSession(chain));
    // and another token is refused
    const refused = await fetch(pod.appEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI!, { headers: { authorization: `${pod.token}0` } });
    expect(refused.status).toBe(403);
  });

  withDebianCli(
    "Debian's AWS CLI 2.9, which reads AWS_CONTAINER_AUTHORIZATION_TOKEN and not its _FILE variant, acts as the chain's last role with the app's environment",
    { timeout: 60_000 },
    async () => {
      const pod = await start();
      const r = await oldClient(pod, AWS!, ["sts", "get-caller-identity", "--output", "text", "--query", "Arn"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(lastRoleSession(chain));
    },
  );

  withDebianPython(
    "Debian's boto3 1.26 (botocore 1.29), which reads AWS_CONTAINER_AUTHORIZATION_TOKEN and not its _FILE variant, acts as the chain's last role",
    { timeout: 60_000 },
    async () => {
      const pod = await start();
      const script = `import boto3, xacct_sandbox_endpoint
session = boto3.Session()
xacct_sandbox_endpoint.register(session)
print(session.client("sts").get_caller_identity()["Arn"])`;
      const r = await oldClient(pod, PYTHON!, ["-c", script]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(lastRoleSession(chain));
    },
  );

  it("serve-credentials refuses a token the SDKs could not send, and a token file holding another token, saying which and printing neither", async () => {
    const pod = await start();
    const sidecar = (spec.initContainers as Obj[])[0]!;
    const args = [...(sidecar.command as string[]).slice(1), ...(sidecar.args as string[])].map((w, i, all) =>
      all[i - 1] === "--port" ? "0" : all[i - 1] === "--token-file" ? pod.tokenFile : w,
    );
    const env = {
      PATH: process.env.PATH ?? "",
      AWS_CONFIG_FILE: join(pod.root, "aws-config", "config"),
      AWS_ENDPOINT_URL: pod.sandbox.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    // WHEN the Secret's value has a trailing newline (an SDK would send it, a header cannot carry it)
    const newline = await runProgram(process.execPath, [MAIN, ...args], { ...env, XACCT_CREDENTIALS_TOKEN: `${pod.token}\n` });
    expect(newline.code).toBe(2);
    expect(newline.stderr).toMatch(/XACCT_CREDENTIALS_TOKEN: the token must be/);
    // WHEN the Secret changed while the token file (the sidecar's emptyDir) holds the old one
    const other = "b".repeat(64);
    const changed = await runProgram(process.execPath, [MAIN, ...args], { ...env, XACCT_CREDENTIALS_TOKEN: other });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(`${pod.tokenFile}: holds another token than the one given`);
    for (const r of [newline, changed]) {
      expect(`${r.stdout}${r.stderr}`).not.toContain(pod.token);
      expect(`${r.stdout}${r.stderr}`).not.toContain(other);
    }
  });
});

describe("spark: the credentials sidecar of seed 004's pod templates", () => {
  const emr = compile(loadModelFile(SEED_004));
  const spark = emitSpark(emr);
  const k8s = emitKubernetes(emr);
  const file = (path: string) => spark.find((f) => f.path === `workloads/spark-job/spark/${path}`)!;
  const properties = (JSON.parse(file("spark-defaults.json").content) as { properties: Record<string, string> }[])[0]!.properties;
  const primary = emr.chains.find((c) => c.workload === "spark-job" && c.profile === "default")!;
  /** A Spark main container's environment as Spark builds it from spark-defaults: its Env properties, and its secretKeyRef ones. */
  const sparkEnv = (role: "driver" | "executor"): Obj[] => {
    const prefix = role === "driver" ? "spark.kubernetes.driverEnv." : "spark.executorEnv.";
    const secretPrefix = `spark.kubernetes.${role}.secretKeyRef.`;
    return Object.entries(properties).flatMap(([k, v]): Obj[] => {
      if (k.startsWith(prefix)) return [{ name: k.slice(prefix.length), value: v }];
      if (!k.startsWith(secretPrefix)) return [];
      // Spark: spark.kubernetes.<role>.secretKeyRef.[EnvName] = name:key (SPARK-24232)
      const [name, key] = v.split(":");
      return [{ name: k.slice(secretPrefix.length), valueFrom: { secretKeyRef: { name, key } } }];
    });
  };

  it("writes a driver and an executor pod template, valid Pods, each naming Spark's main container and the sidecar", () => {
    for (const [role, main] of [
      ["driver", "spark-kubernetes-driver"],
      ["executor", "spark-kubernetes-executor"],
    ] as const) {
      const pod = parse(file(`${role}-pod-template.yaml`).content) as Obj;
      expect(validate(pod)).toBeUndefined();
      const app = (pod.spec.containers as Obj[]).find((c) => c.name === main)!;
      expect(app).toBeDefined();
      const { sidecar } = expectSidecarPod(pod.spec, { ...app, env: sparkEnv(role) }, primary.profile);
      expect(sidecar.image).toBe(loadModelFile(SEED_004).workloads["spark-job"]!.runtime!.credentialsImage);
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

  it("reads the served role's buckets with Hadoop S3A's per-bucket container credentials provider, and writes no EMRFS property EMR does not document", () => {
    const bucket = String(
      primary.resources.bucket ??
        emr.chains.find((c) => c.service === "s3" && c.hops.at(-1)?.roleArn === primary.hops.at(-1)?.roleArn)!.resources.bucket,
    );
    // Hadoop: any fs.s3a option per bucket as fs.s3a.bucket.<bucket>.<option>; IAMInstanceCredentialsProvider: EC2/k8s instance credentials
    expect(properties[`spark.hadoop.fs.s3a.bucket.${bucket}.aws.credentials.provider`]).toBe(S3A_CONTAINER_PROVIDER);
    expect(S3A_CONTAINER_PROVIDER).toBe("org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider");
    // The seed's mistake: EMRFS per-bucket customAWSCredentialsProvider, which EMR does not document
    expect(Object.keys(properties).filter((k) => k.startsWith("spark.hadoop.fs.s3.bucket."))).toEqual([]);
    // The job's own bucket in account A is left to the job execution role
    const own = emr.chains.find((c) => c.service === "s3" && c.hops.length === 0)!;
    expect(Object.keys(properties).some((k) => k.includes(String(own.resources.bucket)))).toBe(false);
    expect(Object.keys(properties).some((k) => k.endsWith("ASSUME_ROLE_CREDENTIALS_ROLE_ARN"))).toBe(false);
  });

  it("the README says what each path needs: Kubernetes 1.29, the token variable old SDKs read, S3A's Hadoop and EMR releases, and the Secret and image commands", () => {
    const readme = file("README.md").content;
    expect(readme).toContain("Kubernetes 1.29 or later");
    expect(readme).toContain("the SDK for Java v1 before 1.12.746 and v2 before 2.21.30");
    expect(readme).toContain("Hadoop 3.3.0");
    expect(readme).toContain("EMR 7.10.0");
    expect(readme).toMatch(
      /kubectl create secret generic spark-job-xacct-token --namespace emr --from-literal=token="\$\(openssl rand -hex 32\)"/,
    );
    expect(readme).toContain(`docker build --tag ${loadModelFile(SEED_004).workloads["spark-job"]!.runtime!.credentialsImage}`);
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
    runtime: { kind: spark, credentialsImage: registry.example.com/xacct:0.1.0 }
grants:
  - { workload: job, account: c, service: s3, access: [read], resources: { bucket: far-bucket }, via: chain, through: [{ account: b, role: broker }], role: { name: far-role }, profile: default }
`);
    const props = (
      JSON.parse(emitSpark(compile(model)).find((f) => f.path.endsWith("spark-defaults.json"))!.content) as {
        properties: Record<string, string>;
      }[]
    )[0]!.properties;
    expect(props["spark.hadoop.fs.s3a.bucket.far-bucket.aws.credentials.provider"]).toBe(S3A_CONTAINER_PROVIDER);
  });

  const driverPod = async () => {
    const pod = parseDocument(file("driver-pod-template.yaml").content).toJS() as Obj;
    const configMap = docs(k8s.find((f) => f.path === "workloads/spark-job/kubernetes/aws-config.yaml")!)[0]!;
    const app = { ...(pod.spec.containers as Obj[])[0]!, env: sparkEnv("driver") };
    return runPod(emr, "spark-job", pod.spec, app, configMap.data.config);
  };

  it("the driver's settings, run: the sidecar from the pod template serves the chain, and a container provider given the driver's URI and token acts as client-role-2", async () => {
    const running = await driverPod();
    const credentials = fromHttp({
      awsContainerCredentialsFullUri: running.appEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
      awsContainerAuthorizationToken: running.appEnv.AWS_CONTAINER_AUTHORIZATION_TOKEN!,
    });
    const me = await new STSClient({ endpoint: running.sandbox.url, region: primary.region, credentials, maxAttempts: 1 }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(me.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/client-role-2\//);
  });

  withDebianPython(
    "the driver's settings, run: botocore 1.29's container provider, as old as EMR 6.15's Java SDK in reading only the token variable, acts as client-role-2",
    { timeout: 60_000 },
    async () => {
      const running = await driverPod();
      // Explicitly the container provider, as S3A asks for it (the driver keeps its web identity and profile for EMR and boto3).
      const script = `import os, boto3, botocore.credentials, xacct_sandbox_endpoint
provider = botocore.credentials.ContainerProvider(os.environ)
creds = provider.load()
os.environ.pop("AWS_PROFILE")  # the driver's profile is for its default chain; this session asks with the provider's keys
session = boto3.Session(aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key, aws_session_token=creds.token, region_name="${primary.region}")
xacct_sandbox_endpoint.register(session)
print(session.client("sts").get_caller_identity()["Arn"])`;
      const r = await oldClient(running, PYTHON!, ["-c", script]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(/^arn:aws:sts::222222222222:assumed-role\/client-role-2\//);
    },
  );
});
