/**
 * Errors of {@link TaggingSession}: each has a stable `code` and a `fix`, one sentence that says
 * what to do. The driver's own errors (`DriverNotLoadedError`, `DeviceError`, …) come from
 * `@wfpkit/ioctl-client` and are re-exported here.
 */
export { DriverNotLoadedError } from '@wfpkit/ioctl-client';

/** Stable identifier of each error class of this module (the `code` property). */
export type TaggingErrorCode =
  | 'WFPKIT_TAGGING_SESSION_STATE'
  | 'WFPKIT_TAGGING_CALLOUTS_NOT_INSTALLED'
  | 'WFPKIT_TAGGING_NOT_ELEVATED'
  | 'WFPKIT_TAGGING_UNKNOWN_APP'
  | 'WFPKIT_TAGGING_INVALID_OPTION';

/**
 * Base class of the errors {@link TaggingSession} throws itself.
 *
 * @example
 * ```ts
 * try {
 *   await TaggingSession.start({ app: 'C:\\Windows\\System32\\curl.exe' });
 * } catch (error) {
 *   if (error instanceof TaggingError) console.error(`${error.message}\nfix: ${error.fix}`);
 *   else throw error;
 * }
 * ```
 */
export abstract class TaggingError extends Error {
  /** Stable identifier of the error class. */
  abstract readonly code: TaggingErrorCode;

  constructor(
    message: string,
    /** What to do about it. */
    readonly fix: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${message}: ${fix}`, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * A session was used in a state that does not allow it: started twice for the same app in
 * one process, iterated twice, or used after `stop()`.
 */
export class SessionStateError extends TaggingError {
  override name = 'SessionStateError';
  /** Always `'WFPKIT_TAGGING_SESSION_STATE'`. */
  readonly code = 'WFPKIT_TAGGING_SESSION_STATE' as const;
}

/**
 * wfpkit's provider and callouts are not in the filtering engine, so the session's filters
 * would have nothing to call.
 */
export class CalloutsNotInstalledError extends TaggingError {
  override name = 'CalloutsNotInstalledError';
  /** Always `'WFPKIT_TAGGING_CALLOUTS_NOT_INSTALLED'`. */
  readonly code = 'WFPKIT_TAGGING_CALLOUTS_NOT_INSTALLED' as const;

  constructor(
    /** The keys (contract names) of the objects that are missing. */
    readonly missing: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(
      `wfpkit's callouts are not installed (missing: ${missing.join(', ')})`,
      'install them once from an elevated prompt: `monitor-cli addcallouts`, or TaggingSession.installCallouts() from code',
      options,
    );
  }
}

/** The caller is not an administrator: the device or the filtering engine refused it. */
export class NotElevatedError extends TaggingError {
  override name = 'NotElevatedError';
  /** Always `'WFPKIT_TAGGING_NOT_ELEVATED'`. */
  readonly code = 'WFPKIT_TAGGING_NOT_ELEVATED' as const;

  constructor(
    /** What was refused (`'opening the wfpkit device'`, `'adding the session filters'`, …). */
    readonly operation: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${operation} was denied: packet tagging needs an administrator`, 'run from an elevated prompt (Run as administrator)', options);
  }
}

/** `app` does not name a program `FwpmGetAppIdFromFileName0` can turn into an app id. */
export class UnknownAppError extends TaggingError {
  override name = 'UnknownAppError';
  /** Always `'WFPKIT_TAGGING_UNKNOWN_APP'`. */
  readonly code = 'WFPKIT_TAGGING_UNKNOWN_APP' as const;

  constructor(
    /** The path that was given. */
    readonly app: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `unknown app ${JSON.stringify(app)} (${detail})`,
      'give the full DOS path of an existing program, for example C:\\Windows\\System32\\curl.exe',
      options,
    );
  }
}

/** An option of {@link TaggingSession.start} (or of `TaggingSession.events`) is out of its limits; nothing was changed. */
export class InvalidOptionError extends TaggingError {
  override name = 'InvalidOptionError';
  /** Always `'WFPKIT_TAGGING_INVALID_OPTION'`. */
  readonly code = 'WFPKIT_TAGGING_INVALID_OPTION' as const;

  constructor(
    /** The option at fault. */
    readonly option: string,
    /** What is allowed, in words. */
    readonly allowed: string,
    /** The value given. */
    readonly value: unknown,
    /** The call the option was given to. */
    readonly call = 'TaggingSession.start',
  ) {
    super(`${call}: ${option} must be ${allowed}, got ${describe(value)}`, `pass ${option} as ${allowed}, or leave it out for the default`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return String(value);
}
