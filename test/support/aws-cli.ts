/**
 * Runs an AWS CLI command against an endpoint nobody listens on, with placeholder keys: the CLI
 * parses the command and builds the request, so "could not connect" means the command is one the
 * real CLI accepts, and nothing reaches AWS.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const awsCli = spawnSync("aws", ["--version"], { encoding: "utf8" }).status === 0;

/** The `aws …` part of a shell command line (before any redirection or `||`). */
export function awsPart(line: string): string {
  return line.split(/\s+(?:>|\|\|)\s+/)[0]!.trim();
}

export function cliAccepts(command: string, files: Record<string, string> = {}): { accepted: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "xacct-awscli-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const r = spawnSync("bash", ["-c", `${command} --endpoint-url http://127.0.0.1:9 --cli-connect-timeout 1`], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "1",
      AWS_RETRY_MODE: "standard",
    },
  });
  const output = `${r.stdout}${r.stderr}`;
  return { accepted: output.includes("Could not connect to the endpoint URL"), output };
}
