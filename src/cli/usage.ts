/**
 * Every command's usage (what `xacct --help` lists), and its code, loaded only when it runs: the
 * help and a command's start do not pay for the others (the AWS SDK, the compiler, the sandbox).
 * Each command module takes its own usage from here.
 */

import { DEFAULT_AUDIT_ROLE as DEFAULT_ROLE_NAME } from "../compile/audit-name.js";

/** The options every command that resolves a chain takes. */
const CHAIN_USAGE = `(--profile NAME | --workload NAME --model FILE [--profile NAME]) [--endpoint URL] [--cache-dir DIR | --no-cache]`;

/** What a command module exports. */
export interface CommandModule {
  run(args: string[]): Promise<number>;
  usage: string;
}

// A Map: a command named `constructor` or `__proto__` is unknown, not Object.prototype's.
const COMMANDS = new Map<string, { usage: string; load: () => Promise<CommandModule> }>([
  [
    "init",
    {
      usage: `xacct init [FILE]                write a commented starter model (default xacct.yaml); never overwrites`,
      load: () => import("./init.js"),
    },
  ],
  [
    "build",
    {
      usage: `xacct build MODEL --out DIR     write both sides of every grant: IAM JSON, CloudFormation, Terraform,
                                AWS config, Kubernetes, Airflow, Spark and a Markdown document; DIR
                                is new, empty, or an earlier build's: xacct replaces only the files it
                                wrote there (listed in DIR/.xacct-build) and keeps everything else`,
      load: () => import("./build.js"),
    },
  ],
  [
    "simulate",
    {
      usage: `xacct simulate --request FILE [--explain full|none]   decide one request (FILE or - for stdin), print one JSON result
xacct simulate --batch FILE [--explain full|none]     decide JSON Lines requests, print one JSON result per line, in order
                                                      (--explain none: {"decision"} alone, faster)`,
      load: () => import("./simulate.js"),
    },
  ],
  [
    "can",
    {
      usage: `xacct can --principal ARN --action ACTION --resource ARN [--resource-account ID] [--context K=V]… (--inventory DIR | --model FILE) [--edges all|assume] [--json]
                                can the principal, through any chain of roles, do this?`,
      load: () => import("./can.js"),
    },
  ],
  [
    "who-can",
    {
      usage: `xacct who-can --action ACTION --resource ARN [--resource-account ID] (--inventory DIR | --model FILE) [--edges all|assume] [--json]
                                every principal, in any account, that can do it directly or through a chain
                                (of trusts, and unless --edges assume of IAM changes and roles passed to services)`,
      load: () => import("./who-can.js"),
    },
  ],
  [
    "reach",
    {
      usage: `xacct reach --principal ARN (--inventory DIR | --model FILE) [--edges all|assume] [--json]
                                every role (or user) the principal can become, at any depth: through trusts,
                                and by rewriting IAM or passing roles to services unless --edges assume`,
      load: () => import("./reach.js"),
    },
  ],
  [
    "findings",
    {
      usage: `xacct findings (--inventory DIR | --model FILE) [--json]
                                risky or broken IAM across accounts: rule ID, severity, resource or path, and the fix`,
      load: () => import("./findings.js"),
    },
  ],
  [
    "verify",
    {
      usage: `xacct verify --model FILE [--inventory DIR] [--fail-on critical|high|medium|low] [--json]
                                every grant is possible, nothing undeclared crosses accounts, no finding at or
                                above --fail-on (default high); with --inventory, against what is deployed`,
      load: () => import("./verify.js"),
    },
  ],
  [
    "sandbox",
    {
      usage: `xacct sandbox (--model FILE | --inventory DIR) [--port N] [--dir DIR] [--log FILE]
              [--management-account ID]… [--throttle SHARE] [--seed N] [--timeout-region REGION]…
                                a local AWS endpoint on 127.0.0.1 that every account shares and that
                                enforces the policies; writes into DIR (default: a new temporary
                                directory) an AWS config with every chain, a credentials file and
                                token files (0600), prints the export lines (no secrets) on stdout,
                                each decision on stderr (and as JSON Lines to --log); Ctrl-C stops it.
                                --management-account: the account that reads its organization
                                through AWS Organizations (when the inventory's organization.json
                                names none; a model never does). Faults: --throttle answers that
                                share of calls (0 to 1) with its protocol's throttling error, picked
                                by --seed (default 1); --timeout-region never answers requests signed
                                for REGION (the client times out)
xacct sandbox token --workload NAME [--model FILE] [--endpoint URL] [--token-file FILE] [-o FILE]
                                a fresh web identity token for an IRSA workload from the running
                                sandbox (default endpoint: $AWS_ENDPOINT_URL), asked with the
                                sandbox's own token (its DIR/sandbox.auth; default:
                                $XACCT_SANDBOX_TOKEN_FILE, which the export lines set), written to
                                FILE (0600) or printed`,
      load: () => import("./sandbox.js"),
    },
  ],
  [
    "serve-credentials",
    {
      usage: `xacct serve-credentials (--profile NAME | --workload NAME --model FILE [--profile NAME])
                        [--endpoint URL] [--port N] [--token-file PATH]
                                a container-credentials endpoint on 127.0.0.1 (default port: any
                                free one) serving a chain's credentials, refreshed before they
                                expire; STS at --endpoint (default: the SDK's, AWS_ENDPOINT_URL_STS
                                or AWS_ENDPOINT_URL, else AWS's); the Authorization token is read
                                from PATH if it exists, else written there (0600; default: a new
                                temporary directory), never printed; prints the exports of
                                AWS_CONTAINER_CREDENTIALS_FULL_URI and
                                AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE on stdout; Ctrl-C stops it`,
      load: () => import("./serve-credentials.js"),
    },
  ],
  [
    "schema",
    {
      usage: `xacct schema                     print the JSON Schema of xacct.yaml (for editors)`,
      load: () => import("./schema.js"),
    },
  ],
  [
    "credential-process",
    {
      usage: `xacct credential-process ${CHAIN_USAGE}
                                prints the chain's credentials as a credential_process's JSON, for
                                \`credential_process = xacct credential-process --profile NAME\` in
                                another profile; cached (0600) under $XDG_CACHE_HOME/xacct or
                                ~/.cache/xacct until 15 minutes before they expire`,
      load: () => import("./credential-process.js"),
    },
  ],
  [
    "exec",
    {
      usage: `xacct exec ${CHAIN_USAGE} -- COMMAND [ARG…]
                                runs COMMAND with the chain's credentials in its environment
                                (the variables of xacct env; none on its command line), passes
                                signals on, and exits as COMMAND does (127: not found); the
                                credentials are not refreshed while COMMAND runs`,
      load: () => import("./exec.js"),
    },
  ],
  [
    "env",
    {
      usage: `xacct env ${CHAIN_USAGE} [--format sh|json]
                                prints the chain's credentials as shell lines for
                                eval "$(xacct env --profile NAME)": unset of the variables that would
                                override them (AWS_PROFILE, web identity, container credentials),
                                export of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
                                AWS_CREDENTIAL_EXPIRATION (and AWS_REGION when unset); json: the
                                variables to set as one object`,
      load: () => import("./env.js"),
    },
  ],
  [
    "report",
    {
      usage: `xacct report (--model FILE | --inventory DIR) [-o FILE] [--title TEXT] [--context KEY=VALUE] [--edges all|assume]
                                an interactive HTML map of who can reach what, in one self-contained file (default report.html)`,
      load: () => import("./report.js"),
    },
  ],
  [
    "graph",
    {
      usage: `xacct graph (--model FILE | --inventory DIR) --format mermaid|dot [-o FILE] [--edges all|assume]
                                the report's graph as Mermaid or Graphviz DOT, for docs and pull requests (stdout unless -o)`,
      load: () => import("./graph.js"),
    },
  ],
  [
    "collect",
    {
      usage: `xacct collect --out DIR [--profile NAME] [--endpoint-url URL] [--accounts ID,…|--all] [--role-name NAME]
              [--regions R,…] [--concurrency N] [--resume]
                                reads live accounts into an inventory in DIR (what --inventory reads):
                                IAM and the resource policies of S3, KMS and SQS, per account through
                                its read-only audit role (default ${DEFAULT_ROLE_NAME}); without --accounts or
                                --all, the caller's own account; --all reads the organization too;
                                collect-report.json says what was read, skipped or failed; exit 1
                                when an account is not complete (--resume reads only those again)`,
      load: () => import("./collect.js"),
    },
  ],
  [
    "import",
    {
      usage: `xacct import --inventory DIR --out FILE [--accounts ID,…] [--name NAME] [--force]
                                write a model of the cross-account access an inventory holds, each entry
                                commented with where it came from; exit 1 when some of it could not be
                                expressed (said on stderr and at the end of FILE). Replaces FILE only if
                                xacct import wrote it and it is unedited, else with --force`,
      load: () => import("./import.js"),
    },
  ],
]);

/** The names of the commands, in the help's order. */
export function commandNames(): string[] {
  return [...COMMANDS.keys()];
}

/** A command's usage; throws for a name that is not a command (a programming error, never a user's). */
export function usageOf(name: string): string {
  const command = COMMANDS.get(name);
  if (!command) throw new Error(`no command ${name}`);
  return command.usage;
}

/** A command's code, loaded now; undefined for a name that is not a command. */
export function loadCommand(name: string): Promise<CommandModule> | undefined {
  return COMMANDS.get(name)?.load();
}
