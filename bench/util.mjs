/** Helpers every benchmark shares: settings from the environment, and number formatting. */

export function envNumber(name, fallback) {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : Number(value);
}

export const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
export const fmtSec = (ms) => `${(ms / 1000).toFixed(3)} s`;
export const peakRss = () => process.resourceUsage().maxRSS * 1024;
