/** Durations of AWS sessions as people read them, the one way the Markdown and the report write them. */

/** Whole seconds as hours, minutes and seconds, exactly: `1 h`, `1 h 30 min`, `15 min`, `45 s`. */
export function durationText(seconds: number): string {
  const parts = [
    [Math.floor(seconds / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "min"],
    [seconds % 60, "s"],
  ].filter(([n]) => n !== 0);
  return parts.length ? parts.map(([n, unit]) => `${n} ${unit}`).join(" ") : "0 s";
}
