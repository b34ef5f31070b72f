/**
 * The heap bounds of a command that holds a whole organization, then lets it go (src/cli/heap.ts),
 * in a Node process of their own (they change V8's flags for the whole process): what was let go
 * is freed when a stage ends, and the heap grows only a quarter beyond what is alive before V8
 * collects it (V8 otherwise lets it grow to several times that).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const HEAP = resolve("dist/cli/heap.js");

/** Runs `body` in a fresh Node process with the bounds module imported as `heap`; returns what it prints as JSON. */
function inNode(body: string): { [key: string]: number } {
  const script = `const heap = await import(${JSON.stringify(HEAP)});\n${body}`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { [key: string]: number };
}

describe("bounding a large command's heap", () => {
  it("frees what a finished stage let go at once", () => {
    // GIVEN a process that built 200 MB of data and let it go
    const used = inNode(`
      heap.boundHeapGrowth();
      let kept = Array.from({ length: 2_000_000 }, (_, i) => ({ i, text: "x".repeat(60) + i }));
      const held = process.memoryUsage().heapUsed;
      kept = undefined;
      // WHEN the stage ends
      heap.collectGarbage();
      console.log(JSON.stringify({ held, after: process.memoryUsage().heapUsed }));
    `);
    // THEN the heap no longer holds it
    expect(used.held).toBeGreaterThan(150e6);
    expect(used.after).toBeLessThan((used.held ?? 0) / 4);
  });

  it("collects before the heap grows far beyond what is alive", () => {
    // GIVEN a million objects alive, then as much garbage made again and again (500 MB in all)
    const grown = inNode(`
      heap.boundHeapGrowth();
      const alive = Array.from({ length: 1_000_000 }, (_, i) => ({ i, text: "y".repeat(60) + i }));
      heap.collectGarbage();
      const base = process.memoryUsage().heapUsed;
      let most = 0;
      for (let round = 0; round < 25; round++) {
        let garbage = Array.from({ length: 100_000 }, (_, i) => ({ i, text: "z".repeat(60) + i }));
        most = Math.max(most, process.memoryUsage().heapUsed);
        garbage = undefined;
      }
      console.log(JSON.stringify({ alive: alive.length, base, most }));
    `);
    // THEN the heap at its fullest stays within 1.6 times what is alive (V8's own headroom lets the
    // same loop reach about 2.7 times, and 4 times with more rounds)
    expect(grown.alive).toBe(1_000_000);
    expect(grown.most).toBeLessThan((grown.base ?? 0) * 1.6);
  });
});
