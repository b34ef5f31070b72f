/**
 * `xacct simulate --batch`: JSON Lines in, one JSON result per line out, in the input's order.
 *
 * The input is cut into blocks of whole lines (about 1 MiB each). A block is decided as one piece:
 * its bytes decoded at once, its lines decided one by one, its results joined into one string and
 * written with one call, so the cost is the engine's and not that of many small reads and writes.
 * A large batch is decided on worker threads (one per CPU unless told): blocks go to the threads in
 * turn and their results are written in the blocks' order, with at most two blocks per thread in
 * flight, so memory stays bounded whatever the batch's size. Each thread is a JavaScript engine of
 * its own, which compiles and warms up the policy engine anew: some 0.3 s of CPU. On two CPUs that
 * is won back from about 20,000 requests (30 MB) on, so by default a batch smaller than 32 MiB is
 * decided on the main thread.
 *
 * Lines end at `\n`; a `\r` before it is dropped (JSON Lines allows `\r\n`).
 */
import { Worker } from "node:worker_threads";
import type { Decided, ExplainLevel, simulateLines as SimulateLines } from "../policy/simulate.js";
import { MAX_REQUEST_BYTES, utf8Text } from "./json-input.js";

/** The size a block reaches before it is cut at its last line break. */
export const BLOCK_BYTES = 1 << 20;
/** By default, a batch smaller than this is decided on the main thread. */
export const THREADS_FROM_BYTES = 32 * BLOCK_BYTES;
const LF = 10;

/**
 * Whole lines of the input, as the parts they were read in (views of the chunks read, not yet one
 * array); `firstLine` is the number (from 1) of the first. Or, `tooLong`, the number of one line
 * longer than a request may be, none of whose bytes are kept.
 */
export interface Block {
  parts: readonly Uint8Array[];
  size: number;
  firstLine: number;
  tooLong?: true;
}

/**
 * Cuts a stream of bytes into blocks of whole lines. A line longer than a block makes a block of
 * its own (the stream is read on until its end), up to `maxLine` bytes (about: a block's bytes
 * more): beyond, it is skipped to its end and stands as a `tooLong` block, so memory stays bounded
 * whatever the input (`/dev/zero` has no line break). The input's last line needs no line break.
 */
export async function* blocksOf(input: AsyncIterable<Uint8Array>, maxLine = MAX_REQUEST_BYTES): AsyncGenerator<Block> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let line = 1;
  let skipping = false;
  for await (const read of input) {
    let chunk = read;
    if (skipping) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) continue;
      yield { parts: [], size: 0, firstLine: line++, tooLong: true };
      skipping = false;
      chunk = chunk.subarray(lf + 1);
    }
    // Only the new chunk is searched for the cut: a long line costs one pass, not one per chunk.
    const end = size + chunk.byteLength >= BLOCK_BYTES ? chunk.lastIndexOf(LF) + 1 : 0;
    if (end === 0) {
      parts.push(chunk);
      size += chunk.byteLength;
      // The line read on is longer than a request may be: the whole lines before it, then it skipped.
      if (size > maxLine + BLOCK_BYTES) {
        const whole = wholeLines(parts);
        if (whole.size > 0) {
          yield { parts: whole.parts, size: whole.size, firstLine: line };
          line += lineBreaks(whole.parts);
        }
        [parts, size, skipping] = [[], 0, true];
      }
      continue;
    }
    parts.push(chunk.subarray(0, end));
    const block = { parts, size: size + end, firstLine: line };
    line += lineBreaks(parts);
    yield block;
    parts = end < chunk.byteLength ? [chunk.subarray(end)] : [];
    size = chunk.byteLength - end;
  }
  if (skipping) yield { parts: [], size: 0, firstLine: line, tooLong: true };
  else if (size > 0) yield { parts, size, firstLine: line };
}

/** The parts up to their last line break. */
function wholeLines(parts: readonly Uint8Array[]): { parts: Uint8Array[]; size: number } {
  for (let i = parts.length - 1; i >= 0; i--) {
    const lf = (parts[i] as Uint8Array).lastIndexOf(LF);
    if (lf < 0) continue;
    const kept = [...parts.slice(0, i), (parts[i] as Uint8Array).subarray(0, lf + 1)];
    return { parts: kept, size: kept.reduce((sum, part) => sum + part.byteLength, 0) };
  }
  return { parts: [], size: 0 };
}

/** The answer to a line longer than a request may be. */
function tooLongLine(line: number): string {
  return `${JSON.stringify({ error: `line ${line}: longer than ${MAX_REQUEST_BYTES >> 20} MiB, the most one request may be (AWS's policies are tens of KiB): not read` })}\n`;
}

/** The parts copied into `bytes` (by default a new array of their own, transferable to a thread without a copy). */
function joined(parts: readonly Uint8Array[], size: number, bytes: Uint8Array = new Uint8Array(size)): Uint8Array {
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

function lineBreaks(parts: readonly Uint8Array[]): number {
  let count = 0;
  for (const part of parts) {
    const buffer = bufferOf(part);
    for (let at = buffer.indexOf(LF); at >= 0; at = buffer.indexOf(LF, at + 1)) count++;
  }
  return count;
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** How a batch was decided: how many lines were answered with an error, and on how many worker threads (0: the main thread). */
export interface BatchOutcome {
  failed: number;
  threads: number;
}

/**
 * Decides a batch, handing each block's results to `write` in order. `threads` is the most
 * threads to decide on; `size`, the input's size when known (a file's). A batch smaller than
 * `threadsFrom` bytes, or `threads` 1, is decided on the main thread.
 */
export async function decideBatch(
  input: AsyncIterable<Uint8Array>,
  explain: ExplainLevel,
  threads: number,
  write: (out: string | Uint8Array) => void | Promise<void>,
  size?: number,
  threadsFrom = THREADS_FROM_BYTES,
): Promise<BatchOutcome> {
  const blocks = blocksOf(input)[Symbol.asyncIterator]();
  // A file's size says at once whether threads are worth starting; standard input is read ahead to know.
  let large = threads > 1 && size !== undefined && size >= threadsFrom;
  const head: Block[] = [];
  if (threads > 1 && size === undefined) {
    let headBytes = 0;
    for (let next = await blocks.next(); !next.done; next = await blocks.next()) {
      head.push(next.value);
      headBytes += next.value.size;
      if (headBytes >= threadsFrom) break;
    }
    large = headBytes >= threadsFrom;
  }
  async function* all(): AsyncGenerator<Block> {
    yield* head;
    for (let next = await blocks.next(); !next.done; next = await blocks.next()) yield next.value;
  }
  let failed = 0;
  if (!large) {
    // Loaded here: the main thread decides nothing when threads do.
    const { simulateLines } = await import("../policy/simulate.js");
    for await (const block of all()) {
      const decided = block.tooLong
        ? { text: tooLongLine(block.firstLine), failed: 1 }
        : decideBlock({ simulateLines }, bytesOf(block.parts, block.size), block.firstLine, explain);
      failed += decided.failed;
      await write(decided.text);
    }
    return { failed, threads: 0 };
  }
  const pool = new DecidingThreads(threads, explain);
  try {
    const inFlight: Promise<Encoded>[] = [];
    const writeNext = async () => {
      const decided = await (inFlight.shift() as Promise<Encoded>);
      failed += decided.failed;
      await write(decided.out);
    };
    for await (const block of all()) {
      inFlight.push(block.tooLong ? Promise.resolve({ out: encoder.encode(tooLongLine(block.firstLine)), failed: 1 }) : pool.decide(block));
      if (inFlight.length >= 2 * threads) await writeNext();
    }
    while (inFlight.length > 0) await writeNext();
  } finally {
    await pool.close();
  }
  return { failed, threads };
}

/**
 * A block's bytes in one array. Its parts are put together in one buffer kept for the next block
 * (a new one each time costs more than the copy); a block larger than that (one long line) gets
 * an array of its own, which is not kept.
 */
function bytesOf(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const bytes = joined(parts, size, size <= SCRATCH_BYTES ? (scratch ??= new Uint8Array(SCRATCH_BYTES)) : undefined);
  return bytes.subarray(0, size);
}

/**
 * Decides a block of whole lines (on the main thread or a worker's), its first line numbered
 * `firstLine`. The block is decoded as UTF-8 at once; where some line is not UTF-8, each line on
 * its own, and that one answered with an error (never read with U+FFFD in place of its bytes: two
 * names that differ there would read the same).
 */
export function decideBlock(
  engine: { simulateLines: typeof SimulateLines },
  bytes: Uint8Array,
  firstLine: number,
  explain: ExplainLevel,
): Decided {
  const whole = utf8Text(bytes, firstLine === 1);
  if ("text" in whole) return engine.simulateLines(whole.text, firstLine, explain);
  let text = "";
  let failed = 0;
  let line = firstLine;
  for (let start = 0; start < bytes.byteLength; line++) {
    const lf = bytes.indexOf(LF, start);
    const end = lf < 0 ? bytes.byteLength : lf;
    const one = utf8Text(bytes.subarray(start, end), line === 1);
    if ("text" in one) {
      const decided = engine.simulateLines(`${one.text}\n`, line, explain);
      text += decided.text;
      failed += decided.failed;
    } else {
      text += `${JSON.stringify({ error: `line ${line}: not UTF-8 text: byte ${one.badByte + 1} of the line starts no UTF-8 character` })}\n`;
      failed++;
    }
    start = end + 1;
  }
  return { text, failed };
}
/** A block is cut once it reaches BLOCK_BYTES, at the last line break of the chunk that took it there: one chunk more at most. */
const SCRATCH_BYTES = 2 * BLOCK_BYTES;
let scratch: Uint8Array | undefined;

/** A block decided by a thread: its results as UTF-8. */
interface Encoded {
  out: Uint8Array;
  /** How many of its lines were answered with an error. */
  failed: number;
}

interface Waiting {
  resolve: (decided: Encoded) => void;
  reject: (error: unknown) => void;
}

const encoder = new TextEncoder();

/** Worker threads deciding blocks, each its blocks in the order sent; blocks go to them in turn. */
class DecidingThreads {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private sent = 0;

  constructor(count: number, explain: ExplainLevel) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./simulate-worker.js", import.meta.url), { workerData: { explain } });
      worker.on("message", ({ id, out, failed }: { id: number; out: Uint8Array; failed: number }) => {
        const waiting = this.waiting.get(id);
        this.waiting.delete(id);
        waiting?.resolve({ out, failed });
      });
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => {
        if (this.waiting.size > 0) this.fail(new Error(`a thread deciding the batch stopped (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  decide(block: Block): Promise<Encoded> {
    const id = this.sent++;
    const worker = this.workers[id % this.workers.length] as Worker;
    const decided = new Promise<Encoded>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // Awaited in order later; a failure before then is not an unhandled rejection.
    decided.catch(() => undefined);
    const bytes = joined(block.parts, block.size);
    worker.postMessage({ id, bytes, firstLine: block.firstLine }, [bytes.buffer as ArrayBuffer]);
    return decided;
  }

  private fail(error: unknown): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.fail(new Error("the batch was given up"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
