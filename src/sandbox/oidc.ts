/**
 * The sandbox's OIDC issuer for workloads: it signs web identity tokens for the clusters of the
 * state, and AssumeRoleWithWebIdentity verifies them here (signature, expiry, audience).
 *
 * One RS256 key pair per sandbox, made on first use and kept with its core, signs for every
 * cluster's issuer: the sandbox stands in for each cluster's OIDC issuer at once.
 */
import { calculateJwkThumbprint, type CryptoKey, decodeJwt, errors, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from "jose";
import type { SandboxCore } from "./core.js";
import { AwsError } from "./xml.js";

/** A web identity token the sandbox verified. */
export interface VerifiedToken {
  /** The issuer without its scheme, as provider ARNs and condition keys name it (`oidc.eks.REGION.amazonaws.com/id/ID`). */
  issuer: string;
  /** `arn:aws:iam::ACCOUNT:oidc-provider/ISSUER` in the role's account. */
  providerArn: string;
  sub: string;
  aud: string;
  /** Every claim of the token. */
  claims: Record<string, unknown>;
}

/** What a token is issued for. */
export interface TokenRequest {
  /** The cluster's issuer, with or without `https://` (`oidc.eks.REGION.amazonaws.com/id/ID`). */
  issuer: string;
  /** `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT` for a Kubernetes service account. */
  sub: string;
  /** @default "sts.amazonaws.com", the audience EKS projects for IRSA */
  aud?: string;
  /**
   * Seconds the token is valid from the sandbox's clock. EKS's projected IRSA token asks for
   * 86400 s and the kubelet renews it; the sandbox issues shorter tokens so that expiry shows up
   * while trying things, and the token endpoint hands out a fresh one on every call.
   * @default 3600
   */
  expiresInSeconds?: number;
}

/** EKS's audience for IRSA tokens, and the client ID its OIDC providers list. */
export const EKS_AUDIENCE = "sts.amazonaws.com";
const ALGORITHM = "RS256";
const DEFAULT_EXPIRY_SECONDS = 3600;

interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as a JWK, with its kid (RFC 7638 thumbprint), alg and use. */
  jwk: JWK;
}

const keys = new WeakMap<SandboxCore, Promise<SigningKey>>();

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM);
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk: { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALGORITHM, use: "sig" } };
}

/** The sandbox's signing key, made once per core. */
function signingKey(core: SandboxCore): Promise<SigningKey> {
  let key = keys.get(core);
  if (!key) keys.set(core, (key = newSigningKey()));
  return key;
}

/** The JSON Web Key Set a client verifies the sandbox's tokens with (public key only). */
export async function jwks(core: SandboxCore): Promise<{ keys: JWK[] }> {
  return { keys: [(await signingKey(core)).jwk] };
}

/** `https://` and the issuer, as the `iss` claim holds it. */
export function issuerUrl(issuer: string): string {
  return issuer.startsWith("https://") ? issuer : `https://${issuer}`;
}

/** The parts of a service account's subject, when `sub` is one. */
function serviceAccountOf(sub: string): { namespace: string; name: string } | undefined {
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(sub);
  return match ? { namespace: match[1] as string, name: match[2] as string } : undefined;
}

/**
 * A signed JWT for `sub` from the cluster's issuer, with the claims EKS projects into a pod for
 * IRSA: iss, sub, aud (a list, as Kubernetes writes it), iat, nbf, exp and `kubernetes.io`
 * (namespace and service account). Times come from the sandbox's clock.
 */
export async function issueToken(core: SandboxCore, request: TokenRequest): Promise<string> {
  const key = await signingKey(core);
  const now = Math.floor(core.clock() / 1000);
  const account = serviceAccountOf(request.sub);
  const claims = account ? { "kubernetes.io": { namespace: account.namespace, serviceaccount: { name: account.name } } } : {};
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: key.jwk.kid as string })
    .setIssuer(issuerUrl(request.issuer))
    .setSubject(request.sub)
    .setAudience([request.aud ?? EKS_AUDIENCE])
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (request.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS))
    .sign(key.privateKey);
}

/** STS's description of InvalidIdentityTokenException, for tokens that are not the issuer's. */
const NOT_VALIDATED =
  "The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.";

function invalid(message: string): AwsError {
  return new AwsError(400, "InvalidIdentityToken", message);
}

/**
 * Verifies a token for a role of `roleAccount`, throwing AWS's errors: InvalidIdentityToken for a
 * bad signature, unknown issuer or provider, or audience the provider does not list;
 * ExpiredTokenException past its `exp`. The order is STS's: find the provider for the token's
 * issuer in the role's account, check the signature with the issuer's key, then the token's
 * validity window, then its audience against the provider's client IDs. The trust policy's
 * conditions come after, in AssumeRoleWithWebIdentity. No message ever quotes the token.
 */
export async function verifyWebIdentityToken(core: SandboxCore, token: string, roleAccount: string): Promise<VerifiedToken> {
  let unverified: Record<string, unknown>;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw invalid(NOT_VALIDATED);
  }
  const iss = unverified.iss;
  if (typeof iss !== "string" || !iss.startsWith("https://")) throw invalid(NOT_VALIDATED);
  const issuer = iss.slice("https://".length).replace(/\/$/, "");
  const account = core.account(roleAccount);
  const provider =
    account && [...account.oidcProviders.values()].find((p) => p.issuer.replace(/^https:\/\//, "").replace(/\/$/, "") === issuer);
  // AWS's words (IAM user guide, troubleshooting IRSA): the role's account has no provider for the issuer.
  if (!provider) throw invalid(`No OpenIDConnect provider found in your account for ${iss}`);

  let claims: Record<string, unknown>;
  try {
    const now = new Date(core.clock());
    ({ payload: claims } = await jwtVerify(token, (await signingKey(core)).publicKey, {
      algorithms: [ALGORITHM],
      currentDate: now,
      requiredClaims: ["exp", "sub"],
    }));
  } catch (e) {
    if (e instanceof errors.JWTExpired) {
      // STS states both times in epoch seconds.
      throw new AwsError(
        400,
        "ExpiredTokenException",
        `Token expired: current date/time ${Math.floor(core.clock() / 1000)} must be before the expiration date/time ${String(e.payload.exp)}`,
      );
    }
    throw invalid(NOT_VALIDATED);
  }
  const audiences =
    typeof claims.aud === "string"
      ? [claims.aud]
      : Array.isArray(claims.aud)
        ? claims.aud.filter((a): a is string => typeof a === "string")
        : [];
  const aud = audiences.find((a) => provider.clientIds.includes(a));
  if (aud === undefined) throw invalid("Incorrect token audience");
  return { issuer, providerArn: provider.arn, sub: String(claims.sub), aud, claims };
}
