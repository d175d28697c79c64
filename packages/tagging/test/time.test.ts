import {
  FILETIME_UNIX_EPOCH,
  MAX_FILETIME,
  TICKS_PER_MICROSECOND,
  TICKS_PER_MILLISECOND,
  dateToFiletime,
  filetimeToDate,
  filetimeToUnixMs,
  ticksToMicroseconds,
  ticksToMilliseconds,
  unixMsToFiletime,
} from '../src';

describe('FILETIME conversions', () => {
  it('maps the Unix epoch to 0 ms and back', () => {
    expect(filetimeToUnixMs(FILETIME_UNIX_EPOCH)).toBe(0);
    expect(filetimeToDate(FILETIME_UNIX_EPOCH).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(unixMsToFiletime(0)).toBe(FILETIME_UNIX_EPOCH);
    expect(dateToFiletime(new Date(0))).toBe(FILETIME_UNIX_EPOCH);
  });

  it('handles FILETIME 0 (1601-01-01)', () => {
    expect(filetimeToUnixMs(0n)).toBe(-11_644_473_600_000);
    expect(filetimeToDate(0n).toISOString()).toBe('1601-01-01T00:00:00.000Z');
    expect(dateToFiletime(new Date('1601-01-01T00:00:00Z'))).toBe(0n);
  });

  it('handles the largest FILETIME', () => {
    expect(filetimeToUnixMs(MAX_FILETIME)).toBe(1_833_029_933_770_955);
    expect(filetimeToDate(MAX_FILETIME).getUTCFullYear()).toBe(60056);
  });

  it('rounds sub-millisecond ticks towards the past on both sides of 1970', () => {
    expect(filetimeToUnixMs(FILETIME_UNIX_EPOCH + 9_999n)).toBe(0);
    expect(filetimeToUnixMs(FILETIME_UNIX_EPOCH + 10_000n)).toBe(1);
    expect(filetimeToUnixMs(FILETIME_UNIX_EPOCH - 1n)).toBe(-1);
    expect(filetimeToUnixMs(FILETIME_UNIX_EPOCH - 10_000n)).toBe(-1);
    expect(filetimeToUnixMs(FILETIME_UNIX_EPOCH - 10_001n)).toBe(-2);
  });

  it('converts a known date exactly', () => {
    const ft = 133_484_544_000_000_000n;
    expect(filetimeToDate(ft).toISOString()).toBe('2023-12-31T00:00:00.000Z');
    expect(dateToFiletime(new Date('2023-12-31T00:00:00Z'))).toBe(ft);
    expect(unixMsToFiletime(1.5)).toBe(FILETIME_UNIX_EPOCH + 15_000n);
  });

  it('refuses values outside the FILETIME range', () => {
    expect(() => filetimeToUnixMs(-1n)).toThrow(RangeError);
    expect(() => filetimeToUnixMs(MAX_FILETIME + 1n)).toThrow(RangeError);
    expect(() => dateToFiletime(new Date('1600-12-31T23:59:59.999Z'))).toThrow(RangeError);
    expect(() => dateToFiletime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => unixMsToFiletime(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => unixMsToFiletime(2e15)).toThrow(RangeError);
  });

  it('round-trips millisecond dates', () => {
    for (const iso of ['1601-01-01T00:00:00.001Z', '1969-12-31T23:59:59.999Z', '2038-01-19T03:14:08.000Z', '9999-12-31T23:59:59.999Z']) {
      const d = new Date(iso);
      expect(filetimeToDate(dateToFiletime(d)).toISOString()).toBe(iso);
    }
  });
});

describe('tick arithmetic', () => {
  it('converts ticks to microseconds and milliseconds', () => {
    expect(TICKS_PER_MICROSECOND).toBe(10n);
    expect(TICKS_PER_MILLISECOND).toBe(10_000n);
    expect(ticksToMicroseconds(0n)).toBe(0);
    expect(ticksToMicroseconds(1n)).toBeCloseTo(0.1, 10);
    expect(ticksToMicroseconds(1_234n)).toBeCloseTo(123.4, 10);
    expect(ticksToMicroseconds(-15n)).toBeCloseTo(-1.5, 10);
    expect(ticksToMilliseconds(25_000n)).toBe(2.5);
    expect(ticksToMilliseconds(864_000_000_000n)).toBe(86_400_000);
  });

  it('stays exact for very large tick counts', () => {
    const big = 2n ** 60n + 7n;
    expect(ticksToMicroseconds(big)).toBeCloseTo(Number(big / 10n), -3);
  });
});
