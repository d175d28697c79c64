import type { PacketFate } from '../src';
import { LatencyHistogram, LatencySummary } from '../src';

function fate(flowId: bigint, ticks: bigint | undefined, verdict: PacketFate['verdict'] = 'sent'): PacketFate {
  const f: PacketFate = {
    flowId,
    context: 1n,
    seq: 0,
    direction: 'outbound',
    ipVersion: 4,
    bytes: 100,
    layerId: 1,
    taggedAt: 0n,
    endedAt: 0n,
    clones: 0,
    duplicates: 0,
    branches: 1,
    branchVerdicts: { sent: 1, delivered: 0, dropped: 0, unknown: 0 },
    unfollowedCopies: 0,
    events: 1,
    verdict,
    reason: 'removed',
    lossAffected: false,
  };
  if (ticks !== undefined) {
    f.inStackLatency = ticks;
    f.inStackLatencyUs = Number(ticks) / 10;
  }
  return f;
}

describe('LatencyHistogram', () => {
  it('is exact below 16 ticks', () => {
    const h = new LatencyHistogram();
    for (let v = 0; v < 16; v++) h.record(v);
    expect(h.percentileTicks(50)).toBe(7);
    expect(h.percentileTicks(100)).toBe(15);
    expect(h.percentileTicks(0)).toBe(0);
    expect(h.stats()).toEqual({ count: 16, minUs: 0, maxUs: 1.5, meanUs: 0.75, p50Us: 0.7, p90Us: 1.4, p99Us: 1.5 });
  });

  it('keeps percentiles within 3.2 % on a wide distribution', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let seed = 1;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const v = Math.floor(Math.exp((seed / 2 ** 32) * Math.log(1e9))); // log-uniform 1 .. 1e9 ticks
      values.push(v);
      h.record(BigInt(v));
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const truth = values[Math.ceil((p / 100) * values.length) - 1] ?? 0;
      const got = h.percentileTicks(p) ?? 0;
      expect(Math.abs(got - truth)).toBeLessThanOrEqual(Math.max(1, truth * 0.032));
    }
    expect(h.stats()?.maxUs).toBe((values[values.length - 1] ?? 0) / 10);
    expect(h.stats()?.minUs).toBe((values[0] ?? 0) / 10);
  });

  it('handles empty, huge and invalid values with fixed memory', () => {
    const h = new LatencyHistogram();
    expect(h.stats()).toBeUndefined();
    expect(h.percentileUs(50)).toBeUndefined();
    h.record(2 ** 52);
    h.record(2n ** 50n);
    expect(h.count).toBe(2);
    expect(h.percentileTicks(50)).toBe(2 ** 50); // clamped into [min, max]
    expect(() => h.record(-1)).toThrow(RangeError);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.percentileTicks(101)).toThrow(RangeError);
    h.reset();
    expect(h.count).toBe(0);
  });

  it('merges another histogram: the same answers as one histogram that recorded both series', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const both = new LatencyHistogram();
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const v = x % (i % 2 === 0 ? 400 : 90_000);
      (i % 3 === 0 ? a : b).record(v);
      both.record(v);
    }
    const bBefore = b.stats();
    expect(a.merge(b)).toBe(a);
    expect(a.stats()).toEqual(both.stats());
    for (const p of [0, 1, 25, 50, 75, 90, 99, 99.9, 100]) expect(a.percentileTicks(p)).toBe(both.percentileTicks(p));
    expect(b.stats()).toEqual(bBefore); // the other is unchanged
    expect(a.merge(new LatencyHistogram()).stats()).toEqual(both.stats()); // an empty one changes nothing
    const fresh = new LatencyHistogram().merge(b);
    expect(fresh.stats()).toEqual(bBefore);
    const twice = new LatencyHistogram().merge(b).merge(b);
    const self = new LatencyHistogram().merge(b);
    expect(self.merge(self).stats()).toEqual(twice.stats());
  });
});

describe('LatencySummary', () => {
  it('summarises overall and per flow, only for the chosen verdicts', () => {
    const s = new LatencySummary();
    expect(s.add(fate(1n, 100n))).toBe(true);
    expect(s.add(fate(1n, 300n))).toBe(true);
    expect(s.add(fate(2n, 1_000n))).toBe(true);
    expect(s.add(fate(2n, 50n, 'dropped'))).toBe(false);
    expect(s.add(fate(3n, undefined, 'unknown'))).toBe(false);
    expect(s.overall()).toMatchObject({ count: 3, minUs: 10, maxUs: 100 });
    expect(s.flow(1n)).toMatchObject({ count: 2, minUs: 10, maxUs: 30 });
    expect(s.flow(3n)).toBeUndefined();
    expect(s.flows().map((f) => f.flowId)).toEqual([1n, 2n]);
    s.removeFlow(1n);
    expect(s.flowCount).toBe(1);
  });

  it('bounds the number of flow histograms, dropping the least recently updated', () => {
    const s = new LatencySummary({ maxFlows: 2 });
    s.add(fate(1n, 10n));
    s.add(fate(2n, 10n));
    s.add(fate(1n, 10n)); // flow 1 is now the most recent
    s.add(fate(3n, 10n));
    expect(s.flows().map((f) => f.flowId)).toEqual([1n, 3n]);
    expect(s.droppedFlows).toBe(1);
    expect(s.overall()?.count).toBe(4);
    expect(() => new LatencySummary({ maxFlows: -1 })).toThrow(RangeError);
  });
});
