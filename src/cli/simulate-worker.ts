/** A worker thread of `xacct simulate --batch` (./simulate-batch.ts): decides the blocks it is sent, in the order sent. */
import { parentPort, workerData } from "node:worker_threads";
import { type ExplainLevel, simulateLines } from "../policy/simulate.js";
import { decideBlock } from "./simulate-batch.js";

const { explain } = workerData as { explain: ExplainLevel };
const port = parentPort as NonNullable<typeof parentPort>;
const encoder = new TextEncoder();
port.on("message", ({ id, bytes, firstLine }: { id: number; bytes: Uint8Array; firstLine: number }) => {
  const { text, failed } = decideBlock({ simulateLines }, bytes, firstLine, explain);
  // Encoded here and handed over without a copy: the main thread only writes it.
  const out = encoder.encode(text);
  port.postMessage({ id, out, failed }, [out.buffer]);
});
