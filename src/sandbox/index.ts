export { startSandbox, MAX_BODY_BYTES, type BootstrapCredential, type Sandbox, type SandboxOptions } from "./server.js";
export { CHAINING_MESSAGE } from "./sts.js";
export { logLine, type LogEntry } from "./log.js";
export { DEFAULT_LIMITS, type SandboxLimits } from "./limits.js";
export { FaultsError, type SandboxFaults } from "./faults.js";
