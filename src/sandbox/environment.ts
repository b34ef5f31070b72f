/**
 * What `xacct sandbox` gives its user: a running sandbox and, in one directory, the files that
 * point the AWS SDKs and CLI at it, and the export lines to use them.
 *
 * - `config`: an AWS config file with every chain of the model (the aws-config emitter's profiles),
 *   each chain's first identity reading from the sandbox: IRSA workloads a token file of `tokens/`,
 *   ECS / Lambda / EC2 / MWAA / Pod Identity workloads the container-credentials endpoint
 *   (`credential_source = EcsContainer`), IAM users and external accounts' roots their bootstrap
 *   keys (`source_profile`). A chain that assumes no role has no profile, as in the build's files:
 *   its workload's printed variables make the default credential chain act as it.
 * - `credentials` (0600): every bootstrap key, one profile per IAM user (`ACCOUNT-USER`) and per
 *   account root (`ACCOUNT-root`), ACCOUNT being the account's model name, else its ID.
 * - `sandbox.auth` (0600): the sandbox's own token, which `/_xacct/token` requires as its
 *   Authorization header and `xacct sandbox token` reads through XACCT_SANDBOX_TOKEN_FILE.
 * - `tokens/NAME.jwt` (0600): each IRSA workload's web identity token, rewritten at 80% of its
 *   life as the kubelet does; `tokens/NAME.auth` (0600): each container workload's Authorization
 *   token, read through AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE as EKS Pod Identity does.
 * - `botocore/`: endpoint rule sets that send botocore clients older than AWS_ENDPOINT_URL (Debian
 *   12's AWS CLI 2.9 and boto3 1.26) to the sandbox through AWS_DATA_PATH (botocore-endpoints.ts).
 *
 * Secrets go into those 0600 files only; the export lines and the log name files and ARNs. Every
 * file is written anew and renamed into place (private-files.ts), and a `--dir` is used only when
 * it is this user's and others cannot write to it, so no one else can plant a link there that the
 * root keys would be written through.
 */
import { shortHash } from "../text/hash.js";
import { parseIamArn, rootArn } from "../aws/arn.js";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Compiled } from "../compile/compile.js";
import type { Chain, StartIdentity } from "../compile/plan.js";
import { PrivateFileError, privateDir, privateDirProblem, privateFileProblem, replacePrivateFile } from "../fs/private-files.js";
import { configProfiles, type Profile, profileText, type SourceOverride } from "../emit/aws-config.js";
import { claimDir, makeDirs, type Owner, removeOwnedFiles, writeMarker } from "../fs/owned-dir.js";
import { lstatOf } from "../fs/stat.js";
import { commentLine, iniSection, iniSetting, shellWord } from "../text/escape.js";
import { olderClientsTokenLine } from "../credentials/token-variable.js";
import { sessionNameFor } from "../model/names.js";
import type { AccountState } from "../state/account-state.js";
import { BOTOCORE_DATA_DIR, writeBotocoreEndpoints } from "./botocore-endpoints.js";
import type { WorkloadEndpoint } from "./local.js";
import { issueToken } from "./oidc.js";
import type { SandboxFaults } from "./faults.js";
import { type Sandbox, startSandbox } from "./server.js";
import { type SandboxWorkload, subjectOf, workloadsOf } from "./workloads.js";

/** The file that marks a directory as a sandbox environment, which a later run may overwrite. */
export const MARKER = ".xacct-sandbox";
/** The directory `--dir` names: xacct owns the files its marker lists (see fs/owned-dir). */
const SANDBOX_DIR: Owner = { marker: MARKER, command: "xacct sandbox", option: "--dir" };
const CONFIG_FILE = "config";
const CREDENTIALS_FILE = "credentials";
/** The sandbox's own token (Authorization for `/_xacct/token`), which `xacct sandbox token` reads. */
export const SANDBOX_TOKEN_FILE = "sandbox.auth";
/** The variable that names the sandbox's token file for `xacct sandbox token`. */
export const SANDBOX_TOKEN_VARIABLE = "XACCT_SANDBOX_TOKEN_FILE";
const TOKENS_DIR = "tokens";
/** Seconds an IRSA token file lasts: EKS projects the token with expirationSeconds 86400. */
export const TOKEN_FILE_SECONDS = 86400;
const SECRET_MODE = 0o600;

export interface EnvironmentOptions {
  /** The compiled model; absent for an inventory, which has no workloads or chains. */
  compiled?: Compiled;
  /** The state to serve (the compiled model's, or an inventory's). */
  state: AccountState;
  /** @default 0 */
  port?: number;
  /**
   * Where the files go. A directory that exists must be empty or hold an earlier sandbox's
   * environment (its marker file); anything else is refused, never overwritten.
   * @default a new directory under the OS's temporary directory, removed on close
   */
  dir?: string;
  /** The management account of each organization whose state names none (SandboxOptions.managementAccounts). */
  managementAccounts?: readonly string[];
  /** Faults to inject (SandboxOptions.faults). */
  faults?: SandboxFaults;
}

/** One workload's first identity, with the files and variables that use it. */
export interface WorkloadEnvironment extends WorkloadEndpoint {
  /** The profiles of its chains in `config`. */
  profiles: string[];
  /** Variables that make the default credential chain act as the workload (no profile needed). */
  variables: Record<string, string>;
  /** Why the sandbox cannot serve it, when it cannot. */
  note?: string;
}

export interface SandboxEnvironment {
  sandbox: Sandbox;
  dir: string;
  /** `token`: the sandbox's own token (a secret, 0600), for `/_xacct/token`; `botocore`: the directory AWS_DATA_PATH names. */
  files: { config: string; credentials: string; token: string; botocore: string };
  workloads: WorkloadEnvironment[];
  /** Stops the sandbox and the token refresh; removes the directory when it made it. */
  close(): Promise<void>;
}

/** A `dir` the sandbox may not write into; the message names it and says what to do. */
export class SandboxDirError extends Error {}

/** The files an environment writes in its directory, besides `tokens/`; none holds a secret but the credentials and the sandbox's token. */
const FILES = [MARKER, CONFIG_FILE, CREDENTIALS_FILE, SANDBOX_TOKEN_FILE];

/**
 * The directory the user named: created (0700) when new; else it must be this user's, not writable
 * by group or others, and empty or an earlier environment whose files are what a sandbox writes
 * (regular files of this user, `tokens/` a private directory), never a link or FIFO someone placed.
 */
function prepareDir(dir: string | undefined): { dir: string; made: boolean } {
  // made: this run created the directory (removed again if starting fails).
  if (dir === undefined) return { dir: mkdtempSync(join(tmpdir(), "xacct-sandbox-")), made: true };
  const refuse = (problem: string) =>
    new SandboxDirError(`${problem}: give a new directory, or an empty one of your own that others cannot write to`);
  const claim = claimDir(dir, SANDBOX_DIR);
  if (!claim.exists) {
    makeDirs(claim.root, 0o700);
    return { dir: claim.root, made: true };
  }
  try {
    privateDir(claim.root);
    for (const name of readdirSync(claim.root)) {
      const at = join(claim.root, name);
      const problem = FILES.includes(name)
        ? privateFileProblem(lstatOf(at), { secret: false })
        : name === TOKENS_DIR || name === BOTOCORE_DATA_DIR
          ? privateDirProblem(lstatOf(at))
          : undefined;
      if (problem) throw refuse(`${at} is ${problem}, not what an earlier sandbox wrote`);
    }
  } catch (e) {
    if (e instanceof PrivateFileError) throw refuse(e.message);
    throw e;
  }
  removeOwnedFiles(claim.root, claim.previous);
  return { dir: claim.root, made: false };
}

/** A file of the environment (0600, secret or not), written anew: never through what was at its path. */
function writeAnew(path: string, content: string): void {
  replacePrivateFile(path, content, SECRET_MODE);
}

/**
 * A workload's file name in tokens/ (without extension): its name where that is a short, plain file
 * name; else a plain prefix of it and a hash of the whole name, so that no name is too long for the
 * file system and no two workloads share a token file.
 */
function fileBase(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9._@-]+/g, "-").replace(/^\.+/, "");
  return plain === name && name.length <= TOKEN_NAME_MAX ? name : `${plain.slice(0, TOKEN_NAME_MAX)}-${shortHash(name)}`;
}
const TOKEN_NAME_MAX = 64;

function accountLabel(state: AccountState, id: string): string {
  return state.accounts.get(id)?.name ?? id;
}

/** The credentials file's profile for a bootstrap key: `ACCOUNT-USER` or `ACCOUNT-root`. */
function keyProfile(state: AccountState, userArn: string): string {
  const key = parseIamArn(userArn);
  return key?.kind === "user" || key?.kind === "root" ? `${accountLabel(state, key.account)}-${key.name || "root"}` : userArn;
}

/** The bootstrap key an iam-user or root-level external start signs with. */
function startKeyArn(start: StartIdentity, state: AccountState): string | undefined {
  if (start.type === "iam-user") return start.userArn;
  if (start.type === "external" && start.roleArn === undefined)
    return rootArn(state.accounts.get(start.account)?.partition ?? "aws", start.account);
  return undefined;
}

/** Starts the sandbox and writes its environment. */
export async function startEnvironment(options: EnvironmentOptions): Promise<SandboxEnvironment> {
  const { state, compiled } = options;
  const workloads = compiled ? workloadsOf(compiled) : [];
  const { dir, made } = prepareDir(options.dir);
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({
      state,
      port: options.port ?? 0,
      host: "127.0.0.1",
      workloads,
      ...(options.managementAccounts ? { managementAccounts: options.managementAccounts } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
    });
    const running = sandbox;
    const written = await writeEnvironment(running, dir, workloads, compiled?.chains ?? []);
    // The kubelet rewrites a projected token at 80% of its life; so does the sandbox.
    const refresh = setInterval(() => void writeTokens(running, written.tokens).catch(() => undefined), TOKEN_FILE_SECONDS * 800);
    refresh.unref();
    return {
      sandbox,
      dir,
      files: written.files,
      workloads: written.workloads,
      close: async () => {
        clearInterval(refresh);
        await running.close();
        if (made && options.dir === undefined) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await sandbox?.close();
    if (made) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

interface TokenFile {
  path: string;
  issuer: string;
  /** The token's audience, where not EKS's sts.amazonaws.com. */
  aud?: string;
  sub: string;
}

async function writeTokens(sandbox: Sandbox, tokens: readonly TokenFile[]): Promise<void> {
  for (const t of tokens)
    writeAnew(
      t.path,
      await issueToken(sandbox.core, {
        issuer: t.issuer,
        sub: t.sub,
        ...(t.aud ? { aud: t.aud } : {}),
        expiresInSeconds: TOKEN_FILE_SECONDS,
      }),
    );
}

async function writeEnvironment(sandbox: Sandbox, dir: string, workloads: readonly SandboxWorkload[], chains: readonly Chain[]) {
  const state = sandbox.core.state;
  const config = join(dir, CONFIG_FILE);
  const credentials = join(dir, CREDENTIALS_FILE);
  const token = join(dir, SANDBOX_TOKEN_FILE);
  const tokensDir = join(dir, TOKENS_DIR);
  mkdirSync(tokensDir, { recursive: true, mode: 0o700 });
  writeAnew(token, sandbox.token);
  const botocore = join(dir, BOTOCORE_DATA_DIR);
  let endpointFiles: string[];
  try {
    endpointFiles = writeBotocoreEndpoints(botocore, sandbox.url, writeAnew);
  } catch (e) {
    if (e instanceof PrivateFileError)
      throw new SandboxDirError(`${e.message}, where the sandbox writes botocore's endpoint rules: move it away, or give a new directory`);
    throw e;
  }

  const byStart = new Map(workloads.map((w) => [w.start, w] as const));
  const endpoints = new Map(sandbox.workloads.map((e) => [e.name, e] as const));
  const tokens: TokenFile[] = [];
  const out: WorkloadEnvironment[] = [];
  for (const workload of workloads) {
    const endpoint = endpoints.get(workload.name);
    const file = join(tokensDir, fileBase(workload.name));
    const region = workload.start.cluster?.region ?? state.accounts.get(workload.start.account)?.region ?? "us-east-1";
    const keyArn = startKeyArn(workload.start, state);
    if (endpoint?.kind === "web-identity" && endpoint.roleArn) {
      // IRSA's issuer is its cluster's (audience sts.amazonaws.com); another issuer's tokens carry the model's audience.
      const web = workload.start.webIdentity;
      const issuer = workload.start.cluster?.issuer ?? web?.issuer ?? "";
      const aud = workload.start.type === "oidc" ? web?.audience : undefined;
      tokens.push({ path: `${file}.jwt`, issuer, sub: subjectOf(workload.start) as string, ...(aud ? { aud } : {}) });
      out.push({
        ...endpoint,
        profiles: [],
        variables: {
          AWS_WEB_IDENTITY_TOKEN_FILE: `${file}.jwt`,
          AWS_ROLE_ARN: endpoint.roleArn,
          AWS_ROLE_SESSION_NAME: sessionNameFor(workload.name),
          AWS_REGION: region,
        },
      });
    } else if (endpoint?.kind === "container") {
      writeAnew(`${file}.auth`, endpoint.authorizationToken as string);
      out.push({
        ...endpoint,
        profiles: [],
        variables: {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${sandbox.url}${endpoint.credentialsPath as string}`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: `${file}.auth`,
          AWS_REGION: region,
        },
      });
    } else if (keyArn) {
      // STS refuses AssumeRole to a root user: an external account's chains need one of its users or roles.
      const rootHops = workload.start.type === "external" && chains.some((c) => c.start === workload.start && c.hops.length > 0);
      out.push({
        name: workload.name,
        kind: "user",
        userArn: keyArn,
        profiles: [],
        variables: { AWS_PROFILE: keyProfile(state, keyArn), AWS_REGION: region },
        ...(rootHops ? { note: "AWS refuses AssumeRole from a root user: its role chains need a user or role of that account" } : {}),
      });
    } else {
      out.push({
        name: workload.name,
        kind: "user",
        profiles: [],
        variables: {},
        note: `its first identity (${workload.start.type}${workload.start.roleArn ? ` ${workload.start.roleArn}` : ""}) is outside the sandbox's state: sign with your own keys for it`,
      });
    }
  }
  await writeTokens(sandbox, tokens);

  // Each chain's first identity reads from the sandbox (IRSA: the token file; others: see below).
  const local = chains.map((c) => {
    const w = byStart.get(c.start);
    return c.start.webIdentityTokenFile !== undefined && w
      ? { ...c, start: { ...c.start, webIdentityTokenFile: join(tokensDir, `${fileBase(w.name)}.jwt`) } }
      : c;
  });
  // A chain that assumes no role has no profile (see hasProfile): its workload's variables run it.
  const profiles = sandboxProfiles(
    local,
    (c) => byStart.get(c.start)?.name ?? c.workload,
    (chain) => {
      const keyArn = startKeyArn(chain.start, state);
      if (keyArn) return [["source_profile", keyProfile(state, keyArn)]];
      const endpoint = endpoints.get(byStart.get(chain.start)?.name ?? "");
      return endpoint?.kind === "container" ? [["credential_source", "EcsContainer"]] : undefined;
    },
  );
  writeAnew(
    config,
    `${commentLine(`xacct sandbox: every chain of the model; first identities come from ${sandbox.url}`)}\n\n${[...profiles.values()].flat().map(profileText).join("\n\n")}\n`,
  );
  for (const w of out) w.profiles = (profiles.get(w.name) ?? []).map((p) => p.name);

  const sections = sandbox.bootstrap.map((b) => ({
    name: keyProfile(state, b.userArn),
    accessKeyId: b.accessKeyId,
    secretAccessKey: b.secretAccessKey,
  }));
  writeAnew(
    credentials,
    `${sections.map((s) => `${iniSection(s.name)}\n${iniSetting("aws_access_key_id", s.accessKeyId)}\n${iniSetting("aws_secret_access_key", s.secretAccessKey)}\n`).join("\n")}`,
  );
  const written = [
    config,
    credentials,
    token,
    ...endpointFiles,
    ...tokens.map((t) => t.path),
    ...out.flatMap((w) =>
      w.kind === "container" && w.variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
        ? [w.variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE]
        : [],
    ),
  ];
  writeMarker(dir, SANDBOX_DIR, [...new Set(written.map((f) => relative(dir, f)))]);
  return { files: { config, credentials, token, botocore }, workloads: out, tokens };
}

/**
 * Every chain's profiles, per workload (the aws-config emitter's, which are per workload). A name
 * two workloads both use (`default`, say) becomes `WORKLOAD.NAME` in each, its `source_profile`
 * references with it, so that one file holds every chain.
 */
function sandboxProfiles(chains: readonly Chain[], workloadOf: (chain: Chain) => string, sourceOf: SourceOverride): Map<string, Profile[]> {
  const groups = new Map<string, Chain[]>();
  for (const chain of chains) groups.set(workloadOf(chain), [...(groups.get(workloadOf(chain)) ?? []), chain]);
  const perWorkload = new Map([...groups].map(([name, list]) => [name, configProfiles(list, sourceOf)] as const));
  const users = new Map<string, number>();
  for (const list of perWorkload.values()) for (const p of list) users.set(p.name, (users.get(p.name) ?? 0) + 1);
  for (const [workload, list] of perWorkload) {
    const rename = (name: string) => ((users.get(name) ?? 0) > 1 ? `${workload}.${name}` : name);
    perWorkload.set(
      workload,
      list.map((p) => ({
        ...p,
        name: rename(p.name),
        settings: p.settings.map(
          ([k, v]) =>
            [
              k,
              (k === "source_profile" || k === "sso_session") && typeof v === "string" && list.some((q) => q.name === v) ? rename(v) : v,
            ] as [string, string | number],
        ),
      })),
    );
  }
  return perWorkload;
}

/** Shell lines for the user (no secret in them): the endpoint, the files, and each workload's variables as comments. */
export function exportLines(env: SandboxEnvironment): string[] {
  const { sandbox, files, dir } = env;
  const lines = [
    commentLine(`xacct sandbox listening on ${sandbox.url}; its files are in ${dir}`),
    `export AWS_ENDPOINT_URL=${shellWord(sandbox.url)}`,
    commentLine(
      `AWS CLI 2.9 and boto3 1.26 ignore AWS_ENDPOINT_URL: AWS_DATA_PATH gives them endpoint rules for the sandbox, for each service named in ${files.botocore}`,
    ),
    `export AWS_DATA_PATH=${shellWord(files.botocore)}`,
    `export AWS_CONFIG_FILE=${shellWord(files.config)}`,
    `export AWS_SHARED_CREDENTIALS_FILE=${shellWord(files.credentials)}`,
    `export ${SANDBOX_TOKEN_VARIABLE}=${shellWord(files.token)}`,
    commentLine(
      `${sandbox.bootstrap.length} bootstrap keys (each IAM user, each account root) are profiles ACCOUNT-USER / ACCOUNT-root in ${files.credentials}`,
    ),
  ];
  if (env.workloads.length === 0)
    lines.push(
      commentLine(
        `no workloads (an inventory has none): web identity tokens from ${sandbox.url}/_xacct/token?issuer=ISSUER&sub=SUBJECT, Authorization: the content of $${SANDBOX_TOKEN_VARIABLE}`,
      ),
    );
  for (const w of env.workloads) {
    const what =
      w.kind === "web-identity"
        ? `IRSA, role ${w.roleArn ?? ""}`
        : w.kind === "container"
          ? `container credentials, role ${w.roleArn ?? ""}`
          : w.userArn
            ? `keys of ${w.userArn}`
            : "not served";
    lines.push(commentLine(`workload ${w.name} (${what})${w.profiles.length ? `; profiles: ${w.profiles.join(", ")}` : ""}`));
    if (w.note) lines.push(commentLine(`  ${w.note}`));
    const vars = Object.entries(w.variables);
    // A comment the user uncomments to act as the workload: each value one shell word.
    if (vars.length) lines.push(commentLine(`  export ${vars.map(([k, v]) => `${k}=${shellWord(v)}`).join(" ")}`));
    const tokenFile = w.variables.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
    if (tokenFile !== undefined) lines.push(olderClientsTokenLine(tokenFile, "  "));
  }
  return lines;
}
