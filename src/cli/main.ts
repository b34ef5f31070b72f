#!/usr/bin/env node
import { PolicyInputError } from "../policy/errors.js";
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
import { ModelError } from "../model/load.js";

const commands: Record<string, { run(args: string[]): Promise<number>; usage: string }> = { init, build, simulate, can, "who-can": whoCan, reach, findings, verify, sandbox, "serve-credentials": serveCredentials, schema, "credential-process": credentialProcess, exec, env, report, graph };

const help = `xacct — cross-account AWS access, declared, generated, proven and used

Commands:
${Object.values(commands)
  .map((c) => c.usage)
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
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${help}`);
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof PolicyInputError || error instanceof ModelError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`xacct: ${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
    process.exitCode = 2;
  },
);
