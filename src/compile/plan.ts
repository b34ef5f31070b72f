/**
 * What the compiler hands the emitters besides AccountState: for every grant, the chain of
 * identities a workload goes through at run time, and the setup steps no file can do.
 */
import type { PolicyStatement } from "../state/account-state.js";

/** How a workload gets its first credentials. */
export interface StartIdentity {
  type: "irsa" | "oidc" | "pod-identity" | "ecs-task" | "ec2-instance" | "eks-node" | "lambda" | "mwaa" | "iam-user" | "external" | "sso";
  account: string;
  /** The role whose session the workload starts with (not for iam-user, root-level external and sso). */
  roleArn?: string;
  userArn?: string;
  /** For irsa and oidc: the token file the AWS SDKs read. */
  webIdentityTokenFile?: string;
  /**
   * For irsa and oidc: the IAM OIDC provider (issuer without https://, as its ARN and condition
   * keys name it), the audience, and the subjects the first role's trust admits ("any" where the
   * model declared every subject on purpose).
   */
  webIdentity?: { issuer: string; providerArn: string; audience: string; subjects: string[] | "any" };
  /**
   * For sso: the permission set whose role AWS creates in the account as
   * `/aws-reserved/sso.amazonaws.com/[REGION/]AWSReservedSSO_<set>_<suffix>`; the suffix is not
   * known in advance, so trusts name the account and match `aws:PrincipalArn` (see principalPatterns).
   */
  sso?: { permissionSet: string; startUrl?: string | undefined; region: string };
  cluster?: { name: string; region: string; issuer?: string; namespace: string; serviceAccount: string };
}

export interface Hop {
  roleArn: string;
  account: string;
  externalId?: string;
  sessionName: string;
  durationSeconds: number;
  /** The hop assumes a role from a role session: AWS caps it at 3600 s. */
  chained: boolean;
}

export interface Chain {
  /** Index of the grant in the model, and the stage pair when expanded per stage. */
  grant: number;
  stage?: { app: string; consumer: string };
  workload: string;
  /** The target account's model name and ID. */
  accountName: string;
  account: string;
  region: string;
  /** The service granted on; none where the grant only attaches managed policies to its role. */
  service?: string;
  access: string[];
  resources: Record<string, string | string[]>;
  via: "role" | "chain" | "resource-policy";
  /** The final profile's name in the generated AWS config. */
  profile: string;
  start: StartIdentity;
  /** Roles assumed after the start, in order; empty when the workload acts with its own identity. */
  hops: Hop[];
  /** How long the final credentials can last before they must be refreshed. */
  maxSessionSeconds: number;
  /** The grant in plain words. */
  summary: string;
  language?: string;
  runtime?: { kind: string; schedule?: string; image?: string };
}

/** A step a person must take by hand, with where and exactly what. */
export interface ManualStep {
  account: string;
  title: string;
  detail: string;
  /**
   * Where the step adds statements to an IAM Identity Center permission set: which set, and what,
   * so `verify` can take the step as done on a stand-in for the set's role (identities.ts).
   */
  permissionSet?: { name: string; region: string; statements: PolicyStatement[] };
}

export const WEB_IDENTITY_TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
