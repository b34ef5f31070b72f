/**
 * Test helper: the sandbox in a process of its own (test/support/sandbox-process.mjs, which runs
 * dist/), so a test can measure its memory apart from the test runner's and load it from other
 * processes. Requests and answers go over the IPC channel; keys never appear on a command line.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const script = join(import.meta.dirname, "sandbox-process.mjs");
const built = join(import.meta.dirname, "..", "..", "dist", "sandbox", "index.js");

export interface BootstrapKeys {
  userArn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Memory {
  /** process.memoryUsage() after a forced garbage collection. */
  memory: NodeJS.MemoryUsage;
  /** Credentials the sandbox holds: its bootstrap keys and the sessions not yet swept. */
  credentials: number;
}

export interface SandboxProcess {
  url: string;
  bootstrap: BootstrapKeys[];
  memory(): Promise<Memory>;
  /** Runs the sandbox's sweep of expired sessions as of epoch milliseconds `at`; answers the credentials left. */
  sweep(at: number): Promise<number>;
  close(): Promise<void>;
}

/** Forks the sandbox process (with --expose-gc) and starts the sandbox on a model's YAML. */
export async function startSandboxProcess(model: string): Promise<SandboxProcess> {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  const child: ChildProcess = fork(script, [], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let next = 0;
  const waiting = new Map<number, { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  child.on("message", (m: Record<string, unknown>) => {
    const w = waiting.get(m.id as number);
    waiting.delete(m.id as number);
    if (m.type === "error") w?.reject(new Error(String(m.message)));
    else w?.resolve(m);
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the sandbox process exited (${code})`));
    waiting.clear();
  });
  const ask = (message: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, ...message });
    });
  const ready = await ask({ type: "start", mode: "sandbox", model });
  return {
    url: ready.url as string,
    bootstrap: ready.bootstrap as BootstrapKeys[],
    memory: async () => {
      const m = await ask({ type: "memory" });
      return { memory: m.memory as NodeJS.MemoryUsage, credentials: m.credentials as number };
    },
    sweep: async (at) => (await ask({ type: "sweep", at })).credentials as number,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ type: "close" });
      }),
  };
}
