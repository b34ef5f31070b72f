/** For commands that run a server until stopped (`xacct sandbox`, `xacct serve-credentials`). */
import { UsageError } from "./json-input.js";

/** A `--port` value: 0 to 65535, 0 (any free port) when absent. */
export function portOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port takes a number from 0 to 65535, got "${text}"`);
  return port;
}

/**
 * Resolves with the first SIGINT or SIGTERM. Call it before printing anything a caller waits
 * for: whoever reads the output may signal at once.
 */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
