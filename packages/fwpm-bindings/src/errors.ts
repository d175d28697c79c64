import { describeResult } from './catalog';

/**
 * A failure reported by the WFP management API (or detected before calling it).
 *
 * @example
 * ```ts
 * try {
 *   await engine.addSublayer({ key, name: 'twice', weight: 1 });
 * } catch (e) {
 *   if (e instanceof FwpmError && e.name === 'FWP_E_ALREADY_EXISTS') { … }
 * }
 * ```
 */
export class FwpmError extends Error {
  /** The DWORD the API returned (unsigned: `0x80320009`, not negative). */
  readonly code: number;
  /** The symbolic name of `code`, e.g. `FWP_E_ALREADY_EXISTS` or `ERROR_ACCESS_DENIED`; `UNKNOWN_0x…` otherwise. */
  override readonly name: string;
  /** The C function (or wfpkit operation) that failed. */
  readonly operation: string;

  /**
   * @param code - the result code
   * @param operation - what was being done
   * @param detail - extra context appended to the message
   */
  constructor(code: number, operation: string, detail?: string) {
    const info = describeResult(code);
    const hex = `0x${(code >>> 0).toString(16).padStart(8, '0')}`;
    const name = info?.name ?? `UNKNOWN_${hex}`;
    const advice = info?.message ?? 'Unknown result code: look it up in winerror.h.';
    super(`${operation} failed with ${name} (${hex}): ${advice}${detail ? ` ${detail}` : ''}`);
    this.code = code >>> 0;
    this.name = name;
    this.operation = operation;
  }
}

/**
 * A value that does not fit the field it is meant for; thrown before any native call.
 */
export class FwpmValidationError extends TypeError {
  /** The condition field or object property at fault. */
  readonly field: string;
  /** What was expected, e.g. `FWP_UINT16`. */
  readonly expected: string;

  /**
   * @param field - the field at fault
   * @param expected - the expected type or form
   * @param message - the full explanation
   */
  constructor(field: string, expected: string, message: string) {
    super(message);
    this.name = 'FwpmValidationError';
    this.field = field;
    this.expected = expected;
  }
}

/**
 * Throws an {@link FwpmError} unless `status` is 0.
 *
 * @param status - the DWORD a raw call returned
 * @param operation - the function name, for the message
 */
export function check(status: number, operation: string): void {
  if (status !== 0) throw new FwpmError(status, operation);
}
