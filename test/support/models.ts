/**
 * Small models the tests start from: the same GIVEN, written once (the YAML itself is in
 * ./model-texts.mjs, which the benchmarks import too).
 */
export { APP_USER, chainModel, modelText, userAndRoleModel } from "./model-texts.mjs";

/** The IAM user workload `app` of account a (111111111111) in every model here. */
export const USER = "arn:aws:iam::111111111111:user/app";
