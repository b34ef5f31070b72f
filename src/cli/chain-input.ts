/**
 * The options that name a chain and where its credentials are cached, shared by
 * `xacct credential-process`, `xacct exec` and `xacct env` (whose --profile defaults to
 * AWS_PROFILE when neither --profile nor --workload is given); ChainError said on stderr with exit 1.
 */
import { ChainError, type ChainSource } from "../credentials/index.js";
import { type ChainCredentials, cachedChainCredentials } from "../credentials/cache.js";
import { UsageError } from "./json-input.js";
import { helpOf } from "./usage.js";

/** The options naming a chain (CHAIN_OPTIONS of usage.ts). */
export interface ChainValues {
  profile?: string;
  workload?: string;
  model?: string;
  endpoint?: string;
  "cache-dir"?: string;
  "no-cache"?: boolean;
}

/** The variable whose profile `credential-process`, `exec` and `env` use when no option names a chain. */
export const PROFILE_VARIABLE = "AWS_PROFILE";

/** The chain the options name; when they name none, the profile of `fallback`'s variable, if it is set. */
export function chainSource(
  values: ChainValues,
  command: string,
  fallback?: { variable: string; profile: string | undefined },
): ChainSource {
  if (values.workload !== undefined || values.model !== undefined) {
    if (values.workload === undefined || values.model === undefined)
      throw new UsageError(`--workload and --model go together; ${helpOf(command)}`);
    return { model: values.model, workload: values.workload, ...(values.profile !== undefined ? { profile: values.profile } : {}) };
  }
  const profile = values.profile ?? fallback?.profile;
  if (profile === undefined)
    throw new UsageError(
      `give --profile NAME (a profile of the AWS config${fallback ? `; default $${fallback.variable}, which is not set` : ""}) or --workload NAME --model FILE; ${helpOf(command)}`,
    );
  return { profile };
}

/**
 * The chain's credentials, through the cache unless --no-cache; cache warnings on stderr. A
 * ChainError is said on stderr and answered with undefined (the command then exits 1).
 */
export async function chainCredentials(
  values: ChainValues,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChainCredentials | undefined> {
  // AWS_PROFILE only when no option names a chain: with --workload, --profile is the first credentials' profile.
  const named = values.profile !== undefined || values.workload !== undefined || values.model !== undefined;
  const profile = env[PROFILE_VARIABLE] || undefined;
  const source = chainSource(values, command, named ? undefined : { variable: PROFILE_VARIABLE, profile });
  const fromEnvironment = !named && profile !== undefined;
  if (values["no-cache"] && values["cache-dir"] !== undefined)
    throw new UsageError(`give --cache-dir or --no-cache, not both; ${helpOf(command)}`);
  if (values.endpoint !== undefined && !/^https?:\/\/[^\s/]/.test(values.endpoint))
    throw new UsageError(`--endpoint takes a URL (http:// or https://), got "${values.endpoint}"`);
  try {
    return await cachedChainCredentials(source, {
      cacheDir: values["no-cache"] ? false : values["cache-dir"],
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
      warn: (message) => process.stderr.write(`xacct ${command}: ${message}\n`),
    });
  } catch (e) {
    if (!(e instanceof ChainError)) throw e;
    process.stderr.write(
      `xacct ${command}: ${e.message}${fromEnvironment ? ` (the profile ${PROFILE_VARIABLE} names; --profile NAME for another)` : ""}\n`,
    );
    return undefined;
  }
}
