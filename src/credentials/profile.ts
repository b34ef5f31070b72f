/**
 * A chain read from AWS config files, as the AWS CLI and SDKs read them: a profile's role_arn
 * (with external_id, role_session_name, duration_seconds) assumed from its source_profile, down to
 * the profile that holds the first credentials — web_identity_token_file, credential_source beside
 * role_arn, or keys (a source profile's keys end the chain). What botocore refuses is refused, with
 * the profile and the file: credential_source without role_arn, source_profile cycles, a missing
 * source. The files are parsed by the SDK's own loader.
 */
import { ChainError, type ChainSpec, checkDurations, type FirstIdentity, type HopSpec } from "./chain.js";

export interface ProfileFiles {
  /** @default AWS_CONFIG_FILE, else ~/.aws/config */
  configFile?: string;
  /** @default AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials */
  credentialsFile?: string;
}

const SOURCES = new Map<string, FirstIdentity["type"]>([
  ["EcsContainer", "container"],
  ["Ec2InstanceMetadata", "instance"],
  ["Environment", "environment"],
]);

/** A profile's section of a parsed file, if the file has one by that name (`toString` is a profile name like any other). */
function section<T>(file: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(file, name) ? file[name] : undefined;
}

/** The chain a profile names, first credentials first; refuses what AWS would refuse at run time. */
export async function chainFromProfile(
  profile: string,
  files: ProfileFiles = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChainSpec> {
  // The SDK's config file reader is loaded when a profile is first read, not when the library is imported.
  const { loadSharedConfigFiles } = await import("@smithy/core/config");
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    ...(files.configFile ? { configFilepath: files.configFile } : {}),
    ...(files.credentialsFile ? { filepath: files.credentialsFile } : {}),
    ignoreCache: true,
  });
  const configPath = files.configFile ?? env.AWS_CONFIG_FILE ?? "~/.aws/config";
  const credentialsPath = files.credentialsFile ?? env.AWS_SHARED_CREDENTIALS_FILE ?? "~/.aws/credentials";
  const where = (name: string) =>
    `profile "${name}" of ${section(configFile, name) || !section(credentialsFile, name) ? configPath : credentialsPath}`;
  const hops: HopSpec[] = [];
  const names: string[] = [];
  const seen = new Set<string>();
  let name = profile;
  for (;;) {
    if (seen.has(name))
      throw new ChainError(`${where(name)}: source_profile leads back to "${name}" (a cycle: ${[...names, name].join(" → ")})`);
    seen.add(name);
    const config = section(configFile, name);
    const credentials = section(credentialsFile, name);
    if (!config && !credentials)
      throw new ChainError(
        names.length
          ? `${where(names.at(-1) as string)}: source_profile "${name}" is in neither the config nor the credentials file`
          : `${where(name)}: no such profile`,
      );
    const settings = { ...credentials, ...config };
    // Keys in both files: the credentials file's, as botocore and the SDKs take them.
    const keys = { ...config, ...credentials };
    // A source profile holding keys is where the chain starts: botocore and the SDK for JavaScript
    // take its keys and assume none of its own role_arn.
    if (names.length > 0 && keys.aws_access_key_id) return finish(staticKeys(keys, where(name)));
    // A profile whose role is assumed from elsewhere: one hop, then its source.
    if (settings.role_arn && !settings.web_identity_token_file) {
      const duration = settings.duration_seconds === undefined ? undefined : Number(settings.duration_seconds);
      hops.unshift({
        roleArn: settings.role_arn,
        ...(settings.external_id ? { externalId: settings.external_id } : {}),
        ...(settings.role_session_name ? { sessionName: settings.role_session_name } : {}),
        ...(duration !== undefined ? { durationSeconds: duration } : {}),
      });
      names.unshift(name);
      if (settings.credential_source && settings.source_profile)
        throw new ChainError(`${where(name)}: give source_profile or credential_source, not both`);
      if (settings.credential_source) {
        const type = SOURCES.get(settings.credential_source);
        if (!type)
          throw new ChainError(
            `${where(name)}: credential_source = ${settings.credential_source} is not one of ${[...SOURCES.keys()].join(", ")}`,
          );
        return finish({ type } as FirstIdentity);
      }
      if (!settings.source_profile)
        throw new ChainError(
          `${where(name)}: role_arn needs source_profile or credential_source to say where the first credentials come from`,
        );
      // A profile that is its own source holds the keys the role is assumed with (the CLI allows it).
      if (settings.source_profile === name && keys.aws_access_key_id) return finish(staticKeys(keys, where(name)));
      name = settings.source_profile;
      continue;
    }
    if (settings.web_identity_token_file) {
      if (!settings.role_arn) throw new ChainError(`${where(name)}: web_identity_token_file needs role_arn`);
      return finish({
        type: "web-identity",
        tokenFile: settings.web_identity_token_file,
        roleArn: settings.role_arn,
        ...(settings.role_session_name ? { sessionName: settings.role_session_name } : {}),
      });
    }
    if (keys.aws_access_key_id) return finish(staticKeys(keys, where(name)));
    // credential_source says where the credentials that assume role_arn come from, nothing more:
    // botocore's AssumeRoleProvider and the SDK's isAssumeRoleProfile act only on a profile with role_arn.
    if (settings.credential_source) {
      const source = names.length ? ` (the source_profile of "${names.at(-1) as string}")` : "";
      throw new ChainError(
        `${where(name)}${source}: credential_source = ${settings.credential_source} without role_arn, which the AWS CLI, boto3 and the SDKs do not read (they answer "Unable to locate credentials"): credential_source only says where the credentials that assume role_arn come from. Add the role_arn to assume, or name no profile: the default credential chain reads the runtime's own credentials`,
      );
    }
    // A profile that calls a credential process (xacct's own, typically) is a consumer of a chain, not one.
    if (settings.credential_process)
      throw new ChainError(
        `${where(name)}: uses credential_process, which xacct does not run: name the profile that holds the chain (role_arn with source_profile), not the one that calls \`xacct credential-process\``,
      );
    throw new ChainError(
      `${where(name)}: holds no credentials (no role_arn, web_identity_token_file, credential_source or aws_access_key_id)`,
    );
  }

  function finish(first: FirstIdentity): ChainSpec {
    const region = section(configFile, profile)?.region;
    const spec: ChainSpec = { name: `profile ${profile}`, first, hops, ...(region ? { region } : {}) };
    checkDurations(spec, (i) => where(names[i] as string), env);
    return spec;
  }
}

function staticKeys(keys: Record<string, string | undefined>, where: string): FirstIdentity {
  if (!keys.aws_secret_access_key) throw new ChainError(`${where}: aws_access_key_id without aws_secret_access_key`);
  return {
    type: "static",
    accessKeyId: keys.aws_access_key_id as string,
    secretAccessKey: keys.aws_secret_access_key,
    ...(keys.aws_session_token ? { sessionToken: keys.aws_session_token } : {}),
  };
}
