/**
 * When session credentials are due for refresh (src/credentials/refresh.ts), the one rule of the
 * provider, the cache and the credential server: the margin before Expiration the SDKs use
 * (botocore refreshes with less than 15 minutes left), but never more than half a session's life.
 */
import { describe, expect, it } from "vitest";
import { BOTOCORE_REFRESH_SECONDS } from "../src/aws/limits.js";
import { refreshFrom } from "../src/credentials/refresh.js";

const MINUTE = 60_000;

describe("refreshFrom", () => {
  it("refreshes an hour's session 15 minutes before it expires, as botocore does", () => {
    // GIVEN a session obtained at 0 that AssumeRole's default DurationSeconds (3600) makes expire at 60 min
    // WHEN it is judged with botocore's advisory margin
    const due = refreshFrom(0, 60 * MINUTE, BOTOCORE_REFRESH_SECONDS * 1000);
    // THEN it is due from 45 minutes on
    expect(due).toBe(45 * MINUTE);
  });

  it("refreshes a session shorter than twice the margin at half its life", () => {
    // GIVEN a 20-minute session (a sandbox or a short DurationSeconds) and the 15-minute margin
    // WHEN it is judged
    const due = refreshFrom(10 * MINUTE, 30 * MINUTE, BOTOCORE_REFRESH_SECONDS * 1000);
    // THEN it is due after 10 of its 20 minutes, not 5 minutes after it was obtained
    expect(due).toBe(20 * MINUTE);
  });
});
