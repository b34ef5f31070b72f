/**
 * `xacct simulate --batch` on worker threads: a large batch is cut into blocks of whole lines that
 * threads decide, and the results come out in the input's order, exactly as one thread writes
 * them; line numbers (in error lines) count across blocks; a small batch stays on the main thread.
 * Runs the built CLI (npm run build first) and, for the thread count, the built batch module.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { oneLine, xacct, CLI } from "./support/xacct-cli.js";

const ROOT = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "xacct-simulate-workers-"));
const batchModule = async () =>
  (await import(pathToFileURL(join(ROOT, "dist", "cli", "simulate-batch.js")).href)) as typeof import("../src/cli/simulate-batch.js");

const MiB = 1 << 20;
/** `xacct simulate --batch …` with XACCT_THREADS, its output being larger than the shared helper's buffer. */
function simulateOn(threads: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, "simulate", "--batch", ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 64 * MiB,
    env: { ...process.env, XACCT_THREADS: threads },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** Where the batch below puts lines that cannot be decided, and what each error line must say. */
const BAD_LINES = new Map<number, string>([
  [2, "line 2: not valid JSON"],
  [1500, "line 1500: empty line (expected one JSON request)"],
  [3001, 'line 3001: padding: unknown request field "padding"'],
]);

/**
 * A varied batch (bench/generate-requests.mjs) of about 6 MiB, with bad lines and a line longer than
 * a block. XACCT_THREADS=2 decides it on two threads (told, threads take any batch of 2 MiB or more).
 */
function largeBatch(): { file: string; lines: number } {
  const generated = spawnSync(process.execPath, [join(ROOT, "bench", "generate-requests.mjs"), "3600", "16"], {
    encoding: "utf8",
    maxBuffer: 64 * MiB,
  });
  expect(generated.status).toBe(0);
  const lines = generated.stdout.trimEnd().split("\n");
  lines[1] = "{not json";
  lines[1499] = "";
  // A line longer than a block (1 MiB): read on to its end, and numbered as one line.
  lines[3000] = JSON.stringify({ principal: "arn:aws:iam::111111111111:user/a", padding: "x".repeat(1.5 * MiB) });
  // Some lines end with \r\n, as JSON Lines allows.
  const text = lines.map((line, i) => (i % 7 === 3 ? `${line}\r\n` : `${line}\n`)).join("");
  const file = join(dir, "batch.jsonl");
  writeFileSync(file, text);
  return { file, lines: lines.length };
}

describe("xacct simulate --batch on threads", () => {
  let batch: { file: string; lines: number };
  beforeAll(() => {
    batch = largeBatch();
  });

  it("writes the same bytes on two threads as on one, in the input's order, line numbers counted across blocks", () => {
    for (const explain of ["full", "none"]) {
      // GIVEN a batch larger than the threads' threshold, with bad lines before, inside and after the first blocks
      // WHEN it is decided on one thread and on two
      const one = simulateOn("1", [batch.file, "--explain", explain]);
      const two = simulateOn("2", [batch.file, "--explain", explain]);
      // THEN both print one result per input line, the bad ones as error lines naming their own line, and exit 1,
      // saying on stderr how many lines were errors
      expect(one.stderr).toBe("xacct simulate: 3 lines were answered with an error (each says why in its output line)\n");
      expect(one.status).toBe(1);
      const out = one.stdout.split("\n");
      expect(out.pop()).toBe("");
      expect(out).toHaveLength(batch.lines);
      for (const [line, error] of BAD_LINES) expect((JSON.parse(out[line - 1] as string) as { error: string }).error).toContain(error);
      const errors = out.filter((l) => l.startsWith('{"error"'));
      expect(errors).toHaveLength(BAD_LINES.size);
      // AND every other line is a decision
      for (const l of out) if (!l.startsWith('{"error"')) expect(l).toMatch(/^\{"decision":"(Allow|ImplicitDeny|ExplicitDeny)"/);
      // AND two threads write exactly what one does
      expect(two.status).toBe(1);
      expect(two.stderr).toBe(one.stderr);
      expect(two.stdout === one.stdout).toBe(true);
    }
  });

  it("reads standard input the same way", () => {
    // GIVEN the same batch on standard input, whose size is not known in advance
    const input = spawnSync("cat", [batch.file], { encoding: "utf8", maxBuffer: 64 * MiB }).stdout;
    // WHEN it is decided on one thread and on two THEN the output is the same
    const one = simulateOn("1", ["-", "--explain", "none"], input);
    const two = simulateOn("2", ["-", "--explain", "none"], input);
    expect(one.status).toBe(1);
    expect(one.stdout.split("\n")).toHaveLength(batch.lines + 1);
    expect(two.stdout === one.stdout).toBe(true);
  });

  it("decides a batch on threads from the size it is given (32 MiB unless told), a smaller one on the main thread", async () => {
    const { decideBatch, THREADS_FROM_BYTES } = await batchModule();
    expect(THREADS_FROM_BYTES).toBe(32 * MiB);
    const request = `${JSON.stringify({ principal: "arn:aws:iam::111111111111:user/a", action: "sqs:SendMessage", resource: "arn:aws:sqs:eu-west-1:111111111111:q" })}\n`;
    const batchOf = (bytes: number) => Buffer.from(request.repeat(Math.ceil(bytes / request.length)));
    /** The batch in chunks of 64 KiB, as a pipe gives it. */
    const chunks = function* (input: Buffer) {
      for (let at = 0; at < input.length; at += 64 * 1024) yield input.subarray(at, at + 64 * 1024);
    };
    const from = 2 * MiB;
    for (const [bytes, size, threadsFrom, threads] of [
      // GIVEN a batch just under the threshold, of unknown size (standard input) THEN the main thread decides it
      [from - 2 * request.length, undefined, from, 0],
      // GIVEN one over it, of unknown size THEN two threads decide it
      [from + request.length, undefined, from, 2],
      // GIVEN a file's size over it THEN two threads decide it
      [3 * from, 3 * from, from, 2],
      // GIVEN a batch of 6 MiB and the default threshold THEN the main thread decides it
      [6 * MiB, 6 * MiB, undefined, 0],
    ] as const) {
      const input = batchOf(bytes);
      let out = "";
      const write = (part: string | Uint8Array) => void (out += Buffer.from(part).toString());
      const outcome = await decideBatch(Readable.from(chunks(input)), "none", 2, write, size, threadsFrom);
      expect(outcome).toEqual({ failed: 0, threads });
      // AND every line is answered, in order: this request is implicitly denied (no policy allows it)
      expect(out).toBe('{"decision":"ImplicitDeny"}\n'.repeat(input.length / request.length));
    }
  });

  it("puts together a character that the reads cut in two, on the main thread and on threads", async () => {
    const { decideBatch } = await batchModule();
    // GIVEN a request allowed only when the tag's value is "équipe-ünïcode" (two-byte UTF-8 characters)
    const request = `${JSON.stringify({
      principal: "arn:aws:iam::111111111111:user/a",
      action: "sqs:SendMessage",
      resource: "arn:aws:sqs:eu-west-1:111111111111:q",
      context: { "aws:PrincipalTag/team": "équipe-ünïcode" },
      identityPolicies: [
        {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "sqs:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "équipe-ünïcode" } } },
          ],
        },
      ],
    })}\n`;
    // AND 3 MiB of it read in chunks of an odd size (4,099 bytes), so that characters fall across chunks
    const input = Buffer.from(request.repeat(Math.ceil((3 * MiB) / Buffer.byteLength(request))));
    const lines = input.toString().split("\n").length - 1;
    const chunks = function* () {
      for (let at = 0; at < input.length; at += 4099) yield input.subarray(at, at + 4099);
    };
    // (a chunk that starts with a continuation byte, 10xxxxxx, starts inside a character)
    expect([...chunks()].some((chunk) => ((chunk[0] as number) & 0xc0) === 0x80)).toBe(true);
    for (const threads of [1, 2]) {
      // WHEN it is decided on the main thread, and on two threads
      let out = "";
      const write = (part: string | Uint8Array) => void (out += Buffer.from(part).toString());
      await decideBatch(Readable.from(chunks()), "none", threads, write, input.length, MiB);
      // THEN every line is allowed: no character was decoded in halves
      expect(out).toBe('{"decision":"Allow"}\n'.repeat(lines));
    }
  });

  it("refuses an XACCT_THREADS that is not a number of threads from 1 to 64, in one line", () => {
    for (const value of ["0", "65", "two", "-1", "1.5"]) {
      // WHEN XACCT_THREADS is not a thread count THEN a usage error names the variable and the value
      const line = oneLine(xacct(["simulate", "--batch", batch.file], { env: { XACCT_THREADS: value } }));
      expect(line).toBe(
        `xacct: XACCT_THREADS must be a number of threads from 1 to 64 (1: decide on the main thread alone), got ${JSON.stringify(value)}`,
      );
    }
  });
});
