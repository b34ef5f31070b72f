/**
 * The command line as data: every command's description, arguments, options, examples and the
 * environment variables it reads. The parser and help (program.ts) and the shell completion
 * scripts (completion.ts) are built from it. A command's code is loaded only when it runs: the help
 * and a command's start do not pay for the others (the AWS SDK, the compiler, the sandbox).
 */

import { DEFAULT_AUDIT_ROLE as DEFAULT_ROLE_NAME } from "../compile/audit-name.js";
import { SEVERITIES } from "../graph/findings/types.js";

/**
 * An option. Its value's placeholder says what it takes; FILE and PATH complete to files in the
 * shell, DIR to directories.
 */
export interface OptionSpec {
  /** The value's placeholder (FILE, DIR, ARN…); absent for a flag. */
  readonly value?: string;
  /** A one-letter alias (`o` for `-o`). */
  readonly short?: string;
  readonly description: string;
  /** Repeatable: every value given, in order. */
  readonly multiple?: true;
  /** The values it takes, said in help and offered by completion (the command checks the value). */
  readonly choices?: readonly string[];
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The values of a command's options, by long name: a flag is true when given, a repeatable option every value. */
export type Values<O extends OptionSpecs> = {
  -readonly [K in keyof O]?: O[K] extends { multiple: true } ? string[] : O[K] extends { value: string } ? string : true;
};

/** Any command's values (what the parser hands a command module). */
export type AnyValues = Readonly<Record<string, string | string[] | true | undefined>>;

/** A positional argument. */
export interface ArgumentSpec {
  /** Its placeholder: FILE and MODEL complete to files, COMMAND to the commands. */
  readonly name: string;
  readonly description: string;
  readonly required?: true;
  readonly choices?: readonly string[];
}

/** An example in a command's help. */
export interface Example {
  readonly command: string;
  /** What it does, when the command does not say it plainly. */
  readonly what?: string;
}

/** What a command module exports. */
export interface CommandModule {
  /** Runs the command on its parsed options and operands; resolves with the exit status. */
  run(values: AnyValues, operands: readonly string[]): Promise<number>;
}

export interface CommandSpec {
  /** One line, in `xacct --help`'s list of commands. */
  readonly summary: string;
  /** The usage line after `xacct NAME`. */
  readonly synopsis: string;
  /** What the command does, in its help. */
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options: OptionSpecs;
  /** A command line of its own after `--` (`xacct exec … -- COMMAND ARG…`): the operands the command gets. */
  readonly afterDashes?: ArgumentSpec;
  readonly examples?: readonly Example[];
  /** The environment variables it reads (names in ENVIRONMENT). */
  readonly environment?: readonly string[];
  readonly subcommands?: ReadonlyMap<string, CommandSpec>;
  readonly load: () => Promise<CommandModule>;
}

/** Set to 1 to print the stack trace of every error (for reporting a bug). */
export const DEBUG_VARIABLE = "XACCT_DEBUG";
/** How many threads `simulate --batch` decides a large batch on. */
export const THREADS_VARIABLE = "XACCT_THREADS";

/**
 * Every environment variable xacct reads, and what for; each command's help lists those it reads.
 * The XACCT_ ones are xacct's own.
 */
export const ENVIRONMENT: ReadonlyMap<string, string> = new Map([
  [
    DEBUG_VARIABLE,
    "set to 1 (any value but empty or 0) to print the stack trace of an error after its message, and the sandbox's internal errors on stderr (for reporting a bug)",
  ],
  [
    "XACCT_SANDBOX_TOKEN_FILE",
    "the running sandbox's own token file (its DIR/sandbox.auth), which xacct sandbox token sends; the sandbox's export lines set it",
  ],
  [
    "AWS_PROFILE",
    "credential-process, exec and env: the profile of the chain when neither --profile nor --workload is given (with --workload, the first credentials come from --profile or the SDK's default chain); collect: the profile of its first credentials, as the SDK's default chain reads it",
  ],
  [
    "AWS_CONFIG_FILE",
    "the AWS config file whose profiles --profile names (default ~/.aws/config); AWS_SHARED_CREDENTIALS_FILE likewise for the keys",
  ],
  [
    "AWS_ENDPOINT_URL",
    "the endpoint of AWS (or of xacct sandbox) for the SDK's calls, where no --endpoint or --endpoint-url is given; AWS_ENDPOINT_URL_STS for STS alone",
  ],
  [
    "XACCT_PROGRESS",
    "progress on stderr of the commands that read a whole model or inventory (can, who-can, reach, findings, verify, report, graph): always (a line per stage, however short), never, or unset: a bar on a terminal, else a line per stage that took more than 2 s",
  ],
  [
    "XACCT_CREDENTIALS_TOKEN",
    "serve-credentials: the Authorization token to serve with (in Kubernetes, from a Secret through secretKeyRef), kept in --token-file, which must hold it if it exists; default: a new random token",
  ],
  [
    THREADS_VARIABLE,
    "simulate --batch: how many threads decide a batch of 2 MiB or more (1: the main thread alone); unset: one per CPU for a batch of 32 MiB or more, the main thread for a smaller one (starting a thread costs more than it saves there)",
  ],
  ["XDG_CACHE_HOME", "the credential cache is $XDG_CACHE_HOME/xacct/credentials (default ~/.cache/xacct/credentials)"],
  [
    "XACCT_INTERVAL_SECONDS",
    "read by the generated Kubernetes Deployments of a trigger that repeats: the seconds between two runs (the manifest sets it)",
  ],
  [
    "XACCT_EXEC",
    "read by the generated Spark entrypoint script: the program it hands over to instead of the EMR on EKS image's entrypoint (for trying the script outside EMR)",
  ],
]);

// ---------------------------------------------------------------- options several commands share

/** `--model FILE | --inventory DIR`: what a command reads its accounts from. */
export const SOURCE_OPTIONS = {
  model: { value: "FILE", description: "a model (xacct.yaml), read as what it would deploy" },
  inventory: { value: "DIR", description: "an inventory of real accounts (what xacct collect writes), read as deployed" },
} as const satisfies OptionSpecs;

const CONTEXT = {
  value: "KEY=VALUE",
  multiple: true,
  description: "a request context key every decision sees, e.g. aws:SourceIp=203.0.113.7 (repeatable)",
} as const satisfies OptionSpec;

const EDGES = {
  value: "KIND",
  choices: ["all", "assume"],
  description:
    "all: every way to become another principal (trusts, IAM changes, roles passed to services); assume: role assumption through trusts only (default all)",
} as const satisfies OptionSpec;

/** The options that narrow report, graph, who-can and reach to what a person asks about. */
export const FOCUS_OPTIONS = {
  account: {
    value: "ID",
    multiple: true,
    description: "only this account's principals (report and graph: its nodes and those one step in or out of it); repeatable",
  },
  workload: {
    value: "NAME",
    multiple: true,
    description: "only what this workload's chain passes through (a model's workload); repeatable",
  },
  focus: {
    value: "ARN",
    multiple: true,
    description:
      "only what is within --depth steps of this node, either way (report and graph: a principal or a resource; who-can and reach: a principal); repeatable",
  },
  depth: { value: "N", description: "how many steps around --focus (default 2, at most 20)" },
} as const satisfies OptionSpecs;

/** The options of can, who-can and reach. */
export const GRAPH_OPTIONS = {
  ...SOURCE_OPTIONS,
  context: CONTEXT,
  edges: EDGES,
  json: { description: "print the answer as one JSON object" },
} as const satisfies OptionSpecs;

/** The options of graph, and of report with --title. */
const PICTURE_OPTIONS = {
  ...SOURCE_OPTIONS,
  context: CONTEXT,
  edges: EDGES,
  ...FOCUS_OPTIONS,
} as const satisfies OptionSpecs;

/** The options of report. */
export const REPORT_OPTIONS = {
  ...PICTURE_OPTIONS,
  title: { value: "TEXT", description: "the title shown (default: the model's name, or the inventory's directory)" },
} as const satisfies OptionSpecs;

const PROFILE_NAME = {
  value: "NAME",
  description:
    "the chain of this AWS config profile (role_arn, source_profile…); default $AWS_PROFILE. With --workload: the profile of the chain's first credentials",
} as const satisfies OptionSpec;

const CHAIN_ENDPOINT = {
  value: "URL",
  description: "the STS endpoint the chain's calls go to (default: the SDK's: AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, else AWS's)",
} as const satisfies OptionSpec;

/** The options that name a chain, for credential-process, exec and env. */
export const CHAIN_OPTIONS = {
  profile: PROFILE_NAME,
  workload: { value: "NAME", description: "the chain of this workload of the model (with --model)" },
  model: { value: "FILE", description: "the model that defines --workload" },
  endpoint: CHAIN_ENDPOINT,
  "cache-dir": {
    value: "DIR",
    description: "cache the chain's sessions here (0600 files; default $XDG_CACHE_HOME/xacct or ~/.cache/xacct)",
  },
  "no-cache": { description: "neither read nor write the cache: ask STS every time" },
} as const satisfies OptionSpecs;

const CHAIN_SYNOPSIS = "(--profile NAME | --workload NAME --model FILE [--profile NAME]) [--endpoint URL] [--cache-dir DIR | --no-cache]";
const CHAIN_ENVIRONMENT = ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL", "XDG_CACHE_HOME"] as const;

// ---------------------------------------------------------------- each command's options

export const BUILD_OPTIONS = {
  out: { value: "DIR", short: "o", description: "the directory to write into: new, empty, or an earlier build's (required)" },
} as const satisfies OptionSpecs;

export const SIMULATE_OPTIONS = {
  request: { value: "FILE", description: "one request as JSON (- for standard input): print one JSON result" },
  batch: { value: "FILE", description: "requests as JSON Lines (- for standard input): print one JSON result per line, in order" },
  explain: {
    value: "LEVEL",
    choices: ["full", "none"],
    description: "full: each result with the statements that decided it (default); none: {decision} alone, faster",
  },
} as const satisfies OptionSpecs;

const RESOURCE_ACCOUNT = {
  value: "ID",
  description: "the account that owns the resource, when its ARN does not say (an S3 bucket's)",
} as const satisfies OptionSpec;

export const CAN_OPTIONS = {
  principal: { value: "ARN", description: "who asks: a role, user or account root ARN (required)" },
  action: { value: "ACTION", description: "the action, e.g. s3:GetObject (required)" },
  resource: { value: "ARN", description: "the resource acted on (required)" },
  "resource-account": RESOURCE_ACCOUNT,
  ...GRAPH_OPTIONS,
} as const satisfies OptionSpecs;

export const WHO_CAN_OPTIONS = {
  action: { value: "ACTION", description: "the action, e.g. s3:PutObject (required)" },
  resource: { value: "ARN", description: "the resource acted on (required)" },
  "resource-account": RESOURCE_ACCOUNT,
  ...GRAPH_OPTIONS,
  ...FOCUS_OPTIONS,
} as const satisfies OptionSpecs;

export const REACH_OPTIONS = {
  principal: { value: "ARN", description: "the role, user or account root to start from (required)" },
  ...GRAPH_OPTIONS,
  ...FOCUS_OPTIONS,
} as const satisfies OptionSpecs;

/** How findings and verify write their answer: text, JSON or SARIF, to standard output or a file. */
const REPORT_FORMAT_OPTIONS = {
  format: {
    value: "FORMAT",
    choices: ["text", "json", "sarif"],
    description: "text (default); json (as --json); sarif: SARIF 2.1.0, for code scanning in CI",
  },
  output: { value: "FILE", short: "o", description: "write to FILE instead of standard output (- for standard output)" },
} as const satisfies OptionSpecs;

export const FINDINGS_OPTIONS = {
  ...SOURCE_OPTIONS,
  "fail-on": {
    value: "SEVERITY",
    choices: SEVERITIES,
    description: "exit 1 when a finding of this severity or above is left that the model does not accept (without it, exit 0)",
  },
  json: { description: "print {findings: [...]} as one JSON object (as --format json)" },
  ...REPORT_FORMAT_OPTIONS,
} as const satisfies OptionSpecs;

export const VERIFY_OPTIONS = {
  model: { value: "FILE", description: "the model to verify (required)" },
  inventory: { value: "DIR", description: "verify against what is deployed, read from this inventory (what xacct collect writes)" },
  "fail-on": {
    value: "SEVERITY",
    choices: SEVERITIES,
    description: "fail on a finding of this severity or above, unless the model accepts it (default high)",
  },
  json: { description: "print the result as one JSON object (as --format json)" },
  ...REPORT_FORMAT_OPTIONS,
} as const satisfies OptionSpecs;

export const SANDBOX_OPTIONS = {
  ...SOURCE_OPTIONS,
  port: { value: "N", description: "the port on 127.0.0.1 (default 0: any free one)" },
  dir: {
    value: "DIR",
    description:
      "write the AWS config, credentials and token files here: empty, or an earlier sandbox's (default: a new temporary directory, removed on stop)",
  },
  log: { value: "FILE", description: "append each decision as a JSON line to FILE (0600)" },
  "management-account": {
    value: "ID",
    multiple: true,
    description:
      "the account that reads its organization through AWS Organizations, where the inventory's organization.json names none (repeatable)",
  },
  throttle: { value: "SHARE", description: "answer this share of calls (0 to 1) with its protocol's throttling error" },
  seed: { value: "N", description: "picks the throttled calls: the same on every run with the same seed (default 1)" },
  "timeout-region": {
    value: "REGION",
    multiple: true,
    description: "never answer requests signed for REGION: the client times out (repeatable)",
  },
} as const satisfies OptionSpecs;

export const SANDBOX_TOKEN_OPTIONS = {
  workload: { value: "NAME", description: "the IRSA workload whose token to fetch (required)" },
  model: { value: "FILE", description: "check first that the model has this IRSA workload" },
  endpoint: { value: "URL", description: "the running sandbox (default $AWS_ENDPOINT_URL, which its export lines set)" },
  "token-file": { value: "FILE", description: "the sandbox's own token file, its DIR/sandbox.auth (default $XACCT_SANDBOX_TOKEN_FILE)" },
  output: { value: "FILE", short: "o", description: "write the token to FILE (0600) instead of printing it" },
} as const satisfies OptionSpecs;

export const SERVE_CREDENTIALS_OPTIONS = {
  profile: {
    value: "NAME",
    description: "the chain of this AWS config profile; with --workload: the profile of the chain's first credentials",
  },
  workload: CHAIN_OPTIONS.workload,
  model: CHAIN_OPTIONS.model,
  endpoint: CHAIN_ENDPOINT,
  port: { value: "N", description: "the port on 127.0.0.1 (default 0: any free one)" },
  "token-file": {
    value: "PATH",
    description:
      "the Authorization token: read from PATH if it exists (a 0600 file of yours), else written there (default: a new temporary directory)",
  },
} as const satisfies OptionSpecs;

export const ENV_OPTIONS = {
  ...CHAIN_OPTIONS,
  format: {
    value: "FORMAT",
    choices: ["sh", "json"],
    description: "sh: unset and export lines (default); json: the variables to set as one object",
  },
} as const satisfies OptionSpecs;

export const REPORT_COMMAND_OPTIONS = {
  ...REPORT_OPTIONS,
  output: { value: "FILE", short: "o", description: "the HTML file to write (default report.html); - for standard output" },
} as const satisfies OptionSpecs;

export const GRAPH_COMMAND_OPTIONS = {
  format: { value: "FORMAT", choices: ["mermaid", "dot"], description: "Mermaid (for Markdown) or Graphviz DOT (required)" },
  ...PICTURE_OPTIONS,
  output: {
    value: "FILE",
    short: "o",
    description: "write to FILE (and say on stderr what was written) instead of standard output; - for standard output",
  },
} as const satisfies OptionSpecs;

export const COLLECT_OPTIONS = {
  out: { value: "DIR", description: "the inventory directory to write: new, empty, or an earlier collect's (required)" },
  profile: { value: "NAME", description: "start from this AWS config profile (default: the SDK's default chain)" },
  "endpoint-url": { value: "URL", description: "send every call to this endpoint, e.g. a running xacct sandbox" },
  accounts: { value: "ID,…", description: "read these accounts (default: the caller's own)" },
  all: { description: "read the organization through AWS Organizations, and every active account" },
  "role-name": { value: "NAME", description: `the read-only audit role to assume in each account (default ${DEFAULT_ROLE_NAME})` },
  regions: { value: "R,…", description: "the regions to read regional resources in" },
  concurrency: { value: "N", description: "accounts read at a time, 1 to 64 (default 4)" },
  resume: { description: "read again only the accounts an earlier run did not complete" },
} as const satisfies OptionSpecs;

export const IMPORT_OPTIONS = {
  inventory: { value: "DIR", description: "the inventory to read (what xacct collect writes) (required)" },
  out: { value: "FILE", description: "the model file to write (required)" },
  accounts: { value: "ID,…", description: "import only the access that crosses into or out of these accounts" },
  name: { value: "NAME", description: "the model's name" },
  force: { description: "replace FILE even when xacct import did not write it, or it was edited since" },
} as const satisfies OptionSpecs;

/** The shells `xacct completion` writes for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

// ---------------------------------------------------------------- the commands

const SANDBOX_TOKEN: CommandSpec = {
  summary: "a fresh web identity token for an IRSA workload, from the running sandbox",
  synopsis: "--workload NAME [--model FILE] [--endpoint URL] [--token-file FILE] [-o FILE]",
  description:
    "Asks the running sandbox (default endpoint: $AWS_ENDPOINT_URL) for a fresh web identity token for an IRSA workload, with the sandbox's own token (its DIR/sandbox.auth; default: $XACCT_SANDBOX_TOKEN_FILE, which the export lines set), and writes it to FILE (0600) or prints it.",
  options: SANDBOX_TOKEN_OPTIONS,
  examples: [
    { command: "xacct sandbox token --workload spark-job -o /tmp/spark-job.jwt", what: "in a shell where the sandbox's export lines ran" },
  ],
  environment: ["AWS_ENDPOINT_URL", "XACCT_SANDBOX_TOKEN_FILE"],
  load: async () => ({ run: (await import("./sandbox.js")).token }),
};

// A Map: a command named `constructor` or `__proto__` is unknown, not Object.prototype's.
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  [
    "init",
    {
      summary: "write a commented starter model (default xacct.yaml); never overwrites",
      synopsis: "[FILE]",
      description: "Writes a commented starter model to FILE (default xacct.yaml). It never overwrites a file.",
      arguments: [{ name: "FILE", description: "the model file to write (default xacct.yaml)" }],
      options: {},
      examples: [{ command: "xacct init && xacct build xacct.yaml --out build", what: "start a model, then build it" }],
      load: () => import("./init.js"),
    },
  ],
  [
    "build",
    {
      summary: "write both sides of every grant: IAM, CloudFormation, Terraform, AWS config, Kubernetes, Airflow, Spark, Markdown",
      synopsis: "MODEL --out DIR",
      description:
        "Writes both sides of every grant of MODEL: IAM JSON, CloudFormation (and StackSets), Terraform, AWS config profiles, Kubernetes manifests, Airflow connections, Spark settings and a Markdown document. DIR is new, empty, or an earlier build's: xacct replaces only the files it wrote there (listed in DIR/.xacct-build) and keeps everything else; nothing is written unless the whole build succeeds.",
      arguments: [{ name: "MODEL", description: "the model file (xacct.yaml)", required: true }],
      options: BUILD_OPTIONS,
      examples: [{ command: "xacct build xacct.yaml --out build", what: "write everything under build/" }],
      environment: ["XACCT_INTERVAL_SECONDS", "XACCT_EXEC"],
      load: () => import("./build.js"),
    },
  ],
  [
    "simulate",
    {
      summary: "decide one request, or JSON Lines of them, as AWS's policy evaluation does",
      synopsis: "(--request FILE | --batch FILE) [--explain full|none]",
      description:
        "Decides AWS requests (principal, action, resource, context, and the policies that apply) as AWS's documented policy evaluation logic does. --request: one JSON request, one JSON result. --batch: JSON Lines in, one JSON result per line out, in order; a line that cannot be decided is an {error} line and the exit status is 1.",
      options: SIMULATE_OPTIONS,
      examples: [
        { command: "xacct simulate --request examples/simulate/cross-account-get-object.json", what: "decide the bundled example" },
        { command: "xacct simulate --batch requests.jsonl --explain none", what: "decide many, decisions alone" },
      ],
      environment: [THREADS_VARIABLE],
      load: () => import("./simulate.js"),
    },
  ],
  [
    "can",
    {
      summary: "can the principal, through any chain of roles, do this?",
      synopsis: "--principal ARN --action ACTION --resource ARN (--inventory DIR | --model FILE) [options]",
      description:
        "Answers whether the principal can do the action on the resource, directly or through any chain of roles (and, unless --edges assume, of IAM changes and roles passed to services): Allow with every path, Deny with why, or Unknown when attached policies whose documents are not known may allow it.",
      options: CAN_OPTIONS,
      examples: [
        {
          command:
            "xacct can --model xacct.yaml --principal arn:aws:iam::111111111111:role/app --action sqs:SendMessage --resource arn:aws:sqs:us-east-1:222222222222:jobs",
          what: "exit 0 on Allow, 1 on Deny, 3 on Unknown",
        },
      ],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./can.js"),
    },
  ],
  [
    "who-can",
    {
      summary: "every principal, in any account, that can do it directly or through a chain",
      synopsis: "--action ACTION --resource ARN (--inventory DIR | --model FILE) [options]",
      description:
        "Lists every principal, in any account, that can do the action on the resource directly or through a chain (of trusts, and unless --edges assume of IAM changes and roles passed to services).",
      options: WHO_CAN_OPTIONS,
      examples: [
        {
          command: "xacct who-can --inventory inventory/ --action s3:PutObject --resource arn:aws:s3:::logs/*",
          what: "who can write the logs bucket",
        },
      ],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./who-can.js"),
    },
  ],
  [
    "reach",
    {
      summary: "every role (or user) the principal can become, at any depth",
      synopsis: "--principal ARN (--inventory DIR | --model FILE) [options]",
      description:
        "Lists every role (or user) the principal can become, at any depth: through trusts, and by rewriting IAM or passing roles to services unless --edges assume.",
      options: REACH_OPTIONS,
      examples: [{ command: "xacct reach --model xacct.yaml --principal arn:aws:iam::111111111111:role/app --edges assume" }],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./reach.js"),
    },
  ],
  [
    "findings",
    {
      summary: "risky or broken IAM across accounts: rule ID, severity, resource or path, and the fix",
      synopsis: "(--inventory DIR | --model FILE) [--fail-on critical|high|medium|low] [--json | --format text|json|sarif] [-o FILE]",
      description: "Lists what is risky or broken in IAM across accounts: each finding's rule ID, severity, resource or path, and the fix.",
      options: FINDINGS_OPTIONS,
      examples: [
        { command: "xacct findings --inventory inventory/" },
        { command: "xacct findings --model xacct.yaml --fail-on high", what: "in CI: exit 1 on a high or critical finding" },
        { command: "xacct findings --model xacct.yaml --format sarif -o findings.sarif", what: "for code scanning (SARIF 2.1.0)" },
      ],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./findings.js"),
    },
  ],
  [
    "verify",
    {
      summary: "every grant is possible, nothing undeclared crosses accounts, no finding at or above --fail-on",
      synopsis: "--model FILE [--inventory DIR] [--fail-on critical|high|medium|low] [--json | --format text|json|sarif] [-o FILE]",
      description:
        "Checks that every grant of the model is possible, that nothing undeclared crosses accounts, and that no finding at or above --fail-on is left; with --inventory, against what is deployed (and reports drift).",
      options: VERIFY_OPTIONS,
      examples: [
        { command: "xacct verify --model xacct.yaml", what: "before deploying" },
        { command: "xacct verify --model xacct.yaml --inventory inventory/ --fail-on medium", what: "against what is deployed" },
        {
          command: "xacct verify --model xacct.yaml --format sarif -o xacct.sarif",
          what: "each failure a code scanning alert (SARIF 2.1.0)",
        },
      ],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./verify.js"),
    },
  ],
  [
    "sandbox",
    {
      summary: "a local AWS endpoint on 127.0.0.1 that enforces the policies",
      synopsis: "(--model FILE | --inventory DIR) [options]\nxacct sandbox token --workload NAME [options]",
      description:
        "A local AWS endpoint on 127.0.0.1 that every account shares and that enforces the policies. It writes into DIR an AWS config with every chain, a credentials file and token files (0600), prints the export lines (no secrets) on stdout, and each decision on stderr (and as JSON Lines to --log). Ctrl-C (or SIGTERM) stops it, with exit status 0.",
      options: SANDBOX_OPTIONS,
      examples: [
        { command: "xacct sandbox --model xacct.yaml --port 4566", what: "then, in another shell, run its export lines" },
        { command: "xacct sandbox --inventory inventory/ --throttle 0.2 --seed 7", what: "one call in five throttled" },
      ],
      environment: ["XACCT_DEBUG"],
      subcommands: new Map([["token", SANDBOX_TOKEN]]),
      load: () => import("./sandbox.js"),
    },
  ],
  [
    "serve-credentials",
    {
      summary: "a container-credentials endpoint on 127.0.0.1 serving a chain's credentials",
      synopsis: "(--profile NAME | --workload NAME --model FILE [--profile NAME]) [--endpoint URL] [--port N] [--token-file PATH]",
      description:
        "A container-credentials endpoint on 127.0.0.1 serving a chain's credentials, refreshed before they expire, for every SDK (the JVM's included) through AWS_CONTAINER_CREDENTIALS_FULL_URI. The Authorization token is never printed. It prints the export lines on stdout; Ctrl-C (or SIGTERM) stops it.",
      options: SERVE_CREDENTIALS_OPTIONS,
      examples: [{ command: "xacct serve-credentials --profile far --port 9911 --token-file /var/run/xacct/token" }],
      environment: ["AWS_CONFIG_FILE", "AWS_ENDPOINT_URL", "XACCT_CREDENTIALS_TOKEN"],
      load: () => import("./serve-credentials.js"),
    },
  ],
  [
    "schema",
    {
      summary: "print the JSON Schema of xacct.yaml (for editors)",
      synopsis: "",
      description: "Prints the JSON Schema of xacct.yaml, for editors' completion and checks.",
      options: {},
      examples: [{ command: "xacct schema > xacct.schema.json" }],
      load: () => import("./schema.js"),
    },
  ],
  [
    "credential-process",
    {
      summary: "print a chain's credentials as a credential_process's JSON",
      synopsis: CHAIN_SYNOPSIS,
      description:
        "Prints the chain's credentials as a credential_process's JSON, for `credential_process = xacct credential-process --profile NAME` in another profile. Cached (0600) until 15 minutes before they expire.",
      options: CHAIN_OPTIONS,
      examples: [
        {
          command: "xacct credential-process --profile far",
          what: "in ~/.aws/config: credential_process = xacct credential-process --profile far",
        },
      ],
      environment: CHAIN_ENVIRONMENT,
      load: () => import("./credential-process.js"),
    },
  ],
  [
    "exec",
    {
      summary: "run a command with a chain's credentials in its environment",
      synopsis: `${CHAIN_SYNOPSIS} -- COMMAND [ARG…]`,
      description:
        "Runs COMMAND with the chain's credentials in its environment (the variables of xacct env; none on its command line), passes signals on, and exits as COMMAND does (126: not runnable, 127: not found, 128+N: ended by signal N). The credentials are not refreshed while COMMAND runs.",
      options: CHAIN_OPTIONS,
      afterDashes: { name: "COMMAND", description: "the command to run, and its arguments", required: true },
      examples: [{ command: "xacct exec --profile far -- aws sts get-caller-identity" }],
      environment: CHAIN_ENVIRONMENT,
      load: () => import("./exec.js"),
    },
  ],
  [
    "env",
    {
      summary: "print a chain's credentials as shell lines (or JSON)",
      synopsis: `${CHAIN_SYNOPSIS} [--format sh|json]`,
      description:
        'Prints the chain\'s credentials as shell lines for eval "$(xacct env --profile NAME)": an unset of the variables that would override them (AWS_PROFILE, web identity, container credentials), then export of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION (and AWS_REGION when unset); json: the variables to set as one object.',
      options: ENV_OPTIONS,
      examples: [{ command: 'eval "$(xacct env --profile far)" && aws sts get-caller-identity' }],
      environment: CHAIN_ENVIRONMENT,
      load: () => import("./env.js"),
    },
  ],
  [
    "report",
    {
      summary: "an interactive HTML map of who can reach what, in one self-contained file",
      synopsis: "(--model FILE | --inventory DIR) [-o FILE|-] [--title TEXT] [--context KEY=VALUE]… [--edges all|assume]",
      description:
        "Writes an interactive HTML map of who can reach what, in one self-contained file (default report.html; - for standard output). A large organization's page opens on its accounts, collapsed, with findings counted per account; an account's roles, edges, statements and findings are decoded from the file when it is opened (nothing is fetched).",
      options: REPORT_COMMAND_OPTIONS,
      examples: [
        { command: "xacct report --model xacct.yaml -o report.html" },
        { command: "xacct report --inventory inventory/ -o - > report.html", what: "the HTML on standard output" },
      ],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./report.js"),
    },
  ],
  [
    "graph",
    {
      summary: "the report's graph as Mermaid or Graphviz DOT, for docs and pull requests",
      synopsis: "--format mermaid|dot (--model FILE | --inventory DIR) [-o FILE|-] [--edges all|assume]",
      description:
        "Prints the report's graph as Mermaid or Graphviz DOT, for docs and pull requests (on standard output; with -o, to FILE, and says on stderr what it wrote).",
      options: GRAPH_COMMAND_OPTIONS,
      examples: [
        { command: "xacct graph --model xacct.yaml --format mermaid" },
        { command: "xacct graph --inventory inventory/ --format dot -o graph.dot && dot -Tsvg graph.dot > graph.svg" },
      ],
      environment: ["XACCT_PROGRESS"],
      load: () => import("./graph.js"),
    },
  ],
  [
    "collect",
    {
      summary: "read live accounts into an inventory (what --inventory reads)",
      synopsis:
        "--out DIR [--profile NAME] [--endpoint-url URL] [--accounts ID,…|--all] [--role-name NAME] [--regions R,…] [--concurrency N] [--resume]",
      description: `Reads live accounts into an inventory in DIR (what --inventory reads): IAM and the resource policies of the services a model grants on, per account through its read-only audit role (default ${DEFAULT_ROLE_NAME}); without --accounts or --all, the caller's own account; --all reads the organization too. collect-report.json says what was read, skipped or failed; the exit status is 1 when an account is not complete (--resume reads only those again).`,
      options: COLLECT_OPTIONS,
      examples: [{ command: "xacct collect --out inventory/ --profile audit --all --regions us-east-1,eu-west-1" }],
      environment: ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL"],
      load: () => import("./collect.js"),
    },
  ],
  [
    "import",
    {
      summary: "write a model of the cross-account access an inventory holds",
      synopsis: "--inventory DIR --out FILE [--accounts ID,…] [--name NAME] [--force]",
      description:
        "Writes a model of the cross-account access an inventory holds, each entry commented with where it came from. What it cannot express is said on stderr and at the end of FILE, with exit status 1. It replaces FILE only if xacct import wrote it and it is unedited, else with --force.",
      options: IMPORT_OPTIONS,
      examples: [
        { command: "xacct import --inventory inventory/ --out xacct.yaml && xacct verify --model xacct.yaml --inventory inventory/" },
      ],
      load: () => import("./import.js"),
    },
  ],
  [
    "completion",
    {
      summary: "print a shell completion script for bash, zsh or fish",
      synopsis: "bash|zsh|fish",
      description:
        'Prints a completion script for the shell, for xacct\'s commands and options (files and directories where an option takes one). bash: eval "$(xacct completion bash)" in ~/.bashrc; zsh: xacct completion zsh > a directory of $fpath as _xacct; fish: xacct completion fish > ~/.config/fish/completions/xacct.fish.',
      arguments: [{ name: "SHELL", description: "bash, zsh or fish", required: true, choices: SHELLS }],
      options: {},
      examples: [
        { command: "echo 'eval \"$(xacct completion bash)\"' >> ~/.bashrc", what: "bash" },
        {
          command: "mkdir -p ~/.zsh/completions && xacct completion zsh > ~/.zsh/completions/_xacct",
          what: "zsh, with fpath=(~/.zsh/completions $fpath) before compinit in ~/.zshrc",
        },
        { command: "xacct completion fish > ~/.config/fish/completions/xacct.fish", what: "fish" },
      ],
      load: () => import("./completion.js"),
    },
  ],
]);

/** The names of the commands, in the help's order. */
export function commandNames(): string[] {
  return [...COMMANDS.keys()];
}

/** Where a command's help is, for a message that ends "see …". */
export function helpOf(command: string): string {
  return `see xacct ${command ? `${command} ` : ""}--help`;
}

/** The shell completes this placeholder's value to files, directories, or neither. */
export function completesTo(placeholder: string | undefined): "file" | "dir" | undefined {
  if (placeholder === "FILE" || placeholder === "PATH" || placeholder === "MODEL") return "file";
  if (placeholder === "DIR") return "dir";
  return undefined;
}
