/**
 * How much the sandbox holds at most, so that a flood of requests cannot grow it without bound.
 * Each cap is answered as AWS answers the quota nearest to it:
 *
 * - S3 buckets an account creates: S3's default quota of 10,000 general purpose buckets per
 *   account (S3 User Guide, "Bucket quotas, restrictions, and limitations"), TooManyBuckets (400).
 * - S3 objects and SQS queues and messages, counted together, and their bytes: AWS sets no such
 *   quota (S3 stores any number of objects; an SQS backlog is unlimited), so this is the
 *   sandbox's own memory budget, answered in each service's words: S3's error shape with the code
 *   QuotaExceeded (400, not retried by SDKs), SQS's OverLimit (403, "the specified action violates
 *   a limit").
 * - Session credentials held (AssumeRole, GetSessionToken, workloads' sessions): STS's Throttling
 *   (400, "Rate exceeded"); expired sessions are swept every minute, and at the cap at most once a
 *   second, so room comes back as sessions expire.
 * - Open connections: beyond the cap Node drops new connections (server.maxConnections). Request
 *   headers are bounded by Node's 16 KiB (431) and bodies by MAX_BODY_BYTES (413).
 */
import { AwsError } from "./xml.js";

export interface SandboxLimits {
  /** S3 buckets CreateBucket makes, per account. @default 10000 (S3's default quota) */
  bucketsPerAccount: number;
  /** S3 objects, SQS queues and SQS messages held, together. @default 100000 */
  items: number;
  /** Bytes of S3 objects and SQS message bodies held, together. @default 268435456 (256 MiB) */
  bytes: number;
  /** Session credentials held until swept. @default 100000 */
  sessions: number;
  /** Open connections. @default 1000 */
  connections: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = {
  bucketsPerAccount: 10_000,
  items: 100_000,
  bytes: 256 * 1024 * 1024,
  sessions: 100_000,
  connections: 1_000,
};

/** The limits `given` overrides, each a positive integer, else a programming error. */
export function limitsOf(given: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits))
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`the sandbox's ${name} limit must be a positive integer, not ${String(value)}`);
  return limits;
}

/**
 * The items (S3 objects, SQS queues and messages) and bytes the sandbox holds, against its
 * limits. A service takes room before it stores and gives it back when it forgets.
 */
export class StoreBudget {
  private items = 0;
  private bytes = 0;

  constructor(private readonly limits: Pick<SandboxLimits, "items" | "bytes">) {}

  /** Takes `items` and `bytes` of room, or throws `full()` (nothing taken) when they do not fit. */
  take(items: number, bytes: number, full: (message: string) => AwsError): void {
    if (this.items + items > this.limits.items || this.bytes + bytes > this.limits.bytes) {
      throw full(
        `The sandbox holds at most ${this.limits.items} objects, queues and messages and ${this.limits.bytes} bytes of them; delete some, or start it with larger limits`,
      );
    }
    this.items += items;
    this.bytes += bytes;
  }

  give(items: number, bytes: number): void {
    this.items = Math.max(0, this.items - items);
    this.bytes = Math.max(0, this.bytes - bytes);
  }

  /** What is held now. */
  get held(): { items: number; bytes: number } {
    return { items: this.items, bytes: this.bytes };
  }
}
