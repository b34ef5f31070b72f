/**
 * Wildcard matching as IAM documents it: `*` any run of characters (including none, and including
 * `:` and `/`), `?` exactly one character, everything else literal. Checked against a textbook
 * dynamic-programming matcher written here, independent of the engine's algorithm.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGlob, compilePieces, globMatches } from "../src/policy/wildcard.js";

/** Reference: dp[i][j] = pattern[0..i) matches text[0..j). */
function reference(pattern: string, text: string): boolean {
  const dp: boolean[][] = Array.from({ length: pattern.length + 1 }, () => new Array<boolean>(text.length + 1).fill(false));
  dp[0]![0] = true;
  for (let i = 1; i <= pattern.length; i++) {
    const p = pattern[i - 1];
    dp[i]![0] = p === "*" && dp[i - 1]![0]!;
    for (let j = 1; j <= text.length; j++) {
      if (p === "*") dp[i]![j] = dp[i - 1]![j]! || dp[i]![j - 1]!;
      else dp[i]![j] = (p === "?" || p === text[j - 1]) && dp[i - 1]![j - 1]!;
    }
  }
  return dp[pattern.length]![text.length]!;
}

describe("glob matching", () => {
  it.each([
    ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true],
    ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false],
    ["arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", true],
    ["arn:aws:*:*:111111111111:*", "arn:aws:sqs:eu-west-1:111111111111:q", true],
    ["arn:aws:iam::*:role/a?c", "arn:aws:iam::111111111111:role/abc", true],
    ["arn:aws:iam::*:role/a?c", "arn:aws:iam::111111111111:role/ac", false],
    ["*", "", true],
    ["", "", true],
    ["?", "", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["*ab", "aab", true],
    ["ab*ab", "abab", true],
    ["ab*ab", "aba", false],
  ])("%s against %s is %s", (pattern, text, expected) => {
    expect(globMatches(compileGlob(pattern), text)).toBe(expected);
  });

  it("is case-sensitive unless asked otherwise", () => {
    expect(globMatches(compileGlob("s3:Get*"), "s3:getobject")).toBe(false);
    expect(globMatches(compileGlob("s3:Get*", true), "S3:GETOBJECT")).toBe(true);
  });

  it("treats literal pieces (escapes, variable values) as plain characters", () => {
    const glob = compilePieces([
      { text: "bucket/", literal: false },
      { text: "*", literal: true },
    ]);
    expect(globMatches(glob, "bucket/*")).toBe(true);
    expect(globMatches(glob, "bucket/anything")).toBe(false);
  });

  it("agrees with the reference on random patterns and texts", () => {
    const alphabet = fc.constantFrom("a", "b", ":", "/", "*", "?");
    const textAlphabet = fc.constantFrom("a", "b", ":", "/", "*", "?", "c");
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 12 }), fc.string({ unit: textAlphabet, maxLength: 16 }), (pattern, text) => {
        expect(globMatches(compileGlob(pattern), text)).toBe(reference(pattern, text));
      }),
      { numRuns: 5000 },
    );
  });

  it("decides pathological patterns without backtracking blow-up", () => {
    // A backtracking matcher takes exponential time here; a hang fails the test by its timeout.
    const pattern = `${"a*".repeat(40)}b`;
    const text = "a".repeat(200_000);
    expect(globMatches(compileGlob(pattern), text)).toBe(false);
    expect(globMatches(compileGlob(pattern), `${text}b`)).toBe(true);
    expect(globMatches(compileGlob(`${"*?".repeat(30)}x`), "?".repeat(100_000))).toBe(false);
    // Long segments holding ? are searched bit-parallel, not position by position.
    const questions = compileGlob(`*${"?a".repeat(3000)}b*`);
    expect(globMatches(questions, "xa".repeat(100_000))).toBe(false);
    expect(globMatches(questions, `${"xa".repeat(50_000)}b`)).toBe(true);
  });

  it("shares the compiled form of a pattern policies repeat, and keeps no hostile long pattern", () => {
    // GIVEN a wildcard ARN pattern of ordinary length, and one of 100,000 characters
    const short = "arn:aws:s3:::bucket/*";
    const long = `arn:aws:s3:::${"b".repeat(100_000)}/*`;
    // WHEN each is compiled twice
    // THEN the ordinary one is one shared object (the cache), the long one a new object each time
    expect(compileGlob(short)).toBe(compileGlob(short));
    expect(compileGlob(long)).not.toBe(compileGlob(long));
    // AND the long one still matches as IAM says
    expect(globMatches(compileGlob(long), `arn:aws:s3:::${"b".repeat(100_000)}/key`)).toBe(true);
  });
});
