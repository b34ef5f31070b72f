import { createWriteStream } from "node:fs";
import { loadModelFile } from "../model/load.js";
import { PrivateFileError, readPrivateFile, replacePrivateFile } from "../fs/private-files.js";
import { exportLines, SANDBOX_TOKEN_FILE, SANDBOX_TOKEN_VARIABLE, SandboxDirError, startEnvironment } from "../sandbox/environment.js";
import { FaultInjector, FaultsError, type SandboxFaults } from "../sandbox/faults.js";
import { logLine } from "../sandbox/index.js";
import { isAccountId } from "../aws/arn.js";
import { loadSource } from "../source/load-source.js";
import { UsageError } from "./json-input.js";
import { portOf, untilStopped } from "./serving.js";
import { sourceOf } from "./source.js";
import { helpOf, type SANDBOX_OPTIONS, type SANDBOX_TOKEN_OPTIONS, type Values } from "./usage.js";

export async function run(values: Values<typeof SANDBOX_OPTIONS>): Promise<number> {
  const source = sourceOf(values, "sandbox");
  const port = portOf(values.port);
  const managementAccounts = values["management-account"] ?? [];
  const bad = managementAccounts.find((id) => !isAccountId(id));
  if (bad !== undefined) throw new UsageError(`--management-account ${bad}: give a 12-digit account ID`);
  const faults = faultsOf(values.throttle, values.seed, values["timeout-region"] ?? []);
  const { state, compiled } = loadSource(source);
  // Listening before anything is printed: whoever reads the export lines may signal at once.
  const stopped = untilStopped();
  let env;
  try {
    env = await startEnvironment({
      state,
      port,
      ...(compiled ? { compiled } : {}),
      ...(values.dir !== undefined ? { dir: values.dir } : {}),
      ...(managementAccounts.length ? { managementAccounts } : {}),
      ...(faults ? { faults } : {}),
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new UsageError(`port ${port} is in use: give another --port, or --port 0 for any free one`);
    if (e instanceof SandboxDirError) throw new UsageError(`--dir: ${e.message}`);
    throw e;
  }
  const log = values.log !== undefined ? createWriteStream(values.log, { flags: "a", mode: 0o600 }) : undefined;
  env.sandbox.onLog((entry) => {
    process.stderr.write(`${logLine(entry)}\n`);
    log?.write(`${JSON.stringify(entry)}\n`);
  });
  process.stdout.write(`${exportLines(env).join("\n")}\n`);
  process.stderr.write(`xacct sandbox: ${await stopped}, stopping\n`);
  await env.close();
  await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  return 0;
}

/** The faults the flags ask for, checked as the sandbox checks them (one line naming the flag when wrong). */
function faultsOf(throttle: string | undefined, seed: string | undefined, timeoutRegions: string[]): SandboxFaults | undefined {
  if (throttle === undefined && seed === undefined && timeoutRegions.length === 0) return undefined;
  if (throttle !== undefined && !/^(0|1|0?\.\d+|1\.0*)$/.test(throttle))
    throw new UsageError(`--throttle ${throttle}: give the share of calls to throttle, from 0 to 1 (0.2 for one call in five)`);
  if (seed !== undefined && !/^\d{1,9}$/.test(seed)) throw new UsageError(`--seed ${seed}: give a whole number`);
  const faults: SandboxFaults = {
    ...(throttle !== undefined ? { throttle: Number(throttle) } : {}),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(timeoutRegions.length ? { timeoutRegions } : {}),
  };
  try {
    new FaultInjector(faults);
  } catch (e) {
    if (e instanceof FaultsError) throw new UsageError(`--timeout-region: ${e.message}`);
    throw e;
  }
  return faults;
}

/** `xacct sandbox token`: asks the running sandbox's token endpoint. */
export async function token(values: Values<typeof SANDBOX_TOKEN_OPTIONS>): Promise<number> {
  const name = values.workload;
  if (!name) throw new UsageError(`give --workload NAME; ${helpOf("sandbox token")}`);
  if (values.model !== undefined) {
    const identity = loadModelFile(values.model).workloads[name.replace(/@.*$/, "")]?.identity;
    if (identity?.type !== "irsa")
      throw new UsageError(`${values.model} has no IRSA workload "${name}"${identity ? ` (its identity is ${identity.type})` : ""}`);
  }
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new UsageError("give --endpoint URL (the sandbox's), or set AWS_ENDPOINT_URL");
  const authorization = sandboxToken(
    values["token-file"] ?? process.env[SANDBOX_TOKEN_VARIABLE],
    values["token-file"] !== undefined ? "--token-file" : SANDBOX_TOKEN_VARIABLE,
  );
  let response: Response;
  try {
    response = await fetch(new URL(`/_xacct/token?workload=${encodeURIComponent(name)}`, endpoint), { headers: { authorization } });
  } catch (e) {
    throw new UsageError(
      `cannot reach the sandbox at ${endpoint}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`,
    );
  }
  const body = await response.text();
  if (!response.ok) {
    let message = `status ${response.status}`;
    try {
      message = (JSON.parse(body) as { Message?: string }).Message ?? message;
    } catch {
      // Not the sandbox's JSON error: the status says enough.
    }
    throw new UsageError(`the sandbox at ${endpoint} refused: ${message}`);
  }
  if (values.output === undefined) process.stdout.write(`${body}\n`);
  else {
    try {
      replacePrivateFile(values.output, body);
    } catch (e) {
      throw new UsageError(`-o ${values.output}: cannot write it (${(e as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  return 0;
}

/** The sandbox's own token, from its file (a private file of this user: 0600, not a link, not a FIFO). */
function sandboxToken(file: string | undefined, from: string): string {
  if (file === undefined)
    throw new UsageError(
      `give --token-file FILE (the sandbox's ${SANDBOX_TOKEN_FILE} in its directory), or set ${SANDBOX_TOKEN_VARIABLE} as the sandbox's export lines do`,
    );
  let token: string | undefined;
  try {
    token = readPrivateFile(file);
  } catch (e) {
    if (e instanceof PrivateFileError) throw new UsageError(`${from} ${e.message}: give the sandbox's own ${SANDBOX_TOKEN_FILE}`);
    throw e;
  }
  if (token === undefined) throw new UsageError(`${from} ${file}: no such file; give the sandbox's own ${SANDBOX_TOKEN_FILE}`);
  return token.trim();
}
