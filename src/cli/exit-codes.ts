/**
 * xacct's exit statuses, the one table scripts and CI rely on: `xacct --help` prints it, each
 * command's help its own rows, and the README's table says the same.
 */

/** The statuses by what they mean. */
export const EXIT = {
  /** Success: Allow, verified, nothing at or above the threshold. */
  ok: 0,
  /** A negative answer: Deny, not verified, a finding at or above --fail-on, something not complete. */
  negative: 1,
  /** A usage or input error: a bad command line, model, inventory or file. */
  usage: 2,
  /** Cannot decide: can's Unknown. */
  undecided: 3,
  /** xacct's own internal error, a bug (EX_SOFTWARE of sysexits.h). */
  internal: 70,
  /** Standard output closed by its reader before xacct finished writing: 128 + SIGPIPE, as a Unix command ended by it. */
  closedOutput: 141,
} as const;

export interface ExitCode {
  code: number;
  meaning: string;
  /** Per command (in the commands' order), what the status says of it. */
  commands: ReadonlyMap<string, string>;
}

export const EXIT_CODES: readonly ExitCode[] = [
  {
    code: EXIT.ok,
    meaning: "success: the command did what was asked",
    commands: new Map([
      ["can", "Allow"],
      ["findings", "no finding at or above --fail-on (always, without --fail-on)"],
      ["verify", "verified: the model holds"],
      ["simulate", "decided (--batch: every line), whatever the decisions"],
      ["sandbox", "stopped by Ctrl-C or SIGTERM"],
      ["serve-credentials", "stopped by Ctrl-C or SIGTERM"],
      ["collect", "every account complete"],
      ["import", "everything imported"],
    ]),
  },
  {
    code: EXIT.negative,
    meaning: "a negative answer",
    commands: new Map([
      ["can", "Deny"],
      ["findings", "a finding at or above --fail-on that the model does not accept"],
      ["verify", "not verified: a grant not possible, undeclared access, drift, or a finding at or above --fail-on"],
      ["simulate", "--batch: a line could not be decided (its {error} line says why)"],
      ["credential-process", "the chain gave no credentials (stderr says why)"],
      ["exec", "the chain gave no credentials (stderr says why)"],
      ["env", "the chain gave no credentials (stderr says why)"],
      ["collect", "an account not complete (collect-report.json says why; --resume reads it again)"],
      ["import", "partial: something could not be imported (listed on stderr and at the end of the model)"],
    ]),
  },
  {
    code: EXIT.usage,
    meaning:
      "usage or input error: an unknown command or option, a missing or bad value, an invalid model or inventory, a file that cannot be read or written",
    commands: new Map(),
  },
  {
    code: EXIT.undecided,
    meaning: "cannot decide",
    commands: new Map([["can", "Unknown: attached policies whose documents are not known may allow it"]]),
  },
  {
    code: EXIT.internal,
    meaning: "internal error: a bug in xacct (run again with XACCT_DEBUG=1 for its trace, and report it)",
    commands: new Map(),
  },
  {
    code: EXIT.closedOutput,
    meaning:
      "standard output was closed before xacct finished writing (a reader such as head stopped): it stops at once, quietly, as a Unix command ended by SIGPIPE does",
    commands: new Map(),
  },
];

/** exec's own statuses, which are its COMMAND's. */
export const EXEC_STATUSES =
  "exec exits as COMMAND does: its status, 126 if it cannot be run, 127 if it is not found, 128+N if signal N ended it";

/** The rows of the table that say something of `command`: its own, then the general ones. */
export function exitCodesOf(command: string): { code: number; text: string }[] {
  return EXIT_CODES.flatMap(({ code, meaning, commands }) => {
    const own = commands.get(command);
    if (own !== undefined) return [{ code, text: own }];
    return code === EXIT.ok || code === EXIT.usage || code === EXIT.internal || code === EXIT.closedOutput ? [{ code, text: meaning }] : [];
  });
}
