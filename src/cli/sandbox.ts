import { parseArgs } from "node:util";
import { compile } from "../compile/compile.js";
import { loadModelFile } from "../model/load.js";
import { startSandbox } from "../sandbox/index.js";
import { UsageError } from "./json-input.js";

export const usage = `xacct sandbox --model FILE [--port N]
                                a local STS endpoint on 127.0.0.1 that enforces the model's policies;
                                prints AWS_ENDPOINT_URL and, once, each IAM user's bootstrap keys as
                                export lines on stdout (secrets appear nowhere else); stop with Ctrl-C`;

function portOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port takes a number from 0 to 65535, got "${text}"`);
  return port;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { model: { type: "string" }, port: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) return process.stdout.write(`${usage}\n`), 0;
  if (!values.model) throw new UsageError(`give --model FILE\n${usage}`);
  const port = portOf(values.port);
  const state = compile(loadModelFile(values.model)).state;
  const sandbox = await startSandbox({ state, port, host: "127.0.0.1" });
  const out = [`# xacct sandbox listening on ${sandbox.url} (STS: AssumeRole, GetCallerIdentity)`, `export AWS_ENDPOINT_URL=${sandbox.url}`];
  if (sandbox.bootstrap.length === 0) out.push("# the model has no IAM users (identity type iam-user): no bootstrap credentials");
  for (const b of sandbox.bootstrap) {
    // The secret is printed here only, once, so that the lines can be pasted or eval'd; the log names key ids only.
    out.push(`# ${b.userArn} (access key ${b.accessKeyId})`, `export AWS_ACCESS_KEY_ID=${b.accessKeyId} AWS_SECRET_ACCESS_KEY=${b.secretAccessKey}`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stderr.write(`xacct sandbox: ${signal}, stopping\n`);
      void sandbox.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
