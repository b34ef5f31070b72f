import { constants } from "node:os";
import { credentialVariables, runCommand, withCredentialVariables } from "../credentials/exec.js";
import { chainCredentials } from "./chain-input.js";
import { UsageError } from "./json-input.js";
import { type CHAIN_OPTIONS, helpOf, type Values } from "./usage.js";

/** Signals whose default action ends a Node.js process (SIGUSR1 would start its inspector instead). */
const FATAL = new Set<NodeJS.Signals>(["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"]);

/** `xacct exec OPTIONS -- COMMAND ARG…`: `command` is what follows the `--`. */
export async function run(values: Values<typeof CHAIN_OPTIONS>, command: readonly string[]): Promise<number> {
  if (command.length === 0) throw new UsageError(`give the command to run after --; ${helpOf("exec")}`);
  const got = await chainCredentials(values, "exec");
  if (!got) return 1;
  const env = withCredentialVariables(process.env, credentialVariables(got.credentials, got.spec.region));
  let result;
  try {
    result = await runCommand(command, env);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      `xacct exec: cannot run ${command[0]}: ${code === "ENOENT" ? "no such command" : code === "EACCES" ? "permission denied" : (code ?? (e as Error).message)}\n`,
    );
    // The shell's statuses: 127 not found, 126 found but not runnable.
    return code === "ENOENT" ? 127 : 126;
  }
  if (result.signal) {
    // Ended by a signal that ends a process: end the same way, so whoever waits on xacct sees it;
    // else (or if that did not end this process) the shell's status 128 + N.
    if (FATAL.has(result.signal)) process.kill(process.pid, result.signal);
    return 128 + (constants.signals[result.signal] ?? 0);
  }
  return result.code ?? 1;
}
