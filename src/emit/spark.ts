/**
 * Spark on EMR on EKS (`examples/004-emr-eks-chain`), under `workloads/<workload>/spark/`, for
 * workloads whose runtime is Spark or that run JVM code from an IRSA service account. Only
 * properties that EMR, Hadoop or Spark document are written (never EMRFS's per-bucket
 * `fs.s3.bucket.<bucket>.customAWSCredentialsProvider`, which EMR does not document):
 *
 * - `spark-defaults.json`: an EMR `applicationConfiguration` array with one `spark-defaults`
 *   classification: the environment of the driver (`spark.kubernetes.driverEnv.*`) and of the
 *   executors (`spark.executorEnv.*`) — AWS_CONFIG_FILE, AWS_PROFILE, AWS_REGION and the role ARNs.
 * - With the credentials sidecar (IRSA chains that assume roles, unless the model asks for
 *   profiles only): `driver-pod-template.yaml` and `executor-pod-template.yaml` add the sidecar
 *   (credentials-sidecar.ts) beside the driver and each executor; spark-defaults points both at it
 *   (AWS_CONTAINER_CREDENTIALS_FULL_URI, and AWS_CONTAINER_AUTHORIZATION_TOKEN from the workload's
 *   Secret through Spark's `spark.kubernetes.{driver,executor}.secretKeyRef.*`), and gives every
 *   bucket of the served role Hadoop S3A's per-bucket `fs.s3a.bucket.<bucket>.aws.credentials.provider`
 *   = IAMInstanceCredentialsProvider (container credentials), whatever the number of hops. EMR's
 *   own S3 access (the job's code, logs) keeps the job execution role: the main containers keep
 *   IRSA, and JVM code that wants the chain asks for the container provider, as S3A does here.
 * - Without the sidecar: EMR on EKS's documented cross-account provider, job-wide
 *   (`fs.s3.customAWSCredentialsProvider` = AssumeRoleAWSCredentialsProvider with
 *   ASSUME_ROLE_CREDENTIALS_ROLE_ARN), written only where the job reads S3 through that one role
 *   alone, since EMRFS then reads every s3:// path as that role.
 * - `entrypoint.sh`: writes the chained profiles to the AWS config file in every pod, then runs the
 *   EMR on EKS image's own entrypoint.
 * - `README.md`: how to put the pieces together, the EMR releases and SDK versions each path
 *   needs, and what could not be generated.
 */
import type { Compiled } from "../compile/compile.js";
import type { Chain } from "../compile/plan.js";
import { awsConfigText, chainsByWorkload, hasProfile } from "./aws-config.js";
import {
  SIDECAR_DOCKERFILE,
  SIDECAR_NAME,
  SIDECAR_TOKEN_KEY,
  SIDECAR_URL,
  imageBuildCommands,
  sidecarContainer,
  sidecarImage,
  sidecarVolume,
  tokenSecretCommand,
  usesSidecar,
} from "./credentials-sidecar.js";
import { AWS_CONFIG_DIR, AWS_CONFIG_FILE, awsConfigMapName, tokenSecretName } from "./kubernetes.js";
import { commentLine, mdCode, mdText, shellHeredoc, shellWord, yamlDocuments } from "../text/escape.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

/** Where the entrypoint writes the AWS config in EMR on EKS pods (the image's user is hadoop). */
export const SPARK_AWS_CONFIG_FILE = "/home/hadoop/.aws/config";
/** The EMR on EKS Spark image's own entrypoint, which the generated one hands over to. */
export const EMR_ENTRYPOINT = "/usr/bin/entrypoint.sh";
/**
 * EMR on EKS's cross-account provider: EMRFS assumes the role named in ASSUME_ROLE_CREDENTIALS_ROLE_ARN
 * "instead of the job execution role for Amazon S3 access", for every s3:// path of the job
 * (https://docs.aws.amazon.com/emr/latest/EMR-on-EKS-DevelopmentGuide/security-cross-account.html).
 */
export const ASSUME_ROLE_PROVIDER = "com.amazonaws.emr.AssumeRoleAWSCredentialsProvider";
/** The job-wide EMRFS property EMR documents for that provider. */
export const EMRFS_PROVIDER_PROPERTY = "spark.hadoop.fs.s3.customAWSCredentialsProvider";
const HEREDOC = "XACCT_AWS_CONFIG_EOF";
/**
 * Hadoop S3A's provider of "EC2/k8s instance credentials": container credentials
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI), else instance metadata; since Hadoop 3.3.0 (HADOOP-16470),
 * on the SDK for Java v1 through Hadoop 3.3 and v2 from Hadoop 3.4.
 */
export const S3A_CONTAINER_PROVIDER = "org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider";
/** Hadoop's per-bucket S3A property of a bucket's credentials providers (any fs.s3a.* option as fs.s3a.bucket.<bucket>.*). */
export const s3aBucketProviderProperty = (bucket: string): string => `spark.hadoop.fs.s3a.bucket.${bucket}.aws.credentials.provider`;
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
    files.push({ path: `${dir}/README.md`, content: readme(compiled, workload, list, notes, sidecar) });
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
    env("AWS_CONTAINER_CREDENTIALS_FULL_URI", SIDECAR_URL);
    // Spark's own way to put a Secret's key in the driver's and executors' environment (SPARK-24232).
    const token = `${tokenSecretName(workload)}:${SIDECAR_TOKEN_KEY}`;
    properties["spark.kubernetes.driver.secretKeyRef.AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token;
    properties["spark.kubernetes.executor.secretKeyRef.AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token;
    for (const role of ["driver", "executor"] as const)
      properties[`spark.kubernetes.${role}.podTemplateFile`] = `${POD_TEMPLATE_PREFIX}/${role}-pod-template.yaml`;
  }
  const buckets = (chain: Chain) => (chain.service === "s3" ? [chain.resources.bucket ?? []].flat() : []);

  if (sidecar) {
    // The sidecar serves the primary chain's last role: every bucket reached as that role reads
    // through it, however many hops lead there.
    for (const chain of chains) {
      if (chain.hops.length === 0) continue;
      const served = last !== undefined && chain.hops.at(-1)?.roleArn === last.roleArn && chain.start === primary.start;
      for (const bucket of buckets(chain)) {
        if (served) properties[s3aBucketProviderProperty(bucket)] = S3A_CONTAINER_PROVIDER;
        else
          notes.push(
            `Bucket ${bucket} is reached as ${chain.hops.at(-1)?.roleArn ?? ""}, but the sidecar serves ${last?.roleArn ?? ""} (profile ${primary.profile}): Spark reads it as the job execution role. Read it with an SDK client on profile ${chain.profile}.`,
          );
      }
    }
    return { properties, notes };
  }

  // Without the sidecar: EMR's documented provider assumes one role for every s3:// path of the
  // job, so it is written only when each bucket the job reads is reached through that one role.
  const viaOneRole = new Map<string, string>();
  let blocked = false;
  for (const chain of chains) {
    for (const bucket of buckets(chain)) {
      if (chain.hops.length === 1) viaOneRole.set(bucket, (chain.hops[0] as Chain["hops"][number]).roleArn);
      else if (chain.hops.length > 1)
        notes.push(
          `Bucket ${bucket} is reached through ${chain.hops.length} roles; EMR's ${ASSUME_ROLE_PROVIDER} assumes one role directly from the job's own credentials, so Spark's s3:// reads of this bucket cannot reach it. Read it with an SDK client on profile ${chain.profile}, grant it with one hop, or use the credentials sidecar (runtime.credentials: sidecar).`,
        );
      else blocked = true;
    }
  }
  const roles = [...new Set(viaOneRole.values())];
  if (roles.length === 1 && !blocked) {
    properties[EMRFS_PROVIDER_PROPERTY] = ASSUME_ROLE_PROVIDER;
    env("ASSUME_ROLE_CREDENTIALS_ROLE_ARN", roles[0] as string);
    notes.push(
      `EMR's ${ASSUME_ROLE_PROVIDER} is job-wide: EMRFS reads and writes every s3:// path of the job as ${roles[0] as string}, the job's own code, dependencies and outputs on S3 included, so that role must be able to read them too.`,
    );
  } else if (viaOneRole.size > 0) {
    notes.push(
      `Spark's s3:// reads of ${[...viaOneRole].map(([b, r]) => `${b} (via ${r})`).join(", ")} are not configured: EMR's ${ASSUME_ROLE_PROVIDER} reads every s3:// path of the job as a single ASSUME_ROLE_CREDENTIALS_ROLE_ARN, and ${roles.length > 1 ? "these buckets are reached through different roles" : "the job also reads buckets as itself"}. Use the credentials sidecar (runtime.credentials: sidecar), or read them with SDK clients on their profiles.`,
    );
  }
  return { properties, notes };
}

/**
 * A Spark pod template (driver or executor) with the credentials sidecar serving the primary
 * chain's profile from the workload's AWS config ConfigMap (../kubernetes/aws-config.yaml), its
 * token from the workload's Secret. The sidecar runs as the EMR images' user (hadoop), as the
 * job's own containers do, reading the web identity token as they do.
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
          tokenSecret: tokenSecretName(workload),
          configFile: AWS_CONFIG_FILE,
          configVolume: "aws-config",
          configDir: AWS_CONFIG_DIR,
          runAsUser: EMR_UID,
          runAsGroup: EMR_GID,
        }),
      ],
      // Spark's main container, completed by Spark (spark.kubernetes.<role>.podTemplateContainerName's default: the first).
      containers: [{ name: SPARK_CONTAINERS[role] }],
      volumes: [
        { name: "aws-config", configMap: { name: awsConfigMapName(workload), items: [{ key: "config", path: "config" }] } },
        sidecarVolume(),
      ],
    },
  };
  const comment = [
    `Generated by xacct for workload ${workload}. Do not edit; change xacct.yaml and run xacct build.`,
    `The Spark ${role}'s pod template: the credentials sidecar (${SIDECAR_NAME}) serves profile ${primary.profile} on ${SIDECAR_URL}.`,
    `It needs the Secret ${tokenSecretName(workload)} in the job's namespace: see README.md.`,
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

function readme(compiled: Compiled, workload: string, chains: readonly Chain[], notes: string[], sidecar: boolean): string {
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
    const image = sidecarImage(compiled, workload);
    const namespace = primary.start.cluster?.namespace ?? "";
    lines.push(
      "",
      `3. \`driver-pod-template.yaml\` and \`executor-pod-template.yaml\` add the credentials sidecar (${mdCode(`xacct serve-credentials --profile ${shellWord(primary.profile)}`)}, a native sidecar: Kubernetes 1.29 or later) to every Spark pod. Upload them to S3 and replace \`${POD_TEMPLATE_PREFIX}\` in the two \`podTemplateFile\` properties with where they are; the job execution role must be able to read them.`,
      "",
      `4. In the virtual cluster's namespace ${mdCode(namespace)}: apply the ConfigMap in \`../kubernetes/aws-config.yaml\` (the sidecar reads the AWS config from it), create the Secret with the sidecar's token (a random token that no file holds; the sidecar and Spark's containers read it from there), and push the sidecar's image ${mdCode(image)} (\`runtime.credentialsImage\`) built from xacct's \`${SIDECAR_DOCKERFILE}\` in a checkout of xacct:`,
      "",
      "   ```sh",
      `   ${tokenSecretCommand(tokenSecretName(workload), namespace)}`,
      ...imageBuildCommands([image]).map((c) => `   ${c}`),
      "   ```",
      "",
      `The driver and the executors get AWS_CONTAINER_CREDENTIALS_FULL_URI (${SIDECAR_URL}) and AWS_CONTAINER_AUTHORIZATION_TOKEN from the Secret (Spark's \`spark.kubernetes.{driver,executor}.secretKeyRef.*\`). The sidecar runs as the EMR images' user (uid ${EMR_UID}) and refreshes the chain before each session ends, so jobs outlive the one-hour cap of chained sessions. S3A reads the buckets of ${mdText(primary.hops.at(-1)?.roleArn ?? "")} through it; other JVM code asks for the container credentials provider (the SDK for Java's default chain reads the job's web identity first, which EMR itself needs for the job's code and logs).`,
    );
  }
  lines.push(
    "",
    hasProfile(primary)
      ? `Pods use profile ${mdCode(primary.profile)} (AWS_PROFILE); the other profiles of the file are there for SDK clients that name them.`
      : "Pods name no profile (AWS_PROFILE unset): their grant assumes no role, so the SDKs' default credential chain reads the job's own credentials; the profiles of the file are there for SDK clients that name them.",
    `Chained role sessions last at most ${Math.min(...chains.map((c) => c.maxSessionSeconds))} s; the SDKs refresh them from the profile${sidecar ? ", the sidecar from its chain" : ""}.`,
    "",
    "## What each path needs",
    "",
    "- Python (boto3), the AWS CLI and the SDKs other than Java's: the profiles of `entrypoint.sh` (AWS_PROFILE).",
  );
  if (sidecar)
    lines.push(
      "- The credentials sidecar: Kubernetes 1.29 or later (native sidecars: an init container with `restartPolicy: Always`).",
      `- The token: AWS_CONTAINER_AUTHORIZATION_TOKEN, which every SDK that reads AWS_CONTAINER_CREDENTIALS_FULL_URI reads, including those that do not read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the SDK for Java v1 before 1.12.746 and v2 before 2.21.30, as EMR 6.15 ships). Spark's \`secretKeyRef\` properties: Spark 2.4 or later.`,
      `- Spark's S3 reads through the sidecar: Hadoop S3A's per-bucket \`fs.s3a.bucket.<bucket>.aws.credentials.provider\` with \`${S3A_CONTAINER_PROVIDER}\` (container credentials, since Hadoop 3.3.0; Hadoop's "Per-Bucket Configuration" and "Authenticating with S3"). It serves \`s3a://\` paths on EMR releases whose Hadoop is 3.3.0 or later, and \`s3://\` paths too from EMR 7.10.0, where S3A replaced EMRFS for every scheme (EMR's "Migration Guide: EMRFS to S3A Filesystem"). Before 7.10.0, \`s3://\` is EMRFS, which reads these buckets as the job execution role: write their paths as \`s3a://\`. When the sidecar does not answer, Hadoop 3.4's provider falls back to the instance profile: keep the node role without access to these buckets.`,
    );
  else
    lines.push(
      `- Spark's S3 reads through a role: EMR on EKS's \`${EMRFS_PROVIDER_PROPERTY}\` = \`${ASSUME_ROLE_PROVIDER}\` with ASSUME_ROLE_CREDENTIALS_ROLE_ARN on the driver and the executors (EMR on EKS Development Guide, "Set up cross-account access for Amazon EMR on EKS", whose example runs emr-6.2.0). It is job-wide and assumes one role in one step, from the job's own credentials.`,
    );
  if (notes.length > 0) lines.push("", "## Not generated, and what to know", "", ...notes.map((n) => `- ${mdText(n)}`));
  return `${lines.join("\n")}\n`;
}
