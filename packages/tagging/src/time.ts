/**
 * FILETIME helpers. Every record the driver writes carries its time as a Windows FILETIME:
 * an unsigned 64-bit count of 100 ns intervals ("ticks") since 1601-01-01 00:00:00 UTC,
 * decoded as a `bigint`. These helpers turn such values into JavaScript time and back,
 * and turn tick differences (latencies, durations) into microseconds and milliseconds.
 */

/**
 * FILETIME of the Unix epoch (1970-01-01 00:00:00 UTC): 11 644 473 600 s after 1601-01-01.
 *
 * @example
 * ```ts
 * import { FILETIME_UNIX_EPOCH, filetimeToUnixMs } from '@wfpkit/tagging';
 * filetimeToUnixMs(FILETIME_UNIX_EPOCH); // 0
 * ```
 */
export const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;

/**
 * Largest FILETIME a record can carry (2^64 − 1 ticks, in the year 60056).
 *
 * @example
 * ```ts
 * import { MAX_FILETIME, filetimeToDate } from '@wfpkit/tagging';
 * filetimeToDate(MAX_FILETIME).getUTCFullYear(); // 60056
 * ```
 */
export const MAX_FILETIME = 0xffff_ffff_ffff_ffffn;

/**
 * 100 ns ticks in one millisecond.
 *
 * @example
 * ```ts
 * import { TICKS_PER_MILLISECOND } from '@wfpkit/tagging';
 * const fiveMs = 5n * TICKS_PER_MILLISECOND; // 50_000n
 * ```
 */
export const TICKS_PER_MILLISECOND = 10_000n;

/**
 * 100 ns ticks in one microsecond.
 *
 * @example
 * ```ts
 * import { TICKS_PER_MICROSECOND } from '@wfpkit/tagging';
 * const latency = 250n * TICKS_PER_MICROSECOND; // 2_500n ticks = 250 µs
 * ```
 */
export const TICKS_PER_MICROSECOND = 10n;

function checkFiletime(filetime: bigint, where: string): void {
  if (typeof filetime !== 'bigint' || filetime < 0n || filetime > MAX_FILETIME) {
    throw new RangeError(`${where}: a FILETIME must be a bigint in 0..2^64-1, got ${String(filetime)}`);
  }
}

/**
 * Converts a FILETIME to milliseconds since the Unix epoch, rounded down (towards the
 * past, also before 1970). Every FILETIME fits: the result lies between
 * −11 644 473 600 000 (1601-01-01) and 1 833 029 933 770 955 (year 60056).
 *
 * @param filetime - 100 ns ticks since 1601-01-01 UTC, as in `RecordHeader.timestamp`.
 * @throws RangeError when `filetime` is negative or above 2^64 − 1.
 * @example
 * ```ts
 * import { filetimeToUnixMs } from '@wfpkit/tagging';
 * filetimeToUnixMs(0n); // -11644473600000 (1601-01-01T00:00:00Z)
 * filetimeToUnixMs(133_484_544_000_000_000n); // 1703980800000 (2023-12-31T00:00:00Z)
 * ```
 */
export function filetimeToUnixMs(filetime: bigint): number {
  checkFiletime(filetime, 'filetimeToUnixMs');
  const ticks = filetime - FILETIME_UNIX_EPOCH;
  let ms = ticks / TICKS_PER_MILLISECOND;
  if (ticks < 0n && ticks % TICKS_PER_MILLISECOND !== 0n) ms -= 1n;
  return Number(ms);
}

/**
 * Converts a FILETIME to a `Date` (millisecond precision: the sub-millisecond ticks are
 * dropped, rounding towards the past).
 *
 * @param filetime - 100 ns ticks since 1601-01-01 UTC.
 * @throws RangeError when `filetime` is negative or above 2^64 − 1.
 * @example
 * ```ts
 * import { filetimeToDate } from '@wfpkit/tagging';
 * filetimeToDate(116_444_736_000_000_000n).toISOString(); // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function filetimeToDate(filetime: bigint): Date {
  return new Date(filetimeToUnixMs(filetime));
}

/**
 * Converts milliseconds since the Unix epoch (fractions allowed, kept to the nearest 100 ns)
 * to a FILETIME.
 *
 * @param unixMs - Milliseconds since 1970-01-01 UTC, as `Date.now()` returns.
 * @throws RangeError when `unixMs` is not finite or falls before 1601-01-01 or after the
 * largest FILETIME.
 * @example
 * ```ts
 * import { unixMsToFiletime } from '@wfpkit/tagging';
 * unixMsToFiletime(0); // 116444736000000000n
 * unixMsToFiletime(1.5); // 116444736000015000n
 * ```
 */
export function unixMsToFiletime(unixMs: number): bigint {
  if (!Number.isFinite(unixMs)) throw new RangeError(`unixMsToFiletime: expected a finite number of milliseconds, got ${unixMs}`);
  const whole = Math.floor(unixMs);
  const fraction = Math.round((unixMs - whole) * 10_000);
  const filetime = FILETIME_UNIX_EPOCH + BigInt(whole) * TICKS_PER_MILLISECOND + BigInt(fraction);
  if (filetime < 0n || filetime > MAX_FILETIME) {
    throw new RangeError(`unixMsToFiletime: ${unixMs} ms is outside the FILETIME range (1601-01-01 to the year 60056)`);
  }
  return filetime;
}

/**
 * Converts a `Date` to a FILETIME.
 *
 * @param date - Any valid `Date` from 1601-01-01 on.
 * @throws RangeError for an invalid `Date` or one before 1601-01-01 UTC.
 * @example
 * ```ts
 * import { dateToFiletime } from '@wfpkit/tagging';
 * dateToFiletime(new Date('1601-01-01T00:00:00Z')); // 0n
 * ```
 */
export function dateToFiletime(date: Date): bigint {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('dateToFiletime: the Date is invalid');
  return unixMsToFiletime(ms);
}

/**
 * Converts a tick count (a difference of two FILETIMEs, such as an in-stack latency) to
 * microseconds. Exact for any count below 2^53 µs; negative differences stay negative.
 *
 * @param ticks - 100 ns units.
 * @example
 * ```ts
 * import { ticksToMicroseconds } from '@wfpkit/tagging';
 * ticksToMicroseconds(1_234n); // 123.4
 * ```
 */
export function ticksToMicroseconds(ticks: bigint): number {
  if (ticks >= 0n && ticks <= SAFE_TICKS) {
    // the same arithmetic in doubles (exact below 2^53), without allocating bigints
    const n = Number(ticks);
    let q = Math.floor(n / 10);
    if (q * 10 > n) q--;
    return q + (n - q * 10) / 10;
  }
  return Number(ticks / TICKS_PER_MICROSECOND) + Number(ticks % TICKS_PER_MICROSECOND) / 10;
}

const SAFE_TICKS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Converts a tick count (a difference of two FILETIMEs, such as a flow's duration) to
 * milliseconds, with the sub-millisecond part as a fraction.
 *
 * @param ticks - 100 ns units.
 * @example
 * ```ts
 * import { ticksToMilliseconds } from '@wfpkit/tagging';
 * ticksToMilliseconds(25_000n); // 2.5
 * ```
 */
export function ticksToMilliseconds(ticks: bigint): number {
  return Number(ticks / TICKS_PER_MILLISECOND) + Number(ticks % TICKS_PER_MILLISECOND) / 10_000;
}
