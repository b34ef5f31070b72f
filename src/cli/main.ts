#!/usr/bin/env node
import { EXIT } from "./exit-codes.js";
import { runCli } from "./program.js";

// A reader that stops early (`xacct graph … | head`) closes standard output: xacct stops at once,
// quietly, as a Unix command ended by SIGPIPE does. Any other error writing it is left to fail.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(EXIT.closedOutput);
});

runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  // The error reporter knows every error type (the model's, the engine's, the chain's): loaded only on an error.
  async (error: unknown) => {
    const { errorReport } = await import("./errors.js");
    const report = errorReport(error);
    process.stderr.write(report.text);
    process.exitCode = report.status;
  },
);
