/**
 * Packet fate tracking: joins PACKET_TAGGED and PACKET_NOTIFY records by context into one
 * {@link PacketFate} per tagged packet.
 */
import type { ContractRecord, FlowDeletedRecord, LossRecord, PacketDiscardedRecord, PacketNotifyRecord, PacketTaggedRecord } from '@wfpkit/ioctl-client';
import { Direction, LossReason, NblEventType, NotifyFlags } from '@wfpkit/ioctl-client';
import { TICKS_PER_MILLISECOND, ticksToMicroseconds } from './time';

// Local copies of the contract's constants: a binding re-exported through `export *` is read
// through a getter on every access, which shows on the per-record path.
const NBL_EVENT = { ...NblEventType } as typeof NblEventType;
const NOTIFY_FLAG = { ...NotifyFlags } as typeof NotifyFlags;
const DIRECTION = { ...Direction } as typeof Direction;
const LOSS_REASON = { ...LossReason } as typeof LossReason;

/** Direction of a tagged packet (the contract's `Direction` as a word). */
export type PacketDirection = 'outbound' | 'inbound';

/**
 * What happened to a tagged packet, as far as the notify events tell:
 * - `sent`: outbound, and it left TCP/IP (EXIT_NETIO) or NDIS completed its send
 *   (NDIS_SEND_COMPLETE / NDIS_NATIVE_SEND_COMPLETE) before its context was removed;
 * - `delivered`: inbound, and the stack consumed it (its context was removed at the end of
 *   its life in the stack) with no discard reported;
 * - `dropped`: outbound and removed without ever leaving the stack, or reported discarded;
 * - `unknown`: the events do not decide it (asynchronous removal before any exit, the tracker
 *   gave up on it, or records that could decide it may have been lost).
 */
export type PacketVerdict = 'sent' | 'delivered' | 'dropped' | 'unknown';

/**
 * How the last followed copy of a packet ended (see {@link PacketFate.reason}):
 * - `removed`: CONTEXT_REMOVED for its NBL;
 * - `removed-async`: CONTEXT_REMOVED with a NULL NBL (asynchronous removal, such as on unload);
 * - `evicted`: the in-flight cap was reached and it was the oldest entry;
 * - `flow-deleted`: its flow was deleted and it was still in flight after the grace period;
 * - `flushed`: {@link PacketFateTracker.flush} was called;
 * - `context-reused`: a new packet was tagged (or followed) with the same context value;
 * - `follow-failed`: its context was moved to a clone but associating it there failed.
 */
export type FateEndReason = 'removed' | 'removed-async' | 'evicted' | 'flow-deleted' | 'flushed' | 'context-reused' | 'follow-failed';

/** What a PACKET_DISCARDED record said about a dropped packet (the first one seen for it). */
export interface PacketDiscardInfo {
  /** FWPS_DISCARD_MODULE0 (0 network, 1 transport, 2 general), or 0xFFFFFFFF when the driver had no discard metadata. */
  module: number;
  /** The discard reason code, or 0xFFFFFFFF when absent. */
  reason: number;
  /** The filter that discarded it when the reason names one, else 0n. */
  filterId: bigint;
  /** Runtime layer id of the discard layer. */
  layerId: number;
}

/** How many followed copies of a packet ended with each verdict. */
export interface VerdictCounts {
  /** Copies that left the stack outbound. */
  sent: number;
  /** Copies the stack consumed inbound. */
  delivered: number;
  /** Copies dropped inside the stack. */
  dropped: number;
  /** Copies whose fate is unknown. */
  unknown: number;
}

/**
 * The fate of one tagged packet: emitted once, when every followed copy of it has ended.
 * Timestamps are FILETIMEs (100 ns ticks since 1601-01-01 UTC, see {@link filetimeToDate}).
 * When the packet was duplicated, the `*At` times of the events are the first seen on any
 * copy, except `removedAt`, the last removal (when the packet was entirely gone).
 */
export interface PacketFate {
  /** Flow the packet belongs to (`header.flowId` of its PACKET_TAGGED record). */
  flowId: bigint;
  /** The context the packet was tagged with. */
  context: bigint;
  /** Per-flow sequence number of the tagged packet. */
  seq: number;
  /** Direction of the packet. */
  direction: PacketDirection;
  /** IP version, 4 or 6. */
  ipVersion: number;
  /** Bytes in the packet when it was tagged. */
  bytes: number;
  /** Runtime layer id where it was tagged. */
  layerId: number;
  /** When it was tagged. */
  taggedAt: bigint;
  /** First ENTERED_NETIO. */
  enteredAt?: bigint;
  /** First EXIT_NETIO. */
  exitedAt?: bigint;
  /** First NDIS_SEND_COMPLETE or NDIS_NATIVE_SEND_COMPLETE. */
  sendCompletedAt?: bigint;
  /** First NDIS_RECV_COMPLETE or NDIS_NATIVE_RECV_COMPLETE. */
  recvCompletedAt?: bigint;
  /** First discard report: a PACKET_DISCARDED record, or a PACKET_NOTIFY marked with {@link PacketFateTrackerOptions.discardNotifyFlag}. */
  discardedAt?: bigint;
  /** What the first PACKET_DISCARDED record for the packet said. */
  discard?: PacketDiscardInfo;
  /** Last CONTEXT_REMOVED of any copy; absent when no copy was removed (the tracker gave up on it). */
  removedAt?: bigint;
  /** Tracker clock when the fate became final: the largest record timestamp seen by then (see {@link PacketFateTracker.now}). */
  endedAt: bigint;
  /** CLONED_BY_NETIO, CLONED_VIA_WFP_API and CLONED_BY_NDIS events on any copy. */
  clones: number;
  /** DUPLICATED_BY_NETIO events on any copy. */
  duplicates: number;
  /** REASSEMBLED_FRAGMENT events; present only when there were some. */
  fragments?: number;
  /** Copies followed: 1 plus one per CONTEXT_COPIED. */
  branches: number;
  /** How each followed copy ended. */
  branchVerdicts: VerdictCounts;
  /** Clones or duplicates that carried the packet on but could not be followed (FOLLOW_FAILED, or a copy event without a usable newContext). */
  unfollowedCopies: number;
  /** PACKET_NOTIFY records applied to this packet (all copies). */
  events: number;
  /** The verdict (see {@link PacketVerdict} and the fate model in {@link PacketFateTracker}). */
  verdict: PacketVerdict;
  /** How the last copy ended. */
  reason: FateEndReason;
  /** True when the driver reported lost records (LOSS, RING_FULL) while this packet was in flight: some of its events may be missing. */
  lossAffected: boolean;
  /**
   * Time the packet spent in the stack, in 100 ns ticks: for `sent`, from tagging to the
   * first EXIT_NETIO (or the first send completion when no exit was reported); for
   * `delivered` and `dropped`, from tagging to `removedAt`. Absent for `unknown`.
   */
  inStackLatency?: bigint;
  /** {@link PacketFate.inStackLatency} in microseconds. */
  inStackLatencyUs?: number;
}

/** Options of a {@link PacketFateTracker}. */
export interface PacketFateTrackerOptions {
  /** Called with each fate record, synchronously, as soon as it is final. */
  onFate?: (fate: PacketFate) => void;
  /**
   * Most followed NBLs (packets and their copies) kept in flight; when one more would be
   * added, the oldest is ended with verdict `unknown` (reason `evicted`) and counted.
   * Default {@link DEFAULT_MAX_IN_FLIGHT}.
   */
  maxInFlight?: number;
  /**
   * How long after a FLOW_DELETED record (in record time) the packets of that flow still in
   * flight are ended as `unknown` (reason `flow-deleted`). Their CONTEXT_REMOVED usually
   * follows the flow deletion closely (last segments, FIN/RST still in NDIS); 0 ends them at
   * the FLOW_DELETED record. Default {@link DEFAULT_FLOW_DELETE_GRACE_MS}.
   */
  flowDeleteGraceMs?: number;
  /**
   * A `notifyFlags` bit with which a driver marks a PACKET_NOTIFY that reports a tagged packet
   * seen at a discard layer, for drivers that report discards that way (the wfpkit driver
   * writes PACKET_DISCARDED records instead, which are always applied); 0, the default, turns
   * it off. A marked record's `eventType` is ignored; the packet's next CONTEXT_REMOVED then
   * gives `dropped`.
   */
  discardNotifyFlag?: number;
  /**
   * Set when the driver reports discards (the session has `ConfigFlags.REPORT_DISCARDS`): an
   * inbound `delivered` verdict then rests on the *absence* of a PACKET_DISCARDED record, so it
   * becomes `unknown` when records were lost while the packet was in flight. PACKET_DISCARDED
   * records are applied whatever this says. Default false.
   */
  discardReports?: boolean;
}

/** Counters of a {@link PacketFateTracker}, for the consumer to show and check. */
export interface PacketFateTrackerStats {
  /** PACKET_TAGGED records accepted. */
  tagged: number;
  /** PACKET_NOTIFY records seen. */
  notifies: number;
  /** Fate records emitted. Once nothing is in flight, `emitted === tagged`. */
  emitted: number;
  /** Emitted fate records by verdict. */
  verdicts: VerdictCounts;
  /** Followed NBLs in flight now. */
  inFlight: number;
  /** Most followed NBLs ever in flight at once. */
  inFlightHighWater: number;
  /** NBLs ended because the in-flight cap was reached. */
  evicted: number;
  /** NBLs ended because their flow was deleted while they were in flight. */
  flowDeleted: number;
  /** NBLs ended by {@link PacketFateTracker.flush}. */
  flushed: number;
  /** PACKET_NOTIFY records for a context not in flight (never tagged, already ended, moved away, or its PACKET_TAGGED was lost). */
  unknownContext: number;
  /** Tagged or followed contexts that were already in flight (the older NBL is ended as `unknown`). */
  contextReused: number;
  /** CONTEXT_REMOVED records with NBL_NULL (asynchronous removal). */
  asyncRemovals: number;
  /** PACKET_NOTIFY records with FOLLOW_FAILED. */
  followFailed: number;
  /** PACKET_NOTIFY records with a move or copy flag but no usable newContext. */
  malformedNotify: number;
  /** Discard reports applied: PACKET_DISCARDED records and notify records marked with {@link PacketFateTrackerOptions.discardNotifyFlag}. */
  discards: number;
  /** PACKET_DISCARDED records for a context not in flight (counted, otherwise ignored). */
  unknownDiscards: number;
  /** LOSS records seen. */
  lossRecords: number;
  /** Records the ring dropped (sum of `lost` of RING_FULL LOSS records). */
  lostRecords: number;
  /** Packets the driver left untagged (sum of `lost` of LEDGER_FULL LOSS records). */
  untaggedPackets: number;
  /** Flows the driver did not monitor (sum of `lost` of FLOW_TABLE_FULL LOSS records). */
  unmonitoredFlows: number;
  /** Emitted fate records marked {@link PacketFate.lossAffected}. */
  lossAffected: number;
}

/**
 * Default {@link PacketFateTrackerOptions.maxInFlight}: 65 536 followed NBLs (a few hundred
 * bytes each, so tens of megabytes at the cap).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_IN_FLIGHT, PacketFateTracker } from '@wfpkit/tagging';
 * const tracker = new PacketFateTracker({ maxInFlight: DEFAULT_MAX_IN_FLIGHT / 4 });
 * ```
 */
export const DEFAULT_MAX_IN_FLIGHT = 65_536;

/**
 * Default {@link PacketFateTrackerOptions.flowDeleteGraceMs}: 2 000 ms.
 *
 * @example
 * ```ts
 * import { DEFAULT_FLOW_DELETE_GRACE_MS, PacketFateTracker } from '@wfpkit/tagging';
 * const tracker = new PacketFateTracker({ flowDeleteGraceMs: DEFAULT_FLOW_DELETE_GRACE_MS * 2 });
 * ```
 */
export const DEFAULT_FLOW_DELETE_GRACE_MS = 2_000;

/** One tagged packet while any copy of it is followed. */
interface PacketState {
  flowId: bigint;
  context: bigint;
  seq: number;
  direction: PacketDirection;
  ipVersion: number;
  bytes: number;
  layerId: number;
  taggedAt: bigint;
  enteredAt: bigint | undefined;
  exitedAt: bigint | undefined;
  sendCompletedAt: bigint | undefined;
  recvCompletedAt: bigint | undefined;
  discardedAt: bigint | undefined;
  discard: PacketDiscardInfo | undefined;
  removedAt: bigint | undefined;
  clones: number;
  duplicates: number;
  fragments: number;
  branches: number;
  live: number;
  counts: VerdictCounts;
  unfollowedCopies: number;
  events: number;
  reason: FateEndReason;
  /** Loss epoch when the packet was tagged: a later epoch at its end means records were lost meanwhile. */
  lossEpoch: number;
}

/** One followed NBL (the tagged one, a clone it moved to, or a duplicate it was copied to). */
interface Branch {
  context: bigint;
  packet: PacketState;
  /** EXIT_NETIO or a send completion seen on this NBL. */
  exited: boolean;
  /** A discard report seen on this NBL. */
  discarded: boolean;
  /** Its flow's list (in insertion order), and its neighbours there. */
  flow: FlowBranches | undefined;
  prev: Branch | undefined;
  next: Branch | undefined;
}

/** The followed NBLs of one flow: a list linked through the branches (O(1) add and remove, no Set per flow). */
interface FlowBranches {
  flowId: bigint;
  size: number;
  head: Branch | undefined;
  tail: Branch | undefined;
}

interface PendingFlowFlush {
  flowId: bigint;
  deletedAt: bigint;
  deadline: bigint;
}

/**
 * `counts[verdict]++` with a property named in the code for each verdict: a computed key
 * (four names over several object shapes) made V8's property caches megamorphic on the hot path.
 */
function countVerdict(counts: { sent: number; delivered: number; dropped: number; unknown: number }, verdict: PacketVerdict): void {
  switch (verdict) {
    case 'sent':
      counts.sent++;
      break;
    case 'delivered':
      counts.delivered++;
      break;
    case 'dropped':
      counts.dropped++;
      break;
    default:
      counts.unknown++;
      break;
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Follows tagged packets through the NBL notify events and emits one {@link PacketFate}
 * per tagged packet when its fate is final. Feed it every record of a session, in order,
 * with {@link PacketFateTracker.push}; records of other kinds are ignored. Work per record
 * is O(1) (a `Map` keyed by context); memory is bounded by
 * {@link PacketFateTrackerOptions.maxInFlight}.
 *
 * **The fate model.** A packet is followed from its PACKET_TAGGED record under its
 * context. PACKET_NOTIFY records for that context update it:
 * - ENTERED_NETIO, EXIT_NETIO, NDIS_(NATIVE_)SEND_COMPLETE, NDIS_(NATIVE_)RECV_COMPLETE set
 *   `enteredAt`, `exitedAt`, `sendCompletedAt`, `recvCompletedAt`; EXIT_NETIO and the two
 *   send completions count as "left the stack";
 * - a clone or duplicate event with CONTEXT_MOVED moves the packet to `newContext` (the
 *   packet continues there; the old context is no longer followed); with CONTEXT_COPIED a
 *   second copy is followed under `newContext`; with FOLLOW_FAILED the new NBL is not
 *   followed (a failed move ends the copy as `unknown`, reason `follow-failed`);
 * - CONTEXT_REMOVED ends the copy. Its verdict: outbound → `sent` if it left the stack,
 *   else `dropped`; inbound → `delivered` (the stack consumed it); a copy reported
 *   discarded → `dropped`. With NBL_NULL (asynchronous removal, as on unload) →
 *   `sent` if it had left the stack, `dropped` if reported discarded, else `unknown`.
 *
 * A packet's fate is emitted when its last followed copy ends. Copies combine as: `sent`
 * (outbound) or `delivered` (inbound) if any copy was; `dropped` only if every followed
 * copy was dropped and no copy went unfollowed; otherwise `unknown`.
 *
 * A verdict that rests on an event *not* seen (`dropped` for "never left the stack";
 * `delivered` when discard reports are enabled) becomes `unknown` when a RING_FULL LOSS
 * record arrived while the packet was in flight, since the deciding record may be among
 * the lost ones; such fates are marked `lossAffected`.
 *
 * FLOW_DELETED does not end its flow's packets at once (the last segments of a closing
 * connection are often still in the stack): those still in flight
 * {@link PacketFateTrackerOptions.flowDeleteGraceMs} later, in record time, are ended as
 * `unknown` (reason `flow-deleted`). The clock is the largest record timestamp seen, or
 * what {@link PacketFateTracker.advanceTime} sets.
 *
 * @example
 * ```ts
 * import { PacketFateTracker } from '@wfpkit/tagging';
 * const tracker = new PacketFateTracker({
 *   onFate: (fate) => console.log(fate.seq, fate.verdict, fate.inStackLatencyUs),
 * });
 * for (const record of records) tracker.push(record); // records decoded from READ_EVENTS
 * ```
 */
export class PacketFateTracker {
  private readonly onFate: ((fate: PacketFate) => void) | undefined;
  private readonly maxInFlight: number;
  private readonly graceTicks: bigint;
  private readonly discardFlag: number;
  private readonly discardReports: boolean;
  private readonly branches = new Map<bigint, Branch>();
  private readonly byFlow = new Map<bigint, FlowBranches>();
  /** The flow list used last (consecutive packets are mostly of one flow); kept in byFlow while empty until another flow is used. */
  private lastFlow: FlowBranches | undefined;
  private readonly pending: PendingFlowFlush[] = [];
  private pendingHead = 0;
  private clock = 0n;
  private lossEpoch = 0;
  private readonly counters: PacketFateTrackerStats = {
    tagged: 0,
    notifies: 0,
    emitted: 0,
    verdicts: { sent: 0, delivered: 0, dropped: 0, unknown: 0 },
    inFlight: 0,
    inFlightHighWater: 0,
    evicted: 0,
    flowDeleted: 0,
    flushed: 0,
    unknownContext: 0,
    contextReused: 0,
    asyncRemovals: 0,
    followFailed: 0,
    malformedNotify: 0,
    discards: 0,
    unknownDiscards: 0,
    lossRecords: 0,
    lostRecords: 0,
    untaggedPackets: 0,
    unmonitoredFlows: 0,
    lossAffected: 0,
  };

  /**
   * @param options - Callback, cap, grace period and discard flag; all optional.
   * @throws RangeError when `maxInFlight` is not a positive integer or `flowDeleteGraceMs` is negative.
   * @example
   * ```ts
   * import { PacketFateTracker } from '@wfpkit/tagging';
   * const fates: unknown[] = [];
   * const tracker = new PacketFateTracker({ onFate: (f) => fates.push(f), maxInFlight: 10_000, flowDeleteGraceMs: 500 });
   * ```
   */
  constructor(options: PacketFateTrackerOptions = {}) {
    this.onFate = options.onFate;
    this.maxInFlight = positiveInteger(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, 'maxInFlight');
    const graceMs = options.flowDeleteGraceMs ?? DEFAULT_FLOW_DELETE_GRACE_MS;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`flowDeleteGraceMs must be a finite number >= 0, got ${graceMs}`);
    this.graceTicks = BigInt(Math.round(graceMs * Number(TICKS_PER_MILLISECOND)));
    this.discardFlag = options.discardNotifyFlag ?? 0;
    this.discardReports = options.discardReports === true;
  }

  /**
   * Followed NBLs in flight now (packets and their followed copies).
   *
   * @example
   * ```ts
   * if (tracker.inFlight > 50_000) console.warn('many packets in flight');
   * ```
   */
  get inFlight(): number {
    return this.branches.size;
  }

  /**
   * Followed NBLs of one flow in flight now (O(1)).
   *
   * @param flowId - `header.flowId` of the flow's records
   * @example
   * ```ts
   * if (tracker.inFlightOf(flow.flowId) === 0) console.log('every packet of the flow has its fate');
   * ```
   */
  inFlightOf(flowId: bigint): number {
    return this.byFlow.get(flowId)?.size ?? 0;
  }

  /**
   * The tracker clock: the largest record timestamp seen (a FILETIME), or what
   * {@link PacketFateTracker.advanceTime} set.
   *
   * @example
   * ```ts
   * import { filetimeToDate } from '@wfpkit/tagging';
   * console.log(filetimeToDate(tracker.now));
   * ```
   */
  get now(): bigint {
    return this.clock;
  }

  /**
   * A copy of the counters.
   *
   * @example
   * ```ts
   * const s = tracker.stats();
   * console.log(`${s.emitted}/${s.tagged} fates, ${s.unknownContext} notifies for unknown contexts`);
   * ```
   */
  stats(): PacketFateTrackerStats {
    return { ...this.counters, verdicts: { ...this.counters.verdicts }, inFlight: this.branches.size };
  }

  /**
   * Consumes one record. PACKET_TAGGED, PACKET_NOTIFY, PACKET_DISCARDED, FLOW_DELETED and LOSS
   * records are used; other kinds only advance the clock. Fate records that become final are passed to
   * `onFate` before this returns.
   *
   * @param record - A decoded record, in the order the driver delivered it.
   * @example
   * ```ts
   * tracker.push(record);
   * ```
   */
  push(record: ContractRecord): void {
    const ts = record.header.timestamp;
    if (ts > this.clock) this.clock = ts;
    this.runDueFlushes();
    switch (record.kind) {
      case 'PACKET_TAGGED':
        this.onTagged(record);
        break;
      case 'PACKET_NOTIFY':
        this.onNotify(record);
        break;
      case 'PACKET_DISCARDED':
        this.onDiscarded(record);
        break;
      case 'FLOW_DELETED':
        this.onFlowDeleted(record);
        break;
      case 'LOSS':
        this.onLoss(record);
        break;
      default:
        break;
    }
  }

  /**
   * Moves the clock forward (it never goes back) and ends the packets of deleted flows
   * whose grace period has passed. Call it from a timer when records stop arriving, so a
   * live view does not wait for the next record.
   *
   * @param now - A FILETIME.
   * @example
   * ```ts
   * import { dateToFiletime } from '@wfpkit/tagging';
   * setInterval(() => tracker.advanceTime(dateToFiletime(new Date())), 1000);
   * ```
   */
  advanceTime(now: bigint): void {
    if (now > this.clock) this.clock = now;
    this.runDueFlushes();
  }

  /**
   * Ends every packet in flight with verdict `unknown` (reason `flushed`) — for example
   * when a session stops — so every tagged packet has had its fate record.
   *
   * @example
   * ```ts
   * tracker.flush();
   * console.log(tracker.inFlight); // 0
   * ```
   */
  flush(): void {
    for (const branch of [...this.branches.values()]) {
      this.counters.flushed++;
      this.endBranch(branch, 'flushed', undefined);
    }
    this.pending.length = 0;
    this.pendingHead = 0;
  }

  private onTagged(r: PacketTaggedRecord): void {
    this.counters.tagged++;
    const packet: PacketState = {
      flowId: r.header.flowId,
      context: r.context,
      seq: r.sequence,
      direction: r.direction === DIRECTION.INBOUND ? 'inbound' : 'outbound',
      ipVersion: r.ipVersion,
      bytes: r.packetLength,
      layerId: r.layerId,
      taggedAt: r.header.timestamp,
      enteredAt: undefined,
      exitedAt: undefined,
      sendCompletedAt: undefined,
      recvCompletedAt: undefined,
      discardedAt: undefined,
      discard: undefined,
      removedAt: undefined,
      clones: 0,
      duplicates: 0,
      fragments: 0,
      branches: 1,
      live: 1,
      counts: { sent: 0, delivered: 0, dropped: 0, unknown: 0 },
      unfollowedCopies: 0,
      events: 0,
      reason: 'removed',
      lossEpoch: this.lossEpoch,
    };
    this.addBranch(r.context, packet);
  }

  /** Adds a followed NBL; `packet.live` already counts it. Makes room first. */
  private addBranch(context: bigint, packet: PacketState): void {
    const existing = this.branches.get(context);
    if (existing !== undefined) {
      this.counters.contextReused++;
      this.endBranch(existing, 'context-reused', undefined);
    }
    while (this.branches.size >= this.maxInFlight) {
      const oldest = this.branches.values().next();
      if (oldest.done === true) break;
      this.counters.evicted++;
      this.endBranch(oldest.value, 'evicted', undefined);
    }
    const branch: Branch = { context, packet, exited: false, discarded: false, flow: undefined, prev: undefined, next: undefined };
    this.branches.set(context, branch);
    const flowId = packet.flowId;
    let list = this.lastFlow;
    if (list === undefined || list.flowId !== flowId) {
      // the flow used last keeps its (maybe empty) list until another flow is used
      if (list !== undefined && list.size === 0) this.byFlow.delete(list.flowId);
      list = this.byFlow.get(flowId);
      if (list === undefined) {
        list = { flowId, size: 0, head: undefined, tail: undefined };
        this.byFlow.set(flowId, list);
      }
      this.lastFlow = list;
    }
    branch.flow = list;
    branch.prev = list.tail;
    if (list.tail === undefined) list.head = branch;
    else list.tail.next = branch;
    list.tail = branch;
    list.size++;
    if (this.branches.size > this.counters.inFlightHighWater) this.counters.inFlightHighWater = this.branches.size;
  }

  private onNotify(r: PacketNotifyRecord): void {
    this.counters.notifies++;
    const branch = this.branches.get(r.context);
    if (branch === undefined) {
      this.counters.unknownContext++;
      return;
    }
    const p = branch.packet;
    const ts = r.header.timestamp;
    const flags = r.notifyFlags;
    p.events++;
    if (this.discardFlag !== 0 && (flags & this.discardFlag) !== 0) {
      this.counters.discards++;
      branch.discarded = true;
      if (p.discardedAt === undefined) p.discardedAt = ts;
      return;
    }
    switch (r.eventType) {
      case NBL_EVENT.ENTERED_NETIO:
        if (p.enteredAt === undefined) p.enteredAt = ts;
        break;
      case NBL_EVENT.EXIT_NETIO:
        branch.exited = true;
        if (p.exitedAt === undefined) p.exitedAt = ts;
        break;
      case NBL_EVENT.NDIS_SEND_COMPLETE:
      case NBL_EVENT.NDIS_NATIVE_SEND_COMPLETE:
        branch.exited = true;
        if (p.sendCompletedAt === undefined) p.sendCompletedAt = ts;
        break;
      case NBL_EVENT.NDIS_RECV_COMPLETE:
      case NBL_EVENT.NDIS_NATIVE_RECV_COMPLETE:
        if (p.recvCompletedAt === undefined) p.recvCompletedAt = ts;
        break;
      case NBL_EVENT.CLONED_BY_NETIO:
      case NBL_EVENT.CLONED_VIA_WFP_API:
      case NBL_EVENT.CLONED_BY_NDIS:
        p.clones++;
        break;
      case NBL_EVENT.DUPLICATED_BY_NETIO:
        p.duplicates++;
        break;
      case NBL_EVENT.REASSEMBLED_FRAGMENT:
        p.fragments++;
        break;
      case NBL_EVENT.CONTEXT_REMOVED:
        if ((flags & NOTIFY_FLAG.NBL_NULL) !== 0) {
          this.counters.asyncRemovals++;
          this.endBranch(branch, 'removed-async', ts);
        } else {
          this.endBranch(branch, 'removed', ts);
        }
        return;
      default:
        break;
    }
    if ((flags & (NOTIFY_FLAG.CONTEXT_MOVED | NOTIFY_FLAG.CONTEXT_COPIED | NOTIFY_FLAG.FOLLOW_FAILED)) !== 0) {
      this.follow(branch, r, ts);
    }
  }

  /** A tagged NBL reached a discard layer: its removal (which follows) gives `dropped`. */
  private onDiscarded(r: PacketDiscardedRecord): void {
    const branch = this.branches.get(r.context);
    if (branch === undefined) {
      this.counters.unknownDiscards++;
      return;
    }
    this.counters.discards++;
    branch.discarded = true;
    const p = branch.packet;
    p.events++;
    if (p.discardedAt === undefined) p.discardedAt = r.header.timestamp;
    p.discard ??= { module: r.discardModule, reason: r.discardReason, filterId: r.filterId, layerId: r.layerId };
  }

  private follow(branch: Branch, r: PacketNotifyRecord, ts: bigint): void {
    const p = branch.packet;
    const flags = r.notifyFlags;
    const moved = (flags & NOTIFY_FLAG.CONTEXT_MOVED) !== 0;
    if ((flags & NOTIFY_FLAG.FOLLOW_FAILED) !== 0) {
      this.counters.followFailed++;
      if (moved) this.endBranch(branch, 'follow-failed', ts);
      else p.unfollowedCopies++;
      return;
    }
    const next = r.newContext;
    if (moved) {
      if (next === 0n) {
        this.counters.malformedNotify++;
        return;
      }
      if (next === branch.context) return;
      const existing = this.branches.get(next);
      if (existing !== undefined) {
        this.counters.contextReused++;
        this.endBranch(existing, 'context-reused', ts);
      }
      this.branches.delete(branch.context);
      branch.context = next;
      this.branches.set(next, branch);
      return;
    }
    // CONTEXT_COPIED: a second copy to follow.
    if (next === 0n || next === branch.context) {
      this.counters.malformedNotify++;
      p.unfollowedCopies++;
      return;
    }
    p.branches++;
    p.live++;
    this.addBranch(next, p);
  }

  private onFlowDeleted(r: FlowDeletedRecord): void {
    const flowId = r.header.flowId;
    const list = this.byFlow.get(flowId);
    if (list === undefined || list.size === 0) return;
    const deletedAt = r.header.timestamp;
    if (this.graceTicks === 0n) {
      this.flushFlow(flowId, deletedAt);
      return;
    }
    this.pending.push({ flowId, deletedAt, deadline: deletedAt + this.graceTicks });
  }

  /**
   * Deadlines are queued in FLOW_DELETED order; a record slightly out of time order can only
   * delay a flush behind an earlier-queued one, never end a packet early.
   */
  private runDueFlushes(): void {
    while (this.pendingHead < this.pending.length) {
      const due = this.pending[this.pendingHead];
      if (due === undefined || due.deadline > this.clock) break;
      this.pendingHead++;
      this.flushFlow(due.flowId, due.deletedAt);
    }
    if (this.pendingHead > 0 && (this.pendingHead === this.pending.length || this.pendingHead > 1024)) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Ends the flow's NBLs tagged no later than its deletion (a reused flow id keeps newer ones). */
  private flushFlow(flowId: bigint, deletedAt: bigint): void {
    const list = this.byFlow.get(flowId);
    if (list === undefined) return;
    const branches: Branch[] = [];
    for (let b = list.head; b !== undefined; b = b.next) branches.push(b);
    for (const branch of branches) {
      if (branch.packet.taggedAt > deletedAt) continue;
      this.counters.flowDeleted++;
      this.endBranch(branch, 'flow-deleted', undefined);
    }
  }

  private onLoss(r: LossRecord): void {
    this.counters.lossRecords++;
    const lost = Number(r.lost);
    switch (r.reason) {
      case LOSS_REASON.RING_FULL:
        this.counters.lostRecords += lost;
        this.lossEpoch++;
        break;
      case LOSS_REASON.LEDGER_FULL:
        this.counters.untaggedPackets += lost;
        break;
      case LOSS_REASON.FLOW_TABLE_FULL:
        this.counters.unmonitoredFlows += lost;
        break;
      default:
        break;
    }
  }

  private branchVerdict(branch: Branch, reason: FateEndReason): PacketVerdict {
    const p = branch.packet;
    if (reason !== 'removed' && reason !== 'removed-async') return 'unknown';
    if (branch.discarded) return 'dropped';
    const lossAffected = p.lossEpoch !== this.lossEpoch;
    if (p.direction === 'outbound') {
      if (branch.exited) return 'sent';
      if (reason === 'removed-async' || lossAffected) return 'unknown';
      return 'dropped';
    }
    if (reason === 'removed-async') return 'unknown';
    if ((this.discardFlag !== 0 || this.discardReports) && lossAffected) return 'unknown';
    return 'delivered';
  }

  private endBranch(branch: Branch, reason: FateEndReason, removedAt: bigint | undefined): void {
    this.branches.delete(branch.context);
    const p = branch.packet;
    const list = branch.flow;
    if (list !== undefined) {
      branch.flow = undefined;
      if (branch.prev === undefined) list.head = branch.next;
      else branch.prev.next = branch.next;
      if (branch.next === undefined) list.tail = branch.prev;
      else branch.next.prev = branch.prev;
      branch.prev = undefined;
      branch.next = undefined;
      // an emptied list goes, except the last flow's: its next packet (usually the next
      // record) would make it again; addBranch removes it when another flow is used
      if (--list.size === 0 && list !== this.lastFlow) this.byFlow.delete(list.flowId);
    }
    countVerdict(p.counts, this.branchVerdict(branch, reason));
    p.reason = reason;
    if (removedAt !== undefined && (p.removedAt === undefined || removedAt > p.removedAt)) p.removedAt = removedAt;
    p.live--;
    if (p.live === 0) this.emit(p);
  }

  private emit(p: PacketState): void {
    const c = p.counts;
    let verdict: PacketVerdict;
    if (c.sent > 0) verdict = 'sent';
    else if (c.delivered > 0) verdict = 'delivered';
    else if (c.dropped === p.branches && p.unfollowedCopies === 0) verdict = 'dropped';
    else verdict = 'unknown';

    let end: bigint | undefined;
    if (verdict === 'sent') end = p.exitedAt ?? p.sendCompletedAt ?? p.removedAt;
    else if (verdict === 'delivered' || verdict === 'dropped') end = p.removedAt;

    const lossAffected = p.lossEpoch !== this.lossEpoch;
    const fate: PacketFate = {
      flowId: p.flowId,
      context: p.context,
      seq: p.seq,
      direction: p.direction,
      ipVersion: p.ipVersion,
      bytes: p.bytes,
      layerId: p.layerId,
      taggedAt: p.taggedAt,
      endedAt: this.clock,
      clones: p.clones,
      duplicates: p.duplicates,
      branches: p.branches,
      branchVerdicts: c, // the packet's state ends here: its counts are handed over
      unfollowedCopies: p.unfollowedCopies,
      events: p.events,
      verdict,
      reason: p.reason,
      lossAffected,
    };
    if (p.enteredAt !== undefined) fate.enteredAt = p.enteredAt;
    if (p.exitedAt !== undefined) fate.exitedAt = p.exitedAt;
    if (p.sendCompletedAt !== undefined) fate.sendCompletedAt = p.sendCompletedAt;
    if (p.recvCompletedAt !== undefined) fate.recvCompletedAt = p.recvCompletedAt;
    if (p.discardedAt !== undefined) fate.discardedAt = p.discardedAt;
    if (p.discard !== undefined) fate.discard = { ...p.discard };
    if (p.removedAt !== undefined) fate.removedAt = p.removedAt;
    if (p.fragments > 0) fate.fragments = p.fragments;
    if (end !== undefined && end >= p.taggedAt) {
      fate.inStackLatency = end - p.taggedAt;
      fate.inStackLatencyUs = ticksToMicroseconds(fate.inStackLatency);
    }
    this.counters.emitted++;
    countVerdict(this.counters.verdicts, verdict);
    if (lossAffected) this.counters.lossAffected++;
    this.onFate?.(fate);
  }
}
