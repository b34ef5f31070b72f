/**
 * XA013 — a JVM or Spark workload on a chained profile that starts from a web identity. IRSA sets
 * AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the pod, and the AWS SDK for Java's default
 * credentials chain reads those before any profile (`examples/004-emr-eks-chain`;
 * aws/aws-sdk-java#2602): JVM code (Spark's S3A and EMRFS included) silently gets the first role,
 * not the chained one, and the chained profile is ignored. Python, Node and the CLI follow the
 * profile.
 *
 * Starts without web identity (ECS task roles, Pod Identity, instance profiles) are not
 * reported: the Java chain reads a selected profile (AWS_PROFILE) before container or instance
 * credentials.
 */
import { chainStart } from "./chained-duration.js";
import type { Finding, Rule } from "./types.js";

export const jvmChainedProfile: Rule = {
  id: "XA013",
  summary: "a JVM or Spark workload on a chained profile from a web identity (the AWS SDK for Java reads the web identity first)",
  check({ chains }) {
    const out: Finding[] = [];
    for (const chain of chains) {
      const jvm = chain.runtime?.kind === "spark" || chain.language === "jvm";
      const last = chain.hops[chain.hops.length - 1];
      if (!jvm || chain.start.type !== "irsa" || !last || !chain.hops.some((h) => h.chained)) continue;
      const what = chain.runtime?.kind === "spark" ? "Spark" : "JVM";
      out.push({
        id: "XA013",
        severity: "high",
        title: `${what} workload on a chained profile: the AWS SDK for Java uses the web identity first`,
        resource: last.roleArn,
        path: [chainStart(chain), ...chain.hops.map((h) => h.roleArn)],
        detail: `Workload ${chain.workload} (${what}) is to reach ${last.roleArn} through profile "${chain.profile}", chained from its web identity ${chainStart(chain)}. The AWS SDK for Java's default credentials chain reads AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, which IRSA sets, before any profile, so JVM code acts as ${chainStart(chain)} and the chained profile is silently ignored.`,
        fix: `Serve the chained credentials from a credentials endpoint (a container credentials server, AWS_CONTAINER_CREDENTIALS_FULL_URI) or set the provider explicitly in the JVM code (a ProfileCredentialsProvider for "${chain.profile}", or an STS assume-role provider for ${last.roleArn}; for EMRFS, its per-bucket role provider); never rely on the default chain.`,
      });
    }
    return out;
  },
};
