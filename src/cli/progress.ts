/**
 * Progress on stderr for the commands that can take more than a couple of seconds (loading an
 * organization, building its graph, analysing it, writing a report). On a terminal: one line,
 * redrawn at each stage, with a bar of the stages done, cleared at the end. Otherwise (a log, a
 * pipe): a plain line per stage that took longer than a couple of seconds, said when it ends.
 * `XACCT_PROGRESS=always` prints every stage's line, however short (`never`: nothing).
 */
import type { Stage } from "../source/stage.js";

/** The environment variable that forces progress on (`always`) or off (`never`); default: by the terminal. */
export const PROGRESS_VARIABLE = "XACCT_PROGRESS";

/** A stage shorter than this says nothing on a non-terminal. */
const QUIET_BELOW_MS = 2_000;
const BAR_WIDTH = 20;

export interface Progress {
  stage: Stage;
  /** Clears the terminal's line; call once the command's work is done. */
  end(): void;
}

/** Progress for a command of `stages` stages (the bar's length), written to `stream`. */
export function progress(
  stages: number,
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  clock: () => number = () => performance.now(),
): Progress {
  const setting = env[PROGRESS_VARIABLE];
  const mode = setting === "never" ? "never" : setting === "always" ? "always" : stream.isTTY ? "terminal" : "log";
  let done = 0;
  let drawn = false;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const end = () => {
    if (drawn) stream.write("\r\x1b[K");
    drawn = false;
  };
  // A function, not a method: commands hand it to the library's long jobs on its own.
  const stage: Stage = (name, work) => {
    if (mode === "terminal") {
      const filled = Math.round((done / Math.max(stages, 1)) * BAR_WIDTH);
      stream.write(`\r\x1b[K[${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${done + 1}/${stages} ${name}…`);
      drawn = true;
    }
    const started = clock();
    try {
      return work();
    } catch (error) {
      // The error's message starts on a clean line.
      end();
      throw error;
    } finally {
      const took = clock() - started;
      done++;
      if (mode === "always" || (mode === "log" && took >= QUIET_BELOW_MS)) stream.write(`xacct: ${name}: ${seconds(took)}\n`);
    }
  };
  return { stage, end };
}
