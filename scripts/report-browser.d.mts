import type { Browser, Page } from "playwright-core";

export const CHROMIUM: string;
export const hasChromium: boolean;
export function launchChromium(): Promise<Browser>;
export function openReport(
  browser: Browser,
  file: string,
  size?: { width?: number; height?: number },
): Promise<{ page: Page; url: string; requests: string[]; errors: string[] }>;
