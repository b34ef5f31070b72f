/**
 * The credentials the sandbox knows: long-term keys it makes for each IAM user of the state at
 * start (the bootstrap credentials), and the session credentials it issues. Secrets stay in memory.
 */
import { randomBytes } from "node:crypto";
import type { Policy } from "../policy/policy.js";
import { base32 } from "../state/unique-id.js";

export { uniqueId } from "../state/unique-id.js";

/** What AssumeRole's request set on a session, beyond the role itself. */
export interface SessionDetails {
  /** Session tags by key (they override the role's tags of the same key as aws:PrincipalTag/*). */
  tags?: ReadonlyMap<string, string>;
  /** Keys of `tags` that pass on to the next session of a chain. */
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** The session policies passed (Policy and PolicyArns), as one policy. */
  sessionPolicy?: Policy;
  /** Context keys a web-identity or SAML session carries (the token's sub, aud, …). */
  federatedContext?: Record<string, string>;
}

export interface KnownCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** Session credentials only. */
  sessionToken?: string;
  /** Epoch milliseconds; session credentials only. */
  expiresAt?: number;
  /** The IAM user's ARN, or the assumed-role session's ARN (`arn:aws:sts::ID:assumed-role/ROLE/SESSION`). */
  arn: string;
  account: string;
  /** GetCallerIdentity's UserId: the user's unique id, or `ROLEID:SESSION`. */
  userId: string;
  /** For a session: the role's ARN. */
  roleArn?: string;
  /** For a session: what its request set. */
  session?: SessionDetails;
  /**
   * A GetSessionToken session (the user's or root's own ARN and permissions), and whether MFA was
   * checked: without MFA it may call no IAM action; it may call no STS action but AssumeRole and
   * GetCallerIdentity.
   */
  fromGetSessionToken?: { mfa: boolean };
}

/** A key id of AWS's form: the prefix (AKIA long-term, ASIA session) and 16 characters. */
export function newAccessKeyId(prefix: "AKIA" | "ASIA"): string {
  return prefix + base32(randomBytes(16), 16);
}

export function newSecret(): string {
  return randomBytes(30).toString("base64");
}

/** Fresh session keys (an ASIA key id, a secret, a session token) expiring `seconds` after `now` (epoch ms). */
export function newSessionKeys(
  now: number,
  seconds: number,
): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: number } {
  return {
    accessKeyId: newAccessKeyId("ASIA"),
    secretAccessKey: newSecret(),
    sessionToken: Buffer.from(`xacct-sandbox:${newSecret()}${newSecret()}`).toString("base64"),
    expiresAt: now + seconds * 1000,
  };
}

/** How often, at most, a full store sweeps before refusing a session. */
const SWEEP_WHEN_FULL_MS = 1000;

export class CredentialStore {
  private readonly byKey = new Map<string, KnownCredential>();
  private sessionCount = 0;
  private sweptAt = -Infinity;

  /** `maxSessions`: session credentials held at most (long-term keys are not counted). */
  constructor(private readonly maxSessions = Infinity) {}

  add(credential: KnownCredential): KnownCredential {
    const known = this.byKey.get(credential.accessKeyId);
    if (known?.expiresAt !== undefined) this.sessionCount--;
    if (credential.expiresAt !== undefined) this.sessionCount++;
    this.byKey.set(credential.accessKeyId, credential);
    return credential;
  }

  /**
   * Whether one more session fits at `now`: at the cap, expired sessions are swept first (at most
   * once a second, so that a flood at the cap costs no sweep per request).
   */
  roomForSession(now: number): boolean {
    if (this.sessionCount < this.maxSessions) return true;
    if (now - this.sweptAt >= SWEEP_WHEN_FULL_MS) this.sweep(now);
    return this.sessionCount < this.maxSessions;
  }

  /** How many session credentials are held. */
  get sessions(): number {
    return this.sessionCount;
  }

  get(accessKeyId: string): KnownCredential | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** How many credentials are held: the long-term keys and the sessions not yet swept. */
  get size(): number {
    return this.byKey.size;
  }

  /** Forgets sessions that expired before `now`, so a long-running sandbox does not grow. */
  sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, c] of this.byKey) {
      if (c.expiresAt !== undefined && c.expiresAt < now) {
        this.byKey.delete(key);
        this.sessionCount--;
      }
    }
  }
}
