// PACKET_DISCARDED in the fate tracker: a packet reported at a discard layer is dropped, in
// either direction; what the discard layer said is kept; reports for unknown contexts are
// counted; with discard reports on, an inbound `delivered` after lost records is `unknown`.
import { Direction, EventType, NblEventType as E } from '@wfpkit/ioctl-client';
import type { ContractRecord, PacketDiscardedRecord } from '@wfpkit/ioctl-client';
import type { PacketFate, PacketFateTrackerOptions } from '../src';
import { PacketFateTracker } from '../src';
import { T0, loss, notify, tagged } from './records';

function discarded(context: bigint, at: bigint, o: { inbound?: boolean; layerId?: number; module?: number; reason?: number; filterId?: bigint } = {}): PacketDiscardedRecord {
  return {
    kind: 'PACKET_DISCARDED',
    header: { type: EventType.PACKET_DISCARDED, flags: 0, size: 56, timestamp: at, flowId: 1n },
    context,
    discardModule: o.module ?? 1,
    discardReason: o.reason ?? 2,
    filterId: o.filterId ?? 0n,
    layerId: o.layerId ?? 13,
    direction: o.inbound === true ? Direction.INBOUND : Direction.OUTBOUND,
  };
}

function run(records: ContractRecord[], options: PacketFateTrackerOptions = {}): { fates: PacketFate[]; tracker: PacketFateTracker } {
  const fates: PacketFate[] = [];
  const tracker = new PacketFateTracker({ ...options, onFate: (f) => fates.push(f) });
  for (const r of records) tracker.push(r);
  return { fates, tracker };
}

test('an inbound packet reported discarded is dropped (without the report it would be delivered)', () => {
  const { fates, tracker } = run([
    tagged({ context: 5n, at: T0, inbound: true }),
    discarded(5n, T0 + 40n, { inbound: true, layerId: 13, module: 1, reason: 2 }),
    notify(5n, E.CONTEXT_REMOVED, T0 + 90n),
  ]);
  expect(fates.map((f) => [f.verdict, f.discardedAt, f.removedAt, f.inStackLatency])).toEqual([['dropped', T0 + 40n, T0 + 90n, 90n]]);
  expect(fates[0]?.discard).toEqual({ module: 1, reason: 2, filterId: 0n, layerId: 13 });
  expect(tracker.stats().discards).toBe(1);
  const plain = run([tagged({ context: 5n, at: T0, inbound: true }), notify(5n, E.CONTEXT_REMOVED, T0 + 90n)]);
  expect(plain.fates[0]?.verdict).toBe('delivered');
});

test('an outbound packet blocked by a filter keeps the filter id; the first report wins', () => {
  const { fates } = run([
    tagged({ context: 6n, at: T0 }),
    discarded(6n, T0 + 10n, { layerId: 5, module: 2, reason: 0, filterId: 77n }),
    discarded(6n, T0 + 11n, { layerId: 17, module: 1, reason: 9 }),
    notify(6n, E.CONTEXT_REMOVED, T0 + 30n),
  ]);
  expect(fates).toHaveLength(1);
  expect(fates[0]).toMatchObject({ verdict: 'dropped', discardedAt: T0 + 10n, events: 3, discard: { module: 2, reason: 0, filterId: 77n, layerId: 5 } });
});

test('a report for a context not in flight is counted and changes nothing', () => {
  const { fates, tracker } = run([tagged({ context: 7n, at: T0 }), discarded(8n, T0 + 1n), notify(7n, E.EXIT_NETIO, T0 + 2n), notify(7n, E.CONTEXT_REMOVED, T0 + 3n)]);
  expect(fates.map((f) => f.verdict)).toEqual(['sent']);
  expect(tracker.stats()).toMatchObject({ discards: 0, unknownDiscards: 1 });
});

test('with discard reports on, an inbound removal after lost records is unknown (its report may be among them)', () => {
  const records = [tagged({ context: 9n, at: T0, inbound: true }), loss(T0 + 5n, 3n), notify(9n, E.CONTEXT_REMOVED, T0 + 9n)];
  expect(run(records, { discardReports: true }).fates.map((f) => [f.verdict, f.lossAffected])).toEqual([['unknown', true]]);
  expect(run(records).fates.map((f) => [f.verdict, f.lossAffected])).toEqual([['delivered', true]]);
});

test('inFlightOf counts a flow\'s packets still followed', () => {
  const { tracker } = run([tagged({ context: 1n, at: T0, flowId: 3n }), tagged({ context: 2n, at: T0, flowId: 3n }), tagged({ context: 3n, at: T0, flowId: 4n })]);
  expect([tracker.inFlightOf(3n), tracker.inFlightOf(4n), tracker.inFlightOf(5n)]).toEqual([2, 1, 0]);
  tracker.push(notify(1n, E.CONTEXT_REMOVED, T0 + 1n, { flowId: 3n }));
  expect(tracker.inFlightOf(3n)).toBe(1);
});
