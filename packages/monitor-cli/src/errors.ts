/*
 * Failures the CLI reports: one line that says what went wrong and how to fix it, and the exit
 * code. Errors of the libraries it calls are mapped here (by class name and code, so this module
 * loads none of them).
 */

/** Exit codes of `monitor-cli`; each failure message says how to fix it. */
export const EXIT_CODES = {
  /** Success. */
  OK: 0,
  /** The command failed (a corrupt capture, a WFP call refused, …). */
  FAILURE: 1,
  /** Bad arguments: an unknown option or command, an unknown app, a file that does not exist. */
  USAGE: 2,
  /** Needs an elevated prompt. */
  NOT_ELEVATED: 3,
  /** The wfpkit driver is not installed or not running. */
  DRIVER_MISSING: 4,
} as const;

/** A value of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * A failure of a command: `message` is one line that names the fix; the process exits with
 * `exitCode`.
 */
export class CliError extends Error {
  override name = 'CliError';
  /**
   * @param message - one line: what failed, then what to do
   * @param exitCode - one of {@link EXIT_CODES}
   */
  constructor(
    message: string,
    /** The exit code. */
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function field(e: object, name: string): unknown {
  return (e as Record<string, unknown>)[name];
}

/**
 * The exit code and one-line message for anything a command threw.
 *
 * @param e - what was thrown
 * @returns exit code and message (without the `monitor-cli:` prefix)
 */
export function describeFailure(e: unknown): { exitCode: ExitCode; message: string } {
  if (e instanceof CliError) return { exitCode: e.exitCode, message: oneLine(e.message) };
  if (!(e instanceof Error)) return { exitCode: EXIT_CODES.FAILURE, message: oneLine(String(e)) };
  const ctor = e.constructor.name;
  const code = field(e, 'code');
  const fix = field(e, 'fix');
  const withFix = (m: string): string => oneLine(typeof fix === 'string' && fix && !m.includes(fix) ? `${m}: ${fix}` : m);
  if (ctor === 'DriverNotLoadedError' || code === 'WFPKIT_DRIVER_NOT_LOADED') {
    return { exitCode: EXIT_CODES.DRIVER_MISSING, message: withFix(e.message) };
  }
  if (ctor === 'AccessDeniedError' || ctor === 'NotElevatedError' || code === 'WFPKIT_ACCESS_DENIED' || e.name === 'ERROR_ACCESS_DENIED') {
    return {
      exitCode: EXIT_CODES.NOT_ELEVATED,
      message: withFix(`${e.message}${/elevated/i.test(e.message) ? '' : ': run monitor-cli from an elevated prompt (Run as administrator)'}`),
    };
  }
  if (ctor === 'UnknownAppError') return { exitCode: EXIT_CODES.USAGE, message: withFix(e.message) };
  if (ctor === 'CaptureError') {
    const m = e.message.replace(/; pass acceptTruncated: true to replay it up to the cut/, '');
    return { exitCode: EXIT_CODES.FAILURE, message: oneLine(`${m}; give a complete pcap or pcapng capture (tshark -r FILE must read it)`) };
  }
  return { exitCode: EXIT_CODES.FAILURE, message: withFix(e.message) };
}
