/**
 * The `xacct simulate` command-line contract: one JSON object for --request, JSON Lines in order
 * for --batch, errors on stderr with exit status 2 (single) or as `{"error"}` lines with exit
 * status 1 (batch). Runs the built CLI as a user would.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI as cli } from "./support/xacct-cli.js";

const example = join(import.meta.dirname, "..", "examples", "simulate", "cross-account-get-object.json");
const dir = mkdtempSync(join(tmpdir(), "xacct-cli-"));

function xacct(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const allowAll = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const request = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    principal: "arn:aws:iam::111111111111:user/a",
    action: "sqs:SendMessage",
    resource: "arn:aws:sqs:eu-west-1:111111111111:q",
    ...extra,
  });

describe("xacct simulate --request", () => {
  it("decides the bundled example: the cross-account read is allowed by both sides", () => {
    const r = xacct(["simulate", "--request", example]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const result = JSON.parse(r.stdout);
    expect(result.decision).toBe("Allow");
    expect(result.explain.crossAccount).toBe(true);
    expect(result.explain.decidedBy.map((s: { sid?: string }) => s.sid)).toEqual(
      expect.arrayContaining(["ReadReports", "AppAccountReads"]),
    );
  });

  it("reads the request from stdin with -", () => {
    const r = xacct(["simulate", "--request", "-"], request({ identityPolicies: [allowAll] }));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).decision).toBe("Allow");
  });

  it("prints exactly one JSON object on one line", () => {
    const r = xacct(["simulate", "--request", "-"], request());
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout).decision).toBe("ImplicitDeny");
  });

  it("rejects a policy AWS would reject: exit 2, located message on stderr, nothing on stdout", () => {
    const bad = { Version: "2012-10-17", Statement: [allowAll.Statement[0], { Effect: "Permit", Action: "*", Resource: "*" }] };
    const r = xacct(["simulate", "--request", "-"], request({ identityPolicies: [bad] }));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('identityPolicies[0].Statement[1].Effect: must be "Allow" or "Deny", got "Permit"');
  });

  it("locates malformed JSON by line and column", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, '{\n  "principal": "arn:aws:iam::111111111111:user/a",\n  "action" "s3:GetObject"\n}\n');
    const r = xacct(["simulate", "--request", file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${file}:3:12: not valid JSON`);
  });

  it("names a missing file", () => {
    const r = xacct(["simulate", "--request", join(dir, "nope.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*nope\.json: no such file or directory \(ENOENT\)/);
  });

  it("refuses to run without --request or --batch", () => {
    const r = xacct(["simulate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("give exactly one of --request or --batch");
  });
});

describe("xacct simulate --batch", () => {
  it("prints one result per input line, in order, and exits 1 when a line failed", () => {
    const file = join(dir, "batch.jsonl");
    const lines = [
      request({ identityPolicies: [allowAll] }),
      "{not json",
      request({ identityPolicies: [{ Version: "2012-10-17", Statement: { Effect: "Deny", Action: "*", Resource: "*" } }] }),
      request({ identityPolicies: [{ Statement: { Effect: "Allow", Action: "*" } }] }),
      request(),
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const r = xacct(["simulate", "--batch", file]);
    expect(r.status).toBe(1);
    const out = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(5);
    expect(out[0].decision).toBe("Allow");
    expect(out[1].error).toMatch(/^line 2: not valid JSON/);
    expect(out[2].decision).toBe("ExplicitDeny");
    expect(out[3].error).toBe("line 4: identityPolicies[0].Statement: a statement needs Resource or NotResource");
    expect(out[4].decision).toBe("ImplicitDeny");
  });

  it("exits 0 when every line was decided, whatever the decisions", () => {
    const r = xacct(["simulate", "--batch", "-"], `${request()}\n${request({ identityPolicies: [allowAll] })}\n`);
    expect(r.status).toBe(0);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).decision),
    ).toEqual(["ImplicitDeny", "Allow"]);
  });

  it("--explain none answers each line with its decision alone (errors still say where), the same decisions as in full", () => {
    // GIVEN a batch of an implicit deny, a bad line and an allow
    const input = `${request()}\n{not json\n${request({ identityPolicies: [allowAll] })}\n`;
    // WHEN it is decided with --explain none and with the default
    const none = xacct(["simulate", "--batch", "-", "--explain", "none"], input);
    const full = xacct(["simulate", "--batch", "-"], input);
    // THEN each decided line is {"decision"} and nothing else, an error line is as before, and the decisions agree
    const lines = (r: { stdout: string }) =>
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { decision?: string; error?: string });
    expect(lines(none)).toEqual([
      { decision: "ImplicitDeny" },
      { error: expect.stringMatching(/^line 2: not valid JSON/) },
      { decision: "Allow" },
    ]);
    expect(lines(full).map((l) => l.decision ?? "error")).toEqual(["ImplicitDeny", "error", "Allow"]);
    expect(none.status).toBe(1);
    // AND a value other than full or none is refused in one line
    expect(xacct(["simulate", "--batch", "-", "--explain", "some"], input).stderr).toBe(
      'xacct: --explain takes full or none, got "some"\n',
    );
  });

  it("keeps lines aligned: an empty line in the middle is an error line of its own", () => {
    const r = xacct(["simulate", "--batch", "-"], `${request()}\n\n${request()}\n`);
    expect(r.status).toBe(1);
    const out = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.decision ?? o.error)).toEqual([
      "ImplicitDeny",
      "line 2: empty line (expected one JSON request)",
      "ImplicitDeny",
    ]);
  });
});
