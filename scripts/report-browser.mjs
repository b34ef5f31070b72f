/**
 * Opening a report in Debian's Chromium (/usr/bin/chromium, installed by .ci/run) through
 * playwright-core, for the browser tests, the report benchmark and the README screenshot: headless,
 * no sandbox, no GPU, no background networking. Every request the page makes and every console
 * error is recorded.
 */
import { chromium } from "playwright-core";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
  "--metrics-recording-only",
  "--disable-domain-reliability",
];

/** Launches Debian's Chromium. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/**
 * Opens an HTML file in a new page of the browser and waits until the graph is drawn. Returns the
 * page with what it did: the URLs requested, the console errors and uncaught page errors.
 */
export async function openReport(browser, file, { width = 1400, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const requests = [];
  const errors = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  await page.waitForFunction(() => globalThis.document.body.dataset.painted === "true");
  return { page, url, requests, errors };
}
