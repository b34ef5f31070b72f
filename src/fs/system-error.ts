/**
 * Errors the operating system returns (ENOSPC, ENAMETOOLONG, EACCES, EROFS…): facts about the
 * user's machine, not bugs, said in one line.
 */

/** A Node.js system error: a `code` such as ENOSPC and the system call that returned it. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string; syscall: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    typeof (error as NodeJS.ErrnoException).syscall === "string"
  );
}

/** `no space left on device (ENOSPC)`: the operating system's words, then its code. */
export function systemErrorText(error: NodeJS.ErrnoException & { code: string }): string {
  // Node's message is "CODE: description, syscall 'path'".
  const words = new RegExp(`^${error.code}: (.*?)(?:, ${error.syscall ?? ""}\\b.*)?$`, "s").exec(error.message)?.[1];
  return words && words !== error.message ? `${words} (${error.code})` : error.code;
}
