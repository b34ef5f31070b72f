/**
 * `xacct sandbox`'s organization and fault flags, as a user runs the built CLI (run `npm run build`
 * first): the SDK in this process reads the printed environment's credentials file.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, it } from "vitest";
import { killStarted, startCli, xacct } from "./support/chain-cli.js";
import { LOGGING, logArchiveModel } from "./support/org-models.js";
import { refusal } from "./support/sandbox-clients.js";

afterEach(() => killStarted());

/** The log-archive model in a file (logging, app, tools in o-a1b2c3d4e5). */
function modelFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "xacct-faults-cli-")), "xacct.yaml");
  writeFileSync(file, logArchiveModel("{organization: true}"));
  return file;
}

/** Started on the model in a file; ready once the export lines name the bootstrap keys. */
const start = (args: string[]) => startCli(["sandbox", "--model", modelFile(), "--port", "0", ...args], /bootstrap keys .*\n/);

const client = <T>(make: new (c: object) => T, env: Record<string, string>, profile: string, extra: object = {}) =>
  new make({
    endpoint: env.AWS_ENDPOINT_URL,
    region: "us-east-1",
    credentials: fromIni({ profile, filepath: env.AWS_SHARED_CREDENTIALS_FILE, configFilepath: env.AWS_CONFIG_FILE }),
    maxAttempts: 1,
    ...extra,
  });

describe("xacct sandbox --management-account, --throttle, --timeout-region", () => {
  it("--management-account lets that account read its organization through AWS Organizations", async () => {
    // GIVEN the sandbox started with logging as the management account
    const s = await start(["--management-account", LOGGING]);
    // WHEN logging's root lists the accounts
    const accounts = await client(OrganizationsClient, s.env, "logging-root").send(new ListAccountsCommand({}));
    // THEN the model's three organization accounts are listed
    expect(accounts.Accounts?.map((a) => a.Name).sort()).toEqual(["app", "logging", "tools"]);
  });

  it("--throttle 1 answers every call with its throttling error, logged as a FAULT; --timeout-region holds that region's calls", async () => {
    // GIVEN the sandbox throttling every call, and eu-west-3 timing out
    const s = await start(["--throttle", "1", "--seed", "7", "--timeout-region", "eu-west-3"]);
    // WHEN STS is called once in us-east-1 and once in eu-west-3 (giving up after 300 ms)
    const throttled = await refusal(client(STSClient, s.env, "logging-root").send(new GetCallerIdentityCommand({})));
    const held = await refusal(
      client(STSClient, s.env, "logging-root", { region: "eu-west-3", requestHandler: { socketTimeout: 300 } }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    // THEN the first is STS's Throttling, the second the SDK's TimeoutError, and stderr logs both
    expect(throttled.name).toBe("Throttling");
    expect(held.name).toBe("TimeoutError");
    await new Promise<void>((resolve) => {
      const check = () => (/FAULT .*\[Timeout\]/.test(s.stderr()) ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(s.stderr()).toMatch(/FAULT .*sts:GetCallerIdentity .*\[Throttling\]/);
  });

  it.each([
    [["--throttle", "20"], "--throttle 20: give the share of calls to throttle, from 0 to 1"],
    [["--seed", "x"], "--seed x: give a whole number"],
    [["--timeout-region", "Europe"], '--timeout-region: "Europe" is not an AWS region'],
    [["--management-account", "logging"], "--management-account logging: give a 12-digit account ID"],
  ])("refuses %j in one line, exit 2", async (flags, message) => {
    // GIVEN / WHEN the sandbox is started with a bad flag
    const ran = await xacct(["sandbox", "--model", modelFile(), ...flags], { PATH: process.env.PATH ?? "" });
    // THEN it says which flag and what to give, in one line, and exits 2
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(message);
    expect(ran.stderr.trim().split("\n")).toHaveLength(1);
  });
});
