/**
 * The real renderers of `xacct graph`'s text, for the diagram tests: Mermaid (the npm package's
 * browser bundle, in Debian's Chromium) and Graphviz's `dot` (Debian's).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { launchChromium } from "../../scripts/report-browser.mjs";

const MERMAID_BUNDLE = join(import.meta.dirname, "..", "..", "node_modules", "mermaid", "dist", "mermaid.min.js");
export const DOT_PROGRAM = "/usr/bin/dot";
export const hasDot = existsSync(DOT_PROGRAM);

/** What Mermaid does with a text: the SVG it draws (and the text a reader sees in it), or the error it throws. */
export type Rendered = { svg: string; shown: string } | { error: string };

/**
 * A page of the browser with Mermaid loaded from the bundle, and how to render a text there; every
 * request the page makes is recorded (rendering must make none).
 */
async function mermaidIn(browser: Browser): Promise<{ render: (text: string) => Promise<Rendered>; requests: string[] }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.addScriptTag({ path: MERMAID_BUNDLE });
  const render = (text: string) =>
    page.evaluate(async (source) => {
      const g = globalThis as unknown as {
        mermaid: { initialize(c: object): void; render(id: string, t: string): Promise<{ svg: string }> };
        document: {
          createElement(tag: string): { innerHTML: string; textContent: string | null; remove(): void };
          body: { append(e: unknown): void };
        };
      };
      g.mermaid.initialize({ startOnLoad: false });
      try {
        const { svg } = await g.mermaid.render(`d${Math.random().toString(36).slice(2)}`, source);
        // What a reader sees: the drawing's text, as the page shows it.
        const holder = g.document.createElement("div");
        holder.innerHTML = svg;
        g.document.body.append(holder);
        const shown = holder.textContent ?? "";
        holder.remove();
        return { svg, shown };
      } catch (error) {
        return { error: String((error as Error).message ?? error) };
      }
    }, text);
  return { render, requests };
}

/** Lays a DOT text out with Graphviz's dot as SVG. */
export function dotSvg(text: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(DOT_PROGRAM, ["-Tsvg"], { input: text, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * A Chromium page with Mermaid for the tests of the describe block it is called in (opened before
 * them, closed after, having made no request): how to render there, and the requests made so far.
 */
export function mermaidPage(): { render: (text: string) => Promise<Rendered>; requests: () => string[] } {
  let browser: Browser | undefined;
  let page: Awaited<ReturnType<typeof mermaidIn>> | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await mermaidIn(browser);
  }, 120_000);
  afterAll(async () => {
    expect(page?.requests ?? []).toEqual([]);
    await browser?.close();
  });
  return {
    render: (text) => {
      if (!page) throw new Error("Mermaid's page is opened before the tests");
      return page.render(text);
    },
    requests: () => [...(page?.requests ?? [])],
  };
}
