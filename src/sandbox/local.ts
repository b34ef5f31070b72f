/**
 * The sandbox's own endpoints, outside AWS's APIs: the OIDC issuer's discovery document and keys
 * (`/.well-known/…`, `/_xacct/oidc/ISSUER/…`), and `/_xacct/…` (workload tokens and credentials).
 *
 * - `GET /.well-known/openid-configuration`, `GET /.well-known/jwks.json`: the sandbox's signing
 *   key, which signs for every cluster issuer of the state.
 * - `GET /_xacct/oidc/ISSUER/.well-known/openid-configuration` and `GET /_xacct/oidc/ISSUER/keys`:
 *   each issuer's document as EKS publishes it (`issuer` is `https://ISSUER`, as tokens carry it;
 *   `jwks_uri` points back at the sandbox), ISSUER being `oidc.eks.REGION.amazonaws.com/id/ID`.
 * - `GET /_xacct/token?workload=NAME` with `Authorization: TOKEN` (the sandbox's own token): a
 *   fresh web identity token (text/plain) for an IRSA workload, as its pod's projected token; or
 *   `?issuer=ISSUER&sub=SUB[&aud=AUD]` for any issuer the state has a provider for (inventories
 *   have no workloads). A token turns into session keys for any role that trusts its subject, so
 *   minting one takes the sandbox's token, as credentials take the workload's.
 * - `GET /_xacct/credentials/NAME` with `Authorization: TOKEN`: the workload's role session in the
 *   ECS container-credentials format, for ECS, Lambda, EC2, MWAA and Pod Identity workloads; the
 *   runtime's service principal assumes the role, decided by the engine.
 *
 * Every one of them answers only a request whose Host is the loopback address (`127.0.0.1` or
 * `localhost`), else 421: a web page that a DNS rebinding points at the sandbox is refused.
 * Errors are JSON `{Code, Message}`, which the SDKs' container-credentials providers read.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isLoopbackHost, MISDIRECTED } from "../credentials/loopback-host.js";
import type { AccountEntry, RoleState } from "../state/account-state.js";
import type { SandboxCore } from "./core.js";
import type { KnownCredential } from "./credentials.js";
import { issueToken, issuerUrl, jwks } from "./oidc.js";
import type { Reply, ServiceRequest } from "./protocol.js";
import { expirationText, issueRoleSession } from "./role-session.js";
import { RUNTIME_SERVICE, sampleServiceAccount, type SandboxWorkload, subjectOf } from "./workloads.js";
import { AwsError } from "./xml.js";

/** True for paths this module answers instead of an AWS service. */
export function isLocalPath(path: string): boolean {
  return path.startsWith("/_xacct/") || path.startsWith("/.well-known/");
}

/** How a workload gets its first identity from the sandbox. */
export interface WorkloadEndpoint {
  name: string;
  /** web-identity: an IRSA token; container: container credentials; user: the IAM user's bootstrap keys. */
  kind: "web-identity" | "container" | "user";
  /** The workload's own role (web-identity, container). */
  roleArn?: string;
  /** The IAM user (user). */
  userArn?: string;
  /** web-identity: the path of its token (`/_xacct/token?workload=NAME`). */
  tokenPath?: string;
  /** container: the path of its credentials (`/_xacct/credentials/NAME`). */
  credentialsPath?: string;
  /** container: the Authorization header value its credentials path requires. A secret. */
  authorizationToken?: string;
}

/** How long a session from the container-credentials endpoint lasts, in seconds. */
const CONTAINER_SESSION_SECONDS = 3600;

function json(status: number, value: unknown): Reply {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}

function refusal(error: AwsError): Reply {
  return json(error.status, { Code: error.code, Message: error.message });
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? "");
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function roleByArn(account: AccountEntry | undefined, arn: string | undefined): RoleState | undefined {
  return account && arn !== undefined ? [...account.roles.values()].find((r) => r.arn === arn) : undefined;
}

/** The endpoints for one sandbox's workloads, and what each workload is told to use. */
export class LocalEndpoints {
  /** One per workload, in the order given. */
  readonly workloads: WorkloadEndpoint[] = [];
  private readonly byName = new Map<string, { workload: SandboxWorkload; endpoint: WorkloadEndpoint }>();

  constructor(
    private readonly core: SandboxCore,
    workloads: readonly SandboxWorkload[],
    /** The sandbox's own token, which `/_xacct/token` requires. A secret. */
    private readonly sandboxToken: string,
  ) {
    for (const workload of workloads) {
      const { start, name } = workload;
      const path = encodeURIComponent(name);
      const endpoint: WorkloadEndpoint | undefined =
        start.type === "irsa" || start.type === "oidc"
          ? {
              name,
              kind: "web-identity",
              ...(start.roleArn ? { roleArn: start.roleArn } : {}),
              tokenPath: `/_xacct/token?workload=${path}`,
            }
          : start.type === "iam-user"
            ? { name, kind: "user", ...(start.userArn ? { userArn: start.userArn } : {}) }
            : RUNTIME_SERVICE[start.type] && start.roleArn
              ? {
                  name,
                  kind: "container",
                  roleArn: start.roleArn,
                  credentialsPath: `/_xacct/credentials/${path}`,
                  authorizationToken: randomBytes(32).toString("base64url"),
                }
              : undefined;
      if (!endpoint) continue;
      this.workloads.push(endpoint);
      this.byName.set(name, { workload, endpoint });
    }
  }

  /** Answers a request for one of the paths `isLocalPath` accepts. */
  async answer(request: ServiceRequest): Promise<Reply> {
    try {
      if (!isLoopbackHost(request.headers.host)) throw new AwsError(MISDIRECTED.status, MISDIRECTED.code, MISDIRECTED.message);
      if (request.method !== "GET") throw new AwsError(405, "MethodNotAllowed", "The sandbox's own endpoints answer GET only");
      return await this.route(request);
    } catch (e) {
      if (e instanceof AwsError) return refusal(e);
      throw e;
    }
  }

  private async route(request: ServiceRequest): Promise<Reply> {
    const path = request.url.pathname;
    const base = `http://${request.headers.host ?? "127.0.0.1"}`;
    if (path === "/.well-known/openid-configuration") return json(200, discovery(base, `${base}/.well-known/jwks.json`));
    if (path === "/.well-known/jwks.json") return json(200, await jwks(this.core));
    const oidc = /^\/_xacct\/oidc\/(.+?)\/(\.well-known\/openid-configuration|keys)$/.exec(path);
    if (oidc && this.knownIssuer(oidc[1] as string)) {
      const issuer = oidc[1] as string;
      return oidc[2] === "keys"
        ? json(200, await jwks(this.core))
        : json(200, discovery(issuerUrl(issuer), `${base}/_xacct/oidc/${issuer}/keys`));
    }
    if (path === "/_xacct/token") {
      if (!sameSecret(request.headers.authorization, this.sandboxToken)) {
        request.core.log.refused({
          requestId: request.requestId,
          time: request.now,
          code: "InvalidAuthorizationToken",
          action: "sts:AssumeRoleWithWebIdentity",
        });
        throw new AwsError(
          401,
          "InvalidAuthorizationToken",
          "The Authorization header is missing or is not the sandbox's token (the file sandbox.auth of its directory, which the export lines name as XACCT_SANDBOX_TOKEN_FILE)",
        );
      }
      return this.token(request.params);
    }
    const credentials = /^\/_xacct\/credentials\/([^/]+)$/.exec(path);
    if (credentials) return this.credentials(request, decodeURIComponent(credentials[1] as string));
    throw new AwsError(404, "NotFound", `The sandbox has no endpoint ${path}`);
  }

  /** An issuer some account of the state has an OIDC provider for. */
  private knownIssuer(issuer: string): boolean {
    for (const account of this.core.state.accounts.values())
      for (const p of account.oidcProviders.values()) if (p.issuer.replace(/^https:\/\//, "") === issuer) return true;
    return false;
  }

  private async token(params: URLSearchParams): Promise<Reply> {
    const name = params.get("workload");
    let request: { issuer: string; sub: string; aud?: string };
    if (name !== null) {
      const known = this.byName.get(name);
      const start = known?.workload.start;
      // IRSA's issuer is its cluster's; another issuer's tokens carry the audience the provider lists.
      const issuer = start?.cluster?.issuer ?? start?.webIdentity?.issuer;
      const sub = start && subjectOf(start);
      if (!issuer || !sub) throw new AwsError(404, "NotFound", `No web identity workload named ${name}: ${this.names("web-identity")}`);
      request = { issuer, sub, ...(start.type === "oidc" && start.webIdentity ? { aud: start.webIdentity.audience } : {}) };
    } else {
      const issuer = params.get("issuer")?.replace(/^https:\/\//, "");
      const sub = params.get("sub");
      if (!issuer || !sub) throw new AwsError(400, "InvalidParameter", "Give ?workload=NAME, or ?issuer=ISSUER&sub=SUBJECT");
      if (!this.knownIssuer(issuer))
        throw new AwsError(404, "NotFound", `No account of the sandbox has an OIDC provider for https://${issuer}`);
      const aud = params.get("aud");
      request = { issuer, sub: sampleServiceAccount(sub), ...(aud ? { aud } : {}) };
    }
    return {
      status: 200,
      headers: { "content-type": "text/plain", "cache-control": "no-store" },
      body: await issueToken(this.core, request),
    };
  }

  private names(kind: WorkloadEndpoint["kind"]): string {
    const names = this.workloads.filter((w) => w.kind === kind).map((w) => w.name);
    return names.length ? `the sandbox has ${names.join(", ")}` : "the sandbox has none";
  }

  /**
   * The workload's role session, as the runtime hands it over: its service principal assumes the
   * role (the trust policy decides, with aws:SourceAccount and aws:SourceArn as the service sends
   * them), and the session goes back in the ECS container-credentials format.
   */
  private credentials(request: ServiceRequest, name: string): Reply {
    const { core, now, requestId } = request;
    const known = this.byName.get(name);
    if (!known || known.endpoint.kind !== "container")
      throw new AwsError(404, "NotFound", `No workload named ${name} gets container credentials: ${this.names("container")}`);
    if (!sameSecret(request.headers.authorization, known.endpoint.authorizationToken as string)) {
      core.log.refused({ requestId, time: now, code: "InvalidAuthorizationToken", action: "sts:AssumeRole" });
      throw new AwsError(401, "InvalidAuthorizationToken", `The Authorization header is missing or is not workload ${name}'s token`);
    }
    const { start, sourceArn } = known.workload;
    const account = core.account(start.account);
    const role = roleByArn(account, start.roleArn);
    if (!account || !role)
      throw new AwsError(404, "NoSuchEntity", `The role ${start.roleArn ?? ""} of workload ${name} is not in the sandbox's state`);
    const service = RUNTIME_SERVICE[start.type] as string;
    const runtime: KnownCredential = { accessKeyId: "", secretAccessKey: "", arn: service, account: account.id, userId: service };
    const context: Record<string, string> = { "aws:SourceAccount": account.id, ...(sourceArn ? { "aws:SourceArn": sourceArn } : {}) };
    core.require(runtime, "sts:AssumeRole", role.arn, { requestId, context, withReason: false });
    const tags = start.type === "pod-identity" ? podIdentityTags(start, sourceArn) : undefined;
    if (tags)
      core.require(runtime, "sts:TagSession", role.arn, { requestId, context: { ...context, ...requestTags(tags) }, withReason: false });
    const session = issueRoleSession(core, {
      account,
      role,
      sessionName: sessionNameOf(start.type, name),
      seconds: CONTAINER_SESSION_SECONDS,
      now,
      ...(tags ? { session: { tags } } : {}),
    });
    return json(200, {
      RoleArn: role.arn,
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      Token: session.sessionToken,
      Expiration: expirationText(session.expiresAt),
    });
  }
}

/** An OIDC discovery document of the shape EKS publishes for a cluster's issuer. */
function discovery(issuer: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: jwksUri,
    authorization_endpoint: "urn:kubernetes:programmatic_authorization",
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    claims_supported: ["sub", "iss"],
    id_token_signing_alg_values_supported: ["RS256"],
  };
}

/** The session tags EKS Pod Identity puts on the sessions it starts (EKS user guide, "Pod Identity session tags"). */
function podIdentityTags(start: SandboxWorkload["start"], clusterArn: string | undefined): Map<string, string> | undefined {
  const cluster = start.cluster;
  if (!cluster) return undefined;
  return new Map([
    ...(clusterArn ? [["eks-cluster-arn", clusterArn] as const] : []),
    ["eks-cluster-name", cluster.name],
    ["kubernetes-namespace", cluster.namespace],
    ["kubernetes-service-account", sampleServiceAccount(cluster.serviceAccount)],
  ]);
}

function requestTags(tags: ReadonlyMap<string, string>): Record<string, string | string[]> {
  return { ...Object.fromEntries([...tags].map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": [...tags.keys()] };
}

/** The session name each runtime gives: Lambda the function's name, ECS the task's ID, EC2 the instance's ID. */
function sessionNameOf(type: SandboxWorkload["start"]["type"], workload: string): string {
  const safe = workload.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  switch (type) {
    case "lambda":
      return safe;
    case "ecs-task":
      return randomBytes(16).toString("hex");
    case "ec2-instance":
    case "eks-node":
      return `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
    default:
      return `xacct-${safe}`.slice(0, 64);
  }
}
