/**
 * The sandbox's OIDC issuer for workloads: it signs web identity tokens for the clusters of the
 * state, and AssumeRoleWithWebIdentity verifies them here (signature, expiry, audience).
 */
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

/**
 * Verifies a token for a role of `roleAccount`, throwing AWS's errors: InvalidIdentityToken for a
 * bad signature, unknown issuer or provider, or audience the provider does not list;
 * ExpiredTokenException past its `exp`.
 */
export async function verifyWebIdentityToken(_core: SandboxCore, _token: string, _roleAccount: string): Promise<VerifiedToken> {
  throw new AwsError(400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for this token");
}
