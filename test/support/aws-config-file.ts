/**
 * Reads an AWS config file the way the AWS CLI and SDKs do — `[default]` and `[profile NAME]`
 * sections (and `[sso-session NAME]`, read past: no profile) of `key = value` lines, `#`/`;` comments — and checks a Chain against it by following
 * source_profile from the chain's own profile back to the start. Expected values come from the
 * Chain objects, never from generated text.
 */
import { expect } from "vitest";
import type { Chain } from "../../src/compile/plan.js";

export type AwsConfig = Map<string, Record<string, string>>;

export function parseAwsConfig(text: string): AwsConfig {
  const profiles: AwsConfig = new Map();
  let current: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      const header = (section[1] as string).trim();
      // An IAM Identity Center sign-in, `[sso-session NAME]` (what `aws configure sso` writes), is no profile.
      if (/^sso-session\s+\S+$/.test(header)) {
        current = {};
        continue;
      }
      // The config file names every profile but the default one "profile NAME".
      const name = header === "default" ? "default" : /^profile\s+(.+)$/.exec(header)?.[1];
      if (name === undefined) throw new Error(`not a config-file section: [${header}]`);
      if (profiles.has(name)) throw new Error(`profile ${name} twice`);
      current = {};
      profiles.set(name, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0 || !current) throw new Error(`not a setting: ${line}`);
    current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return profiles;
}

/**
 * The chain's profile resolves, through source_profile, to its hops in order and its start. A
 * chain that assumes no role from its runtime's credentials has no profile: the clients read
 * credential_source only beside role_arn, and use the runtime's credentials when no profile is named.
 */
export function expectChainInConfig(config: AwsConfig, chain: Chain): void {
  if (chain.hops.length === 0 && chain.start.type !== "irsa") {
    expect(config.has(chain.profile), `profile ${chain.profile}`).toBe(false);
    return;
  }
  const seen: Record<string, string>[] = [];
  let name: string | undefined = chain.profile;
  while (name !== undefined) {
    const profile = config.get(name);
    expect(profile, `profile ${name}`).toBeDefined();
    seen.unshift(profile!);
    name = profile!.source_profile;
    expect(seen.length).toBeLessThanOrEqual(chain.hops.length + 1);
  }
  const first = seen[0]!;
  if (chain.start.type === "irsa") {
    // IRSA: the first profile exchanges the projected token for the start role.
    expect(first.web_identity_token_file).toBe(chain.start.webIdentityTokenFile);
    expect(first.role_arn).toBe(chain.start.roleArn);
  } else {
    // credential_source says where the credentials that assume the first role come from.
    expect(first.credential_source).toBeDefined();
    expect(first.role_arn).toBe(chain.hops[0]?.roleArn);
  }
  const hopProfiles = chain.hops.length === 0 ? [] : chain.start.type === "irsa" ? seen.slice(1) : seen;
  expect(hopProfiles.map((p) => p.role_arn)).toEqual(chain.hops.map((h) => h.roleArn));
  chain.hops.forEach((hop, i) => {
    expect(hopProfiles[i]!.duration_seconds).toBe(String(hop.durationSeconds));
    expect(hopProfiles[i]!.role_session_name).toBe(hop.sessionName);
    expect(hopProfiles[i]!.external_id).toBe(hop.externalId);
  });
  // A chain's own profile is in the target's region; a web identity profile (shared by the
  // workload's chains, and the chain's own when it has no hops) in the cluster's.
  const ownRegion = chain.start.type === "irsa" && chain.hops.length === 0 ? (chain.start.cluster?.region ?? chain.region) : chain.region;
  expect(seen[seen.length - 1]!.region).toBe(ownRegion);
}
