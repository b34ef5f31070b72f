/** `xacct/credentials`: chained AWS credentials that refresh themselves, for any AWS SDK v3 client. */
export { ChainError, type ChainSpec, type FirstIdentity, type HopSpec } from "./chain.js";
export { chainFromModel } from "./model.js";
export { chainFromProfile, type ProfileFiles } from "./profile.js";
export { type ChainOptions, type ChainProvider, type ChainSource, fromChain } from "./provider.js";
