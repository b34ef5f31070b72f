/** The IAM policy language: parse and validate policies, and decide requests as AWS does. */
export { parseArn, type Arn } from "../aws/arn.js";
export { RequestContext } from "./context.js";
export { PolicyInputError } from "./errors.js";
export { evaluate, type Decision, type Evaluation, type Layer, type LayerResult, type StatementRef } from "./evaluate.js";
export { compilePolicy, type Policy, type PolicyKind, type Statement } from "./policy.js";
export { parseRequestPrincipal, type RequestPrincipal } from "./principal.js";
export { parseRequest, type AccessRequest } from "./request.js";
export { simulate, simulateLine, type BatchLine, type ExplainLevel } from "./simulate.js";
export { compileGlob, globMatches, type Glob } from "./wildcard.js";
