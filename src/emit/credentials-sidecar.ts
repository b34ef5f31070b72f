/**
 * The credentials sidecar of generated pods: `xacct serve-credentials` as a native sidecar (an init
 * container with `restartPolicy: Always`, Kubernetes 1.29 and later: it starts before the app, and
 * a Job's pod completes when its app container ends), serving a chain's credentials on
 * 127.0.0.1:9911 — loopback of the pod's own network, so no other pod reaches it — with its token
 * in a memory-backed emptyDir the app container mounts read-only.
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

/** The sidecar's port on the pod's loopback. */
export const SIDECAR_PORT = 9911;
export const SIDECAR_NAME = "xacct-credentials";
/** The memory-backed emptyDir holding the token, and where containers mount it. */
export const SIDECAR_VOLUME = "xacct-credentials";
export const SIDECAR_TOKEN_DIR = "/var/run/xacct";
export const SIDECAR_TOKEN_FILE = `${SIDECAR_TOKEN_DIR}/token`;
export const SIDECAR_URL = `http://127.0.0.1:${SIDECAR_PORT}${CREDENTIALS_PATH}`;
/** The sidecar's image when the model names none: an image the operator builds with xacct on its PATH (see README). */
export const DEFAULT_CREDENTIALS_IMAGE = "xacct:latest";
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

/** The image of a workload's sidecar. */
export function sidecarImage(compiled: Compiled, workload: string): string {
  return compiled.model.workloads[workload]?.runtime?.credentialsImage ?? DEFAULT_CREDENTIALS_IMAGE;
}

/** The variables that point an app container's SDK at the sidecar (no secret: the token stays in its file). */
export function sidecarClientEnv(): { name: string; value: string }[] {
  return [
    { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: SIDECAR_URL },
    { name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value: SIDECAR_TOKEN_FILE },
  ];
}

/** The token's volume: in memory, never on the node's disk. */
export function sidecarVolume(): Manifest {
  return { name: SIDECAR_VOLUME, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } };
}

/** The app container's mount of the token's volume. */
export function sidecarClientMount(): Manifest {
  return { name: SIDECAR_VOLUME, mountPath: SIDECAR_TOKEN_DIR, readOnly: true };
}

export interface SidecarOptions {
  image: string;
  /** The profile of the AWS config file the sidecar serves. */
  profile: string;
  region: string;
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
    command: [
      "xacct",
      "serve-credentials",
      "--profile",
      options.profile,
      "--port",
      String(SIDECAR_PORT),
      "--token-file",
      SIDECAR_TOKEN_FILE,
    ],
    env: [
      { name: "AWS_CONFIG_FILE", value: options.configFile },
      { name: "AWS_REGION", value: options.region },
      { name: "HOME", value: "/tmp" },
    ],
    // The app waits for this: the server listens once the token file is written.
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
