/**
 * Policy variables as AWS documents them (IAM User Guide, "IAM policy elements: Variables and tags"):
 * `${key}`, `${key, 'default'}` ("surround the default value with single quotes (' '), and separate
 * the variable text and the default value with a comma and space (, )") and the special characters
 * `${*}`, `${?}`, `${$}`. Parsing is a scan of the text: a long variable is parsed in time linear in
 * its length (issue 11, item 9: `${a` + spaces + `b}` was quadratic). No timing is asserted here; the
 * pathological inputs are large enough that a quadratic parser does not finish within the suite's
 * test timeout. `npm run bench` prints the figure.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../src/policy/index.js";
import { parseTemplate } from "../src/policy/variables.js";

const SPACES = " ".repeat(500_000);
const allowIfTeam = (value: string) => ({
  principal: "arn:aws:iam::111111111111:user/alice",
  action: "s3:GetObject",
  resource: "arn:aws:s3:::bucket/report.csv",
  resourceAccount: "111111111111",
  identityPolicies: [
    {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": value } } },
      ],
    },
  ],
  context: { "aws:ResourceTag/team": "company-wide" },
});

describe("policy variable syntax", () => {
  it("parses the docs' default value example", () => {
    // GIVEN the docs' example "arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}"
    const text = "arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}";
    // WHEN it is parsed
    const template = parseTemplate(text);
    // THEN it is the text, then the variable (its key case-insensitive, so lower-cased) with its default
    expect(template.dynamic).toBe(true);
    expect(template.parts).toEqual([
      { kind: "text", text: "arn:aws:s3:::DOC-EXAMPLE-BUCKET-" },
      { kind: "variable", key: "aws:principaltag/team", fallback: "company-wide" },
    ]);
  });

  it("parses `${aws:username, 'default'}`", () => {
    // GIVEN a variable with a default, separated by a comma and a space
    // WHEN it is parsed
    const template = parseTemplate("home/${aws:username, 'default'}/*");
    // THEN the key is aws:username and the default is the quoted text
    expect(template.parts).toEqual([
      { kind: "text", text: "home/" },
      { kind: "variable", key: "aws:username", fallback: "default" },
      { kind: "text", text: "/*" },
    ]);
  });

  it("parses the special characters ${*}, ${?} and ${$} as literal characters", () => {
    // GIVEN the docs' predefined variables for characters that otherwise have special meaning
    // WHEN a text holding each is parsed
    const template = parseTemplate("a${*}b${?}c${$}d");
    // THEN each is a literal character, and the text needs no request to resolve
    expect(template.dynamic).toBe(false);
    expect(template.parts).toEqual([
      { kind: "text", text: "a" },
      { kind: "literal", text: "*" },
      { kind: "text", text: "b" },
      { kind: "literal", text: "?" },
      { kind: "text", text: "c" },
      { kind: "literal", text: "$" },
      { kind: "text", text: "d" },
    ]);
  });

  it("parses a variable of half a million inner spaces as one key with no default", () => {
    // GIVEN `${a` + 500,000 spaces + `b}` (issue 11's pathological input, five times longer)
    const text = "${a" + SPACES + "b}";
    // WHEN it is parsed
    const template = parseTemplate(text);
    // THEN it is one variable whose key is the whole inner text
    expect(template.parts).toEqual([{ kind: "variable", key: "a" + SPACES + "b", fallback: undefined }]);
  });

  it("decides with the default of a variable whose key holds half a million spaces", () => {
    // GIVEN a StringEquals value `${a<spaces>b, 'company-wide'}`: the key is absent from the request
    const request = allowIfTeam("${a" + SPACES + "b, 'company-wide'}");
    // WHEN the request is decided
    const result = simulate(request);
    // THEN the default is used ("company-wide" equals the resource's tag) and the request is allowed
    expect(result.decision).toBe("Allow");
  });

  it("does not take a default that is not quoted", () => {
    // GIVEN `${aws:username, default}`: the default is not surrounded by single quotes
    // WHEN it is parsed
    const template = parseTemplate("${aws:username, default}");
    // THEN there is no default: the whole text is the key
    expect(template.parts).toEqual([{ kind: "variable", key: "aws:username, default", fallback: undefined }]);
  });
});
