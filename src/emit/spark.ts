/**
 * Spark on EMR on EKS (`examples/004-emr-eks-chain`), under `workloads/<workload>/spark/`, for
 * workloads whose runtime is Spark or that run JVM code from an IRSA service account:
 *
 * - `spark-defaults.json`: an EMR `applicationConfiguration` array with one `spark-defaults`
 *   classification: the environment of the driver (`spark.kubernetes.driverEnv.*`) and of the
 *   executors (`spark.executorEnv.*`) — AWS_CONFIG_FILE, AWS_PROFILE, AWS_REGION and the role ARNs —
 *   and, for every S3 bucket reached through a role, EMRFS's per-bucket
 *   `customAWSCredentialsProvider` with the role in ASSUME_ROLE_CREDENTIALS_ROLE_ARN.
 * - `entrypoint.sh`: writes the chained profiles to the AWS config file in every pod, then runs the
 *   EMR on EKS image's own entrypoint.
 * - `driver-pod-template.yaml`, `executor-pod-template.yaml` (IRSA chains that assume roles, unless
 *   the model asks for profiles only): Spark pod templates adding the credentials sidecar
 *   (credentials-sidecar.ts) beside the driver and each executor; spark-defaults then points both
 *   at it (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) and reads the
 *   buckets of the served role with EMRFS's and S3A's container credentials providers, whatever
 *   the number of hops. The JVM's default chain reads web identity first, and EMR's own S3 access
 *   (code, logs) needs the job execution role, so the main containers keep IRSA: JVM code that
 *   wants the chain asks for the container provider, as EMRFS and S3A do here.
 * - `README.md`: how to put the pieces together, and what could not be generated.
 */
import type { Compiled } from "../compile/compile.js";
import type { Chain } from "../compile/plan.js";
import { awsConfigText, chainsByWorkload, hasProfile } from "./aws-config.js";
import {
  SIDECAR_VOLUME,
  SIDECAR_URL,
  sidecarClientEnv,
  sidecarClientMount,
  sidecarContainer,
  sidecarImage,
  sidecarVolume,
  usesSidecar,
} from "./credentials-sidecar.js";
import { AWS_CONFIG_DIR, AWS_CONFIG_FILE, awsConfigMapName } from "./kubernetes.js";
import { commentLine, mdCode, mdText, shellHeredoc, shellWord, yamlDocuments } from "../text/escape.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

/** Where the entrypoint writes the AWS config in EMR on EKS pods (the image's user is hadoop). */
export const SPARK_AWS_CONFIG_FILE = "/home/hadoop/.aws/config";
/** The EMR on EKS Spark image's own entrypoint, which the generated one hands over to. */
export const EMR_ENTRYPOINT = "/usr/bin/entrypoint.sh";
/** EMRFS's credentials provider that assumes the role named in ASSUME_ROLE_CREDENTIALS_ROLE_ARN. */
export const ASSUME_ROLE_PROVIDER = "com.amazonaws.emr.AssumeRoleAWSCredentialsProvider";
const HEREDOC = "XACCT_AWS_CONFIG_EOF";
/** The SDK for Java 1.x provider EMRFS instantiates: container credentials from AWS_CONTAINER_CREDENTIALS_FULL_URI (else instance metadata). */
export const EMRFS_CONTAINER_PROVIDER = "com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper";
/** Hadoop S3A's provider of container credentials (else instance metadata), in Hadoop 3.3 (SDK v1) and 3.4 (SDK v2) alike. */
export const S3A_CONTAINER_PROVIDER = "org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider";
/** The main containers of Spark's pods, as Spark names them in pod templates. */
export const SPARK_CONTAINERS = { driver: "spark-kubernetes-driver", executor: "spark-kubernetes-executor" } as const;
/** The EMR on EKS images' user (hadoop), which must own the token file to read it. */
export const EMR_UID = 999;
export const EMR_GID = 1000;
/** Where the pod templates go: EMR on EKS reads them from S3; the operator uploads them there. */
export const POD_TEMPLATE_PREFIX = "s3://<bucket>/<prefix>";

/** Whether the workload's chains call for Spark settings. */
export function isSparkWorkload(chains: readonly Chain[]): boolean {
  const first = chains[0];
  return first !== undefined && (first.runtime?.kind === "spark" || (first.language === "jvm" && first.start.type === "irsa"));
}

export const emitSpark: Emitter = (compiled) => {
  const files: EmittedFile[] = [];
  for (const [workload, list] of chainsByWorkload(compiled.chains)) {
    if (!isSparkWorkload(list)) continue;
    const dir = `workloads/${slug(workload)}/spark`;
    const primary = primaryChain(list);
    const sidecar = usesSidecar(compiled, primary);
    const { properties, notes } = sparkDefaults(workload, list, sidecar);
    files.push({ path: `${dir}/spark-defaults.json`, content: json([{ classification: "spark-defaults", properties }]) });
    files.push({ path: `${dir}/entrypoint.sh`, content: entrypointScript(workload, list), mode: 0o755 });
    if (sidecar)
      for (const role of ["driver", "executor"] as const)
        files.push({ path: `${dir}/${role}-pod-template.yaml`, content: podTemplate(compiled, workload, primary, role) });
    files.push({ path: `${dir}/README.md`, content: readme(workload, list, notes, sidecar) });
  }
  return files;
};

/** The chain whose profile the pods use by default: the one named `default`, else the first. */
export function primaryChain(chains: readonly Chain[]): Chain {
  const chain = chains.find((c) => c.profile === "default") ?? chains[0];
  if (!chain) throw new Error("no chains");
  return chain;
}

/**
 * The spark-defaults properties of a workload, and the notes on what could not be expressed. With
 * `sidecar`, the pods run the credentials sidecar serving the primary chain.
 */
export function sparkDefaults(
  workload: string,
  chains: readonly Chain[],
  sidecar = false,
): { properties: Record<string, string>; notes: string[] } {
  const primary = primaryChain(chains);
  const properties: Record<string, string> = {};
  const notes: string[] = [];
  const env = (name: string, value: string) => {
    properties[`spark.kubernetes.driverEnv.${name}`] = value;
    properties[`spark.executorEnv.${name}`] = value;
  };
  if (primary.runtime?.image) properties["spark.kubernetes.container.image"] = primary.runtime.image;
  env("AWS_CONFIG_FILE", SPARK_AWS_CONFIG_FILE);
  if (hasProfile(primary)) env("AWS_PROFILE", primary.profile);
  env("AWS_REGION", primary.region);
  const last = primary.hops[primary.hops.length - 1];
  if (last) env("CLIENT_ROLE_ARN", last.roleArn);
  if (primary.start.type === "irsa" && primary.start.roleArn) env("WEB_IDENTITY_ROLE_ARN", primary.start.roleArn);
  if (sidecar) {
    for (const { name, value } of sidecarClientEnv()) env(name, value);
    for (const role of ["driver", "executor"] as const)
      properties[`spark.kubernetes.${role}.podTemplateFile`] = `${POD_TEMPLATE_PREFIX}/${role}-pod-template.yaml`;
  }
  // The sidecar serves the primary chain's last role: every bucket reached as that role reads
  // through it, however many hops lead there.
  const served = (chain: Chain) =>
    sidecar && last !== undefined && chain.hops.at(-1)?.roleArn === last.roleArn && chain.start === primary.start;

  // EMRFS: one provider per bucket, all reading the one ASSUME_ROLE_CREDENTIALS_ROLE_ARN, which
  // the provider assumes directly with the pod's own credentials: a single hop only.
  const buckets = new Map<string, string>();
  for (const chain of chains) {
    if (chain.service !== "s3" || chain.hops.length === 0) continue;
    for (const bucket of [chain.resources.bucket ?? []].flat()) {
      if (served(chain)) {
        properties[`spark.hadoop.fs.s3.bucket.${bucket}.customAWSCredentialsProvider`] = EMRFS_CONTAINER_PROVIDER;
        properties[`spark.hadoop.fs.s3a.bucket.${bucket}.aws.credentials.provider`] = S3A_CONTAINER_PROVIDER;
        continue;
      }
      if (chain.hops.length > 1) {
        notes.push(
          `Bucket ${bucket} is reached through ${chain.hops.length} roles; EMRFS's ${ASSUME_ROLE_PROVIDER} assumes one role directly from the job's own credentials, so Spark's s3:// reads of this bucket use the job execution role. Read it with an SDK client on profile ${chain.profile}, or grant it with one hop.`,
        );
        continue;
      }
      buckets.set(bucket, (chain.hops[0] as Chain["hops"][number]).roleArn);
    }
  }
  const roles = [...new Set(buckets.values())];
  if (roles.length > 1) {
    throw new Error(
      `workload ${workload}: Spark reaches S3 buckets through different roles (${[...buckets].map(([b, r]) => `${b} via ${r}`).join(", ")}), but EMR's ${ASSUME_ROLE_PROVIDER} reads a single ASSUME_ROLE_CREDENTIALS_ROLE_ARN: grant these buckets through one role`,
    );
  }
  for (const bucket of buckets.keys())
    properties[`spark.hadoop.fs.s3.bucket.${bucket}.customAWSCredentialsProvider`] = ASSUME_ROLE_PROVIDER;
  if (roles[0]) env("ASSUME_ROLE_CREDENTIALS_ROLE_ARN", roles[0]);
  return { properties, notes };
}

/**
 * A Spark pod template (driver or executor) with the credentials sidecar serving the primary
 * chain's profile from the workload's AWS config ConfigMap (../kubernetes/aws-config.yaml), and the
 * token's volume mounted read-only in Spark's main container. The sidecar runs as the EMR images'
 * user, so that the main container can read the 0600 token file it writes.
 */
export function podTemplate(compiled: Compiled, workload: string, primary: Chain, role: "driver" | "executor"): string {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    spec: {
      initContainers: [
        sidecarContainer({
          image: sidecarImage(compiled, workload),
          profile: primary.profile,
          region: primary.region,
          configFile: AWS_CONFIG_FILE,
          configVolume: "aws-config",
          configDir: AWS_CONFIG_DIR,
          runAsUser: EMR_UID,
          runAsGroup: EMR_GID,
        }),
      ],
      containers: [{ name: SPARK_CONTAINERS[role], volumeMounts: [sidecarClientMount()] }],
      volumes: [
        { name: "aws-config", configMap: { name: awsConfigMapName(workload), items: [{ key: "config", path: "config" }] } },
        sidecarVolume(),
      ],
    },
  };
  const comment = [
    `Generated by xacct for workload ${workload}. Do not edit; change xacct.yaml and run xacct build.`,
    `The Spark ${role}'s pod template: the credentials sidecar (${SIDECAR_VOLUME}) serves profile ${primary.profile} on ${SIDECAR_URL}.`,
    `Upload it to ${POD_TEMPLATE_PREFIX}/ and name it in spark.kubernetes.${role}.podTemplateFile (spark-defaults.json).`,
  ].join("\n");
  return yamlDocuments([{ value: pod, comment }]);
}

/** The POSIX sh entrypoint that writes the workload's AWS config, then runs the image's own. */
export function entrypointScript(workload: string, chains: readonly Chain[]): string {
  const config = shellHeredoc(awsConfigText(chains), HEREDOC);
  return `#!/bin/sh
${commentLine(`Generated by xacct for workload ${workload}. Do not edit; change xacct.yaml and run xacct build.`)}
#
# Writes the chained AWS profiles to $AWS_CONFIG_FILE (default: $HOME/.aws/config) in every driver
# and executor pod, then hands over to the EMR on EKS image's entrypoint (${EMR_ENTRYPOINT}).
# Install it in a custom image as the ENTRYPOINT (see README.md). XACCT_EXEC replaces the program
# handed over to, for testing the script outside EMR.
#
# Python (boto3), the AWS CLI and the other SDKs read AWS_PROFILE and follow the chain in this file.
# The AWS SDK for Java does not: its default credentials chain reads the web identity variables
# that IRSA injects (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) before any profile, so JVM code on
# the default chain gets the job execution role, not the chained one (aws/aws-sdk-java#2602). Point
# JVM code at the profile explicitly (a ProfileCredentialsProvider for the profile in AWS_PROFILE)
# or at a credentials endpoint (a container credentials provider), never at the default chain.
set -eu

config_file="\${AWS_CONFIG_FILE:-\${HOME:?HOME is not set}/.aws/config}"
mkdir -p "$(dirname "$config_file")"
tmp_file="$config_file.tmp.$$"
cat > "$tmp_file" ${config}
mv -f "$tmp_file" "$config_file"

exec "\${XACCT_EXEC:-${EMR_ENTRYPOINT}}" "$@"
`;
}

function readme(workload: string, chains: readonly Chain[], notes: string[], sidecar: boolean): string {
  const primary = primaryChain(chains);
  const lines = [
    `# Spark on EMR on EKS: ${mdText(workload)}`,
    "",
    `Generated by xacct. ${sidecar ? "Four" : "Two"} pieces make the job's pods use the chained roles:`,
    "",
    "1. `entrypoint.sh` writes the AWS profiles in every pod. Build it into a custom image on top of the EMR on EKS Spark image of your release (seed 004 uses emr-6.15.0):",
    "",
    "   ```dockerfile",
    "   FROM public.ecr.aws/emr-on-eks/spark/emr-6.15.0:latest",
    "   USER root",
    "   COPY entrypoint.sh /usr/lib/xacct/entrypoint.sh",
    "   RUN chmod 0755 /usr/lib/xacct/entrypoint.sh",
    "   USER hadoop:hadoop",
    '   ENTRYPOINT ["/usr/lib/xacct/entrypoint.sh"]',
    "   ```",
    "",
    "2. `spark-defaults.json` is the `applicationConfiguration` of `aws emr-containers start-job-run --configuration-overrides` (set `spark.kubernetes.container.image` to the custom image if the model does not name it).",
  ];
  if (sidecar) {
    lines.push(
      "",
      `3. \`driver-pod-template.yaml\` and \`executor-pod-template.yaml\` add the credentials sidecar (${mdCode(`xacct serve-credentials --profile ${shellWord(primary.profile)}`)}, a native sidecar: Kubernetes 1.29 or later) to every Spark pod. Upload them to S3 and replace \`${POD_TEMPLATE_PREFIX}\` in the two \`podTemplateFile\` properties with where they are; the job execution role must be able to read them.`,
      "",
      `4. The sidecar reads the AWS config from the ConfigMap in \`../kubernetes/aws-config.yaml\` (apply it in the virtual cluster's namespace) and runs the image named by the model's \`runtime.credentialsImage\` (default \`xacct:latest\`: an image with Node.js 20 and xacct, see xacct's README). It runs as the EMR images' user (uid ${EMR_UID}) so that Spark can read its token file.`,
      "",
      `The driver and the executors get AWS_CONTAINER_CREDENTIALS_FULL_URI (${SIDECAR_URL}) and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. The sidecar refreshes the chain before each session ends, so jobs outlive the one-hour cap of chained sessions. EMRFS (s3://) and S3A (s3a://) read the buckets of ${mdText(primary.hops.at(-1)?.roleArn ?? "")} through it; other JVM code asks for the container credentials provider (the SDK for Java's default chain reads the job's web identity first, which EMR itself needs for the job's code and logs).`,
    );
  }
  lines.push(
    "",
    hasProfile(primary)
      ? `Pods use profile ${mdCode(primary.profile)} (AWS_PROFILE); the other profiles of the file are there for SDK clients that name them.`
      : "Pods name no profile (AWS_PROFILE unset): their grant assumes no role, so the SDKs' default credential chain reads the job's own credentials; the profiles of the file are there for SDK clients that name them.",
    `Chained role sessions last at most ${Math.min(...chains.map((c) => c.maxSessionSeconds))} s; the SDKs refresh them from the profile${sidecar ? ", the sidecar from its chain" : ""}.`,
  );
  if (notes.length > 0) lines.push("", "## Not generated", "", ...notes.map((n) => `- ${mdText(n)}`));
  return `${lines.join("\n")}\n`;
}
