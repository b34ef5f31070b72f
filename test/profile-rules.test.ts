/**
 * xacct's profile reader (`chainFromProfile`, behind `--profile` of credential-process, exec, env
 * and serve-credentials) reads a profile as the real clients do, and refuses what they refuse, with
 * the profile and the file. What the clients do is not assumed: each row runs the SDK for
 * JavaScript v3 (fromIni), Debian's boto3 and Debian's AWS CLI on the same files against the
 * sandbox. Where they disagree, xacct follows the strictest (botocore, which the CLI shares).
 *
 * The AWS SDKs and tools reference guide: credential_source specifies "where the SDK or tool can
 * find credentials that have permission to assume the role that you specify with the role_arn
 * parameter", and "you cannot specify both source_profile and credential_source in the same
 * profile".
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { ChainError, chainFromProfile, fromChain } from "../src/credentials/index.js";
import { chainSandbox, cleanUp, FAR, HOP } from "./support/chain-cli.js";
import {
  AWS,
  CLI_PLUGIN_SECTION,
  commonEnv,
  type ProfileCase,
  PYTHON,
  resolveWithBoto3,
  resolveWithCli,
  resolveWithSdk,
} from "./support/real-clients.js";

afterEach(cleanUp);

// GIVEN (test/support/chain-cli.ts) user `app` in account a (its keys under [app] in the credentials
// file), role `hop` in b it may assume, role `far` in c only `hop` may assume; and these profiles.
const EXTRA = `
[profile lone]
credential_source = Environment
region = eu-west-1

[profile via-lone]
role_arn = ${HOP}
source_profile = lone
region = eu-west-1

[profile loop-a]
role_arn = ${HOP}
source_profile = loop-b

[profile loop-b]
role_arn = ${FAR}
source_profile = loop-a

[profile both]
role_arn = ${HOP}
source_profile = app
credential_source = Environment

[profile app]
role_arn = ${FAR}

[profile keyed]
role_arn = ${HOP}
source_profile = app
role_session_name = keyed
region = eu-west-1
${CLI_PLUGIN_SECTION}`;

/** What each client answers for a profile: an error (matching), or the session it acts as. */
interface Row {
  profile: string;
  sdk: RegExp;
  boto3: RegExp;
  cli: RegExp;
  /** xacct's refusal, or (undefined) the chain it reads, which must act as the clients do. */
  xacct?: RegExp;
}

const HOP_SESSION = /^arn:aws:sts::222222222222:assumed-role\/hop\/keyed$/;
const ROWS: Row[] = [
  // credential_source alone: even with keys in the environment, no client uses it.
  {
    profile: "lone",
    sdk: /Could not resolve credentials using profile: \[lone\]/,
    boto3: /^NoCredentialsError: Unable to locate credentials/,
    cli: /Unable to locate credentials/,
    xacct: /^profile "lone" of \S+config: credential_source = Environment without role_arn/,
  },
  // …nor as a source profile: botocore refuses; the SDK for JavaScript (laxer) reads the environment.
  {
    profile: "via-lone",
    sdk: /^arn:aws:sts::222222222222:assumed-role\/hop\//,
    boto3: /^InvalidConfigError: The source profile "lone" must have credentials/,
    cli: /The source profile "lone" must have credentials/,
    xacct: /^profile "lone" of \S+config \(the source_profile of "via-lone"\): credential_source = Environment without role_arn/,
  },
  {
    profile: "loop-a",
    sdk: /Detected a cycle/,
    boto3: /^InfiniteLoopConfigError/,
    cli: /Infinite loop in credential configuration/,
    xacct: /^profile "loop-a" of \S+config: source_profile leads back to "loop-a"/,
  },
  {
    profile: "both",
    sdk: /Could not resolve credentials using profile: \[both\]/,
    boto3: /^InvalidConfigError: .*both source_profile and credential_source/,
    cli: /both source_profile and credential_source/,
    xacct: /^profile "both" of \S+config: give source_profile or credential_source, not both/,
  },
  // A source profile with keys: its keys start the chain, its own role_arn is not assumed.
  { profile: "keyed", sdk: HOP_SESSION, boto3: HOP_SESSION, cli: HOP_SESSION },
];

const clients = process.env.CI ? describe : describe.skipIf(!PYTHON || !AWS);

clients("xacct's profile reader and the real clients, on the same files", () => {
  it(
    "refuses what botocore refuses, naming the profile and the file, and reads a keyed source profile as they do",
    { timeout: 120_000 },
    async () => {
      const t = await chainSandbox({ extra: EXTRA });
      const files = { configFile: t.env.AWS_CONFIG_FILE, credentialsFile: t.credentialsFile };
      const env = {
        ...commonEnv(t.dir, t.s.url),
        ...t.env,
        AWS_ACCESS_KEY_ID: t.user.accessKeyId,
        AWS_SECRET_ACCESS_KEY: t.user.secretAccessKey,
      };
      const cases: ProfileCase[] = ROWS.map((r) => ({ id: r.profile, profile: r.profile, region: "eu-west-1", env: {} }));

      // WHEN the three clients resolve each profile, and xacct reads it.
      const [sdk, boto3, cli] = await Promise.all([resolveWithSdk(cases, env), resolveWithBoto3(cases, env), resolveWithCli(cases, env)]);
      const answer = (r: ReturnType<typeof sdk.get>) => (r === undefined ? "nothing" : "arn" in r ? r.arn : r.error);

      for (const row of ROWS) {
        // THEN the clients do what the row says…
        expect(answer(sdk.get(row.profile)), `SDK for JavaScript, ${row.profile}`).toMatch(row.sdk);
        expect(answer(boto3.get(row.profile)), `boto3, ${row.profile}`).toMatch(row.boto3);
        expect(answer(cli.get(row.profile)), `AWS CLI, ${row.profile}`).toMatch(row.cli);
        // …and xacct refuses with the profile and the file, or acts as they do.
        const read = chainFromProfile(row.profile, files, {});
        if (row.xacct) {
          await expect(read).rejects.toThrow(ChainError);
          await expect(read).rejects.toThrow(row.xacct);
        } else {
          const spec = await read;
          expect(spec.first).toMatchObject({ type: "static", accessKeyId: t.user.accessKeyId });
          expect(spec.hops.map((h) => h.roleArn)).toEqual([HOP]);
          const me = await new STSClient({
            endpoint: t.s.url,
            region: "eu-west-1",
            credentials: fromChain(spec, { endpoint: t.s.url }),
            maxAttempts: 1,
          }).send(new GetCallerIdentityCommand({}));
          expect(me.Arn).toMatch(row.cli);
        }
      }
    },
  );
});
