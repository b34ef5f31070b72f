/**
 * Verifies a request's SigV4 signature (Authorization header form): finds the key among the
 * credentials the sandbox knows, checks the session's token and expiry and AWS's 5-minute clock
 * skew, then recomputes the signature over the received request with @smithy/signature-v4 and the
 * stored secret, and compares.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CredentialStore, KnownCredential } from "./credentials.js";
import { AwsError } from "./xml.js";

/** What the signature check needs of a received request. */
export interface ReceivedRequest {
  method: string;
  /** Host header value (`127.0.0.1:PORT`). */
  host: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased header names, values as received (repeated headers joined with ","). */
  headers: Record<string, string>;
  body: Buffer;
}

/** AWS accepts a request time up to 5 minutes from its own clock. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

export const MESSAGES = {
  invalidToken: "The security token included in the request is invalid.",
  mismatch: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  expired: "The security token included in the request is expired",
  missing: "Request is missing Authentication Token",
};

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** `20231120T001000Z`, as AWS writes times in its skew message. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * The caller the request's signature proves, or the AwsError AWS would answer with.
 * `now` is epoch milliseconds.
 */
export async function authenticate(request: ReceivedRequest, store: CredentialStore, service: string, now: number): Promise<KnownCredential> {
  const header = request.headers.authorization;
  if (header === undefined) throw new AwsError(403, "MissingAuthenticationToken", MESSAGES.missing);
  const m = AUTH.exec(header.trim());
  if (!m) throw new AwsError(400, "IncompleteSignature", `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of the AWS4-HMAC-SHA256 form. Authorization=${header.split(" ")[0] ?? ""}`);
  const [, accessKeyId, day, region, scopeService, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const credential = store.get(accessKeyId);
  if (!credential) throw new AwsError(403, "InvalidClientTokenId", MESSAGES.invalidToken);
  if (credential.sessionToken !== undefined && request.headers["x-amz-security-token"] !== credential.sessionToken) throw new AwsError(403, "InvalidClientTokenId", MESSAGES.invalidToken);
  if (scopeService !== service) throw new AwsError(403, "SignatureDoesNotMatch", `Credential should be scoped to correct service: '${service}'. `);
  const signedAt = parseAmzDate(request.headers["x-amz-date"]);
  if (!signedAt) throw new AwsError(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (amzDate(signedAt.getTime()).slice(0, 8) !== day) throw new AwsError(403, "SignatureDoesNotMatch", `Credential should be scoped to a valid date, not '${day}'. `);
  if (Math.abs(signedAt.getTime() - now) > CLOCK_SKEW_MS) {
    const earlier = signedAt.getTime() < now;
    const bound = earlier ? `${amzDate(now)} - 5 min.` : `${amzDate(now)} + 5 min.`;
    throw new AwsError(403, "SignatureDoesNotMatch", `Signature ${earlier ? "expired" : "not yet current"}: ${amzDate(signedAt.getTime())} is now ${earlier ? "earlier" : "later"} than ${amzDate(earlier ? now - CLOCK_SKEW_MS : now + CLOCK_SKEW_MS)} (${bound})`);
  }
  // The signer takes x-amz-content-sha256 as the payload's hash when present: it must be the body's.
  const claimed = request.headers["x-amz-content-sha256"];
  if (claimed !== undefined && claimed !== "UNSIGNED-PAYLOAD" && claimed !== createHash("sha256").update(request.body).digest("hex")) throw new AwsError(403, "SignatureDoesNotMatch", MESSAGES.mismatch);

  const signed = new Set(signedHeaderList.split(";"));
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = name === "host" ? request.host : request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    service,
    region,
    sha256: Sha256,
    applyChecksum: false,
    credentials: { accessKeyId, secretAccessKey: credential.secretAccessKey, ...(credential.sessionToken !== undefined ? { sessionToken: credential.sessionToken } : {}) },
  });
  const [hostname, port] = request.host.split(":");
  const resigned = await signer.sign(
    { method: request.method, protocol: "http:", hostname: hostname ?? "", ...(port ? { port: Number(port) } : {}), path: request.path, query: request.query, headers, body: request.body },
    { signingDate: signedAt, signableHeaders: signed },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization))?.[1] ?? "";
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) throw new AwsError(403, "SignatureDoesNotMatch", MESSAGES.mismatch);
  // Expiry is checked once the caller has proved it holds the secret, as AWS does.
  if (credential.expiresAt !== undefined && credential.expiresAt <= now) throw new AwsError(403, "ExpiredToken", MESSAGES.expired);
  return credential;
}
