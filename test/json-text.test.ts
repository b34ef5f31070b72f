/**
 * Reading JSON text (src/text/json.ts), the one way every reader parses it: RFC 8259's grammar
 * (JSON.parse), a syntax error located at LINE:COLUMN where V8 names its offset, and "one object"
 * meaning an object value, not an array, null or a scalar (RFC 8259, section 4).
 */
import { describe, expect, it } from "vitest";
import { readJson, readJsonObject } from "../src/text/json.js";

describe("readJson", () => {
  it("locates a missing comma at its line and column", () => {
    // GIVEN an object whose second member follows the first without a comma, on line 3
    const text = '{\n  "a": 1\n  "b": 2\n}';
    // WHEN it is read
    const { problem } = readJson(text);
    // THEN the problem is a syntax error where "b" starts
    expect(problem).toMatchObject({ kind: "syntax", where: ":3:3" });
  });

  it("reads any JSON value", () => {
    // GIVEN a JSON array
    // WHEN it is read
    // THEN its value is given
    expect(readJson("[1, 2]")).toEqual({ value: [1, 2] });
  });
});

describe("readJsonObject", () => {
  it("gives an object's members", () => {
    // GIVEN a JSON object
    // WHEN it is read as one object
    // THEN its members are given
    expect(readJsonObject('{"Version": "2012-10-17"}')).toEqual({ value: { Version: "2012-10-17" } });
  });

  it.each([
    ["[]", "an array"],
    ["null", "null"],
    ['"text"', "a string"],
    ["12", "a number"],
  ])("refuses %s, which is JSON but not an object", (text, instead) => {
    // GIVEN JSON text holding another kind of value
    // WHEN it is read as one object
    const { value, problem } = readJsonObject(text);
    // THEN it is refused, naming what it is instead
    expect(value).toBeUndefined();
    expect(problem).toEqual({ kind: "not-object", message: `not a JSON object but ${instead}`, where: "" });
  });

  it("refuses text that is not JSON as a syntax error", () => {
    // GIVEN text cut short
    // WHEN it is read as one object
    // THEN the problem is a syntax error, not "not an object"
    expect(readJsonObject('{"a": ').problem?.kind).toBe("syntax");
  });
});
