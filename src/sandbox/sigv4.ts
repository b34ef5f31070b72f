/**
 * Verifies a request's SigV4 signature (Authorization header or presigned query string): finds the key among the
 * credentials the sandbox knows, checks the session's token and expiry and AWS's 5-minute clock
 * skew, then recomputes the signature over the received request with @smithy/signature-v4 and the
 * stored secret, and compares.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CredentialStore, KnownCredential } from "./credentials.js";
import { AwsError } from "./xml.js";

/** SHA-256 and HMAC by node:crypto, as the SDK signs in Node (the signer takes a hash constructor). */
const SHA256 = Hash.bind(null, "sha256");

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

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

export const MESSAGES = {
  invalidToken: "The security token included in the request is invalid.",
  mismatch:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  expired: "The security token included in the request is expired",
  missing: "Request is missing Authentication Token",
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  hostNotSignedS3: "There were headers present in the request which were not signed",
};

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** `20231120T001000Z`, as AWS writes times in its skew message. */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** What a request's signature claims, read from its Authorization header or its query string. */
interface Claim {
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
  signedHeaders: Set<string>;
  signature: string;
  signedAt: Date | undefined;
  /** Presigned (query-string) requests: seconds the URL stays valid. */
  expiresIn?: number;
  /** Presigned requests carry the session token in the query. */
  sessionToken: string | undefined;
}

const SCOPE = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;
/** Query parameters a presigned URL adds, which the signer adds again when it recomputes. */
const PRESIGN_PARAMS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
];

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function claimOf(request: ReceivedRequest): Claim | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = AUTH.exec(header.trim());
    if (!m)
      throw new AwsError(
        400,
        "IncompleteSignature",
        `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of the AWS4-HMAC-SHA256 form. Authorization=${header.split(" ")[0] ?? ""}`,
      );
    const [, accessKeyId, day, region, service, signedHeaderList, signature] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      accessKeyId,
      day,
      region,
      service,
      signedHeaders: new Set(signedHeaderList.split(";")),
      signature,
      signedAt: parseAmzDate(request.headers["x-amz-date"]),
      sessionToken: request.headers["x-amz-security-token"],
    };
  }
  const q = request.query;
  if (one(q["X-Amz-Algorithm"]) === undefined && one(q["X-Amz-Signature"]) === undefined) return undefined;
  const scope = SCOPE.exec(one(q["X-Amz-Credential"]) ?? "");
  const signature = one(q["X-Amz-Signature"]) ?? "";
  const expires = one(q["X-Amz-Expires"]) ?? "";
  if (
    one(q["X-Amz-Algorithm"]) !== "AWS4-HMAC-SHA256" ||
    !scope ||
    !/^[0-9a-f]{64}$/.test(signature) ||
    !/^\d{1,6}$/.test(expires) ||
    !/^[a-z0-9;_.-]+$/.test(one(q["X-Amz-SignedHeaders"]) ?? "")
  )
    throw new AwsError(
      400,
      "AuthorizationQueryParametersError",
      "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature must all be present and well formed in a presigned request.",
    );
  const [, accessKeyId, day, region, service] = scope as unknown as [string, string, string, string, string];
  return {
    accessKeyId,
    day,
    region,
    service,
    signedHeaders: new Set((one(q["X-Amz-SignedHeaders"]) as string).split(";")),
    signature,
    signedAt: parseAmzDate(one(q["X-Amz-Date"])),
    expiresIn: Number(expires),
    sessionToken: one(q["X-Amz-Security-Token"]),
  };
}

/** The service a request is signed for (its credential scope's), before anything is verified. */
export function signedService(request: ReceivedRequest): string | undefined {
  try {
    return claimOf(request)?.service;
  } catch {
    return undefined;
  }
}

/** The region a request is signed for (its credential scope's), before anything is verified. */
export function signedRegion(request: ReceivedRequest): string | undefined {
  try {
    return claimOf(request)?.region;
  } catch {
    return undefined;
  }
}

/** A proven caller and the scope it signed for. */
export interface Authenticated {
  caller: KnownCredential;
  service: string;
  region: string;
}

/**
 * The caller the request's signature proves (Authorization header or presigned query string),
 * or the AwsError AWS would answer with. `now` is epoch milliseconds.
 */
export async function authenticate(request: ReceivedRequest, store: CredentialStore, now: number): Promise<Authenticated> {
  const claim = claimOf(request);
  if (!claim) throw new AwsError(403, "MissingAuthenticationToken", MESSAGES.missing);
  const { accessKeyId, day, region, service, signedHeaders, signature, signedAt } = claim;
  const credential = store.get(accessKeyId);
  if (!credential) throw new AwsError(403, "InvalidClientTokenId", MESSAGES.invalidToken);
  // A session's key goes with its own token only; a long-term key (AKIA…) with any token at all is refused as AWS refuses it.
  if (claim.sessionToken !== credential.sessionToken) throw new AwsError(403, "InvalidClientTokenId", MESSAGES.invalidToken);
  if (!signedAt)
    throw new AwsError(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (amzDate(signedAt.getTime()).slice(0, 8) !== day)
    throw new AwsError(403, "SignatureDoesNotMatch", `Credential should be scoped to a valid date, not '${day}'. `);
  if (claim.expiresIn !== undefined) {
    // A presigned URL is good from its date for X-Amz-Expires seconds (at most 7 days).
    if (claim.expiresIn > 604800)
      throw new AwsError(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    if (now > signedAt.getTime() + claim.expiresIn * 1000) throw new AwsError(403, "AccessDenied", "Request has expired");
    if (signedAt.getTime() - now > CLOCK_SKEW_MS) throw new AwsError(403, "AccessDenied", "Request is not yet valid");
  } else if (Math.abs(signedAt.getTime() - now) > CLOCK_SKEW_MS) {
    const earlier = signedAt.getTime() < now;
    const bound = earlier ? `${amzDate(now)} - 5 min.` : `${amzDate(now)} + 5 min.`;
    throw new AwsError(
      403,
      "SignatureDoesNotMatch",
      `Signature ${earlier ? "expired" : "not yet current"}: ${amzDate(signedAt.getTime())} is now ${earlier ? "earlier" : "later"} than ${amzDate(earlier ? now - CLOCK_SKEW_MS : now + CLOCK_SKEW_MS)} (${bound})`,
    );
  }
  // AWS refuses a signature that does not cover the Host header: it would be good for any endpoint.
  if (!signedHeaders.has("host"))
    throw service === "s3"
      ? new AwsError(403, "AccessDenied", MESSAGES.hostNotSignedS3)
      : new AwsError(403, "SignatureDoesNotMatch", MESSAGES.hostNotSigned);
  // The signer takes x-amz-content-sha256 as the payload's hash when present: it must be the body's,
  // unless it declares the payload unsigned (S3's UNSIGNED-PAYLOAD and its streaming forms).
  const claimed = request.headers["x-amz-content-sha256"];
  if (
    claimed !== undefined &&
    claimed !== "UNSIGNED-PAYLOAD" &&
    !claimed.startsWith("STREAMING-") &&
    claimed !== createHash("sha256").update(request.body).digest("hex")
  )
    throw new AwsError(403, "SignatureDoesNotMatch", MESSAGES.mismatch);

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = name === "host" ? request.host : request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    service,
    region,
    sha256: SHA256,
    applyChecksum: false,
    // S3's canonical URI is the path as sent, encoded once and never normalized; every other
    // service's is the path normalized and encoded again (SigV4's "Create a canonical request").
    uriEscapePath: service !== "s3",
    credentials: {
      accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken !== undefined ? { sessionToken: credential.sessionToken } : {}),
    },
  });
  const [hostname, port] = request.host.split(":");
  const base = {
    method: request.method,
    protocol: "http:",
    hostname: hostname ?? "",
    ...(port ? { port: Number(port) } : {}),
    path: request.path,
  };
  let expected: string;
  if (claim.expiresIn === undefined) {
    const resigned = await signer.sign(
      { ...base, query: request.query, headers, body: request.body },
      { signingDate: signedAt, signableHeaders: signedHeaders },
    );
    expected = /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization))?.[1] ?? "";
  } else {
    const query = Object.fromEntries(Object.entries(request.query).filter(([k]) => !PRESIGN_PARAMS.includes(k)));
    // S3 presigns with an unsigned payload; other services over the (empty) body.
    const payload: Record<string, string> =
      query["X-Amz-Content-Sha256"] === undefined && service === "s3" ? { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } : {};
    const presigned = await signer.presign(
      { ...base, query, headers: { ...headers, ...payload }, body: request.body },
      {
        signingDate: signedAt,
        expiresIn: claim.expiresIn,
        signableHeaders: signedHeaders,
        unsignableHeaders: new Set(Object.keys(payload)),
        unhoistableHeaders: new Set(Object.keys(payload)),
      },
    );
    expected = one(presigned.query?.["X-Amz-Signature"] ?? undefined) ?? "";
  }
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature)))
    throw new AwsError(403, "SignatureDoesNotMatch", MESSAGES.mismatch);
  // Expiry is checked once the caller has proved it holds the secret, as AWS does.
  if (credential.expiresAt !== undefined && credential.expiresAt <= now) throw new AwsError(403, "ExpiredToken", MESSAGES.expired);
  return { caller: credential, service, region };
}
