/**
 * Errors of the command line. A `CliError` is the user's fault (bad input,
 * bad arguments): one line on stderr and exit status 2. Anything else that
 * escapes a command is an internal failure: exit status 1.
 */

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Makes a message safe for a one-line report: no newlines, bounded length. */
export function oneLine(message: string, max = 400): string {
  const s = message.replace(/\s*\n\s*/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
