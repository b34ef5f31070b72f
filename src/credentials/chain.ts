/**
 * A chain of credentials as the run-time library sees it: where the first credentials come from,
 * then each role assumed in turn. Both sources of a chain — a profile of an AWS config file and a
 * workload of a model — are read into this one shape.
 */
import { CHAIN_LIMIT_SECONDS, DEFAULT_ROLE_SESSION_SECONDS, ROLE_SESSION_SECONDS } from "../aws/limits.js";

/** The RoleSessionName of a hop or web identity that names none. */
export const DEFAULT_SESSION_NAME = "xacct";

/** Where a chain's first credentials come from. */
export type FirstIdentity =
  /** A projected OIDC token (EKS IRSA) exchanged with AssumeRoleWithWebIdentity. */
  | { type: "web-identity"; tokenFile: string; roleArn: string; sessionName?: string }
  /** The container credentials endpoint (ECS, EKS Pod Identity, `xacct serve-credentials`). */
  | { type: "container" }
  /** The EC2 instance metadata service. */
  | { type: "instance" }
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN of the process. */
  | { type: "environment" }
  /** Keys written in a credentials file, under a profile's name. */
  | { type: "static"; accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export interface HopSpec {
  roleArn: string;
  externalId?: string;
  /** @default "xacct" */
  sessionName?: string;
  /** @default 3600 */
  durationSeconds?: number;
  /** Session tags for this AssumeRole. */
  tags?: Record<string, string>;
}

export interface ChainSpec {
  /** What the chain is called in messages and cache keys (`profile default`, `workload spark-job`). */
  name: string;
  first: FirstIdentity;
  hops: HopSpec[];
  /** The region of the STS calls. @default AWS_REGION, else us-east-1 */
  region?: string;
}

/** A chain that cannot work, said with where it was read. */
export class ChainError extends Error {}

/**
 * Whether the first credentials are a role session already (so the first AssumeRole is role
 * chaining): everything but long-term user keys. Environment credentials with a session token
 * may be a role session; the chain is judged by what the environment holds at the time.
 */
export function startsWithSession(first: FirstIdentity, env: NodeJS.ProcessEnv = process.env): boolean {
  if (first.type === "static") return first.sessionToken !== undefined;
  if (first.type === "environment") return Boolean(env.AWS_SESSION_TOKEN);
  return true;
}

/**
 * Refuses a hop asking for more than AWS gives a chained session: "role chaining limits your AWS
 * CLI or AWS API role session to a maximum of one hour" (IAM User Guide, roles terms).
 */
export function checkDurations(spec: ChainSpec, where: (hop: number) => string, env: NodeJS.ProcessEnv = process.env): void {
  spec.hops.forEach((hop, i) => {
    const chained = i > 0 || startsWithSession(spec.first, env);
    const duration = hop.durationSeconds ?? DEFAULT_ROLE_SESSION_SECONDS;
    if (!Number.isInteger(duration) || duration < ROLE_SESSION_SECONDS.min || duration > ROLE_SESSION_SECONDS.max) {
      throw new ChainError(
        `${where(i)}: duration_seconds must be a whole number of seconds from ${ROLE_SESSION_SECONDS.min} to ${ROLE_SESSION_SECONDS.max}, got ${hop.durationSeconds}`,
      );
    }
    if (chained && duration > CHAIN_LIMIT_SECONDS) {
      throw new ChainError(
        `${where(i)}: duration_seconds = ${duration} is more than ${CHAIN_LIMIT_SECONDS}, but this AssumeRole is role chaining (it starts from a role session), which AWS caps at one hour; set duration_seconds to ${CHAIN_LIMIT_SECONDS} or less — xacct refreshes the chain before it expires`,
      );
    }
  });
}
