/**
 * An S3 upload's bytes as the client meant them: the `aws-chunked` encoding the SDKs stream
 * with (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`, the checksum in a trailer)
 * decoded, and the checksums the request carries (Content-MD5, `x-amz-checksum-*` as a header
 * or a trailer) verified, as S3 verifies them (BadDigest / InvalidRequest).
 */
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { AwsError } from "../xml.js";

/** Checksums the sandbox computes: SHA-1, SHA-256 (node:crypto) and CRC32 (node:zlib, Node ≥ 20.15). CRC32C and CRC64NVME are taken unverified. */
const CHECKSUMS: Readonly<Record<string, ((body: Buffer) => string) | undefined>> = {
  "x-amz-checksum-sha1": (body) => createHash("sha1").update(body).digest("base64"),
  "x-amz-checksum-sha256": (body) => createHash("sha256").update(body).digest("base64"),
  "x-amz-checksum-crc32": (body) => {
    const crc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;
    if (!crc32) return "";
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(body) >>> 0);
    return out.toString("base64");
  },
};

function checksumName(header: string): string {
  return header.slice("x-amz-checksum-".length).toUpperCase();
}

/** Verifies one `x-amz-checksum-*` value against the body, as S3's BadDigest. */
function verify(header: string, value: string, body: Buffer): void {
  const compute = CHECKSUMS[header];
  const expected = compute?.(body);
  if (expected && expected !== value.trim())
    throw new AwsError(400, "BadDigest", `The ${checksumName(header)} you specified did not match the calculated checksum.`);
}

const malformed = () => new AwsError(400, "IncompleteBody", "The request body is not a well-formed aws-chunked stream");

/** The payload of an aws-chunked body (`SIZE[;chunk-signature=…]\r\nDATA\r\n … 0\r\nTRAILERS\r\n\r\n`) and its trailers. */
export function decodeAwsChunked(raw: Buffer): { payload: Buffer; trailers: Map<string, string> } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", at);
    if (eol < 0) throw malformed();
    const size = Number.parseInt(raw.subarray(at, eol).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isInteger(size) || size < 0 || eol + 2 + size > raw.length) throw malformed();
    at = eol + 2;
    if (size === 0) break;
    chunks.push(raw.subarray(at, at + size));
    at += size;
    if (raw.subarray(at, at + 2).toString("latin1") !== "\r\n") throw malformed();
    at += 2;
  }
  const trailers = new Map<string, string>();
  for (const line of raw.subarray(at).toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { payload: Buffer.concat(chunks), trailers };
}

/**
 * The object bytes of a PutObject: decoded when aws-chunked, checked against its declared
 * decoded length and every checksum the request carries.
 */
export function uploadedBytes(headers: Record<string, string>, body: Buffer): { bytes: Buffer; checksums: Record<string, string> } {
  const sha = headers["x-amz-content-sha256"] ?? "";
  // Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) would need each chunk's signature checked.
  if (sha.startsWith("STREAMING-AWS4-") || sha.startsWith("STREAMING-ECDSA"))
    throw new AwsError(
      501,
      "NotImplemented",
      "The sandbox does not accept signed aws-chunked payloads; send the payload unsigned (STREAMING-UNSIGNED-PAYLOAD-TRAILER) or signed whole",
    );
  const chunked = sha.startsWith("STREAMING-") || (headers["content-encoding"] ?? "").split(",").some((e) => e.trim() === "aws-chunked");
  let bytes = body;
  const checksums: Record<string, string> = {};
  if (chunked) {
    const decoded = decodeAwsChunked(body);
    bytes = decoded.payload;
    const declared = headers["x-amz-decoded-content-length"];
    if (declared !== undefined && Number(declared) !== bytes.length)
      throw new AwsError(
        400,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header",
      );
    for (const [k, v] of decoded.trailers) if (k.startsWith("x-amz-checksum-")) checksums[k] = v;
    const announced = headers["x-amz-trailer"];
    if (announced && !decoded.trailers.get(announced.trim().toLowerCase()))
      throw new AwsError(
        400,
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
      );
  }
  for (const [k, v] of Object.entries(headers))
    if (k.startsWith("x-amz-checksum-") && k !== "x-amz-checksum-type" && k !== "x-amz-checksum-algorithm") checksums[k] = v;
  for (const [k, v] of Object.entries(checksums)) verify(k, v, bytes);
  const md5 = headers["content-md5"];
  if (md5 !== undefined && createHash("md5").update(bytes).digest("base64") !== md5.trim())
    throw new AwsError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
  return { bytes, checksums };
}
