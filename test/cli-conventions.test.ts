/**
 * The conventions a user of aws-vault, cfn-lint or Terraform expects of a command line, through
 * the built CLI: `--version`, `-h`/`--help` on every command and `xacct help COMMAND`, one-line
 * errors for an unknown option or a missing value that point at the command's help (exit 2),
 * exit statuses a script can rely on (can: 0 Allow, 1 Deny, 3 Unknown; findings --fail-on),
 * AWS_PROFILE as the default profile of env, exec and credential-process, `report -o -` on
 * standard output and `graph -o FILE` saying what it wrote, and `xacct --help` loading none of
 * the AWS SDK, the compiler or the sandbox.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { chainSandbox, cleanUp, xacct as xacctAsync } from "./support/chain-cli.js";
import { PROD, VENDOR_ROLE, vendorModel } from "./support/vendor-model.js";
import { oneLine, xacct, CLI } from "./support/xacct-cli.js";

const ROOT = resolve(import.meta.dirname, "..");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const example = (name: string) => join(ROOT, "examples", name, "xacct.yaml");
const dir = mkdtempSync(join(tmpdir(), "xacct-conventions-"));

/** The commands README.md documents, in `xacct --help`'s order. */
const COMMANDS = [
  "init",
  "build",
  "simulate",
  "can",
  "who-can",
  "reach",
  "findings",
  "verify",
  "sandbox",
  "serve-credentials",
  "schema",
  "credential-process",
  "exec",
  "env",
  "report",
  "graph",
  "collect",
  "import",
  "completion",
];

describe("xacct --version", () => {
  it.each(["--version", "-V"])("%s prints package.json's version on stdout and exits 0", (flag) => {
    // GIVEN the built CLI, run from a directory that is not the package's
    // WHEN it is asked its version
    const r = xacct([flag], { cwd: dir });
    // THEN the version of the package it belongs to, alone on a line
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${PACKAGE.version}\n`);
  });
});

describe("help", () => {
  it("xacct --help lists every command, the exit statuses and every XACCT_ variable, on stdout", () => {
    // WHEN
    const r = xacct(["--help"]);
    // THEN exit 0, each command on a line of its own in the list, and the tables
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    for (const code of ["0", "1", "2", "3", "70", "141"]) expect(r.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    expect(r.stdout).toContain("XACCT_DEBUG");
    expect(r.stdout).toContain("XACCT_SANDBOX_TOKEN_FILE");
  });

  it("xacct alone prints the help on stderr and exits 2 (it was not asked for)", () => {
    const r = xacct([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Usage: xacct /);
  });

  it.each([...COMMANDS, "sandbox token"])(
    "xacct %s: -h, --help and xacct help say the same, with options, examples and exit statuses",
    (words) => {
      const command = words.split(" ");
      // WHEN the command's help is asked for three ways
      const long = xacct([...command, "--help"]);
      const short = xacct([...command, "-h"]);
      const viaHelp = command.length === 1 ? xacct(["help", ...command]) : long;
      // THEN each exits 0 with the same text on stdout, nothing on stderr
      for (const r of [long, short, viaHelp]) {
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe(long.stdout);
      }
      const text = long.stdout;
      // AND it starts with the command's usage, and has its options, examples and exit statuses
      expect(text).toMatch(new RegExp(`^Usage: xacct ${command.join(" ")}\\b`));
      expect(text).toMatch(/^Options:\n/m);
      expect(text).toMatch(/^ {2}-h, --help +\S/m);
      expect(text).toMatch(/^Examples:\n {2}\$ .*\bxacct /m);
      expect(text).toMatch(/^Exit status:\n {2}0 +\S/m);
      // AND every option has a description (a term alone on its line would have none)
      const options = (text.split("Options:\n")[1] ?? "").split("\n\n")[0] ?? "";
      for (const line of options.split("\n").filter((l) => /^ {2}-/.test(l))) expect(line).toMatch(/^ {2}\S.*\S {2,}\S/);
    },
  );

  it("can's help names each of its options, and its exit statuses Allow, Deny and Unknown", () => {
    const text = xacct(["can", "--help"]).stdout;
    // THEN the options README documents for can
    for (const option of [
      "--principal",
      "--action",
      "--resource",
      "--resource-account",
      "--model",
      "--inventory",
      "--context",
      "--edges",
      "--json",
    ])
      expect(text).toMatch(new RegExp(`^ {2}${option} `, "m"));
    expect(text).toMatch(/^ {2}0 +Allow$/m);
    expect(text).toMatch(/^ {2}1 +Deny$/m);
    expect(text).toMatch(/^ {2}3 +Unknown/m);
  });

  it("the chain commands' help says AWS_PROFILE is --profile's default; sandbox token's names XACCT_SANDBOX_TOKEN_FILE", () => {
    for (const command of ["credential-process", "exec", "env"]) {
      const text = xacct([command, "--help"]).stdout;
      expect(text).toMatch(/--profile <NAME>[^]*default\s+\$AWS_PROFILE/);
      expect(text).toMatch(/^Environment:\n[^]*^ {2}AWS_PROFILE +\S/m);
    }
    expect(xacct(["sandbox", "token", "--help"]).stdout).toMatch(/^Environment:\n[^]*^ {2}XACCT_SANDBOX_TOKEN_FILE +\S/m);
    expect(xacct(["sandbox", "--help"]).stdout).toMatch(/^Environment:\n[^]*^ {2}XACCT_DEBUG +\S/m);
  });

  it("schema --help is help, not the schema", () => {
    const r = xacct(["schema", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: xacct schema/);
    expect(r.stdout).not.toContain('"$schema"');
  });
});

describe("command-line errors: one line naming the option and the command's help, exit 2", () => {
  it("an unknown option, with the option it is probably", () => {
    const line = oneLine(xacct(["can", "--prinicpal", "arn:aws:iam::111111111111:role/app"]));
    expect(line).toBe("xacct: unknown option --prinicpal (did you mean --principal?); see xacct can --help");
  });

  it.each(COMMANDS)("%s: an unknown option", (command) => {
    // GIVEN an option no command takes
    // WHEN it is given to the command
    const line = oneLine(xacct([command, "--no-such-option"]));
    // THEN the line names it and the command's help
    expect(line).toMatch(new RegExp(`^xacct: unknown option --no-such-option.*; see xacct ${command} --help$`));
  });

  it("an option's missing value, at the end or followed by another option", () => {
    expect(oneLine(xacct(["can", "--model", example("004-emr-eks-chain"), "--principal"]))).toBe(
      "xacct: --principal <ARN> needs a value; see xacct can --help",
    );
    // A value forgotten before another option is not taken to be that option.
    expect(oneLine(xacct(["can", "--principal", "--json"]))).toBe(
      "xacct: --principal <ARN> needs a value (it is followed by --json; give a value starting with - as --principal=VALUE); see xacct can --help",
    );
    expect(oneLine(xacct(["sandbox", "token", "-o"]))).toBe("xacct: -o, --output <FILE> needs a value; see xacct sandbox token --help");
  });

  it("a missing argument, and one too many", () => {
    expect(oneLine(xacct(["build", "--out", join(dir, "never")]))).toBe(
      "xacct: give MODEL, the model file (xacct.yaml); see xacct build --help",
    );
    expect(oneLine(xacct(["schema", "extra"]))).toBe('xacct: unexpected argument "extra"; see xacct schema --help');
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("an unknown command after help, and an unknown option of xacct itself", () => {
    expect(oneLine(xacct(["help", "nosuch"]))).toMatch(/^xacct: unknown command "nosuch": the commands are init, build, /);
    expect(oneLine(xacct(["--nosuch"]))).toBe("xacct: unknown option --nosuch; see xacct --help");
  });

  it("an argument holding a line break or an escape sequence stays on the error's one line, escaped", () => {
    // GIVEN arguments that would end the line, or colour the terminal, if written as they are
    // WHEN each is refused
    // THEN the line shows each control character as its \u escape (and a character outside the BMP whole)
    expect(oneLine(xacct(["can", "--a\nb"]))).toBe("xacct: unknown option --a\\u000ab; see xacct can --help");
    expect(oneLine(xacct(["can", "-\u001b[31m"]))).toBe("xacct: unknown option -\\u001b[31m; see xacct can --help");
    expect(oneLine(xacct(["can", "-\u{1F4A5}"]))).toBe("xacct: unknown option -\u{1F4A5}; see xacct can --help");
    expect(oneLine(xacct(["can", "--principal", "-\nx"]))).toMatch(
      /^xacct: --principal <ARN> needs a value \(it is followed by -\\u000ax;/,
    );
  });

  it("an option or command named as an object's own property, or 100,000 characters long, is unknown like any other", () => {
    // GIVEN names that a plain object would answer for (__proto__, constructor), and a very long one
    // WHEN each is given as an option, or as a command
    // THEN each is refused by name, with no stack trace (and the long one is not suggested a near name)
    expect(oneLine(xacct(["can", "--__proto__", "x"]))).toBe("xacct: unknown option --__proto__; see xacct can --help");
    expect(oneLine(xacct(["can", "--constructor=x"]))).toBe("xacct: unknown option --constructor; see xacct can --help");
    expect(oneLine(xacct(["help", "__proto__"]))).toMatch(/^xacct: unknown command "__proto__": the commands are init, /);
    const long = `--${"a".repeat(100_000)}`;
    expect(oneLine(xacct(["can", long]))).toBe(`xacct: unknown option ${long}; see xacct can --help`);
  });

  it("a flag given a value, an unknown option given one, and an unknown short option", () => {
    expect(oneLine(xacct(["graph", "--json=yes"]))).toBe("xacct: unknown option --json; see xacct graph --help");
    expect(oneLine(xacct(["can", "--json=yes"]))).toBe('xacct: --json takes no value, got "yes"; see xacct can --help');
    expect(oneLine(xacct(["can", "-q"]))).toBe("xacct: unknown option -q; see xacct can --help");
  });
});

describe("the option conventions of getopt_long, as git, aws-vault and Terraform users type them", () => {
  const seed004 = example("004-emr-eks-chain");

  it("--name=VALUE, -o VALUE and -oVALUE say the same as --name VALUE, before or after the other options", () => {
    // GIVEN the DOT graph of seed 004, asked for with each option as its own word
    const spaced = xacct(["graph", "--model", seed004, "--format", "dot", "--output", "-"]);
    expect(spaced.status, spaced.stderr).toBe(0);
    expect(spaced.stdout).toMatch(/^digraph /);
    // WHEN the same is asked with values after =, glued to a short option, and in another order
    for (const args of [
      ["graph", `--model=${seed004}`, "--format=dot", "-o-"],
      ["graph", "-o", "-", "--format", "dot", "--model", seed004],
    ]) {
      const r = xacct(args);
      // THEN the same graph
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(spaced.stdout);
    }
  });

  it("-h or --help anywhere is the command's help, whatever else the line holds", () => {
    const help = xacct(["can", "--help"]).stdout;
    for (const args of [
      ["can", "--no-such-option", "-h"],
      ["can", "--principal", "arn:aws:iam::111111111111:role/app", "--help", "extra"],
    ]) {
      const r = xacct(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(help);
    }
  });

  it("after --, every word is an operand, even one that looks like an option", () => {
    expect(oneLine(xacct(["schema", "--", "--help"]))).toBe('xacct: unexpected argument "--help"; see xacct schema --help');
  });

  it("a word that starts with a digit after - is an operand, as a negative number is", () => {
    expect(oneLine(xacct(["schema", "-5"]))).toBe('xacct: unexpected argument "-5"; see xacct schema --help');
  });

  it("xacct -- COMMAND runs the command, as getopt reads --", () => {
    expect(oneLine(xacct(["--", "schema", "extra"]))).toBe('xacct: unexpected argument "extra"; see xacct schema --help');
  });

  it("a subcommand's name after its parent's options says where it goes", () => {
    expect(oneLine(xacct(["sandbox", "--port", "0", "token"]))).toBe(
      "xacct: token comes right after xacct sandbox, before the options (xacct sandbox token [options]); see xacct sandbox token --help",
    );
  });

  it("xacct help: -h among the words is the same ask, a word that names no command is refused by name", () => {
    expect(xacct(["help", "can", "-h"]).stdout).toBe(xacct(["can", "--help"]).stdout);
    expect(oneLine(xacct(["help", "sandbox", "tokn"]))).toBe(
      'xacct: xacct sandbox has no command "tokn": its commands are token; see xacct help --help',
    );
    expect(oneLine(xacct(["help", "can", "extra"]))).toBe(
      'xacct: unexpected argument "extra": xacct can has no commands of its own; see xacct help --help',
    );
  });

  it("xacct help with a subcommand's words prints that subcommand's help", () => {
    const r = xacct(["help", "sandbox", "token"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(xacct(["sandbox", "token", "--help"]).stdout);
    expect(r.stdout).toMatch(/^Usage: xacct sandbox token /);
  });
});

describe("a reader that stops early", () => {
  it("xacct simulate --batch | head: xacct stops quietly with 141 (128 + SIGPIPE), no stack trace", async () => {
    // GIVEN a batch of 20,000 requests (the bundled example's), whose results are far more than a pipe holds
    const request = JSON.stringify(JSON.parse(readFileSync(join(ROOT, "examples", "simulate", "cross-account-get-object.json"), "utf8")));
    const batch = join(dir, "closed-output.jsonl");
    writeFileSync(batch, `${request}\n`.repeat(20_000));
    // WHEN its standard output is closed after the first chunk, as `head -c 1` does
    const child = spawn(process.execPath, [CLI, "simulate", "--batch", batch], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    // THEN it exits as a Unix command ended by SIGPIPE does, and says nothing on stderr
    expect(status).toBe(141);
    expect(stderr).toBe("");
  });
});

describe("exit statuses", () => {
  const seed004 = example("004-emr-eks-chain");
  const JOB_ROLE = "arn:aws:iam::111111111111:role/job-execution-role-1";
  const QUEUE = "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue";

  it("can: 0 on Allow, 1 on Deny (same answer on stdout as before)", () => {
    // GIVEN seed 004, whose job role reaches the dead-letter queue through client-role-2 (README's example)
    // WHEN can is asked about sending to it, and about deleting it, which no grant allows
    const allow = xacct(["can", "--model", seed004, "--principal", JOB_ROLE, "--action", "sqs:SendMessage", "--resource", QUEUE]);
    const deny = xacct(["can", "--model", seed004, "--principal", JOB_ROLE, "--action", "sqs:DeleteQueue", "--resource", QUEUE]);
    // THEN the statuses say the decisions
    expect(allow.status).toBe(0);
    expect(allow.stdout).toMatch(/^Allow: /);
    expect(deny.status).toBe(1);
    expect(deny.stdout).toMatch(/^Deny: /);
    expect(deny.stderr).toBe("");
  });

  it("can: 3 on Unknown (an attached policy whose document is not known), --json too", () => {
    // GIVEN the vendor's role with a customer managed policy the model names only by ARN
    const file = join(mkdtempSync(join(tmpdir(), "xacct-conventions-")), "xacct.yaml");
    writeFileSync(file, vendorModel({ managedPolicies: `[ReadOnlyAccess, "arn:aws:iam::${PROD}:policy/vendor-extra"]` }));
    // WHEN can is asked about creating a user, which only that policy could allow
    const args = [
      "can",
      "--model",
      file,
      "--principal",
      VENDOR_ROLE,
      "--action",
      "iam:CreateUser",
      "--resource",
      `arn:aws:iam::${PROD}:user/x`,
    ];
    const text = xacct(args);
    const json = xacct([...args, "--json"]);
    // THEN exit 3, with the answer on stdout
    expect(text.status).toBe(3);
    expect(text.stdout).toMatch(/^Unknown: /);
    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout).decision).toBe("Unknown");
  });

  it("findings: 0 without --fail-on whatever it finds; with --fail-on, 1 when a finding at or above it is left", () => {
    // GIVEN seed 007 (a SaaS vendor), whose findings are all medium and none accepted
    const seed007 = example("007-saas-vendor");
    const listed = JSON.parse(xacct(["findings", "--model", seed007, "--json"]).stdout) as { findings: { severity: string }[] };
    expect(listed.findings.length).toBeGreaterThan(1);
    expect(new Set(listed.findings.map((f) => f.severity))).toEqual(new Set(["medium"]));
    // WHEN findings runs without and with thresholds
    const plain = xacct(["findings", "--model", seed007]);
    const medium = xacct(["findings", "--model", seed007, "--fail-on", "medium"]);
    const low = xacct(["findings", "--model", seed007, "--fail-on", "low", "--json"]);
    const high = xacct(["findings", "--model", seed007, "--fail-on", "high"]);
    // THEN only a threshold at or below medium fails, each saying so on stderr; the output is the same
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe("");
    expect(medium.status).toBe(1);
    expect(medium.stderr).toBe(`xacct findings: ${listed.findings.length} findings at or above medium (--fail-on medium)\n`);
    expect(medium.stdout).toBe(plain.stdout);
    expect(low.status).toBe(1);
    expect(JSON.parse(low.stdout)).toEqual(listed);
    expect(high.status).toBe(0);
    expect(high.stderr).toBe("xacct findings: none at or above high (--fail-on high)\n");
  });

  it("findings --fail-on does not fail on a finding the model accepts, and says it left it out", () => {
    // GIVEN seed 003, whose one finding (XA012, high: long-lived keys used across accounts) its accept: accepts,
    // and the same model without its accept:
    const seed003 = example("003-airflow-multi-account");
    const text = readFileSync(seed003, "utf8");
    const file = join(mkdtempSync(join(tmpdir(), "xacct-conventions-")), "xacct.yaml");
    writeFileSync(file, text.replace(/^accept:\n(?:[ -].*\n)*/m, ""));
    expect(readFileSync(file, "utf8")).not.toContain("accept:");
    // WHEN findings runs on each with --fail-on high
    const accepted = xacct(["findings", "--model", seed003, "--fail-on", "high"]);
    const notAccepted = xacct(["findings", "--model", file, "--fail-on", "high"]);
    // THEN both list it; only the model that does not accept it fails
    expect(accepted.stdout).toContain("XA012");
    expect(accepted.status).toBe(0);
    expect(accepted.stderr).toBe("xacct findings: none at or above high (--fail-on high); 1 more accepted by the model's accept:\n");
    expect(notAccepted.stdout).toContain("XA012");
    expect(notAccepted.status).toBe(1);
    expect(notAccepted.stderr).toBe("xacct findings: 1 finding at or above high (--fail-on high)\n");
  });

  it("findings --fail-on with a severity that is not one is a usage error", () => {
    expect(oneLine(xacct(["findings", "--model", example("003-airflow-multi-account"), "--fail-on", "severe"]))).toBe(
      'xacct: --fail-on takes one of critical, high, medium, low, got "severe"',
    );
  });
});

describe("AWS_PROFILE is the default of --profile for env, exec and credential-process", () => {
  afterEach(cleanUp);
  const FAR_SESSION = "arn:aws:sts::333333333333:assumed-role/far/via-cli";

  /** Who the keys of `env --format json` are, asked of the sandbox's STS. */
  async function whoIs(endpoint: string, variables: Record<string, string>): Promise<string | undefined> {
    const sts = new STSClient({
      endpoint,
      region: "eu-west-1",
      credentials: {
        accessKeyId: variables.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: variables.AWS_SECRET_ACCESS_KEY as string,
        sessionToken: variables.AWS_SESSION_TOKEN as string,
      },
    });
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  }

  it("env and credential-process: the chain of the profile AWS_PROFILE names, when no option names one", async () => {
    // GIVEN the chain sandbox's profiles (far: the user, then hop, then far) and AWS_PROFILE=far
    const t = await chainSandbox();
    const env = { ...t.env, AWS_PROFILE: "far" };
    // WHEN env and credential-process run without --profile
    const shell = await xacctAsync(["env", "--format", "json", "--no-cache"], env);
    const processed = await xacctAsync(["credential-process", "--no-cache"], env);
    // THEN both hold far's session
    expect(shell.stderr).toBe("");
    expect(shell.code).toBe(0);
    expect(await whoIs(t.s.url, JSON.parse(shell.stdout))).toBe(FAR_SESSION);
    expect(processed.code).toBe(0);
    const out = JSON.parse(processed.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    expect(
      await whoIs(t.s.url, {
        AWS_ACCESS_KEY_ID: out.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: out.SecretAccessKey,
        AWS_SESSION_TOKEN: out.SessionToken,
      }),
    ).toBe(FAR_SESSION);
  });

  it("exec: the command runs with the chain AWS_PROFILE names, and without AWS_PROFILE in its environment", async () => {
    const t = await chainSandbox();
    // WHEN exec runs node, which asks STS who it is through the SDK's default chain
    const script = `import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
const me = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
process.stdout.write(JSON.stringify({ arn: me.Arn, profile: process.env.AWS_PROFILE ?? null }));`;
    const r = await xacctAsync(["exec", "--no-cache", "--", process.execPath, "--input-type=module", "-e", script], {
      ...t.env,
      AWS_PROFILE: "far",
    });
    // THEN far's session, and AWS_PROFILE is not left to override the keys
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ arn: FAR_SESSION, profile: null });
  });

  it("--profile wins over AWS_PROFILE", async () => {
    const t = await chainSandbox();
    const r = await xacctAsync(["env", "--format", "json", "--no-cache", "--profile", "hop"], { ...t.env, AWS_PROFILE: "far" });
    expect(r.code).toBe(0);
    expect(await whoIs(t.s.url, JSON.parse(r.stdout))).toMatch(/^arn:aws:sts::222222222222:assumed-role\/hop\//);
  });

  it("a profile AWS_PROFILE names that does not exist: exit 1, and the message says where the name came from", async () => {
    const t = await chainSandbox();
    const r = await xacctAsync(["credential-process", "--no-cache"], { ...t.env, AWS_PROFILE: "nope" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^xacct credential-process: profile "nope" .*no such profile.* \(the profile AWS_PROFILE names; --profile NAME for another\)\n$/,
    );
  });

  it("neither an option nor AWS_PROFILE: a usage error saying both", async () => {
    const t = await chainSandbox();
    const env: NodeJS.ProcessEnv = { ...t.env };
    delete env.AWS_PROFILE;
    const r = await xacctAsync(["env"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "xacct: give --profile NAME (a profile of the AWS config; default $AWS_PROFILE, which is not set) or --workload NAME --model FILE; see xacct env --help\n",
    );
  });
});

describe("report -o - and graph -o FILE", () => {
  const seed004 = example("004-emr-eks-chain");

  it("report -o - writes the page to stdout, no file named -, and what it holds on stderr", () => {
    // GIVEN an empty working directory
    const cwd = mkdtempSync(join(tmpdir(), "xacct-conventions-"));
    // WHEN the report is asked for on standard output
    const r = xacct(["report", "--model", seed004, "-o", "-"], { cwd });
    // THEN stdout is the HTML page, stderr says what it holds, and nothing was written
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>\n/);
    expect(r.stdout).toMatch(/<title>xacct report: [^<]+<\/title>/);
    expect(r.stdout.trimEnd()).toMatch(/<\/html>$/);
    expect(r.stderr).toMatch(/^xacct report: wrote the report to standard output: \d+ accounts, \d+ nodes, \d+ edges, \d+ findings\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("graph -o FILE says on stderr the file, its size and the graph's nodes and edges", () => {
    // GIVEN seed 004
    const file = join(mkdtempSync(join(tmpdir(), "xacct-conventions-")), "graph.mmd");
    // WHEN its graph is written as Mermaid to a file
    const r = xacct(["graph", "--model", seed004, "--format", "mermaid", "-o", file]);
    // THEN nothing on stdout, and one line on stderr whose numbers are the file's: its bytes, its
    // node lines (`nID[label]`) and its edge lines (Mermaid's --> ==> -.-> arrows)
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const text = readFileSync(file, "utf8");
    const nodes = text.split("\n").filter((l) => /^\s*n\d+\[/.test(l)).length;
    const edges = text.split("\n").filter((l) => /\s(-->|==>|-\.->)\|/.test(l)).length;
    expect(nodes).toBeGreaterThan(0);
    expect(r.stderr).toBe(`xacct graph: wrote ${file}: ${statSync(file).size} bytes of Mermaid, ${nodes} nodes and ${edges} edges\n`);
  });

  it("graph -o - is standard output, as without -o", () => {
    const cwd = mkdtempSync(join(tmpdir(), "xacct-conventions-"));
    const r = xacct(["graph", "--model", seed004, "--format", "dot", "-o", "-"], { cwd });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(xacct(["graph", "--model", seed004, "--format", "dot"]).stdout);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe("what a command loads", () => {
  const RECORDER = join(ROOT, "test", "support", "loaded-by-cli.mjs");
  const DIST = `${pathToFileURL(join(ROOT, "dist")).href}/`;

  /** The modules of dist/ and node_modules a fresh process running `xacct ARGS` loaded. */
  function loadedBy(args: string[]): string[] {
    const out = join(mkdtempSync(join(tmpdir(), "xacct-loaded-")), "loaded.json");
    spawnSync(process.execPath, [RECORDER, out, ...args], { encoding: "utf8" });
    return JSON.parse(readFileSync(out, "utf8")) as string[];
  }
  const heavy = (urls: string[]) =>
    urls.filter(
      (url) =>
        ["compile", "model", "emit", "graph", "sandbox", "policy", "state", "collect", "credentials", "report"].some(
          (folder) =>
            url.startsWith(`${DIST}${folder}/`) && !url.endsWith("/compile/audit-name.js") && !url.endsWith("/graph/findings/types.js"),
        ) || ["@aws-sdk", "@smithy", "yaml", "zod", "@cloud-copilot"].some((p) => url.includes(`/node_modules/${p}/`)),
    );

  it("xacct --help and xacct can --help load neither the AWS SDK, the compiler, the sandbox nor the engine", () => {
    for (const args of [["--help"], ["can", "--help"], ["--version"]]) {
      // WHEN a fresh process runs the CLI for its help
      const urls = loadedBy(args);
      // THEN it loaded the CLI's parser and help, and nothing heavy
      expect(urls).toContain(`${DIST}cli/main.js`);
      expect(urls).toContain(`${DIST}cli/program.js`);
      expect(heavy(urls)).toEqual([]);
    }
  });

  it("xacct simulate on one request loads the engine but not the AWS SDK (its ARN builder loads when an ARN is built)", () => {
    // WHEN a fresh process decides the bundled example request
    const urls = loadedBy(["simulate", "--request", join(ROOT, "examples", "simulate", "cross-account-get-object.json")]);
    // THEN it loaded the engine, and no module of the SDK (@aws-sdk/util-arn-parser brings in @aws-sdk/core and @smithy/core)
    expect(urls.some((u) => u.startsWith(`${DIST}policy/`))).toBe(true);
    expect(urls.filter((u) => ["@aws-sdk", "@smithy"].some((p) => u.includes(`/node_modules/${p}/`)))).toEqual([]);
  });

  it("the check can fail: xacct can loads the compiler and the engine", () => {
    const urls = loadedBy([
      "can",
      "--model",
      example("004-emr-eks-chain"),
      "--principal",
      "arn:aws:iam::111111111111:role/job-execution-role-1",
      "--action",
      "sqs:SendMessage",
      "--resource",
      "arn:aws:sqs:us-east-1:222222222222:MyDeadLetterQueue",
    ]);
    expect(heavy(urls).some((u) => u.startsWith(`${DIST}compile/`))).toBe(true);
    expect(heavy(urls).some((u) => u.startsWith(`${DIST}policy/`))).toBe(true);
  });
});
