/**
 * The options that name a chain and where its credentials are cached, shared by
 * `xacct credential-process`, `xacct exec` and `xacct env`; ChainError said on stderr with exit 1.
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

/** The chain the options name. */
export function chainSource(values: ChainValues, command: string): ChainSource {
  if (values.workload !== undefined || values.model !== undefined) {
    if (values.workload === undefined || values.model === undefined)
      throw new UsageError(`--workload and --model go together; ${helpOf(command)}`);
    return { model: values.model, workload: values.workload, ...(values.profile !== undefined ? { profile: values.profile } : {}) };
  }
  if (values.profile === undefined)
    throw new UsageError(`give --profile NAME (a profile of the AWS config) or --workload NAME --model FILE; ${helpOf(command)}`);
  return { profile: values.profile };
}

/**
 * The chain's credentials, through the cache unless --no-cache; cache warnings on stderr. A
 * ChainError is said on stderr and answered with undefined (the command then exits 1).
 */
export async function chainCredentials(values: ChainValues, command: string): Promise<ChainCredentials | undefined> {
  const source = chainSource(values, command);
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
    process.stderr.write(`xacct ${command}: ${e.message}\n`);
    return undefined;
  }
}
