#!/usr/bin/env node
import { EXIT } from "./exit-codes.js";
import { runCli } from "./program.js";

// A reader that stops early (`xacct graph … | head`) closes standard output (or error): xacct stops
// as a Unix command ended by SIGPIPE does, quietly, with 128 + 13. A server waiting to be stopped
// (sandbox, serve-credentials) is stopped as by SIGTERM instead, so that it removes what it made.
// Any other failure to write (a full disk) is one line on stderr, exit 2.
let writeFailed = false;
function onWriteError(error: NodeJS.ErrnoException): void {
  if (writeFailed) return;
  writeFailed = true;
  if (error.code === "EPIPE") {
    if (process.listenerCount("SIGTERM") === 0) process.exit(EXIT.closedOutput);
    process.emit("SIGTERM", "SIGTERM");
    return;
  }
  process.stderr.write(`xacct: cannot write its output (${error.code ?? error.message}): check the disk or the reader\n`);
  process.exit(EXIT.usage);
}
process.stdout.on("error", onWriteError);
process.stderr.on("error", onWriteError);

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
