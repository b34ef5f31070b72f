/**
 * The credentials sidecar of generated pods: `xacct serve-credentials` as a native sidecar (an init
 * container with `restartPolicy: Always`, Kubernetes 1.29 and later: it starts before the app, and
 * a Job's pod completes when its app container ends), serving a chain's credentials on
 * 127.0.0.1:9911 — loopback of the pod's own network, so no other pod reaches it.
 *
 * Its image is the model's `runtime.credentialsImage`, built from `docker/credentials-sidecar/
 * Dockerfile`, whose ENTRYPOINT is `SIDECAR_COMMAND`; the sidecar's `command` repeats it (so any
 * image with xacct on its PATH works) and its `args` name the profile. No public image holds it,
 * and every pod waits for its sidecar, so a build that needs one refuses to guess.
 *
 * The Authorization token comes from a Kubernetes Secret the operator creates (never from a
 * manifest): the sidecar reads it as XACCT_CREDENTIALS_TOKEN, the app as
 * AWS_CONTAINER_AUTHORIZATION_TOKEN, through the same `secretKeyRef`. Every SDK that reads
 * AWS_CONTAINER_CREDENTIALS_FULL_URI reads that variable, including those that do not read
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the SDK for Java v1 before 1.12.746 and v2 before
 * 2.21.30, the AWS CLI 2.9 and botocore 1.29 of Debian 12). The sidecar keeps the token in its
 * own memory-backed emptyDir (`--token-file`), where a restarted sidecar finds it again.
 *
 * The SDKs read container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI) only after web identity
 * in their default chains, so an app container that should use the sidecar must not get IRSA's
 * variables: the pod is annotated `eks.amazonaws.com/skip-containers` (EKS Pod Identity Webhook),
 * which leaves the named containers out of the injection; the sidecar itself keeps them and starts
 * the chain from the web identity token.
 */
import type { Compiled } from "../compile/compile.js";
import type { Chain } from "../compile/plan.js";
import { CREDENTIALS_PATH } from "../credentials/server.js";
import { ModelPathError } from "../model/load.js";
import { shellWord } from "../text/escape.js";

/** The sidecar's port on the pod's loopback. */
export const SIDECAR_PORT = 9911;
export const SIDECAR_NAME = "xacct-credentials";
/** The memory-backed emptyDir holding the server's token file, mounted by the sidecar alone. */
export const SIDECAR_VOLUME = "xacct-credentials";
export const SIDECAR_TOKEN_DIR = "/var/run/xacct";
export const SIDECAR_TOKEN_FILE = `${SIDECAR_TOKEN_DIR}/token`;
export const SIDECAR_URL = `http://127.0.0.1:${SIDECAR_PORT}${CREDENTIALS_PATH}`;
/**
 * The sidecar's command: the ENTRYPOINT of `docker/credentials-sidecar/Dockerfile`, word for word
 * (test/emit-credentials-sidecar.test.ts reads both). The profile follows as `args`.
 */
export const SIDECAR_COMMAND: readonly string[] = [
  "xacct",
  "serve-credentials",
  "--port",
  String(SIDECAR_PORT),
  "--token-file",
  SIDECAR_TOKEN_FILE,
];
/** The Dockerfile of the sidecar's image, in xacct's repository and package sources. */
export const SIDECAR_DOCKERFILE = "docker/credentials-sidecar/Dockerfile";
/** Where serve-credentials reads a token given to it (a Secret, through secretKeyRef). */
export const SIDECAR_TOKEN_ENV = "XACCT_CREDENTIALS_TOKEN";
/** The key of the token in the workload's Secret. */
export const SIDECAR_TOKEN_KEY = "token";
/** The pod annotation of the EKS Pod Identity Webhook that leaves containers without IRSA's variables. */
export const SKIP_CONTAINERS_ANNOTATION = "eks.amazonaws.com/skip-containers";

type Manifest = Record<string, unknown>;

/**
 * Whether a chain's pods get the sidecar: an IRSA start (the web identity that the JVM and every
 * other SDK would read first), at least one role assumed, and the model not asking for profiles.
 */
export function usesSidecar(compiled: Compiled, chain: Chain): boolean {
  const runtime = compiled.model.workloads[chain.workload]?.runtime;
  return chain.start.type === "irsa" && chain.hops.length > 0 && runtime?.credentials !== "profile";
}

/**
 * The image of a workload's sidecar: the model's runtime.credentialsImage. Without one the build
 * stops at that workload's runtime in the model: no public image holds the sidecar, and a pod
 * whose sidecar cannot be pulled never starts its app.
 */
export function sidecarImage(compiled: Compiled, workload: string): string {
  const image = compiled.model.workloads[workload]?.runtime?.credentialsImage;
  if (image !== undefined) return image;
  const account = compiled.model.workloads[workload]?.account;
  const declared = account !== undefined ? compiled.model.accounts[account] : undefined;
  const id = typeof declared?.id === "string" ? declared.id : "111122223333";
  const region = declared?.region ?? "us-east-1";
  throw new ModelPathError(
    `workloads.${workload}.runtime`,
    `needs credentialsImage: its pods run the credentials sidecar (xacct serve-credentials, which every pod waits for), and no public image holds it. Build the image from xacct's ${SIDECAR_DOCKERFILE}, push it to a registry the cluster pulls from, and name it here, e.g. credentialsImage: ${id}.dkr.ecr.${region}.amazonaws.com/xacct:0.1.0 (or set credentials: profile for pods without the sidecar)`,
  );
}

/** A reference to the token in the workload's Secret, for an environment variable. */
function tokenFrom(secret: string): Manifest {
  return { secretKeyRef: { name: secret, key: SIDECAR_TOKEN_KEY } };
}

/**
 * The variables that point an app container's SDK at the sidecar: its URL, and the token from the
 * workload's Secret (never its value).
 */
export function sidecarClientEnv(secret: string): Manifest[] {
  return [
    { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: SIDECAR_URL },
    { name: "AWS_CONTAINER_AUTHORIZATION_TOKEN", valueFrom: tokenFrom(secret) },
  ];
}

/** The token file's volume: in memory, never on the node's disk. */
export function sidecarVolume(): Manifest {
  return { name: SIDECAR_VOLUME, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } };
}

/** The command that creates a workload's token Secret: a random token, never written to a file. */
export function tokenSecretCommand(secret: string, namespace: string): string {
  return `kubectl create secret generic ${shellWord(secret)} --namespace ${shellWord(namespace)} --from-literal=${SIDECAR_TOKEN_KEY}="$(openssl rand -hex 32)"`;
}

/** An Amazon ECR image reference: its registry's host and region. */
const ECR_IMAGE = /^(\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\//;

/**
 * The commands that build the sidecar's images from a checkout of xacct (the package `npm pack`
 * makes, installed by docker/credentials-sidecar/Dockerfile) and push them; for Amazon ECR, the
 * registry login first.
 */
export function imageBuildCommands(images: readonly string[]): string[] {
  return [
    "rm -f docker/credentials-sidecar/xacct-*.tgz",
    "npm ci && npm pack --pack-destination docker/credentials-sidecar",
    ...images.flatMap((image) => {
      const ecr = ECR_IMAGE.exec(image);
      return [
        `docker build --tag ${shellWord(image)} docker/credentials-sidecar`,
        ...(ecr ? [`aws ecr get-login-password --region ${ecr[2]} | docker login --username AWS --password-stdin ${ecr[1]}`] : []),
        `docker push ${shellWord(image)}`,
      ];
    }),
  ];
}

export interface SidecarOptions {
  image: string;
  /** The profile of the AWS config file the sidecar serves. */
  profile: string;
  region: string;
  /** The Secret holding the token (key `token`), in the pod's namespace. */
  tokenSecret: string;
  /** The AWS config file, and the volume and directory it is mounted from. */
  configFile: string;
  configVolume: string;
  configDir: string;
  /** A user to run as when the pod's securityContext sets none the app shares. */
  runAsUser?: number;
  runAsGroup?: number;
}

/** The sidecar: an init container with restartPolicy Always running `xacct serve-credentials`. */
export function sidecarContainer(options: SidecarOptions): Manifest {
  return {
    name: SIDECAR_NAME,
    image: options.image,
    restartPolicy: "Always",
    command: [...SIDECAR_COMMAND],
    args: ["--profile", options.profile],
    env: [
      { name: "AWS_CONFIG_FILE", value: options.configFile },
      { name: "AWS_REGION", value: options.region },
      { name: "HOME", value: "/tmp" },
      { name: SIDECAR_TOKEN_ENV, valueFrom: tokenFrom(options.tokenSecret) },
    ],
    // The app waits for this: the server listens once its token is in place.
    startupProbe: {
      exec: {
        command: [
          "node",
          "-e",
          `require("node:net").connect(${SIDECAR_PORT}, "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))`,
        ],
      },
      periodSeconds: 1,
      failureThreshold: 60,
    },
    securityContext: {
      ...(options.runAsUser !== undefined
        ? { runAsUser: options.runAsUser, runAsGroup: options.runAsGroup ?? options.runAsUser, runAsNonRoot: true }
        : {}),
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [
      { name: options.configVolume, mountPath: options.configDir, readOnly: true },
      { name: SIDECAR_VOLUME, mountPath: SIDECAR_TOKEN_DIR },
    ],
  };
}
