#!/usr/bin/env node
import { runCli } from "./program.js";

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
