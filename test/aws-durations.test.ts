/**
 * Session durations as the Markdown and the report write them (src/aws/durations.ts). The values
 * are those AWS allows: DurationSeconds from 900 s (15 minutes) up to a role's MaxSessionDuration,
 * which "can have a value from 1 hour to 12 hours" in seconds (so 5400 s, an hour and a half, too).
 */
import { describe, expect, it } from "vitest";
import { durationText } from "../src/aws/durations.js";

describe("durationText", () => {
  it("writes whole hours and whole minutes as such", () => {
    // GIVEN AssumeRole's default (3600 s), its maximum (43200 s) and its minimum (900 s)
    // WHEN written  THEN as hours or minutes
    expect([3600, 43200, 900].map(durationText)).toEqual(["1 h", "12 h", "15 min"]);
  });

  it("writes a MaxSessionDuration of an hour and a half exactly, hours first", () => {
    // GIVEN a role whose MaxSessionDuration is 5400 s, and a session of 3630 s
    // WHEN written
    // THEN every unit is kept and none is rounded away
    expect(durationText(5400)).toBe("1 h 30 min");
    expect(durationText(3630)).toBe("1 h 30 s");
  });

  it("writes a duration under a minute in seconds", () => {
    // GIVEN a session of 45 s (a sandbox started with `sessionSeconds: 45`)  WHEN written  THEN in seconds
    expect(durationText(45)).toBe("45 s");
  });
});
