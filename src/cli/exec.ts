import { constants } from "node:os";
import { parseArgs } from "node:util";
import { credentialVariables, runCommand, withCredentialVariables } from "../credentials/exec.js";
import { CHAIN_OPTIONS, chainCredentials } from "./chain-input.js";
import { UsageError } from "./json-input.js";
import { usageOf } from "./usage.js";

/** Signals whose default action ends a Node.js process (SIGUSR1 would start its inspector instead). */
const FATAL = new Set<NodeJS.Signals>(["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"]);

export const usage = usageOf("exec");

export async function run(args: string[]): Promise<number> {
  const split = args.indexOf("--");
  const { values } = parseArgs({ args: split < 0 ? args : args.slice(0, split), options: CHAIN_OPTIONS });
  if (values.help) return (process.stdout.write(`${usage}\n`), 0);
  const command = split < 0 ? [] : args.slice(split + 1);
  if (command.length === 0) throw new UsageError(`give the command to run after --\n${usage}`);
  const got = await chainCredentials(values, usage, "exec");
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
