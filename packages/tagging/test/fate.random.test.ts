import { NblEventType as E, NotifyFlags as F } from '@wfpkit/ioctl-client';
import type { ContractRecord } from '@wfpkit/ioctl-client';
import type { PacketFate, PacketVerdict } from '../src';
import { PacketFateTracker } from '../src';
import { T0, flowDeleted, notify, tagged } from './records';

/** mulberry32: a small seeded PRNG, so the test is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Timed {
  at: bigint;
  order: number;
  record: ContractRecord;
}

const OUTBOUND = ['sent', 'sentNative', 'dropped', 'movedSent', 'movedDropped', 'dupSentDropped', 'dupDropped', 'asyncUnexited', 'asyncExited', 'never'] as const;
const INBOUND = ['delivered', 'dupDelivered', 'async', 'never'] as const;

interface Script {
  records: Timed[];
  expected: Map<bigint, { verdict: PacketVerdict; never: boolean }>;
  noise: number;
  flows: bigint[];
  end: bigint;
}

function generate(packets: number, seed: number): Script {
  const rand = prng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const records: Timed[] = [];
  const expected = new Map<bigint, { verdict: PacketVerdict; never: boolean }>();
  let order = 0;
  let nextContext = 1n;
  let noise = 0;
  let end = T0;
  const flows = new Set<bigint>();
  for (let i = 0; i < packets; i++) {
    const flowId = BigInt(1 + (i % 50));
    flows.add(flowId);
    const inbound = rand() < 0.3;
    const scenario = inbound ? INBOUND[int(INBOUND.length)] : OUTBOUND[int(OUTBOUND.length)];
    const ctx = nextContext++;
    let t = T0 + BigInt(i * 100 + int(50));
    const push = (record: ContractRecord): void => {
      records.push({ at: record.header.timestamp, order: order++, record });
      if (record.header.timestamp > end) end = record.header.timestamp;
    };
    const step = (): bigint => (t += BigInt(1 + int(5000)));
    const ev = (c: bigint, type: number, flags = 0, newContext = 0n): void => push(notify(c, type, step(), { flags, newContext, flowId }));
    push(tagged({ context: ctx, at: t, flowId, seq: i, inbound }));
    let verdict: PacketVerdict;
    let never = false;
    switch (scenario) {
      case 'sent':
        if (rand() < 0.5) ev(ctx, E.ENTERED_NETIO);
        ev(ctx, E.EXIT_NETIO);
        if (rand() < 0.5) ev(ctx, E.NDIS_SEND_COMPLETE);
        ev(ctx, E.CONTEXT_REMOVED);
        verdict = 'sent';
        break;
      case 'sentNative':
        ev(ctx, E.NDIS_NATIVE_SEND_COMPLETE);
        ev(ctx, E.CONTEXT_REMOVED);
        verdict = 'sent';
        break;
      case 'dropped':
        if (rand() < 0.5) ev(ctx, E.ENTERED_NETIO);
        ev(ctx, E.CONTEXT_REMOVED);
        verdict = 'dropped';
        break;
      case 'movedSent':
      case 'movedDropped': {
        const next = nextContext++;
        ev(ctx, E.CLONED_BY_NETIO, F.CONTEXT_MOVED, next);
        if (scenario === 'movedSent') ev(next, E.EXIT_NETIO);
        ev(next, E.CONTEXT_REMOVED);
        verdict = scenario === 'movedSent' ? 'sent' : 'dropped';
        break;
      }
      case 'dupSentDropped':
      case 'dupDropped': {
        const copy = nextContext++;
        ev(ctx, E.DUPLICATED_BY_NETIO, F.CONTEXT_COPIED, copy);
        const order2 = rand() < 0.5;
        if (scenario === 'dupSentDropped') ev(order2 ? ctx : copy, E.EXIT_NETIO);
        ev(order2 ? copy : ctx, E.CONTEXT_REMOVED);
        ev(order2 ? ctx : copy, E.CONTEXT_REMOVED);
        verdict = scenario === 'dupSentDropped' ? 'sent' : 'dropped';
        break;
      }
      case 'asyncUnexited':
        ev(ctx, E.CONTEXT_REMOVED, F.NBL_NULL);
        verdict = 'unknown';
        break;
      case 'asyncExited':
        ev(ctx, E.EXIT_NETIO);
        ev(ctx, E.CONTEXT_REMOVED, F.NBL_NULL);
        verdict = 'sent';
        break;
      case 'delivered':
        if (rand() < 0.5) ev(ctx, E.NDIS_RECV_COMPLETE);
        ev(ctx, E.CONTEXT_REMOVED);
        verdict = 'delivered';
        break;
      case 'dupDelivered': {
        const copy = nextContext++;
        ev(ctx, E.DUPLICATED_BY_NETIO, F.CONTEXT_COPIED, copy);
        ev(copy, E.CONTEXT_REMOVED);
        ev(ctx, E.CONTEXT_REMOVED);
        verdict = 'delivered';
        break;
      }
      case 'async':
        ev(ctx, E.CONTEXT_REMOVED, F.NBL_NULL);
        verdict = 'unknown';
        break;
      default:
        never = true; // its removal never arrives: its flow's deletion ends it
        verdict = 'unknown';
        break;
    }
    expected.set(ctx, { verdict, never });
    if (rand() < 0.02) {
      noise++;
      push(notify(10_000_000n + BigInt(i), E.EXIT_NETIO, t + 1n, { flowId }));
    }
  }
  records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  return { records, expected, noise, flows: [...flows], end };
}

describe('PacketFateTracker conservation (10,000 packets, seeded interleaving)', () => {
  const script = generate(10_000, 20261122);

  it('gives every tagged packet exactly one fate, the model verdict, and returns in-flight memory to zero', () => {
    const fates = new Map<bigint, PacketFate>();
    let duplicates = 0;
    const tracker = new PacketFateTracker({
      flowDeleteGraceMs: 1,
      onFate: (f) => {
        if (fates.has(f.context)) duplicates++;
        fates.set(f.context, f);
      },
    });
    for (const { record } of script.records) tracker.push(record);
    // End every flow; the packets whose removal never came end after the grace period.
    for (const flowId of script.flows) tracker.push(flowDeleted(flowId, script.end + 1n));
    tracker.advanceTime(script.end + 1n + 10_000n);

    expect(duplicates).toBe(0);
    expect(fates.size).toBe(script.expected.size);
    let mismatches = 0;
    for (const [ctx, want] of script.expected) {
      const got = fates.get(ctx);
      if (got === undefined || got.verdict !== want.verdict) mismatches++;
      if (got !== undefined && want.never) expect(got.reason).toBe('flow-deleted');
    }
    expect(mismatches).toBe(0);
    const stats = tracker.stats();
    expect(tracker.inFlight).toBe(0);
    expect(stats.inFlight).toBe(0);
    expect(stats.tagged).toBe(10_000);
    expect(stats.emitted).toBe(10_000);
    expect(stats.verdicts.sent + stats.verdicts.delivered + stats.verdicts.dropped + stats.verdicts.unknown).toBe(10_000);
    expect(stats.unknownContext).toBe(script.noise);
    expect(stats.evicted).toBe(0);
    expect(stats.inFlightHighWater).toBeLessThan(2_000);
  });

  it('conserves under a tiny in-flight cap: evictions are unknown and counted, never lost or doubled', () => {
    const seen = new Set<bigint>();
    let duplicates = 0;
    const tracker = new PacketFateTracker({
      maxInFlight: 64,
      onFate: (f) => {
        if (seen.has(f.context)) duplicates++;
        seen.add(f.context);
      },
    });
    let most = 0;
    for (const { record } of script.records) {
      tracker.push(record);
      if (tracker.inFlight > most) most = tracker.inFlight;
    }
    expect(most).toBe(64);
    tracker.flush();
    const stats = tracker.stats();
    expect(duplicates).toBe(0);
    expect(seen.size).toBe(10_000);
    expect(stats.emitted).toBe(10_000);
    expect(stats.inFlight).toBe(0);
    expect(stats.evicted).toBeGreaterThan(0);
    expect(stats.inFlightHighWater).toBe(64);
  });
});
