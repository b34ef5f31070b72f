import { ChainError } from "../credentials/index.js";
import { serveCredentials, type Serving } from "../credentials/server.js";
import { TokenFileError, tokenProblem } from "../credentials/token-file.js";
import { olderClientsTokenLine } from "../credentials/token-variable.js";
import { commentLine, shellWord } from "../text/escape.js";
import { chainSource } from "./chain-input.js";
import { UsageError } from "./json-input.js";
import { portOf, untilStopped } from "./serving.js";
import type { SERVE_CREDENTIALS_OPTIONS, Values } from "./usage.js";

const log = (line: string) => process.stderr.write(`xacct serve-credentials: ${line}\n`);

export async function run(values: Values<typeof SERVE_CREDENTIALS_OPTIONS>): Promise<number> {
  const source = chainSource(values, "serve-credentials");
  if (values.endpoint !== undefined && !/^https?:\/\/[^\s/]/.test(values.endpoint))
    throw new UsageError(`--endpoint takes a URL (http:// or https://), got "${values.endpoint}"`);
  const port = portOf(values.port);
  // A token given in the environment (a Kubernetes Secret through secretKeyRef), never as an option, which ps shows.
  const token = process.env.XACCT_CREDENTIALS_TOKEN;
  const problem = token === undefined ? undefined : tokenProblem(token);
  if (problem) throw new UsageError(`XACCT_CREDENTIALS_TOKEN: ${problem}`);
  const stopped = untilStopped();
  let serving: Serving;
  try {
    serving = await serveCredentials({
      source,
      port,
      ...(values["token-file"] !== undefined ? { tokenFile: values["token-file"] } : {}),
      ...(token !== undefined ? { token } : {}),
      chain: {
        ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
        onCall: (e) => log(e.action === "first" ? "the chain's first credentials" : `hop ${e.hop}: ${e.action} ${e.roleArn ?? ""}`),
      },
      onAnswer: (a) => {
        if (a.status !== 200) log(`${a.method} ${a.path}: ${a.status}${a.reason ? ` (${a.reason})` : ""}`);
      },
    });
  } catch (e) {
    if (e instanceof ChainError) throw new UsageError(e.message);
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new UsageError(`port ${port} is in use: give another --port, or --port 0 for any free one`);
    if (e instanceof TokenFileError) throw new UsageError(`--token-file ${e.message}`);
    throw e;
  }
  const { spec, variables } = serving;
  process.stdout.write(
    [
      commentLine(
        `xacct serve-credentials: ${spec.name} (${spec.hops.length} role${spec.hops.length === 1 ? "" : "s"} after its first credentials) on ${serving.server.url}`,
      ),
      `export AWS_CONTAINER_CREDENTIALS_FULL_URI=${shellWord(variables.AWS_CONTAINER_CREDENTIALS_FULL_URI)}`,
      `export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${shellWord(variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)}`,
      olderClientsTokenLine(variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE),
      "",
    ].join("\n"),
  );
  serving
    .warm()
    .catch((e: unknown) =>
      log(`${e instanceof ChainError ? e.message : `the chain failed: ${(e as Error)?.name ?? "Error"}`}; requests get 500 until it works`),
    );
  log(`${await stopped}, stopping`);
  await serving.close();
  return 0;
}
