/**
 * Loaded with `node --import` into the process `npm run bench:collect` measures: at exit, writes
 * its peak resident set size in bytes (getrusage's ru_maxrss) to the file XACCT_BENCH_RSS_FILE.
 */
import { writeFileSync } from "node:fs";

const file = process.env.XACCT_BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
