/**
 * AWS config files (`~/.aws/config`) for each workload: one profile per hop of each chain, the
 * first reading the workload's own credentials (web_identity_token_file, or credential_source
 * beside the first role_arn), the rest chaining with source_profile, the last named as the grant
 * asks (`default` included). Every SDK and the AWS CLI read these. A chain that assumes no role
 * from its runtime's credentials has no profile (see `hasProfile`).
 */
import type { Chain } from "../compile/plan.js";
import { sessionNameFor } from "../model/names.js";
import { ModelPathError } from "../model/load.js";
import { iniSection, iniSetting } from "../text/escape.js";
import { type EmittedFile, type Emitter, slug } from "./types.js";

/** The credential_source that yields each identity type's credentials inside its runtime. */
const CREDENTIAL_SOURCE: Record<string, string> = {
  "ecs-task": "EcsContainer",
  "pod-identity": "EcsContainer",
  mwaa: "EcsContainer",
  "ec2-instance": "Ec2InstanceMetadata",
  "eks-node": "Ec2InstanceMetadata",
  lambda: "Environment",
  "iam-user": "Environment",
  external: "Environment",
};

export interface Profile {
  name: string;
  settings: [string, string | number][];
  /** An `[sso-session NAME]` section rather than a profile. */
  ssoSession?: true;
}

/**
 * Where a chain's first identity reads its credentials, when not as `CREDENTIAL_SOURCE` says: the
 * settings that replace `credential_source` for a start other than IRSA (none, for a profile
 * whose keys sit in the credentials file under its own name). The sandbox serves every start.
 */
export type SourceOverride = (chain: Chain) => [string, string][] | undefined;

/**
 * Whether a chain has a profile in the AWS config. The AWS CLI, boto3 and the SDK for JavaScript
 * read `credential_source` only as where the credentials that assume a profile's `role_arn` come
 * from: botocore's AssumeRoleProvider acts on a profile only when it holds `role_arn`, and the
 * SDK's isAssumeRoleProfile requires `role_arn` too; a profile holding `credential_source` alone
 * gives "Unable to locate credentials". So a workload that acts with its runtime's own credentials
 * (ECS, MWAA, Lambda, EC2, Pod Identity, keys in its environment) and assumes no role gets no
 * profile: each client's default credential chain, with no profile named, reads those credentials
 * itself. An IRSA start always has one (web_identity_token_file with role_arn).
 */
export function hasProfile(chain: Chain): boolean {
  return startsWithProfile(chain) || chain.hops.length > 0;
}

/**
 * A start whose first credentials come from a profile of its own: a web identity (IRSA or any OIDC
 * issuer: web_identity_token_file with role_arn) or an IAM Identity Center permission set
 * (sso_session, sso_account_id and sso_role_name; the user signs in with `aws sso login`).
 */
function startsWithProfile(chain: Chain): boolean {
  return chain.start.webIdentityTokenFile !== undefined || chain.start.type === "sso";
}

/**
 * The `[sso-session]` section and the profile that signs in to the permission set's role, as the
 * AWS CLI's IAM Identity Center configuration writes them (aws configure sso).
 */
function ssoProfiles(chain: Chain, name: string): Profile[] {
  const sso = chain.start.sso;
  if (!sso) return [];
  if (!sso.startUrl)
    throw new ModelPathError(
      `workloads.${chain.workload}.identity`,
      "give startUrl, the AWS access portal URL (https://d-xxxxxxxxxx.awsapps.com/start): the profiles of an IAM Identity Center workload sign in there (sso_start_url)",
    );
  const session = `xacct-${chain.workload}`;
  return [
    {
      name: session,
      ssoSession: true,
      settings: [
        ["sso_start_url", sso.startUrl],
        ["sso_region", sso.region],
        ["sso_registration_scopes", "sso:account:access"],
      ],
    },
    {
      name,
      settings: [
        ["sso_session", session],
        ["sso_account_id", chain.start.account],
        ["sso_role_name", sso.permissionSet],
        // Shared by the workload's chains: Identity Center's region (the account's by default), not one target's.
        ["region", sso.region],
      ],
    },
  ];
}

/**
 * The profiles of one chain, first hop first; the last one is the chain's own profile. A web
 * identity start gets a profile of its own, named `startName` (one per workload, shared). None
 * for a chain that `hasProfile` says has none.
 */
export function chainProfiles(chain: Chain, startName?: string, sourceOf?: SourceOverride): Profile[] {
  const profiles: Profile[] = [];
  if (!hasProfile(chain)) return profiles;
  const region: [string, string] = ["region", chain.region];
  let source: [string, string][];
  if (chain.start.type === "sso") {
    const name = chain.hops.length === 0 ? chain.profile : (startName ?? `${chain.workload}-sso`);
    profiles.push(...ssoProfiles(chain, name));
    source = [["source_profile", name]];
  } else if (chain.start.webIdentityTokenFile !== undefined) {
    startName ??= `${chain.workload}-web-identity`;
    const name = chain.hops.length === 0 ? chain.profile : startName;
    profiles.push({
      name,
      settings: [
        ["web_identity_token_file", chain.start.webIdentityTokenFile ?? ""],
        ["role_arn", chain.start.roleArn ?? ""],
        ["role_session_name", sessionNameFor(chain.workload)],
        // Shared by the workload's chains: the cluster's region, not one target's.
        ["region", chain.start.cluster?.region ?? chain.region],
      ],
    });
    source = [["source_profile", name]];
  } else source = sourceOf?.(chain) ?? [["credential_source", CREDENTIAL_SOURCE[chain.start.type] ?? "Environment"]];
  chain.hops.forEach((hop, i) => {
    const name = i === chain.hops.length - 1 ? chain.profile : `${chain.profile}-hop-${i + 1}`;
    profiles.push({
      name,
      settings: [
        ...source,
        ["role_arn", hop.roleArn],
        ...(hop.externalId ? [["external_id", hop.externalId] as [string, string]] : []),
        ["role_session_name", hop.sessionName],
        ["duration_seconds", hop.durationSeconds],
        region,
      ],
    });
    source = [["source_profile", name]];
  });
  return profiles;
}

/** The profiles of one workload's chains, each shared profile once, in order. */
export function configProfiles(chains: readonly Chain[], sourceOf?: SourceOverride): Profile[] {
  const seen = new Map<string, { profile: Profile; text: string }>();
  // A workload acting with its web identity alone names that profile; its chains start from it.
  const own = chains.find((c) => c.hops.length === 0 && startsWithProfile(c));
  for (const chain of chains) {
    for (const profile of chainProfiles(chain, own?.profile, sourceOf)) {
      const text = profileText(profile);
      const key = profile.ssoSession ? `sso-session ${profile.name}` : profile.name;
      const before = seen.get(key);
      if (before !== undefined && before.text !== text)
        throw new Error(
          `two chains of workload ${chain.workload} want different profiles named "${profile.name}": give the grants distinct profile names`,
        );
      seen.set(key, { profile, text });
    }
  }
  // A grant without a profile is used through the default chain, which would read [default] instead.
  const ownCredentials = chains.find((c) => !hasProfile(c));
  const byDefault = chains.find((c) => hasProfile(c) && c.profile === "default");
  if (ownCredentials && byDefault && seen.has("default")) {
    throw new Error(
      `grants[${ownCredentials.grant}] of workload ${ownCredentials.workload} assumes no role, so it is used through the default credential chain with no profile named, but that chain would read the [default] profile that grants[${byDefault.grant}] names: give grants[${byDefault.grant}] another profile name`,
    );
  }
  return [...seen.values()].map((p) => p.profile);
}

/** A profile's section of a config file (written through the INI helpers, which refuse what it cannot hold). */
export function profileText(profile: Profile): string {
  const header = iniSection(
    profile.ssoSession ? `sso-session ${profile.name}` : profile.name === "default" ? "default" : `profile ${profile.name}`,
  );
  return [header, ...profile.settings.map(([k, v]) => iniSetting(k, v))].join("\n");
}

/** What a config file without profiles says instead (its workload assumes no role). */
export const NO_PROFILES =
  "# No profiles: no grant of this workload assumes a role, so it acts with its runtime's own credentials,\n# which every SDK and the AWS CLI read through their default credential chain when no profile is named\n# (leave AWS_PROFILE unset).";

/** A config file holding the profiles of one workload's chains (shared profiles once). */
export function awsConfigText(chains: readonly Chain[], sourceOf?: SourceOverride): string {
  const profiles = configProfiles(chains, sourceOf);
  return `# Generated by xacct. Do not edit; change xacct.yaml and run xacct build.\n\n${profiles.length ? profiles.map(profileText).join("\n\n") : NO_PROFILES}\n`;
}

/** Chains grouped by workload, in model order. */
export function chainsByWorkload(chains: readonly Chain[]): Map<string, Chain[]> {
  const groups = new Map<string, Chain[]>();
  for (const chain of chains) groups.set(chain.workload, [...(groups.get(chain.workload) ?? []), chain]);
  return groups;
}

export const emitAwsConfig: Emitter = ({ chains }) => {
  const files: EmittedFile[] = [];
  for (const [workload, list] of chainsByWorkload(chains)) {
    files.push({ path: `workloads/${slug(workload)}/aws-config`, content: awsConfigText(list) });
  }
  return files;
};
