/**
 * The peer end to end, for `npm run bench`: @cloud-copilot/iam-simulate in a process of its own,
 * as a command built on it would run. It starts, loads the peer, reads the batch, JSON.parse-s each
 * line, turns it into the peer's form (./peer-format.mjs), awaits `runSimulation` and writes one
 * decision per line to standard output.
 * Usage: node bench/peer-process.mjs FILE > /dev/null
 */
import { readFileSync } from "node:fs";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { peerDecision, toPeerSimulation } from "./peer-format.mjs";

const lines = readFileSync(process.argv[2], "utf8").split("\n");
let out = "";
for (const line of lines) {
  if (line.length === 0) continue;
  const response = await runSimulation(toPeerSimulation(JSON.parse(line)), {});
  out += `${JSON.stringify({ decision: peerDecision(response) })}\n`;
}
process.stdout.write(out);
