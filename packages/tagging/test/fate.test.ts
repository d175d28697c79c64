import { LossReason, NblEventType as E, NotifyFlags as F } from '@wfpkit/ioctl-client';
import type { ContractRecord } from '@wfpkit/ioctl-client';
import type { PacketFate, PacketFateTrackerOptions } from '../src';
import { PacketFateTracker } from '../src';
import { T0, flowDeleted, loss, notify, tagged } from './records';

function run(records: ContractRecord[], options: PacketFateTrackerOptions = {}): { fates: PacketFate[]; tracker: PacketFateTracker } {
  const fates: PacketFate[] = [];
  const tracker = new PacketFateTracker({ ...options, onFate: (f) => fates.push(f) });
  for (const r of records) tracker.push(r);
  return { fates, tracker };
}

describe('PacketFateTracker verdicts', () => {
  it('outbound: exit and send completion before removal → sent, with in-stack latency', () => {
    const { fates, tracker } = run([
      tagged({ context: 1n, at: T0, seq: 7, bytes: 1200, layerId: 20, flowId: 9n }),
      notify(1n, E.EXIT_NETIO, T0 + 12_345n),
      notify(1n, E.NDIS_SEND_COMPLETE, T0 + 20_000n),
      notify(1n, E.CONTEXT_REMOVED, T0 + 21_000n),
    ]);
    expect(fates).toHaveLength(1);
    expect(fates[0]).toEqual({
      flowId: 9n,
      context: 1n,
      seq: 7,
      direction: 'outbound',
      ipVersion: 4,
      bytes: 1200,
      layerId: 20,
      taggedAt: T0,
      exitedAt: T0 + 12_345n,
      sendCompletedAt: T0 + 20_000n,
      removedAt: T0 + 21_000n,
      endedAt: T0 + 21_000n,
      clones: 0,
      duplicates: 0,
      branches: 1,
      branchVerdicts: { sent: 1, delivered: 0, dropped: 0, unknown: 0 },
      unfollowedCopies: 0,
      events: 3,
      verdict: 'sent',
      reason: 'removed',
      lossAffected: false,
      inStackLatency: 12_345n,
      inStackLatencyUs: 1234.5,
    });
    expect(tracker.inFlight).toBe(0);
    expect(tracker.stats()).toMatchObject({ tagged: 1, notifies: 3, emitted: 1, verdicts: { sent: 1 } });
  });

  it('outbound: a native send completion alone counts as leaving the stack; latency runs to it', () => {
    const { fates } = run([
      tagged({ context: 1n, at: T0 }),
      notify(1n, E.NDIS_NATIVE_SEND_COMPLETE, T0 + 500n),
      notify(1n, E.CONTEXT_REMOVED, T0 + 600n),
    ]);
    expect(fates[0]).toMatchObject({ verdict: 'sent', sendCompletedAt: T0 + 500n, inStackLatency: 500n, inStackLatencyUs: 50 });
    expect(fates[0]?.exitedAt).toBeUndefined();
  });

  it('outbound: removed without ever exiting → dropped (latency = time to removal)', () => {
    const { fates } = run([tagged({ context: 5n, at: T0 }), notify(5n, E.ENTERED_NETIO, T0 + 10n), notify(5n, E.CONTEXT_REMOVED, T0 + 3_000n)]);
    expect(fates[0]).toMatchObject({ verdict: 'dropped', enteredAt: T0 + 10n, removedAt: T0 + 3_000n, inStackLatency: 3_000n, inStackLatencyUs: 300, reason: 'removed' });
  });

  it('inbound: consumed by the stack and removed → delivered', () => {
    const { fates } = run([
      tagged({ context: 2n, at: T0, inbound: true }),
      notify(2n, E.NDIS_RECV_COMPLETE, T0 + 40n),
      notify(2n, E.CONTEXT_REMOVED, T0 + 70n),
    ]);
    expect(fates[0]).toMatchObject({ direction: 'inbound', verdict: 'delivered', recvCompletedAt: T0 + 40n, removedAt: T0 + 70n, inStackLatency: 70n });
  });

  it('clone with CONTEXT_MOVED: the packet continues under newContext and its fate follows the clone', () => {
    const { fates, tracker } = run([
      tagged({ context: 10n, at: T0 }),
      notify(10n, E.CLONED_BY_NETIO, T0 + 5n, { flags: F.CONTEXT_MOVED, newContext: 11n }),
      notify(10n, E.CONTEXT_REMOVED, T0 + 6n), // the old context is no longer followed
      notify(11n, E.EXIT_NETIO, T0 + 9n),
      notify(11n, E.CONTEXT_REMOVED, T0 + 12n),
    ]);
    expect(fates).toHaveLength(1);
    expect(fates[0]).toMatchObject({ context: 10n, verdict: 'sent', clones: 1, branches: 1, exitedAt: T0 + 9n, removedAt: T0 + 12n, events: 3 });
    expect(tracker.stats().unknownContext).toBe(1);
  });

  it('clone moved, then dropped under the new context → dropped', () => {
    const { fates } = run([
      tagged({ context: 10n, at: T0 }),
      notify(10n, E.CLONED_VIA_WFP_API, T0 + 5n, { flags: F.CONTEXT_MOVED, newContext: 11n }),
      notify(11n, E.CONTEXT_REMOVED, T0 + 8n),
    ]);
    expect(fates[0]).toMatchObject({ verdict: 'dropped', clones: 1 });
  });

  it('duplicate with CONTEXT_COPIED: two followed copies, one fate record combining both', () => {
    const { fates, tracker } = run([
      tagged({ context: 20n, at: T0 }),
      notify(20n, E.DUPLICATED_BY_NETIO, T0 + 3n, { flags: F.CONTEXT_COPIED, newContext: 21n }),
      notify(20n, E.EXIT_NETIO, T0 + 10n),
      notify(20n, E.CONTEXT_REMOVED, T0 + 11n),
    ]);
    expect(fates).toHaveLength(0); // the copy is still in flight
    expect(tracker.inFlight).toBe(1);
    tracker.push(notify(21n, E.CONTEXT_REMOVED, T0 + 30n)); // the copy never left: dropped
    expect(fates).toHaveLength(1);
    expect(fates[0]).toMatchObject({
      context: 20n,
      verdict: 'sent',
      duplicates: 1,
      branches: 2,
      branchVerdicts: { sent: 1, delivered: 0, dropped: 1, unknown: 0 },
      exitedAt: T0 + 10n,
      removedAt: T0 + 30n,
      inStackLatency: 10n,
    });
  });

  it('duplicate: both copies dropped → dropped; an unfollowed copy → unknown', () => {
    const both = run([
      tagged({ context: 20n, at: T0 }),
      notify(20n, E.DUPLICATED_BY_NETIO, T0 + 3n, { flags: F.CONTEXT_COPIED, newContext: 21n }),
      notify(21n, E.CONTEXT_REMOVED, T0 + 5n),
      notify(20n, E.CONTEXT_REMOVED, T0 + 6n),
    ]);
    expect(both.fates[0]).toMatchObject({ verdict: 'dropped', branchVerdicts: { dropped: 2 } });

    const unfollowed = run([
      tagged({ context: 20n, at: T0 }),
      notify(20n, E.DUPLICATED_BY_NETIO, T0 + 3n, { flags: F.CONTEXT_COPIED | F.FOLLOW_FAILED, newContext: 0n }),
      notify(20n, E.CONTEXT_REMOVED, T0 + 6n),
    ]);
    expect(unfollowed.fates[0]).toMatchObject({ verdict: 'unknown', unfollowedCopies: 1, branchVerdicts: { dropped: 1 } });
    expect(unfollowed.tracker.stats().followFailed).toBe(1);
  });

  it('inbound duplicate: delivered if any copy was delivered', () => {
    const { fates } = run([
      tagged({ context: 30n, at: T0, inbound: true }),
      notify(30n, E.DUPLICATED_BY_NETIO, T0 + 1n, { flags: F.CONTEXT_COPIED, newContext: 31n }),
      notify(31n, E.CONTEXT_REMOVED, T0 + 2n, { flags: F.NBL_NULL }),
      notify(30n, E.CONTEXT_REMOVED, T0 + 4n),
    ]);
    expect(fates[0]).toMatchObject({ verdict: 'delivered', branchVerdicts: { delivered: 1, unknown: 1 } });
  });

  it('a failed move ends the packet as unknown (follow-failed)', () => {
    const { fates } = run([
      tagged({ context: 40n, at: T0 }),
      notify(40n, E.CLONED_BY_NETIO, T0 + 1n, { flags: F.CONTEXT_MOVED | F.FOLLOW_FAILED }),
    ]);
    expect(fates[0]).toMatchObject({ verdict: 'unknown', reason: 'follow-failed', clones: 1 });
    expect(fates[0]?.inStackLatency).toBeUndefined();
  });

  it('CONTEXT_REMOVED with NBL_NULL: unknown unless the packet had already exited', () => {
    const { fates, tracker } = run([
      tagged({ context: 1n, at: T0 }),
      tagged({ context: 2n, at: T0 }),
      tagged({ context: 3n, at: T0, inbound: true }),
      notify(2n, E.EXIT_NETIO, T0 + 4n),
      notify(1n, E.CONTEXT_REMOVED, T0 + 10n, { flags: F.NBL_NULL }),
      notify(2n, E.CONTEXT_REMOVED, T0 + 10n, { flags: F.NBL_NULL }),
      notify(3n, E.CONTEXT_REMOVED, T0 + 10n, { flags: F.NBL_NULL }),
    ]);
    expect(fates.map((f) => [f.context, f.verdict, f.reason])).toEqual([
      [1n, 'unknown', 'removed-async'],
      [2n, 'sent', 'removed-async'],
      [3n, 'unknown', 'removed-async'],
    ]);
    expect(fates[0]?.removedAt).toBe(T0 + 10n);
    expect(fates[1]?.inStackLatency).toBe(4n);
    expect(tracker.stats().asyncRemovals).toBe(3);
  });

  it('a notify for an unknown context is counted, not a crash', () => {
    const { fates, tracker } = run([notify(999n, E.EXIT_NETIO, T0), notify(999n, E.CONTEXT_REMOVED, T0 + 1n)]);
    expect(fates).toHaveLength(0);
    expect(tracker.stats()).toMatchObject({ unknownContext: 2, notifies: 2, emitted: 0 });
  });

  it('a context tagged again while in flight ends the older packet as unknown', () => {
    const { fates, tracker } = run([tagged({ context: 1n, at: T0, seq: 1 }), tagged({ context: 1n, at: T0 + 1n, seq: 2 }), notify(1n, E.CONTEXT_REMOVED, T0 + 2n)]);
    expect(fates.map((f) => [f.seq, f.verdict, f.reason])).toEqual([
      [1, 'unknown', 'context-reused'],
      [2, 'dropped', 'removed'],
    ]);
    expect(tracker.stats().contextReused).toBe(1);
  });

  it('counts fragments', () => {
    const { fates } = run([tagged({ context: 1n, at: T0, inbound: true }), notify(1n, E.REASSEMBLED_FRAGMENT, T0 + 1n), notify(1n, E.CONTEXT_REMOVED, T0 + 2n)]);
    expect(fates[0]).toMatchObject({ fragments: 1, verdict: 'delivered' });
  });
});

describe('PacketFateTracker bounds', () => {
  it('evicts the oldest in-flight packets as unknown when the cap is exceeded, and counts them', () => {
    const records: ContractRecord[] = [];
    for (let i = 1; i <= 5; i++) records.push(tagged({ context: BigInt(i), at: T0 + BigInt(i), seq: i }));
    const { fates, tracker } = run(records, { maxInFlight: 3 });
    expect(fates.map((f) => [f.seq, f.verdict, f.reason])).toEqual([
      [1, 'unknown', 'evicted'],
      [2, 'unknown', 'evicted'],
    ]);
    expect(tracker.inFlight).toBe(3);
    expect(tracker.stats()).toMatchObject({ evicted: 2, inFlightHighWater: 3, tagged: 5, emitted: 2 });
    tracker.push(notify(1n, E.CONTEXT_REMOVED, T0 + 10n)); // late event for an evicted packet
    expect(tracker.stats().unknownContext).toBe(1);
  });

  it('a copy that overflows the cap evicts the oldest NBL without ending its own packet early', () => {
    const { fates, tracker } = run(
      [tagged({ context: 1n, at: T0 }), notify(1n, E.DUPLICATED_BY_NETIO, T0 + 1n, { flags: F.CONTEXT_COPIED, newContext: 2n })],
      { maxInFlight: 1 },
    );
    expect(fates).toHaveLength(0);
    expect(tracker.inFlight).toBe(1);
    tracker.push(notify(2n, E.CONTEXT_REMOVED, T0 + 2n));
    expect(fates[0]).toMatchObject({ verdict: 'unknown', branchVerdicts: { unknown: 1, dropped: 1 } });
  });

  it('FLOW_DELETED: packets still in flight after the grace period end as unknown; removals within it count normally', () => {
    const ms = 10_000n;
    const { fates, tracker } = run(
      [
        tagged({ context: 1n, at: T0, flowId: 7n }),
        tagged({ context: 2n, at: T0, flowId: 7n }),
        tagged({ context: 3n, at: T0, flowId: 8n }),
        flowDeleted(7n, T0 + 1n * ms),
        notify(1n, E.CONTEXT_REMOVED, T0 + 1n * ms + 5_000n),
      ],
      { flowDeleteGraceMs: 1 },
    );
    expect(fates.map((f) => [f.context, f.verdict])).toEqual([[1n, 'dropped']]);
    tracker.push(notify(3n, E.EXIT_NETIO, T0 + 2n * ms)); // clock passes the deadline
    expect(fates.map((f) => [f.context, f.verdict, f.reason])).toEqual([
      [1n, 'dropped', 'removed'],
      [2n, 'unknown', 'flow-deleted'],
    ]);
    expect(tracker.inFlight).toBe(1);
    expect(tracker.stats().flowDeleted).toBe(1);
  });

  it('FLOW_DELETED with a zero grace period ends the flow packets at once; advanceTime ends them later otherwise', () => {
    const now = run([tagged({ context: 1n, at: T0, flowId: 7n }), flowDeleted(7n, T0 + 1n)], { flowDeleteGraceMs: 0 });
    expect(now.fates.map((f) => f.reason)).toEqual(['flow-deleted']);

    const later = run([tagged({ context: 1n, at: T0, flowId: 7n }), flowDeleted(7n, T0 + 1n)], { flowDeleteGraceMs: 1000 });
    expect(later.fates).toHaveLength(0);
    later.tracker.advanceTime(T0 + 1n + 9_999_999n);
    expect(later.fates).toHaveLength(0);
    later.tracker.advanceTime(T0 + 1n + 10_000_000n);
    expect(later.fates.map((f) => f.reason)).toEqual(['flow-deleted']);
    expect(later.tracker.now).toBe(T0 + 1n + 10_000_000n);
  });

  it('a reused flow id keeps packets tagged after the deletion', () => {
    const { fates, tracker } = run([tagged({ context: 1n, at: T0, flowId: 7n }), flowDeleted(7n, T0 + 1n), tagged({ context: 2n, at: T0 + 2n, flowId: 7n })], { flowDeleteGraceMs: 0.0001 });
    tracker.advanceTime(T0 + 100n);
    expect(fates.map((f) => f.context)).toEqual([1n]);
    expect(tracker.inFlight).toBe(1);
  });

  it('flush() ends everything as unknown', () => {
    const { fates, tracker } = run([tagged({ context: 1n, at: T0 }), tagged({ context: 2n, at: T0, inbound: true })]);
    tracker.flush();
    expect(fates.map((f) => [f.verdict, f.reason])).toEqual([
      ['unknown', 'flushed'],
      ['unknown', 'flushed'],
    ]);
    expect(tracker.stats()).toMatchObject({ inFlight: 0, flushed: 2, emitted: 2 });
  });

  it('refuses a bad cap or grace period', () => {
    expect(() => new PacketFateTracker({ maxInFlight: 0 })).toThrow(RangeError);
    expect(() => new PacketFateTracker({ maxInFlight: 1.5 })).toThrow(RangeError);
    expect(() => new PacketFateTracker({ flowDeleteGraceMs: -1 })).toThrow(RangeError);
  });
});

describe('PacketFateTracker and LOSS records', () => {
  it('marks packets in flight during a ring loss; absence-based verdicts become unknown', () => {
    const { fates, tracker } = run([
      tagged({ context: 1n, at: T0 }), // in flight across the loss, never exits
      tagged({ context: 2n, at: T0 }), // in flight across the loss, exits (positive evidence)
      tagged({ context: 3n, at: T0, inbound: true }),
      tagged({ context: 9n, at: T0 }),
      notify(9n, E.CONTEXT_REMOVED, T0 + 1n), // ended before the loss: unaffected
      loss(T0 + 5n, 12n),
      tagged({ context: 4n, at: T0 + 6n }), // tagged after the loss: unaffected
      notify(2n, E.EXIT_NETIO, T0 + 7n),
      notify(1n, E.CONTEXT_REMOVED, T0 + 8n),
      notify(2n, E.CONTEXT_REMOVED, T0 + 8n),
      notify(3n, E.CONTEXT_REMOVED, T0 + 8n),
      notify(4n, E.CONTEXT_REMOVED, T0 + 8n),
      notify(77n, E.CONTEXT_REMOVED, T0 + 8n), // its PACKET_TAGGED was among the lost
    ]);
    expect(fates.map((f) => [f.context, f.verdict, f.lossAffected])).toEqual([
      [9n, 'dropped', false],
      [1n, 'unknown', true],
      [2n, 'sent', true],
      [3n, 'delivered', true],
      [4n, 'dropped', false],
    ]);
    expect(tracker.stats()).toMatchObject({ lossRecords: 1, lostRecords: 12, lossAffected: 3, unknownContext: 1 });
  });

  it('counts untagged packets and unmonitored flows', () => {
    const { tracker } = run([loss(T0, 3n, LossReason.LEDGER_FULL), loss(T0, 2n, LossReason.FLOW_TABLE_FULL), loss(T0, 4n, LossReason.LEDGER_FULL)]);
    expect(tracker.stats()).toMatchObject({ lossRecords: 3, untaggedPackets: 7, unmonitoredFlows: 2, lostRecords: 0 });
  });
});

describe('inbound discard reports (proposed NotifyFlags.DISCARDED = 0x10)', () => {
  const DISCARDED = 0x10;
  const records = (): ContractRecord[] => [
    tagged({ context: 1n, at: T0, inbound: true }),
    notify(1n, 0xffff, T0 + 3n, { flags: DISCARDED }),
    notify(1n, E.CONTEXT_REMOVED, T0 + 5n),
  ];

  it('with the option, a discard report makes the removal a drop', () => {
    const { fates, tracker } = run(records(), { discardNotifyFlag: DISCARDED });
    expect(fates[0]).toMatchObject({ verdict: 'dropped', discardedAt: T0 + 3n, removedAt: T0 + 5n, inStackLatency: 5n });
    expect(tracker.stats().discards).toBe(1);
  });

  it('without it, the report is an ordinary event and the packet is delivered', () => {
    const { fates } = run(records());
    expect(fates[0]).toMatchObject({ verdict: 'delivered', events: 2 });
    expect(fates[0]?.discardedAt).toBeUndefined();
  });

  it('with the option, inbound delivery across a ring loss is unknown (a discard report may be lost)', () => {
    const { fates } = run([tagged({ context: 1n, at: T0, inbound: true }), loss(T0 + 1n, 1n), notify(1n, E.CONTEXT_REMOVED, T0 + 2n)], { discardNotifyFlag: DISCARDED });
    expect(fates[0]).toMatchObject({ verdict: 'unknown', lossAffected: true });
  });
});
