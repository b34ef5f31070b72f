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

  it("agrees with the reference on long segments holding ?, of few distinct characters and of many", () => {
    // GIVEN patterns whose middle segment is 40 to 260 characters long: of two letters (searched
    // bit-parallel) or of up to 151 (more distinct characters than masks of bounded size allow:
    // searched position by position); and texts made from each pattern, its wildcards filled in,
    // then perhaps one character changed
    const patternOf = (letter: fc.Arbitrary<string>) => {
      const text = (minLength: number, maxLength: number) =>
        fc.string({
          unit: fc.oneof({ arbitrary: fc.constant("?"), weight: 1 }, { arbitrary: letter, weight: 8 }),
          minLength,
          maxLength,
          size: "max",
        });
      // A middle segment (the ones searched for) between two stars, and short anchored ends.
      return fc.tuple(text(0, 4), text(40, 260), text(0, 4)).map(([first, middle, last]) => `${first}*${middle}*${last}`);
    };
    const few = fc.constantFrom("a", "b");
    const many = fc.integer({ min: 0x4e00, max: 0x4e00 + 150 }).map((c) => String.fromCharCode(c));
    const filled = (pattern: string, fill: string, changeAt: number) => {
      const text = [...pattern].map((c) => (c === "*" ? fill.repeat(3) : c === "?" ? fill : c)).join("");
      return changeAt < 0 || text.length === 0
        ? text
        : `${text.slice(0, changeAt % text.length)}Z${text.slice((changeAt % text.length) + 1)}`;
    };
    for (const letter of [few, many])
      fc.assert(
        fc.property(patternOf(letter), letter, fc.integer({ min: -3, max: 1000 }), (pattern, fill, changeAt) => {
          // WHEN a text is matched, THEN as the reference decides
          const text = filled(pattern, fill, changeAt);
          expect(globMatches(compileGlob(pattern), text)).toBe(reference(pattern, text));
        }),
        { numRuns: 400 },
      );
  });

  it("keeps apart segments alike in where their ? are but not in length (they share a mask only when both agree)", () => {
    // GIVEN a pattern of two middle segments with ? first: "?a" and "?bc"
    const glob = compileGlob("x*?a*?bc*");
    // WHEN texts are matched, THEN the "c" of the second segment is compared, not taken as a ?
    expect(globMatches(glob, "x-a-bc")).toBe(true);
    expect(globMatches(glob, "x-a-bd")).toBe(false);
  });

  it("shares the compiled form of a pattern policies repeat, and keeps no hostile long pattern", () => {
    // GIVEN a wildcard ARN pattern of ordinary length, and one of 100,000 characters
    const short = "arn:aws:s3:::bucket/*";
    const long = `arn:aws:s3:::${"b".repeat(100_000)}/*`;
    // WHEN each is compiled twice
    // THEN the ordinary one is one shared object (the cache), the long one a new object each time
    expect(compileGlob(short)).toBe(compileGlob(short));
    expect(compileGlob(long)).not.toBe(compileGlob(long));
    // AND one with a long segment holding ? (searched with masks, which a cache of hostile patterns would fill memory with) is not kept either
    const masked = `arn:aws:s3:::b/*${"ab?".repeat(30)}*`;
    expect(compileGlob(masked)).not.toBe(compileGlob(masked));
    // AND the long one still matches as IAM says
    expect(globMatches(compileGlob(long), `arn:aws:s3:::${"b".repeat(100_000)}/key`)).toBe(true);
  });
});
