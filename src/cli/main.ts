#!/usr/bin/env node
import { errorReport } from "./errors.js";
import { UsageError } from "./json-input.js";
import * as build from "./build.js";
import * as can from "./can.js";
import * as reach from "./reach.js";
import * as sandbox from "./sandbox.js";
import * as serveCredentials from "./serve-credentials.js";
import * as findings from "./findings.js";
import * as verify from "./verify.js";
import * as whoCan from "./who-can.js";
import * as init from "./init.js";
import * as schema from "./schema.js";
import * as simulate from "./simulate.js";
import * as credentialProcess from "./credential-process.js";
import * as exec from "./exec.js";
import * as env from "./env.js";
import * as report from "./report.js";
import * as graph from "./graph.js";
import * as collect from "./collect.js";
import * as importCommand from "./import.js";

interface Command {
  run(args: string[]): Promise<number>;
  usage: string;
}

// A Map: a command named `constructor` or `__proto__` is unknown, not Object.prototype's.
const commands = new Map<string, Command>(
  Object.entries({
    init,
    build,
    simulate,
    can,
    "who-can": whoCan,
    reach,
    findings,
    verify,
    sandbox,
    "serve-credentials": serveCredentials,
    schema,
    "credential-process": credentialProcess,
    exec,
    env,
    report,
    graph,
    collect,
    import: importCommand,
  }),
);

const help = `xacct — cross-account AWS access, declared, generated, proven and used

Commands:
${[...commands.values()].map((c) => c.usage).join("\n")}`;

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
  const command = commands.get(name);
  if (!command)
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}: the commands are ${[...commands.keys()].join(", ")} (xacct --help says what each does)`,
    );
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    const report = errorReport(error);
    process.stderr.write(report.text);
    process.exitCode = report.status;
  },
);
