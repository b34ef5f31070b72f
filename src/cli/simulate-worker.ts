/** A worker thread of `xacct simulate --batch` (./simulate-batch.ts): decides the blocks it is sent, in the order sent. */
import { parentPort, workerData } from "node:worker_threads";
import { type ExplainLevel, simulateLines } from "../policy/simulate.js";
import { textOf } from "./simulate-batch.js";

const { explain } = workerData as { explain: ExplainLevel };
const port = parentPort as NonNullable<typeof parentPort>;
port.on("message", ({ id, bytes, firstLine }: { id: number; bytes: Uint8Array; firstLine: number }) => {
  port.postMessage({ id, ...simulateLines(textOf(bytes), firstLine, explain) });
});
