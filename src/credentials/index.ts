/**
 * `xacct/credentials`: chained AWS credentials that refresh themselves, for any AWS SDK v3 client.
 * Importing it loads neither the model loader nor the compiler: `fromChain({ model, workload })`
 * loads them when first called, and `chainFromModel` is its own entry, `xacct/credentials/model`.
 */
export { ChainError, type ChainSpec, type FirstIdentity, type HopSpec } from "./chain.js";
export { chainFromProfile, type ProfileFiles } from "./profile.js";
export { type ChainOptions, type ChainProvider, type ChainSource, fromChain } from "./provider.js";
export {
  CACHE_REFRESH_MARGIN_SECONDS,
  type CachedChainOptions,
  cachedChainCredentials,
  cacheKey,
  type ChainCredentials,
  CredentialCache,
  defaultCacheDir,
} from "./cache.js";
export {
  type CommandResult,
  credentialVariables,
  type CredentialVariables,
  OVERRIDING_VARIABLES,
  runCommand,
  withCredentialVariables,
} from "./exec.js";
export { credentialProcessOutput, type CredentialProcessOutput } from "./process.js";
export {
  CREDENTIALS_PATH,
  type CredentialServer,
  type CredentialServerOptions,
  serveCredentials,
  type ServeOptions,
  type Serving,
  startCredentialServer,
} from "./server.js";
export { type TokenFile, TokenFileError, tokenFile } from "./token-file.js";
