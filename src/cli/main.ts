#!/usr/bin/env node
import { UsageError } from "./json-input.js";
import { commandNames, loadCommand, usageOf } from "./usage.js";

const help = `xacct — cross-account AWS access, declared, generated, proven and used

Commands:
${commandNames()
  .map((name) => usageOf(name))
  .join("\n")}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`${help}\n`);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  // Only the command that runs is loaded.
  const command = loadCommand(name);
  if (!command)
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}: the commands are ${commandNames().join(", ")} (xacct --help says what each does)`,
    );
  return (await command).run(args);
}

main(process.argv.slice(2)).then(
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
