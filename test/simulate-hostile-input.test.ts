/**
 * `xacct simulate` on input that is not what JSON Lines promises: a line longer than one request
 * may be (8 MiB; AWS's largest policies are tens of KiB), bytes that are not UTF-8 (RFC 8259 §8.1:
 * JSON text is UTF-8), and a byte-order mark at the start (§8.1: a reader may ignore it). Each bad
 * line is answered with an error naming it, the others are decided in order, on one thread or two,
 * and memory stays bounded (a line is skipped, not held, once it is too long).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { blocksOf } from "../src/cli/simulate-batch.js";
import { CLI } from "./support/xacct-cli.js";

const MiB = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), "xacct-simulate-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A request an identity policy allows. */
const ALLOWED = JSON.stringify({
  principal: "arn:aws:iam::111111111111:user/alice",
  action: "s3:GetObject",
  resource: "arn:aws:s3:::bucket/key",
  resourceAccount: "111111111111",
  identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }],
});
/**
 * The same request with the byte 0xFF (never in UTF-8) in its resource, after characters of two
 * bytes (finding where the bytes stop being UTF-8 must not leave half of one to the next line).
 */
const NOT_UTF8 = Buffer.concat([Buffer.from(ALLOWED.replace("bucket/key", "bucket/ééééééé")), Buffer.from([0xff])]);

function simulate(args: string[], threads = "1") {
  const r = spawnSync(process.execPath, [CLI, "simulate", ...args], {
    encoding: "utf8",
    maxBuffer: 16 * MiB,
    env: { ...process.env, XACCT_THREADS: threads },
  });
  return { status: r.status, lines: r.stdout.trimEnd().split("\n"), stderr: r.stderr };
}

describe("simulate --batch on hostile lines", () => {
  it("answers a line too long and a line not UTF-8 with errors naming them, and decides the others, on one thread and two", () => {
    // GIVEN a batch: a request, one not UTF-8, a request, a 12 MiB line, a request
    const file = join(dir, "batch.jsonl");
    const long = JSON.stringify({ principal: "arn:aws:iam::111111111111:user/a", padding: "x".repeat(12 * MiB) });
    writeFileSync(file, Buffer.concat([Buffer.from(`${ALLOWED}\n`), NOT_UTF8, Buffer.from(`\n${ALLOWED}\n${long}\n${ALLOWED}\n`)]));
    for (const threads of ["1", "2"]) {
      // WHEN it is decided
      const r = simulate(["--batch", file, "--explain", "none"], threads);
      // THEN five answers in order: lines 2 and 4 are errors that say why, the others Allow; exit 1, no trace
      expect(r.lines).toHaveLength(5);
      for (const i of [0, 2, 4]) expect(JSON.parse(r.lines[i] as string)).toEqual({ decision: "Allow" });
      expect(JSON.parse(r.lines[1] as string).error).toMatch(/^line 2: not UTF-8 text: byte \d+ of the line starts no UTF-8 character/);
      expect(JSON.parse(r.lines[3] as string).error).toMatch(/^line 4: longer than 8 MiB, the most one request may be/);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe("xacct simulate: 2 lines were answered with an error (each says why in its output line)\n");
    }
  });

  it("reads a byte-order mark at the start of a batch and of a request as nothing", () => {
    // GIVEN a batch and a request file each starting with UTF-8's byte-order mark
    const batch = join(dir, "bom.jsonl");
    const request = join(dir, "bom.json");
    writeFileSync(batch, `\ufeff${ALLOWED}\n${ALLOWED}\n`);
    writeFileSync(request, `\ufeff${ALLOWED}`);
    // WHEN each is decided, THEN as without the mark
    expect(simulate(["--batch", batch, "--explain", "none"]).lines).toEqual(['{"decision":"Allow"}', '{"decision":"Allow"}']);
    expect(JSON.parse(simulate(["--request", request]).lines[0] as string).decision).toBe("Allow");
  });

  it("refuses a request file that is not UTF-8 or larger than a request may be, saying which", () => {
    // GIVEN a request with a byte that is not UTF-8, and one of 9 MiB
    const bad = join(dir, "bad.json");
    const large = join(dir, "large.json");
    writeFileSync(bad, NOT_UTF8);
    writeFileSync(large, JSON.stringify({ principal: "arn:aws:iam::111111111111:user/a", padding: "x".repeat(9 * MiB) }));
    // WHEN each is simulated, THEN exit 2 and one line that says what is wrong
    const notUtf8 = simulate(["--request", bad]);
    expect(notUtf8.status).toBe(2);
    expect(notUtf8.stderr).toMatch(/bad\.json is not UTF-8 text: byte \d+ starts no UTF-8 character/);
    const tooLarge = simulate(["--request", large]);
    expect(tooLarge.status).toBe(2);
    expect(tooLarge.stderr).toMatch(/large\.json is larger than 8 MiB: one request is at most that/);
  });
});

describe("simulate on requests whose matching would not end", () => {
  /** The allowed request with a condition on key k, and k's values in the request context. */
  const conditioned = (condition: Record<string, unknown>, value: string | string[]) => {
    const request = JSON.parse(ALLOWED) as { identityPolicies: { Statement: Record<string, unknown>[] }[] };
    (request.identityPolicies[0] as { Statement: Record<string, unknown>[] }).Statement[0] = {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: condition,
    };
    return JSON.stringify({ ...request, context: { k: value } });
  };

  it("refuses a product of values or a long value searched by thousands of wildcards, and decides the lines around them", () => {
    // GIVEN a batch: a request; one whose condition's 100,000 patterns meet 100,000 values of the
    // request (ten billion pairs); a request; one whose 20,000 patterns "*zzN*" are each searched
    // through a value of three million characters; a request
    const patterns = Array.from({ length: 100_000 }, (_, i) => `*p${i}*z`);
    const values = Array.from({ length: 100_000 }, (_, i) => `v${i}`);
    const product = conditioned({ "ForAnyValue:StringLike": { k: patterns } }, values);
    const middles = Array.from({ length: 20_000 }, (_, i) => `*zz${i}*`);
    const searched = conditioned({ StringLike: { k: middles } }, "a".repeat(3_000_000));
    const file = join(dir, "matching.jsonl");
    writeFileSync(file, `${ALLOWED}\n${product}\n${ALLOWED}\n${searched}\n${ALLOWED}\n`);
    for (const explain of ["none", "full"]) {
      // WHEN it is decided, with explanations and without
      const r = simulate(["--batch", file, "--explain", explain]);
      // THEN lines 2 and 4 are errors that say the decision would take too much matching, the others Allow
      expect(r.lines).toHaveLength(5);
      for (const i of [0, 2, 4]) expect(JSON.parse(r.lines[i] as string).decision).toBe("Allow");
      for (const [i, line] of [
        [1, 2],
        [3, 4],
      ] as const)
        expect(JSON.parse(r.lines[i] as string).error).toMatch(
          new RegExp(`^line ${line}: deciding this request would take more than 200,000,000 steps of matching .*xacct refuses it`),
        );
      expect(r.status).toBe(1);
    }
  });

  it("spends every kind of matching work, not only wildcards: equality sets, long values, values made from variables", () => {
    // GIVEN requests each of which asks for much work of one kind
    const statements = (count: number, condition: Record<string, unknown>) =>
      Array.from({ length: count }, () => ({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: condition }));
    const withStatements = (list: object[], context: Record<string, unknown>) => {
      const request = JSON.parse(ALLOWED) as Record<string, unknown>;
      return JSON.stringify({ ...request, identityPolicies: [{ Version: "2012-10-17", Statement: list }], context });
    };
    const cases: [string, string][] = [
      // 200 equality tests, each looking up each of 100,000 request values in its set
      [
        "equality",
        withStatements(statements(200, { "ForAnyValue:StringEquals": { k: "z" } }), {
          k: Array.from({ length: 100_000 }, (_, i) => `v${i}`),
        }),
      ],
      // an address of a million characters (spaces around it) read anew against each of 1,000 ranges
      [
        "long value",
        conditioned(
          { IpAddress: { k: Array.from({ length: 1_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`) } },
          ` ${" ".repeat(1_000_000)}192.0.2.1`,
        ),
      ],
      // 300 values each made from a variable holding a million characters
      ["variables", conditioned({ StringEquals: { k: Array.from({ length: 300 }, (_, i) => `\${aws:userid}${i}`) } }, "x")],
      // a Resource whose literal middle of 40,001 characters is searched through 200,000
      ["long search", ""],
    ];
    const variables = JSON.parse(cases[2]![1]) as { context: Record<string, unknown> };
    variables.context["aws:userid"] = "u".repeat(1_000_000);
    cases[2]![1] = JSON.stringify(variables);
    const search = JSON.parse(ALLOWED) as Record<string, unknown>;
    cases[3]![1] = JSON.stringify({
      ...search,
      resource: `arn:aws:s3:::${"a".repeat(200_000)}`,
      identityPolicies: [
        {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::*${"a".repeat(20_000)}b${"a".repeat(20_000)}*` }],
        },
      ],
    });
    // a federated caller named by a million characters, looked up in 5,000 statements' Principal
    const named = JSON.parse(ALLOWED) as Record<string, unknown>;
    cases.push([
      "long principal",
      JSON.stringify({
        ...named,
        principal: `idp.example.com/${"A".repeat(1_000_000)}`,
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: Array.from({ length: 5_000 }, () => ({ Effect: "Allow", Principal: { Service: "s" }, Action: "*" })),
        },
      }),
    ]);
    const file = join(dir, "kinds.jsonl");
    writeFileSync(file, `${cases.map(([, line]) => line).join("\n")}\n${ALLOWED}\n`);
    // WHEN the batch is decided
    const r = simulate(["--batch", file, "--explain", "none"]);
    // THEN each of them is refused for the work it asks, and the request after them is decided
    expect(r.lines).toHaveLength(cases.length + 1);
    cases.forEach(([kind], i) =>
      expect(JSON.parse(r.lines[i] as string).error, kind).toMatch(
        new RegExp(`^line ${i + 1}: deciding this request would take more than`),
      ),
    );
    expect(JSON.parse(r.lines[cases.length] as string)).toEqual({ decision: "Allow" });
  });

  it("reads a long run of digits in a Numeric condition in one pass, refusing it as no number", () => {
    // GIVEN a NumericLessThan value of 300,000 digits and then a letter (a backtracking pattern would try every split)
    const file = join(dir, "digits.jsonl");
    writeFileSync(file, `${conditioned({ NumericLessThan: { k: `${"1".repeat(300_000)}x` } }, "5")}\n`);
    // WHEN it is decided, THEN it is refused as not a number (AWS's Numeric operators take numbers)
    expect(JSON.parse(simulate(["--batch", file]).lines[0] as string).error).toMatch(/NumericLessThan takes a number/);
  });

  it("reads an address with spaces around it as the address, and text longer than any address as none", () => {
    // GIVEN an address with 1,000 spaces before it, and an IPv6 address with a zone making it 70 characters
    const padded = `${" ".repeat(1_000)}10.1.2.3`;
    const long = `fe80::1%${"z".repeat(62)}`;
    const file = join(dir, "addresses.jsonl");
    const lines = [
      conditioned({ IpAddress: { k: "10.0.0.0/8" } }, padded),
      conditioned({ IpAddress: { k: "fe80::/10" } }, long),
      conditioned({ NotIpAddress: { k: "fe80::/10" } }, long),
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);
    // WHEN they are decided, THEN the padded one is in 10.0.0.0/8; the long one (no address: aws:SourceIp holds no zone)
    // satisfies neither IpAddress nor NotIpAddress, as a value not of the operator's type
    expect(simulate(["--batch", file, "--explain", "none"]).lines).toEqual([
      '{"decision":"Allow"}',
      '{"decision":"ImplicitDeny"}',
      '{"decision":"ImplicitDeny"}',
    ]);
  });

  it("still decides a large but bounded condition: 2,000 patterns against 50 values", () => {
    // GIVEN a request whose 2,000 StringLike patterns meet 50 request values, the last value matching the last pattern
    const patterns = Array.from({ length: 2_000 }, (_, i) => `team-${i}-*`);
    const values = [...Array.from({ length: 49 }, (_, i) => `other-${i}`), "team-1999-data"];
    const file = join(dir, "bounded.jsonl");
    writeFileSync(file, `${conditioned({ "ForAnyValue:StringLike": { k: patterns } }, values)}\n`);
    // WHEN it is decided, THEN Allow: one value matches one pattern (ForAnyValue)
    expect(simulate(["--batch", file, "--explain", "none"]).lines).toEqual(['{"decision":"Allow"}']);
  });
});

describe("simulate's errors about its input", () => {
  it("places a JSON mistake at its column of the batch line, not at V8's line 1", () => {
    // GIVEN a batch whose second line lacks a comma after its first value (its 8th character)
    const file = join(dir, "comma.jsonl");
    writeFileSync(file, `${ALLOWED}\n{"a":1 "b":2}\n`);
    // WHEN it is decided, THEN line 2's error says column 8 and nothing of a line 1
    const error = JSON.parse(simulate(["--batch", file, "--explain", "none"]).lines[1] as string).error as string;
    expect(error).toMatch(/^line 2: not valid JSON: .* at column 8$/);
    expect(error).not.toContain("line 1");
  });

  it("names a batch that is a directory or missing, and says why, in one line", () => {
    // GIVEN a directory and a path to nothing, WHEN each is given as the batch
    const asDir = simulate(["--batch", dir]);
    const missing = simulate(["--batch", join(dir, "missing.jsonl")]);
    // THEN exit 2 and one line naming the path and why it cannot be read
    expect(asDir.status).toBe(2);
    expect(asDir.stderr).toBe(`xacct: cannot read ${dir}: it is a directory; give a file, or - for standard input\n`);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`xacct: cannot read ${join(dir, "missing.jsonl")}: no such file or directory (ENOENT)\n`);
  });
});

describe("simulate on an ambiguous context", () => {
  it("refuses one condition key given in two spellings (condition keys are case-insensitive), naming both", () => {
    // GIVEN a request whose context gives aws:SourceIp and AWS:SOURCEIP, each its own value
    const file = join(dir, "twice.json");
    const request = JSON.parse(ALLOWED) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...request, context: { "aws:SourceIp": "10.0.0.1", "AWS:SOURCEIP": "192.0.2.1" } }));
    // WHEN it is simulated, THEN exit 2 and an error at the second spelling that names the first
    const r = simulate(["--request", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('context["AWS:SOURCEIP"]: repeats the key "aws:SourceIp" (condition keys are case-insensitive)');
  });
});

describe("cutting a batch into blocks", () => {
  it("skips a line longer than the most a request may be, holding none of it, and numbers the lines after it", async () => {
    // GIVEN a stream, in 64 KiB chunks: a line, a line of 3 MiB, a line; at most 1 MiB a line
    const bytes = Buffer.concat([Buffer.from("first\n"), Buffer.alloc(3 * MiB, "x"), Buffer.from("\nthird\n")]);
    const chunks = Array.from({ length: Math.ceil(bytes.byteLength / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    // WHEN it is cut into blocks
    const blocks = [];
    for await (const block of blocksOf(Readable.from(chunks), MiB))
      blocks.push({ line: block.firstLine, tooLong: block.tooLong ?? false, text: Buffer.concat(block.parts).toString() });
    // THEN the first line, the long one as a line too long (no bytes held), then the third, numbered 3
    expect(blocks).toEqual([
      { line: 1, tooLong: false, text: "first\n" },
      { line: 2, tooLong: true, text: "" },
      { line: 3, tooLong: false, text: "third\n" },
    ]);
  });
});
