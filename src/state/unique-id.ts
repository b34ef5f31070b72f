/**
 * IAM-style unique IDs (a four-letter prefix naming the kind, then 17 characters): AWS's are
 * opaque; xacct derives them from the ARN so that every view of the state (the sandbox's STS and
 * IAM answers, an inventory written from a model) gives an entity the same ID.
 */
import { createHash } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** `length` characters of AWS's key alphabet (A–Z, 2–7) drawn from `bytes`. */
export function base32(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += BASE32[(bytes[i % bytes.length] as number) % 32];
  return out;
}

/** Prefixes AWS gives unique IDs: user, role, group, managed policy, instance profile. */
export type UniqueIdPrefix = "AIDA" | "AROA" | "AGPA" | "ANPA" | "AIPA";

/** A stable unique ID for the entity with this ARN. */
export function uniqueId(prefix: UniqueIdPrefix, arn: string): string {
  return prefix + base32(createHash("sha256").update(arn).digest(), 17);
}
