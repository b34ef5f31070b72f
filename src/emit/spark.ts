/**
 * Spark on EMR on EKS (seed 004), under `workloads/<workload>/spark/`, for workloads whose runtime
 * is Spark or that run JVM code from an IRSA service account:
 *
 * - `spark-defaults.json`: an EMR `applicationConfiguration` array with one `spark-defaults`
 *   classification: the environment of the driver (`spark.kubernetes.driverEnv.*`) and of the
 *   executors (`spark.executorEnv.*`) — AWS_CONFIG_FILE, AWS_PROFILE, AWS_REGION and the role ARNs —
 *   and, for every S3 bucket reached through a role, EMRFS's per-bucket
 *   `customAWSCredentialsProvider` with the role in ASSUME_ROLE_CREDENTIALS_ROLE_ARN.
 * - `entrypoint.sh`: writes the chained profiles to the AWS config file in every pod, then runs the
 *   EMR on EKS image's own entrypoint.
 * - `README.md`: how to put the two together, and what could not be generated.
 */
import type { Chain } from "../compile/plan.js";
import { awsConfigText, chainsByWorkload } from "./aws-config.js";
import { type EmittedFile, type Emitter, json, slug } from "./types.js";

/** Where the entrypoint writes the AWS config in EMR on EKS pods (the image's user is hadoop). */
export const SPARK_AWS_CONFIG_FILE = "/home/hadoop/.aws/config";
/** The EMR on EKS Spark image's own entrypoint, which the generated one hands over to. */
export const EMR_ENTRYPOINT = "/usr/bin/entrypoint.sh";
/** EMRFS's credentials provider that assumes the role named in ASSUME_ROLE_CREDENTIALS_ROLE_ARN. */
export const ASSUME_ROLE_PROVIDER = "com.amazonaws.emr.AssumeRoleAWSCredentialsProvider";
const HEREDOC = "XACCT_AWS_CONFIG_EOF";

/** Whether the workload's chains call for Spark settings. */
export function isSparkWorkload(chains: readonly Chain[]): boolean {
  const first = chains[0];
  return first !== undefined && (first.runtime?.kind === "spark" || (first.language === "jvm" && first.start.type === "irsa"));
}

export const emitSpark: Emitter = ({ chains }) => {
  const files: EmittedFile[] = [];
  for (const [workload, list] of chainsByWorkload(chains)) {
    if (!isSparkWorkload(list)) continue;
    const dir = `workloads/${slug(workload)}/spark`;
    const { properties, notes } = sparkDefaults(workload, list);
    files.push({ path: `${dir}/spark-defaults.json`, content: json([{ classification: "spark-defaults", properties }]) });
    files.push({ path: `${dir}/entrypoint.sh`, content: entrypointScript(workload, list), mode: 0o755 });
    files.push({ path: `${dir}/README.md`, content: readme(workload, list, notes) });
  }
  return files;
};

/** The chain whose profile the pods use by default: the one named `default`, else the first. */
export function primaryChain(chains: readonly Chain[]): Chain {
  const chain = chains.find((c) => c.profile === "default") ?? chains[0];
  if (!chain) throw new Error("no chains");
  return chain;
}

/** The spark-defaults properties of a workload, and the notes on what could not be expressed. */
export function sparkDefaults(workload: string, chains: readonly Chain[]): { properties: Record<string, string>; notes: string[] } {
  const primary = primaryChain(chains);
  const properties: Record<string, string> = {};
  const notes: string[] = [];
  const env = (name: string, value: string) => {
    properties[`spark.kubernetes.driverEnv.${name}`] = value;
    properties[`spark.executorEnv.${name}`] = value;
  };
  if (primary.runtime?.image) properties["spark.kubernetes.container.image"] = primary.runtime.image;
  env("AWS_CONFIG_FILE", SPARK_AWS_CONFIG_FILE);
  env("AWS_PROFILE", primary.profile);
  env("AWS_REGION", primary.region);
  const last = primary.hops[primary.hops.length - 1];
  if (last) env("CLIENT_ROLE_ARN", last.roleArn);
  if (primary.start.type === "irsa" && primary.start.roleArn) env("WEB_IDENTITY_ROLE_ARN", primary.start.roleArn);

  // EMRFS: one provider per bucket, all reading the one ASSUME_ROLE_CREDENTIALS_ROLE_ARN, which
  // the provider assumes directly with the pod's own credentials: a single hop only.
  const buckets = new Map<string, string>();
  for (const chain of chains) {
    if (chain.service !== "s3" || chain.hops.length === 0) continue;
    for (const bucket of [chain.resources.bucket ?? []].flat()) {
      if (chain.hops.length > 1) {
        notes.push(`Bucket ${bucket} is reached through ${chain.hops.length} roles; EMRFS's ${ASSUME_ROLE_PROVIDER} assumes one role directly from the job's own credentials, so Spark's s3:// reads of this bucket use the job execution role. Read it with an SDK client on profile ${chain.profile}, or grant it with one hop.`);
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
  for (const bucket of buckets.keys()) properties[`spark.hadoop.fs.s3.bucket.${bucket}.customAWSCredentialsProvider`] = ASSUME_ROLE_PROVIDER;
  if (roles[0]) env("ASSUME_ROLE_CREDENTIALS_ROLE_ARN", roles[0]);
  return { properties, notes };
}

/** The POSIX sh entrypoint that writes the workload's AWS config, then runs the image's own. */
export function entrypointScript(workload: string, chains: readonly Chain[]): string {
  const config = awsConfigText(chains);
  if (config.split("\n").includes(HEREDOC)) throw new Error(`workload ${workload}: the AWS config holds the line ${HEREDOC}`);
  return `#!/bin/sh
# Generated by xacct for workload ${workload}. Do not edit; change xacct.yaml and run xacct build.
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
cat > "$tmp_file" <<'${HEREDOC}'
${config}${HEREDOC}
mv -f "$tmp_file" "$config_file"

exec "\${XACCT_EXEC:-${EMR_ENTRYPOINT}}" "$@"
`;
}

function readme(workload: string, chains: readonly Chain[], notes: string[]): string {
  const primary = primaryChain(chains);
  const lines = [
    `# Spark on EMR on EKS: ${workload}`,
    "",
    "Generated by xacct. Two pieces make the job's pods use the chained roles:",
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
    "",
    `Pods use profile \`${primary.profile}\` (AWS_PROFILE); the other profiles of the file are there for SDK clients that name them.`,
    `Chained role sessions last at most ${Math.min(...chains.map((c) => c.maxSessionSeconds))} s; the SDKs refresh them from the profile.`,
  ];
  if (notes.length > 0) lines.push("", "## Not generated", "", ...notes.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}
