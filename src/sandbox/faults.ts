/**
 * Faults the sandbox injects so that clients' retries and partial failures are tried for real:
 *
 * - throttling: a share of the AWS calls (never xacct's own `/_xacct/` paths) is answered with the
 *   error its protocol's clients take for throttling, picked by a seeded sequence so that a run
 *   is reproducible: `Throttling` (HTTP 400) in the query protocol, as STS and IAM answer it;
 *   `ThrottlingException` (400) in the JSON protocol; `SlowDown` (503) from S3;
 *   `TooManyRequestsException` (429) in REST-JSON, as Lambda answers it; `RequestLimitExceeded`
 *   (503) from EC2. Each is one of the codes
 *   the AWS SDK for JavaScript v3's retry strategies treat as throttling
 *   (@smithy/service-error-classification's THROTTLING_ERROR_CODES, and any 429).
 * - a region that times out: a request signed for it is read and never answered; the client
 *   gives up after its own timeout. Closing the sandbox closes such connections with the rest.
 *
 * Every fault is logged (decision "Fault", the reason its error code or "Timeout").
 */
import type { Protocol } from "./protocol.js";
import { AwsError } from "./xml.js";

export interface SandboxFaults {
  /** The share of AWS calls (0 to 1) answered with their protocol's throttling error. @default 0 */
  throttle?: number;
  /** The seed of the sequence that picks the throttled calls. @default 1 */
  seed?: number;
  /** Regions whose requests are held without an answer until the client gives up. @default none */
  timeoutRegions?: readonly string[];
}

/** A problem with the faults asked for; the message names the option and what to give. */
export class FaultsError extends Error {}

/** Each protocol's throttling error, as its clients recognise it. */
const THROTTLING: Record<Protocol, () => AwsError> = {
  query: () => new AwsError(400, "Throttling", "Rate exceeded"),
  json: () => new AwsError(400, "ThrottlingException", "Rate exceeded"),
  "rest-xml": () => new AwsError(503, "SlowDown", "Please reduce your request rate."),
  "rest-json": () => new AwsError(429, "TooManyRequestsException", "Rate exceeded"),
  ec2: () => new AwsError(503, "RequestLimitExceeded", "Request limit exceeded."),
};

/** What the sandbox does with a request instead of answering it: an error to answer, or hold it. */
export type Fault = { kind: "throttle"; error: AwsError } | { kind: "hold" };

/** The faults of one sandbox: the seeded sequence and the regions that time out. */
export class FaultInjector {
  private readonly share: number;
  private state: number;
  private readonly held: ReadonlySet<string>;

  constructor(faults: SandboxFaults = {}) {
    const share = faults.throttle ?? 0;
    if (!Number.isFinite(share) || share < 0 || share > 1)
      throw new FaultsError(`throttle must be a share of calls from 0 to 1 (0.2 for one call in five), not ${String(share)}`);
    const seed = faults.seed ?? 1;
    if (!Number.isSafeInteger(seed)) throw new FaultsError(`the throttling seed must be an integer, not ${String(seed)}`);
    for (const region of faults.timeoutRegions ?? [])
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
        throw new FaultsError(`${JSON.stringify(region)} is not an AWS region such as eu-west-3`);
    this.share = share;
    this.state = seed >>> 0;
    this.held = new Set(faults.timeoutRegions ?? []);
  }

  /** The fault for an AWS call in `protocol` signed for `region` (undefined when unsigned), if any. */
  faultFor(protocol: Protocol, region: string | undefined): Fault | undefined {
    if (region !== undefined && this.held.has(region)) return { kind: "hold" };
    if (this.share > 0 && this.next() < this.share) return { kind: "throttle", error: THROTTLING[protocol]() };
    return undefined;
  }

  /** The next number of the seeded sequence, in [0, 1) (mulberry32: small, and the same on every platform). */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
