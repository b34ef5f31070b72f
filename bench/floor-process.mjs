/**
 * The floor end to end, for `npm run bench`: a process of its own that does what any command
 * deciding a JSON Lines batch must do and nothing else. It starts, reads the batch, JSON.parse-s
 * every line and writes one line per request (a constant decision) to standard output.
 * Usage: node bench/floor-process.mjs FILE > /dev/null
 */
import { readFileSync } from "node:fs";

const lines = readFileSync(process.argv[2], "utf8").split("\n");
let out = "";
for (const line of lines) {
  if (line.length === 0) continue;
  out += JSON.parse(line) === null ? "null\n" : '{"decision":"Allow"}\n';
}
process.stdout.write(out);
